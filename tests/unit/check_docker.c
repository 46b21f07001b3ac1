/*
 * check_docker.c: the Docker Engine API client: HTTP responses (whole and
 * as an event stream cut anywhere), request texts, the list, inspect,
 * image and event parsers on what dockerd 20.10 sent, which labels count
 * (a container's own, not its image's), docker_request() against a
 * canned server, the networks' subnets, and the exact errors.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/buf.h"
#include "docker/docker.h"

/*
 * Captured from a private dockerd (docker.io 20.10.24) in a test network
 * namespace, with --bip 198.19.0.1/24; shop_front's address and the
 * data-root paths were rewritten, compose's own labels added to shop-web-1.
 */

/* What both documents hold from Driver to the end of HostConfig, but for
 * the network mode. */
#define INSPECT_HOST_CONFIG(mode) \
	"\"Driver\":\"overlay2\",\"Platform\":\"linux\",\"MountLabel\":\"\"," \
	"\"ProcessLabel\":\"\",\"AppArmorProfile\":\"\",\"ExecIDs\":null," \
	"\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":\"\"," \
	"\"LogConfig\":{\"Type\":\"json-file" \
	"\",\"Config\":{}},\"NetworkMode\":\"" mode "\",\"PortBindings\":{}," \
	"\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0}," \
	"\"AutoRemove\":false,\"VolumeDriver\":\"\",\"VolumesFrom\":null," \
	"\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":\"host\"," \
	"\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":null," \
	"\"GroupAdd\":null,\"IpcMode\":\"private\",\"Cgroup\":\"\"," \
	"\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false," \
	"\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":null," \
	"\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":67108864," \
	"\"Runtime\":\"runc\",\"ConsoleSize\":[0,0],\"Isolation\":\"\"," \
	"\"CpuShares\":0,\"Memory\":0,\"NanoCpus\":0,\"CgroupParent\":\"\"," \
	"\"BlkioWeight\":0,\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":null," \
	"\"BlkioDeviceWriteBps\":null,\"BlkioDeviceReadIOps\":null," \
	"\"BlkioDeviceWriteIOps\":null,\"CpuPeriod\":0,\"CpuQuota\":0," \
	"\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\"," \
	"\"CpusetMems\":\"\",\"Devices\":[],\"DeviceCgroupRules\":null," \
	"\"DeviceRequests\":null,\"KernelMemory\":0,\"KernelMemoryTCP\":0," \
	"\"MemoryReservation\":0,\"MemorySwap\":0,\"MemorySwappiness\":null," \
	"\"OomKillDisable\":false,\"PidsLimit\":null,\"Ulimits\":null," \
	"\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0," \
	"\"MaskedPaths\":[\"/proc/asound\",\"/proc/acpi\",\"/proc/kcore\"," \
	"\"/proc/keys\",\"/proc/latency_stats\",\"/proc/timer_list\"," \
	"\"/proc/timer_stats\",\"/proc/sched_debug\",\"/proc/scsi\"," \
	"\"/sys/firmware\"],\"ReadonlyPaths\":[\"/proc/bus\",\"/proc/fs\"," \
	"\"/proc/irq\",\"/proc/sys\",\"/proc/sysrq-trigger\"]},\"GraphDriver\":{\"Data\":{\"LowerDir"

/* docker inspect web1: busybox httpd on the default bridge (dockerd 20.10, --bip 198.19.0.1/24). */
static const char inspect_bridge[] =
	"{\"Id\":\"cb45501d5872f3e2ee3d904114376bb89d5cf1900d29a90d0e267ab1c321b344\","
	"\"Created\":\"2026-11-28T15:15:59.174675576Z\",\"Path\":\"/bin/httpd\","
	"\"Args\":[\"-f\",\"-p\",\"8080\"],\"State\":{\"Status\":\"running\","
	"\"Running\":true,\"Paused\":false,\"Restarting\":false,\"OOMKilled\":false,"
	"\"Dead\":false,\"Pid\":14509,\"ExitCode\":0,\"Error\":\"\","
	"\"StartedAt\":\"2026-11-28T15:15:59.511267705Z\",\"FinishedAt\":\"0001-01-01T00:00:00Z\"},"
	"\"Image\":\"sha256:37a2c2a5b3ad4c141eb985c35767133f65c527c97b6da38a7354f4c66f635542\","
	"\"ResolvConfPath\":\"/var/lib/docker/containers/cb45501d5872f3e2ee3d904114376bb89d5cf1900d2"
	"9a90d0e267ab1c321b344/resolv.conf\",\"HostnamePath\":\"/var/lib/docker/containers/cb45501d5"
	"872f3e2ee3d904114376bb89d5cf1900d29a90d0e267ab1c321b344/hostname\","
	"\"HostsPath\":\"/var/lib/docker/containers/cb45501d5872f3e2ee3d904114376bb89d5cf1900d29a90d"
	"0e267ab1c321b344/hosts\",\"LogPath\":\"/var/lib/docker/containers/cb45501d5872f3e2ee3d90411"
	"4376bb89d5cf1900d29a90d0e267ab1c321b344/cb45501d5872f3e2ee3d904114376bb89d5cf1900d29a90d0e2"
	"67ab1c321b344-json.log\",\"Name\":\"/web1\",\"RestartCount\":0,"
	INSPECT_HOST_CONFIG("default")
	"\":\"/var/lib/docker/overlay2/e20d1063398b31ff668bb2d0e3c1f07fc74d9896fc13c1039a15514bb2ec7"
	"535-init/diff:/var/lib/docker/overlay2/616d38a555814c31c1287320dc8cf9b97536c4f9159ebe121942"
	"652af26c2e67/diff\",\"MergedDir\":\"/var/lib/docker/overlay2/e20d1063398b31ff668bb2d0e3c1f0"
	"7fc74d9896fc13c1039a15514bb2ec7535/merged\",\"UpperDir\":\"/var/lib/docker/overlay2/e20d106"
	"3398b31ff668bb2d0e3c1f07fc74d9896fc13c1039a15514bb2ec7535/diff\","
	"\"WorkDir\":\"/var/lib/docker/overlay2/e20d1063398b31ff668bb2d0e3c1f07fc74d9896fc13c1039a15"
	"514bb2ec7535/work\"},\"Name\":\"overlay2\"},\"Mounts\":[],"
	"\"Config\":{\"Hostname\":\"cb45501d5872\",\"Domainname\":\"\","
	"\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,"
	"\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,"
	"\"StdinOnce\":false,\"Env\":null,\"Cmd\":[\"/bin/httpd\","
	"\"-f\",\"-p\",\"8080\"],\"Image\":\"nvdbox\",\"Volumes\":null,"
	"\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,"
	"\"Labels\":{}},\"NetworkSettings\":{\"Bridge\":\"\",\"SandboxID\":\"5eb9ac1e6b811bbe049ae5d"
	"4eaff254baa4d167fce71a21e4fc0f2016aa6e3d5\",\"HairpinMode\":false,"
	"\"LinkLocalIPv6Address\":\"\",\"LinkLocalIPv6PrefixLen\":0,"
	"\"Ports\":{},\"SandboxKey\":\"/var/run/docker/netns/5eb9ac1e6b81\","
	"\"SecondaryIPAddresses\":null,\"SecondaryIPv6Addresses\":null,"
	"\"EndpointID\":\"76de5db3554a7885958cbc81fb1dcb407f33ac3ef2f3be62c2759fa0ecde3e34\","
	"\"Gateway\":\"198.19.0.1\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,"
	"\"IPAddress\":\"198.19.0.2\",\"IPPrefixLen\":24,\"IPv6Gateway\":\"\","
	"\"MacAddress\":\"02:42:c6:13:00:02\",\"Networks\":{\"bridge\":{\"IPAMConfig\":null,"
	"\"Links\":null,\"Aliases\":null,\"NetworkID\":\"6bbf887df19f7ddbbb34a0accd9daf6b59b1f95cb5c"
	"d37e7fbc6f1270c971064\",\"EndpointID\":\"76de5db3554a7885958cbc81fb1dcb407f33ac3ef2f3be62c2"
	"759fa0ecde3e34\",\"Gateway\":\"198.19.0.1\",\"IPAddress\":\"198.19.0.2\","
	"\"IPPrefixLen\":24,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\","
	"\"GlobalIPv6PrefixLen\":0,\"MacAddress\":\"02:42:c6:13:00:02\","
	"\"DriverOpts\":null}}}}\n";

/* docker inspect shop-web-1: compose service web of project shop, on shop_front and on shop_back with IPv6. */
static const char inspect_compose[] =
	"{\"Id\":\"6ec70da8a5b55fd745f52cc0f718f4118a45552db64b1c0a27c16df7c9e04bbb\","
	"\"Created\":\"2026-11-28T15:15:59.792936717Z\",\"Path\":\"/bin/httpd\","
	"\"Args\":[\"-f\",\"-p\",\"8080\"],\"State\":{\"Status\":\"running\","
	"\"Running\":true,\"Paused\":false,\"Restarting\":false,\"OOMKilled\":false,"
	"\"Dead\":false,\"Pid\":14657,\"ExitCode\":0,\"Error\":\"\","
	"\"StartedAt\":\"2026-11-28T15:16:00.434190485Z\",\"FinishedAt\":\"0001-01-01T00:00:00Z\"},"
	"\"Image\":\"sha256:37a2c2a5b3ad4c141eb985c35767133f65c527c97b6da38a7354f4c66f635542\","
	"\"ResolvConfPath\":\"/var/lib/docker/containers/6ec70da8a5b55fd745f52cc0f718f4118a45552db64"
	"b1c0a27c16df7c9e04bbb/resolv.conf\",\"HostnamePath\":\"/var/lib/docker/containers/6ec70da8a"
	"5b55fd745f52cc0f718f4118a45552db64b1c0a27c16df7c9e04bbb/hostname\","
	"\"HostsPath\":\"/var/lib/docker/containers/6ec70da8a5b55fd745f52cc0f718f4118a45552db64b1c0a"
	"27c16df7c9e04bbb/hosts\",\"LogPath\":\"/var/lib/docker/containers/6ec70da8a5b55fd745f52cc0f"
	"718f4118a45552db64b1c0a27c16df7c9e04bbb/6ec70da8a5b55fd745f52cc0f718f4118a45552db64b1c0a27c"
	"16df7c9e04bbb-json.log\",\"Name\":\"/shop-web-1\",\"RestartCount\":0,"
	INSPECT_HOST_CONFIG("shop_front")
	"\":\"/var/lib/docker/overlay2/b3a0b1c0abc66d21804ea886492814d99df107274c320a3183e3fcc00cfae"
	"13a-init/diff:/var/lib/docker/overlay2/616d38a555814c31c1287320dc8cf9b97536c4f9159ebe121942"
	"652af26c2e67/diff\",\"MergedDir\":\"/var/lib/docker/overlay2/b3a0b1c0abc66d21804ea886492814"
	"d99df107274c320a3183e3fcc00cfae13a/merged\",\"UpperDir\":\"/var/lib/docker/overlay2/b3a0b1c"
	"0abc66d21804ea886492814d99df107274c320a3183e3fcc00cfae13a/diff\","
	"\"WorkDir\":\"/var/lib/docker/overlay2/b3a0b1c0abc66d21804ea886492814d99df107274c320a3183e3"
	"fcc00cfae13a/work\"},\"Name\":\"overlay2\"},\"Mounts\":[],"
	"\"Config\":{\"Hostname\":\"6ec70da8a5b5\",\"Domainname\":\"\","
	"\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":true,"
	"\"AttachStderr\":true,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,"
	"\"Env\":null,\"Cmd\":[\"/bin/httpd\",\"-f\",\"-p\",\"8080\"],"
	"\"Image\":\"nvdbox\",\"Volumes\":null,\"WorkingDir\":\"\","
	"\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{\"com.docker.compose.config-hash\":\"5b0c2"
	"e4e0c5ad1e3e3c9d6f5a5b7f0f6b8d5f1c1a2e3d4c5b6a7f8e9d0c1b2a3\","
	"\"com.docker.compose.container-number\":\"1\",\"com.docker.compose.depends_on\":\"db:servic"
	"e_started:false\",\"com.docker.compose.image\":\"sha256:37a2c2a5b3ad4c141eb985c35767133f65c"
	"527c97b6da38a7354f4c66f635542\",\"com.docker.compose.oneoff\":\"False\","
	"\"com.docker.compose.project\":\"shop\",\"com.docker.compose.project.config_files\":\"/srv/"
	"shop/compose.yaml\",\"com.docker.compose.project.working_dir\":\"/srv/shop\","
	"\"com.docker.compose.service\":\"web\",\"com.docker.compose.version\":\"2.20.2\"}},"
	"\"NetworkSettings\":{\"Bridge\":\"\",\"SandboxID\":\"a531fa9bcedb479b5c2168633577892e462945"
	"739334c48943904d0a9d6acb96\",\"HairpinMode\":false,\"LinkLocalIPv6Address\":\"\","
	"\"LinkLocalIPv6PrefixLen\":0,\"Ports\":{},\"SandboxKey\":\"/var/run/docker/netns/a531fa9bce"
	"db\",\"SecondaryIPAddresses\":null,\"SecondaryIPv6Addresses\":null,"
	"\"EndpointID\":\"\",\"Gateway\":\"\",\"GlobalIPv6Address\":\"\","
	"\"GlobalIPv6PrefixLen\":0,\"IPAddress\":\"\",\"IPPrefixLen\":0,"
	"\"IPv6Gateway\":\"\",\"MacAddress\":\"\",\"Networks\":{\"shop_back\":{\"IPAMConfig\":{},"
	"\"Links\":null,\"Aliases\":[\"6ec70da8a5b5\"],\"NetworkID\":\"ed5a1ca26c6bcfae20e37b5783221"
	"6f9e8557a52828d934f1eba64250f071c22\",\"EndpointID\":\"5d3c92671bc7bd3d0a09453399f68bb46c36"
	"cfc3d90cb9f584adab8776dbf1b7\",\"Gateway\":\"198.19.2.1\","
	"\"IPAddress\":\"198.19.2.2\",\"IPPrefixLen\":24,\"IPv6Gateway\":\"fd00:19:2::1\","
	"\"GlobalIPv6Address\":\"fd00:19:2::2\",\"GlobalIPv6PrefixLen\":64,"
	"\"MacAddress\":\"02:42:c6:13:02:02\",\"DriverOpts\":{}},\"shop_front\":{\"IPAMConfig\":null"
	",\"Links\":null,\"Aliases\":[\"6ec70da8a5b5\"],\"NetworkID\":\"b8d6f71af86d7810341917b2a290"
	"602db2dc6483a2fc7fc0199ab3094aa1563c\",\"EndpointID\":\"3b92e1f3f6db22512eddf2f0df2d644e575"
	"50da597aa746d067bad5538766080\",\"Gateway\":\"198.19.1.1\","
	"\"IPAddress\":\"198.19.1.2\",\"IPPrefixLen\":24,\"IPv6Gateway\":\"\","
	"\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"MacAddress\":\"02:42:c6:13:01:02\","
	"\"DriverOpts\":null}}}}\n";

/* docker inspect web: docker run -p 18080:8080 (dockerd 20.10, --bip 198.19.0.1/24). */
static const char inspect_published[] =
	"{\"Id\":\"5ebfc0cbe1670dea3d3a57190d734fa99318f127b01a7f5639f3f27075d4048f\",\"Created\":\""
	"2026-12-07T20:58:01.991893857Z\",\"Path\":\"httpd\",\"Args\":[\"-f\",\"-p\",\"8080\",\"-h\""
	",\"/www\"],\"State\":{\"Status\":\"running\",\"Running\":true,\"Paused\":false,\"Restartin"
	"g\":false,\"OOMKilled\":false,\"Dead\":false,\"Pid\":2049,\"ExitCode\":0,\"Error\":\"\",\""
	"StartedAt\":\"2026-12-07T20:58:02.577937967Z\",\"FinishedAt\":\"0001-01-01T00:00:00Z\"},\""
	"Image\":\"sha256:350107ce8627bbc51ffe6dd91ed17267d0ea83174a0666648d09d46de70b566c\",\"Reso"
	"lvConfPath\":\"/var/lib/docker/containers/5ebfc0cbe1670dea3d3a57190d734fa99318f127b01a7f56"
	"39f3f27075d4048f/resolv.conf\",\"HostnamePath\":\"/var/lib/docker/containers/5ebfc0cbe1670"
	"dea3d3a57190d734fa99318f127b01a7f5639f3f27075d4048f/hostname\",\"HostsPath\":\"/var/lib/do"
	"cker/containers/5ebfc0cbe1670dea3d3a57190d734fa99318f127b01a7f5639f3f27075d4048f/hosts\",\""
	"LogPath\":\"/var/lib/docker/containers/5ebfc0cbe1670dea3d3a57190d734fa99318f127b01a7f5639f"
	"3f27075d4048f/5ebfc0cbe1670dea3d3a57190d734fa99318f127b01a7f5639f3f27075d4048f-json.log\","
	"\"Name\":\"/web\",\"RestartCount\":0,\"Driver\":\"overlay2\",\"Platform\":\"linux\",\"Moun"
	"tLabel\":\"\",\"ProcessLabel\":\"\",\"AppArmorProfile\":\"\",\"ExecIDs\":null,\"HostConfig"
	"\":{\"Binds\":null,\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":\"json-file\",\"Config"
	"\":{}},\"NetworkMode\":\"default\",\"PortBindings\":{\"8080/tcp\":[{\"HostIp\":\"\",\"Host"
	"Port\":\"18080\"}]},\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},\"AutoRemo"
	"ve\":false,\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"CapAdd\":null,\"CapDrop\":null,\"C"
	"groupnsMode\":\"host\",\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":null,\""
	"GroupAdd\":null,\"IpcMode\":\"private\",\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,\""
	"PidMode\":\"\",\"Privileged\":false,\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"S"
	"ecurityOpt\":null,\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":67108864,\"Runtime\":\""
	"runc\",\"ConsoleSize\":[0,0],\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":0,\"NanoCpus\":"
	"0,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":"
	"null,\"BlkioDeviceWriteBps\":null,\"BlkioDeviceReadIOps\":null,\"BlkioDeviceWriteIOps\":nu"
	"ll,\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"Cpuse"
	"tCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":[],\"DeviceCgroupRules\":null,\"DeviceRequest"
	"s\":null,\"KernelMemory\":0,\"KernelMemoryTCP\":0,\"MemoryReservation\":0,\"MemorySwap\":0"
	",\"MemorySwappiness\":null,\"OomKillDisable\":false,\"PidsLimit\":null,\"Ulimits\":null,\""
	"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"MaskedPaths\""
	":[\"/proc/asound\",\"/proc/acpi\",\"/proc/kcore\",\"/proc/keys\",\"/proc/latency_stats\",\""
	"/proc/timer_list\",\"/proc/timer_stats\",\"/proc/sched_debug\",\"/proc/scsi\",\"/sys/firmw"
	"are\"],\"ReadonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\",\"/proc/s"
	"ysrq-trigger\"],\"Init\":true},\"GraphDriver\":{\"Data\":{\"LowerDir\":\"/var/lib/docker/o"
	"verlay2/87c491ef27fdd089b1a5c8d235a8ada9184d5928ed6b9eb05d93aa76c197a619-init/diff:/var/li"
	"b/docker/overlay2/5d29f5904e0535f04ae0946288d313a7779428b3e343bc963ace4909ef6299b5/diff\","
	"\"MergedDir\":\"/var/lib/docker/overlay2/87c491ef27fdd089b1a5c8d235a8ada9184d5928ed6b9eb05"
	"d93aa76c197a619/merged\",\"UpperDir\":\"/var/lib/docker/overlay2/87c491ef27fdd089b1a5c8d23"
	"5a8ada9184d5928ed6b9eb05d93aa76c197a619/diff\",\"WorkDir\":\"/var/lib/docker/overlay2/87c4"
	"91ef27fdd089b1a5c8d235a8ada9184d5928ed6b9eb05d93aa76c197a619/work\"},\"Name\":\"overlay2\""
	"},\"Mounts\":[],\"Config\":{\"Hostname\":\"5ebfc0cbe167\",\"Domainname\":\"\",\"User\":\"\""
	",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"ExposedPorts\":{\"8"
	"080/tcp\":{}},\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":["
	"\"httpd\",\"-f\",\"-p\",\"8080\",\"-h\",\"/www\"],\"Image\":\"nvdbox\",\"Volumes\":null,\""
	"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{}},\"NetworkSettings\":"
	"{\"Bridge\":\"\",\"SandboxID\":\"468d6d145a1f0e95a25bd48e36d18db92be8eb617b6939b03f7199419"
	"4911b3f\",\"HairpinMode\":false,\"LinkLocalIPv6Address\":\"\",\"LinkLocalIPv6PrefixLen\":0"
	",\"Ports\":{\"8080/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"18080\"},{\"HostIp\":\"::"
	"\",\"HostPort\":\"18080\"}]},\"SandboxKey\":\"/var/run/docker/netns/468d6d145a1f\",\"Secon"
	"daryIPAddresses\":null,\"SecondaryIPv6Addresses\":null,\"EndpointID\":\"372ee625c2172ae2db"
	"ee97e13fdb1793f983297f85bde06a50995ac5026874a7\",\"Gateway\":\"198.19.0.1\",\"GlobalIPv6Ad"
	"dress\":\"\",\"GlobalIPv6PrefixLen\":0,\"IPAddress\":\"198.19.0.2\",\"IPPrefixLen\":24,\"I"
	"Pv6Gateway\":\"\",\"MacAddress\":\"02:42:c6:13:00:02\",\"Networks\":{\"bridge\":{\"IPAMCon"
	"fig\":null,\"Links\":null,\"Aliases\":null,\"NetworkID\":\"12708407d20726ab12da71e553eeaba"
	"c4b818e2ed57295fa5eabf6b6fae89352\",\"EndpointID\":\"372ee625c2172ae2dbee97e13fdb1793f9832"
	"97f85bde06a50995ac5026874a7\",\"Gateway\":\"198.19.0.1\",\"IPAddress\":\"198.19.0.2\",\"IP"
	"PrefixLen\":24,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\""
	"MacAddress\":\"02:42:c6:13:00:02\",\"DriverOpts\":null}}}}";

/* docker inspect privc: docker create --privileged (never started: this machine withholds
 * CAP_SYS_RESOURCE, which a privileged container is given). */
static const char inspect_privileged[] =
	"{\"Id\":\"1629101bda1ba479f572f2f567a821c9a874107881e545fc9ff13d7358bf3f3b\",\"Created\":\""
	"2026-12-07T20:58:03.151059949Z\",\"Path\":\"sleep\",\"Args\":[\"3600\"],\"State\":{\"Statu"
	"s\":\"created\",\"Running\":false,\"Paused\":false,\"Restarting\":false,\"OOMKilled\":fals"
	"e,\"Dead\":false,\"Pid\":0,\"ExitCode\":0,\"Error\":\"\",\"StartedAt\":\"0001-01-01T00:00:"
	"00Z\",\"FinishedAt\":\"0001-01-01T00:00:00Z\"},\"Image\":\"sha256:350107ce8627bbc51ffe6dd9"
	"1ed17267d0ea83174a0666648d09d46de70b566c\",\"ResolvConfPath\":\"\",\"HostnamePath\":\"\",\""
	"HostsPath\":\"\",\"LogPath\":\"\",\"Name\":\"/privc\",\"RestartCount\":0,\"Driver\":\"over"
	"lay2\",\"Platform\":\"linux\",\"MountLabel\":\"\",\"ProcessLabel\":\"\",\"AppArmorProfile\""
	":\"\",\"ExecIDs\":null,\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":\"\",\"LogConfig"
	"\":{\"Type\":\"json-file\",\"Config\":{}},\"NetworkMode\":\"default\",\"PortBindings\":{},"
	"\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},\"AutoRemove\":false,\"VolumeD"
	"river\":\"\",\"VolumesFrom\":null,\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":\"host"
	"\",\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":null,\"GroupAdd\":null,\"I"
	"pcMode\":\"private\",\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"P"
	"rivileged\":true,\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":[\"lab"
	"el=disable\"],\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":67108864,\"Runtime\":\"runc"
	"\",\"ConsoleSize\":[0,0],\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":0,\"NanoCpus\":0,\""
	"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":null"
	",\"BlkioDeviceWriteBps\":null,\"BlkioDeviceReadIOps\":null,\"BlkioDeviceWriteIOps\":null,\""
	"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus"
	"\":\"\",\"CpusetMems\":\"\",\"Devices\":[],\"DeviceCgroupRules\":null,\"DeviceRequests\":n"
	"ull,\"KernelMemory\":0,\"KernelMemoryTCP\":0,\"MemoryReservation\":0,\"MemorySwap\":0,\"Me"
	"morySwappiness\":null,\"OomKillDisable\":false,\"PidsLimit\":null,\"Ulimits\":null,\"CpuCo"
	"unt\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"MaskedPaths\":null"
	",\"ReadonlyPaths\":null},\"GraphDriver\":{\"Data\":{\"LowerDir\":\"/var/lib/docker/overlay"
	"2/a883306d0797c1485abe5156e47381787ac740d11d0fed100c673ad750e4b829-init/diff:/var/lib/dock"
	"er/overlay2/5d29f5904e0535f04ae0946288d313a7779428b3e343bc963ace4909ef6299b5/diff\",\"Merg"
	"edDir\":\"/var/lib/docker/overlay2/a883306d0797c1485abe5156e47381787ac740d11d0fed100c673ad"
	"750e4b829/merged\",\"UpperDir\":\"/var/lib/docker/overlay2/a883306d0797c1485abe5156e473817"
	"87ac740d11d0fed100c673ad750e4b829/diff\",\"WorkDir\":\"/var/lib/docker/overlay2/a883306d07"
	"97c1485abe5156e47381787ac740d11d0fed100c673ad750e4b829/work\"},\"Name\":\"overlay2\"},\"Mo"
	"unts\":[],\"Config\":{\"Hostname\":\"1629101bda1b\",\"Domainname\":\"\",\"User\":\"\",\"At"
	"tachStdin\":false,\"AttachStdout\":true,\"AttachStderr\":true,\"Tty\":false,\"OpenStdin\":"
	"false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":[\"sleep\",\"3600\"],\"Image\":\"nvdbox\",\""
	"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{}},\"N"
	"etworkSettings\":{\"Bridge\":\"\",\"SandboxID\":\"\",\"HairpinMode\":false,\"LinkLocalIPv6"
	"Address\":\"\",\"LinkLocalIPv6PrefixLen\":0,\"Ports\":{},\"SandboxKey\":\"\",\"SecondaryIP"
	"Addresses\":null,\"SecondaryIPv6Addresses\":null,\"EndpointID\":\"\",\"Gateway\":\"\",\"Gl"
	"obalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"IPAddress\":\"\",\"IPPrefixLen\":0,\"IP"
	"v6Gateway\":\"\",\"MacAddress\":\"\",\"Networks\":{\"bridge\":{\"IPAMConfig\":null,\"Links"
	"\":null,\"Aliases\":null,\"NetworkID\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddre"
	"ss\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6Pr"
	"efixLen\":0,\"MacAddress\":\"\",\"DriverOpts\":null}}}}";

/* GET /version of the same dockerd. */
static const char version_body[] =
	"{\"Platform\":{\"Name\":\"\"},\"Components\":[{\"Name\":\"Engine\",\"Version\":\"20.10.24+"
	"dfsg1\",\"Details\":{\"ApiVersion\":\"1.41\",\"Arch\":\"amd64\",\"BuildTime\":\"2026-05-07"
	"T21:09:36.000000000+00:00\",\"Experimental\":\"false\",\"GitCommit\":\"5d6db84\",\"GoVersi"
	"on\":\"go1.19.8\",\"KernelVersion\":\"6.18.44-fc-v1300\",\"MinAPIVersion\":\"1.12\",\"Os\""
	":\"linux\"}},{\"Name\":\"containerd\",\"Version\":\"1.6.20~ds1\",\"Details\":{\"GitCommit\""
	":\"1.6.20~ds1-1+deb12u3\"}},{\"Name\":\"runc\",\"Version\":\"1.1.5+ds1\",\"Details\":{\"Gi"
	"tCommit\":\"1.1.5+ds1-1+deb12u1\"}},{\"Name\":\"docker-init\",\"Version\":\"0.19.0\",\"Det"
	"ails\":{\"GitCommit\":\"\"}}],\"Version\":\"20.10.24+dfsg1\",\"ApiVersion\":\"1.41\",\"Min"
	"APIVersion\":\"1.12\",\"GitCommit\":\"5d6db84\",\"GoVersion\":\"go1.19.8\",\"Os\":\"linux\""
	",\"Arch\":\"amd64\",\"KernelVersion\":\"6.18.44-fc-v1300\",\"BuildTime\":\"2026-05-07T21:0"
	"9:36.000000000+00:00\"}";

/* The headers dockerd sent first in the list and events responses. */
#define DOCKERD_HEAD \
	"HTTP/1.1 200 OK\r\n" \
	"Api-Version: 1.41\r\n" \
	"Content-Type: application/json\r\n" \
	"Docker-Experimental: false\r\n" \
	"Ostype: linux\r\n" \
	"Server: Docker/20.10.24+dfsg1 (linux)\r\n" \
	"Date: Sat, 28 Nov 2026 15:16:08 GMT\r\n"

/* GET /containers/json as read from the socket: shop-web-1 and web1. */
static const char list_response[] =
	DOCKERD_HEAD
	"Connection: close\r\n"
	"Transfer-Encoding: chunked\r\n"
	"\r\n"
	"8b0\r\n"
	"[{\"Id\":\"6ec70da8a5b55fd745f52cc0f718f4118a45552db64b1c0a27c16df7c9e04bbb\","
	"\"Names\":[\"/shop-web-1\"],\"Image\":\"nvdbox\",\"ImageID\":\"sha256:37a2c2a5b3ad4c141eb98"
	"5c35767133f65c527c97b6da38a7354f4c66f635542\",\"Command\":\"/bin/httpd -f -p 8080\","
	"\"Created\":1795878959,\"Ports\":[],\"Labels\":{\"com.docker.compose.container-number\":\"1"
	"\",\"com.docker.compose.oneoff\":\"False\",\"com.docker.compose.project\":\"shop\","
	"\"com.docker.compose.project.working_dir\":\"/srv/shop\","
	"\"com.docker.compose.service\":\"web\"},\"State\":\"running\","
	"\"Status\":\"Up 8 seconds\",\"HostConfig\":{\"NetworkMode\":\"shop_front\"},"
	"\"NetworkSettings\":{\"Networks\":{\"shop_back\":{\"IPAMConfig\":{},"
	"\"Links\":null,\"Aliases\":null,\"NetworkID\":\"ed5a1ca26c6bcfae20e37b57832216f9e8557a52828"
	"d934f1eba64250f071c22\",\"EndpointID\":\"5d3c92671bc7bd3d0a09453399f68bb46c36cfc3d90cb9f584"
	"adab8776dbf1b7\",\"Gateway\":\"198.19.2.1\",\"IPAddress\":\"198.19.2.2\","
	"\"IPPrefixLen\":24,\"IPv6Gateway\":\"fd00:19:2::1\",\"GlobalIPv6Address\":\"fd00:19:2::2\","
	"\"GlobalIPv6PrefixLen\":64,\"MacAddress\":\"02:42:c6:13:02:02\","
	"\"DriverOpts\":null},\"shop_front\":{\"IPAMConfig\":null,"
	"\"Links\":null,\"Aliases\":null,\"NetworkID\":\"b8d6f71af86d7810341917b2a290602db2dc6483a2f"
	"c7fc0199ab3094aa1563c\",\"EndpointID\":\"3b92e1f3f6db22512eddf2f0df2d644e57550da597aa746d06"
	"7bad5538766080\",\"Gateway\":\"198.19.1.1\",\"IPAddress\":\"198.19.1.2\","
	"\"IPPrefixLen\":24,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\","
	"\"GlobalIPv6PrefixLen\":0,\"MacAddress\":\"02:42:c6:13:01:02\","
	"\"DriverOpts\":null}}},\"Mounts\":[]},{\"Id\":\"cb45501d5872f3e2ee3d904114376bb89d5cf1900d2"
	"9a90d0e267ab1c321b344\",\"Names\":[\"/web1\"],\"Image\":\"nvdbox\","
	"\"ImageID\":\"sha256:37a2c2a5b3ad4c141eb985c35767133f65c527c97b6da38a7354f4c66f635542\","
	"\"Command\":\"/bin/httpd -f -p 8080\",\"Created\":1795878959,"
	"\"Ports\":[],\"Labels\":{},\"State\":\"running\",\"Status\":\"Up 9 seconds\","
	"\"HostConfig\":{\"NetworkMode\":\"default\"},\"NetworkSettings\":{\"Networks\":{\"bridge\":"
	"{\"IPAMConfig\":null,\"Links\":null,\"Aliases\":null,\"NetworkID\":\"6bbf887df19f7ddbbb34a0"
	"accd9daf6b59b1f95cb5cd37e7fbc6f1270c971064\",\"EndpointID\":\"76de5db3554a7885958cbc81fb1dc"
	"b407f33ac3ef2f3be62c2759fa0ecde3e34\",\"Gateway\":\"198.19.0.1\","
	"\"IPAddress\":\"198.19.0.2\",\"IPPrefixLen\":24,\"IPv6Gateway\":\"\","
	"\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"MacAddress\":\"02:42:c6:13:00:02\","
	"\"DriverOpts\":null}}},\"Mounts\":[]}]\n"
	"\r\n"
	"0\r\n"
	"\r\n";

/* shop-web-1 disconnected from shop_back: dockerd sent it twice. */
#define SHOP_BACK_DISCONNECT(nano) \
	"13d\r\n" \
	"{\"Type\":\"network\",\"Action\":\"disconnect\",\"Actor\":{\"ID\":\"" \
	"ed5a1ca26c6bcfae20e37b57832216f9e8557a52828d934f1eba64250f071c22\",\"Attributes\":" \
	"{\"container\":\"6ec70da8a5b55fd745f52cc0f718f4118a45552db64b1c0a27c16df7c9e04bbb\"," \
	"\"name\":\"shop_back\"," \
	"\"type\":\"bridge\"}},\"scope\":\"local\",\"time\":1795878971," \
	"\"timeNano\":" nano "}\n" \
	"\r\n"

/* GET /events as read from the socket while web1 was renamed web2, stopped,
 * shop-web-1 was disconnected from shop_back and connected again, and web2
 * was started. */
static const char events_response[] =
	DOCKERD_HEAD
	"Transfer-Encoding: chunked\r\n"
	"\r\n"
	"164\r\n"
	"{\"status\":\"rename\",\"id\":\"cb45501d5872f3e2ee3d904114376bb89d5cf1900d29a90d0e267ab1c32"
	"1b344\",\"from\":\"nvdbox\",\"Type\":\"container\",\"Action\":\"rename\","
	"\"Actor\":{\"ID\":\"cb45501d5872f3e2ee3d904114376bb89d5cf1900d29a90d0e267ab1c321b344\","
	"\"Attributes\":{\"image\":\"nvdbox\",\"name\":\"web2\",\"oldName\":\"/web1\"}},"
	"\"scope\":\"local\",\"time\":1795878969,\"timeNano\":1795878969680905257}\n"
	"\r\n"
	"15c\r\n"
	"{\"status\":\"kill\",\"id\":\"cb45501d5872f3e2ee3d904114376bb89d5cf1900d29a90d0e267ab1c321b"
	"344\",\"from\":\"nvdbox\",\"Type\":\"container\",\"Action\":\"kill\","
	"\"Actor\":{\"ID\":\"cb45501d5872f3e2ee3d904114376bb89d5cf1900d29a90d0e267ab1c321b344\","
	"\"Attributes\":{\"image\":\"nvdbox\",\"name\":\"web2\",\"signal\":\"15\"}},"
	"\"scope\":\"local\",\"time\":1795878969,\"timeNano\":1795878969733089358}\n"
	"\r\n"
	"15b\r\n"
	"{\"status\":\"kill\",\"id\":\"cb45501d5872f3e2ee3d904114376bb89d5cf1900d29a90d0e267ab1c321b"
	"344\",\"from\":\"nvdbox\",\"Type\":\"container\",\"Action\":\"kill\","
	"\"Actor\":{\"ID\":\"cb45501d5872f3e2ee3d904114376bb89d5cf1900d29a90d0e267ab1c321b344\","
	"\"Attributes\":{\"image\":\"nvdbox\",\"name\":\"web2\",\"signal\":\"9\"}},"
	"\"scope\":\"local\",\"time\":1795878970,\"timeNano\":1795878970749903349}\n"
	"\r\n"
	"15d\r\n"
	"{\"status\":\"die\",\"id\":\"cb45501d5872f3e2ee3d904114376bb89d5cf1900d29a90d0e267ab1c321b3"
	"44\",\"from\":\"nvdbox\",\"Type\":\"container\",\"Action\":\"die\","
	"\"Actor\":{\"ID\":\"cb45501d5872f3e2ee3d904114376bb89d5cf1900d29a90d0e267ab1c321b344\","
	"\"Attributes\":{\"exitCode\":\"137\",\"image\":\"nvdbox\","
	"\"name\":\"web2\"}},\"scope\":\"local\",\"time\":1795878970,"
	"\"timeNano\":1795878970782077806}\n"
	"\r\n"
	"13a\r\n"
	"{\"Type\":\"network\",\"Action\":\"disconnect\",\"Actor\":{\"ID\":\"6bbf887df19f7ddbbb34a0a"
	"ccd9daf6b59b1f95cb5cd37e7fbc6f1270c971064\",\"Attributes\":{\"container\":\"cb45501d5872f3e"
	"2ee3d904114376bb89d5cf1900d29a90d0e267ab1c321b344\",\"name\":\"bridge\","
	"\"type\":\"bridge\"}},\"scope\":\"local\",\"time\":1795878970,"
	"\"timeNano\":1795878970853120023}\n"
	"\r\n"
	"14e\r\n"
	"{\"status\":\"stop\",\"id\":\"cb45501d5872f3e2ee3d904114376bb89d5cf1900d29a90d0e267ab1c321b"
	"344\",\"from\":\"nvdbox\",\"Type\":\"container\",\"Action\":\"stop\","
	"\"Actor\":{\"ID\":\"cb45501d5872f3e2ee3d904114376bb89d5cf1900d29a90d0e267ab1c321b344\","
	"\"Attributes\":{\"image\":\"nvdbox\",\"name\":\"web2\"}},"
	"\"scope\":\"local\",\"time\":1795878970,\"timeNano\":1795878970860360344}\n"
	"\r\n"
	SHOP_BACK_DISCONNECT("1795878971028240034")
	SHOP_BACK_DISCONNECT("1795878971030076702")
	"13a\r\n"
	"{\"Type\":\"network\",\"Action\":\"connect\",\"Actor\":{\"ID\":\"ed5a1ca26c6bcfae20e37b5783"
	"2216f9e8557a52828d934f1eba64250f071c22\",\"Attributes\":{\"container\":\"6ec70da8a5b55fd745"
	"f52cc0f718f4118a45552db64b1c0a27c16df7c9e04bbb\",\"name\":\"shop_back\","
	"\"type\":\"bridge\"}},\"scope\":\"local\",\"time\":1795878971,"
	"\"timeNano\":1795878971208115983}\n"
	"\r\n"
	"137\r\n"
	"{\"Type\":\"network\",\"Action\":\"connect\",\"Actor\":{\"ID\":\"6bbf887df19f7ddbbb34a0accd"
	"9daf6b59b1f95cb5cd37e7fbc6f1270c971064\",\"Attributes\":{\"container\":\"cb45501d5872f3e2ee"
	"3d904114376bb89d5cf1900d29a90d0e267ab1c321b344\",\"name\":\"bridge\","
	"\"type\":\"bridge\"}},\"scope\":\"local\",\"time\":1795878971,"
	"\"timeNano\":1795878971255075051}\n"
	"\r\n"
	"150\r\n"
	"{\"status\":\"start\",\"id\":\"cb45501d5872f3e2ee3d904114376bb89d5cf1900d29a90d0e267ab1c321"
	"b344\",\"from\":\"nvdbox\",\"Type\":\"container\",\"Action\":\"start\","
	"\"Actor\":{\"ID\":\"cb45501d5872f3e2ee3d904114376bb89d5cf1900d29a90d0e267ab1c321b344\","
	"\"Attributes\":{\"image\":\"nvdbox\",\"name\":\"web2\"}},"
	"\"scope\":\"local\",\"time\":1795878971,\"timeNano\":1795878971521887501}\n"
	"\r\n";

/*
 * docker image inspect of an image made with docker import --change
 * 'LABEL zone=vault' --change 'LABEL com.docker.compose.project=shop'
 * --change 'LABEL com.docker.compose.service=db' (the data-root paths
 * rewritten), and of the plain one.
 */
#define ID_IMG_VAULT	"sha256:7d4f438288f7650475e34371aa7674bff1160be9f3a54dc57ce06ece8e8c2d8f"
#define IMAGE_CONFIG(labels) \
	"{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false," \
	"\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false," \
	"\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null," \
	"\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":" labels "}"
static const char image_vault[] =
	"{\"Id\":\"" ID_IMG_VAULT "\",\"RepoTags\":[\"nvdbox-vault:latest\"],\"RepoDigests\":[],"
	"\"Parent\":\"\",\"Comment\":\"Imported from -\",\"Created\":\"2026-12-07T19:40:53.669414739Z\","
	"\"Container\":\"\",\"ContainerConfig\":" IMAGE_CONFIG("null") ","
	"\"DockerVersion\":\"20.10.24+dfsg1\",\"Author\":\"\",\"Config\":"
	IMAGE_CONFIG("{\"com.docker.compose.project\":\"shop\",\"com.docker.compose.service\":\"db\","
	"\"zone\":\"vault\"}") ",\"Architecture\":\"amd64\",\"Os\":\"linux\",\"Size\":1984182,"
	"\"VirtualSize\":1984182,\"GraphDriver\":{\"Data\":{\"MergedDir\":\"/var/lib/docker/overlay2/"
	"3ce11b7c2a1fd1b20cc7db26882db3346af4edec47128952d8fbd3813b737014/merged\",\"UpperDir\":"
	"\"/var/lib/docker/overlay2/3ce11b7c2a1fd1b20cc7db26882db3346af4edec47128952d8fbd3813b737014/"
	"diff\",\"WorkDir\":\"/var/lib/docker/overlay2/3ce11b7c2a1fd1b20cc7db26882db3346af4edec4712"
	"8952d8fbd3813b737014/work\"},\"Name\":\"overlay2\"},\"RootFS\":{\"Type\":\"layers\","
	"\"Layers\":[\"sha256:f38eb9e89ee435e24c042e58a7bed745a961d34b5bc7888dfa6b48b387a889a3\"]},"
	"\"Metadata\":{\"LastTagTime\":\"2026-12-07T19:40:53.670722066Z\"}}\n";
static const char image_plain[] =
	"{\"Id\":\"sha256:121b83e933554e190ed08b964520b01b5932dad968fbba0289a8faf28c0ae031\","
	"\"RepoTags\":[\"nvdbox:latest\"],\"RepoDigests\":[],\"Parent\":\"\",\"Comment\":"
	"\"Imported from -\",\"Created\":\"2026-12-07T19:40:53.375012354Z\",\"Container\":\"\","
	"\"ContainerConfig\":" IMAGE_CONFIG("null") ",\"DockerVersion\":\"20.10.24+dfsg1\","
	"\"Author\":\"\",\"Config\":" IMAGE_CONFIG("null") ",\"Architecture\":\"amd64\","
	"\"Os\":\"linux\",\"Size\":1984182,\"VirtualSize\":1984182}\n";

/*
 * GET /v1.41/networks: dockerd 20.10.24 with --bip 198.19.0.1/24 after
 * "network create --subnet 198.19.8.0/24 shop_back" and "network create
 * --ipv6 --subnet 198.19.9.0/24 --subnet fd00:19:9::/64 shop_front"; the
 * last network, a macvlan one, was added by hand (no parent link there).
 */
static const char networks_response[] =
	"[{\"Name\":\"none\",\"Id\":\"f40d57abb7899045092a2a89a886cc15ac9cdb1f03d32b23b83dfb55367"
	"2acd0\",\"Created\":\"2026-12-07T19:42:28.809883966Z\",\"Scope\":\"local\",\"Driver\":\""
	"null\",\"EnableIPv6\":false,\"IPAM\":{\"Driver\":\"default\",\"Options\":null,\"Config\""
	":[]},\"Internal\":false,\"Attachable\":false,\"Ingress\":false,\"ConfigFrom\":{\"Network"
	"\":\"\"},\"ConfigOnly\":false,\"Containers\":{},\"Options\":{},\"Labels\":{}},{\"Name\":"
	"\"host\",\"Id\":\"a3a61e277f7b4db3b6800e8e479f60667ee4d6083ac45acd8ee99a5f8f221faa\",\"C"
	"reated\":\"2026-12-07T19:42:28.818447418Z\",\"Scope\":\"local\",\"Driver\":\"host\",\"En"
	"ableIPv6\":false,\"IPAM\":{\"Driver\":\"default\",\"Options\":null,\"Config\":[]},\"Inte"
	"rnal\":false,\"Attachable\":false,\"Ingress\":false,\"ConfigFrom\":{\"Network\":\"\"},\""
	"ConfigOnly\":false,\"Containers\":{},\"Options\":{},\"Labels\":{}},{\"Name\":\"bridge\","
	"\"Id\":\"f0328c82d5ff8543fb14d269ea682101ccab06d4c1bb416c0b065ee11794495a\",\"Created\":"
	"\"2026-12-07T19:42:28.841515941Z\",\"Scope\":\"local\",\"Driver\":\"bridge\",\"EnableIPv"
	"6\":false,\"IPAM\":{\"Driver\":\"default\",\"Options\":null,\"Config\":[{\"Subnet\":\"19"
	"8.19.0.0/24\",\"Gateway\":\"198.19.0.1\"}]},\"Internal\":false,\"Attachable\":false,\"In"
	"gress\":false,\"ConfigFrom\":{\"Network\":\"\"},\"ConfigOnly\":false,\"Containers\":{},\""
	"Options\":{\"com.docker.network.bridge.default_bridge\":\"true\",\"com.docker.network.br"
	"idge.enable_icc\":\"true\",\"com.docker.network.bridge.enable_ip_masquerade\":\"true\",\""
	"com.docker.network.bridge.host_binding_ipv4\":\"0.0.0.0\",\"com.docker.network.bridge.na"
	"me\":\"docker0\",\"com.docker.network.driver.mtu\":\"1500\"},\"Labels\":{}},{\"Name\":\""
	"shop_back\",\"Id\":\"c719adc49bf7aff86be89b5a470891fcaa19e0ab62a30a464d5093e9e27aec36\","
	"\"Created\":\"2026-12-07T19:42:28.966322574Z\",\"Scope\":\"local\",\"Driver\":\"bridge\""
	",\"EnableIPv6\":false,\"IPAM\":{\"Driver\":\"default\",\"Options\":{},\"Config\":[{\"Sub"
	"net\":\"198.19.8.0/24\"}]},\"Internal\":false,\"Attachable\":false,\"Ingress\":false,\"C"
	"onfigFrom\":{\"Network\":\"\"},\"ConfigOnly\":false,\"Containers\":{},\"Options\":{},\"L"
	"abels\":{}},{\"Name\":\"shop_front\",\"Id\":\"1ad1648bd858b89b17726d4b58c83d42077096fa0f"
	"2f82cf71ea7f0fbeef80ea\",\"Created\":\"2026-12-07T19:42:29.049094616Z\",\"Scope\":\"loca"
	"l\",\"Driver\":\"bridge\",\"EnableIPv6\":true,\"IPAM\":{\"Driver\":\"default\",\"Options"
	"\":{},\"Config\":[{\"Subnet\":\"198.19.9.0/24\"},{\"Subnet\":\"fd00:19:9::/64\"}]},\"Int"
	"ernal\":false,\"Attachable\":false,\"Ingress\":false,\"ConfigFrom\":{\"Network\":\"\"},\""
	"ConfigOnly\":false,\"Containers\":{},\"Options\":{},\"Labels\":{}},{\"Name\":\"lan\",\"I"
	"d\":\"5d0a1b9c3e7f4a2b8c6d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b\",\"Created\":\"2"
	"026-12-07T19:42:29.101234567Z\",\"Scope\":\"local\",\"Driver\":\"macvlan\",\"EnableIPv6\""
	":false,\"IPAM\":{\"Driver\":\"default\",\"Options\":{},\"Config\":[{\"Subnet\":\"198.18."
	"77.0/24\"}]},\"Internal\":false,\"Attachable\":false,\"Ingress\":false,\"ConfigFrom\":{\""
	"Network\":\"\"},\"ConfigOnly\":false,\"Containers\":{},\"Options\":{\"parent\":\"eth0\"}"
	",\"Labels\":{}}]\n";

#define ID_WEB	"cb45501d5872f3e2ee3d904114376bb89d5cf1900d29a90d0e267ab1c321b344"
#define ID_SHOP	"6ec70da8a5b55fd745f52cc0f718f4118a45552db64b1c0a27c16df7c9e04bbb"

static char err[256];

/* --- whole responses -------------------------------------------------------- */

/* Feeds data in pieces of step bytes (0: all at once), then the end of file. */
static int
feed(struct docker_resp *r, const char *data, size_t len, size_t step)
{
	size_t off, n;

	for (off = 0; off < len; off += n) {
		n = step && step < len - off ? step : len - off;
		if (docker_resp_feed(r, data + off, n) < 0)
			return -1;
	}
	return docker_resp_eof(r);
}

/* text fails with want, whether fed at once or byte by byte. */
#define ck_resp_err(text, len, want) do {			 \
	struct docker_resp r_;					 \
	size_t step_;						 \
	for (step_ = 0; step_ < 2; step_++) {			 \
		docker_resp_init(&r_, 0);			 \
		ck_assert_int_eq(feed(&r_, (text), (len), step_), -1); \
		ck_assert_str_eq(r_.err, (want));		 \
		docker_resp_free(&r_);				 \
	}							 \
} while (0)
#define ck_resp_errs(text, want)	ck_resp_err((text), strlen(text), (want))

START_TEST(test_resp_content_length)
{
	static const char text[] = "HTTP/1.1 404 Not Found\r\nApi-Version: 1.41\r\n"
	    "Content-Type: application/json\r\nContent-Length: 38\r\n\r\n"
	    "{\"message\":\"No such container: nope\"}\n";
	struct docker_resp r;
	size_t step;

	for (step = 0; step < 40; step++) {
		docker_resp_init(&r, 0);
		ck_assert_int_eq(docker_resp_feed(&r, text, 10), 0);
		ck_assert_int_eq(docker_resp_done(&r), 0);
		ck_assert_int_eq(feed(&r, text + 10, strlen(text) - 10, step), 0);
		ck_assert_int_eq(docker_resp_done(&r), 1);
		ck_assert_int_eq(r.status, 404);
		ck_assert_uint_eq(r.body.len, 38);
		ck_assert_str_eq(r.body.data, "{\"message\":\"No such container: nope\"}\n");
		docker_resp_free(&r);
	}
}
END_TEST

START_TEST(test_resp_chunked)
{
	static const char text[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
	    "5;name=value\r\n[1,2,\r\n"
	    "000003 \r\n3]\n\r\n"
	    "0\r\nX-Trailer: yes\r\n\r\n";
	struct docker_resp r;
	size_t step;

	for (step = 0; step < 8; step++) {
		docker_resp_init(&r, 0);
		ck_assert_int_eq(feed(&r, text, strlen(text), step), 0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_str_eq(r.body.data, "[1,2,3]\n");
		docker_resp_free(&r);
	}
}
END_TEST

/* Docker's own response: chunked, as it sends a list of any size. */
START_TEST(test_resp_list)
{
	struct docker_resp r;
	char ids[4][DOCKER_ID_LEN + 1];
	size_t n;

	docker_resp_init(&r, 0);
	ck_assert_int_eq(feed(&r, list_response, strlen(list_response), 0), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(r.body.len, 0x8b0);
	ck_assert_int_eq(docker_parse_list(r.body.data, r.body.len, ids, 4, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(ids[0], ID_SHOP);
	ck_assert_str_eq(ids[1], ID_WEB);
	docker_resp_free(&r);
}
END_TEST

START_TEST(test_resp_until_close)
{
	static const char text[] = "HTTP/1.0 200 OK\nContent-Type: text/plain\n\nbody until close";
	struct docker_resp r;

	docker_resp_init(&r, 0);
	ck_assert_int_eq(docker_resp_feed(&r, text, strlen(text)), 0);
	ck_assert_int_eq(docker_resp_done(&r), 0);
	ck_assert_int_eq(docker_resp_eof(&r), 0);
	ck_assert_int_eq(docker_resp_done(&r), 1);
	ck_assert_str_eq(r.body.data, "body until close");
	docker_resp_free(&r);
}
END_TEST

START_TEST(test_resp_no_body)
{
	struct docker_resp r;

	docker_resp_init(&r, 0);
	ck_assert_int_eq(docker_resp_feed(&r, "HTTP/1.1 204 No Content\r\n\r\n", 27), 0);
	ck_assert_int_eq(docker_resp_done(&r), 1);
	ck_assert_uint_eq(r.body.len, 0);
	docker_resp_free(&r);
	docker_resp_init(&r, 0);
	ck_assert_int_eq(docker_resp_feed(&r, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 38), 0);
	ck_assert_int_eq(docker_resp_done(&r), 1);
	docker_resp_free(&r);
}
END_TEST

START_TEST(test_resp_cut_short)
{
	ck_resp_errs("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345",
	    "connection closed before the end of the response");
	ck_resp_errs("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n",
	    "connection closed before the end of the response");
	ck_resp_errs("HTTP/1.1 200 OK\r\nContent-Len",
	    "connection closed before the end of the response");
	ck_resp_errs("", "connection closed before the end of the response");
}
END_TEST

START_TEST(test_resp_bad_status)
{
	ck_resp_errs("HTTP/2 200 OK\r\n", "malformed status line");
	ck_resp_errs("HTTP/1.1 20 OK\r\n", "malformed status line");
	ck_resp_errs("HTTP/1.1 2000 OK\r\n", "malformed status line");
	ck_resp_errs("HTTP/1.1 099 Low\r\n", "malformed status line");
	ck_resp_errs("HTTP/1.2 200 OK\r\n", "malformed status line");
	ck_resp_errs("http/1.1 200 OK\r\n", "malformed status line");
	ck_resp_errs("\r\n", "malformed status line");
	ck_resp_errs("HTTP/1.1 101 Switching Protocols\r\n", "unexpected status 101");
	ck_resp_errs("HTTP/1.1 200 O\x01K\r\n", "control character in header line");
}
END_TEST

START_TEST(test_resp_bad_headers)
{
	ck_resp_errs("HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n", "invalid Content-Length");
	ck_resp_errs("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "invalid Content-Length");
	ck_resp_errs("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", "invalid Content-Length");
	ck_resp_errs("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
	    "invalid Content-Length");
	ck_resp_errs("HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-length: 6\r\n\r\n",
	    "conflicting Content-Length");
	ck_resp_errs("HTTP/1.1 200 OK\r\nContent-Length: 16777217\r\n\r\n",
	    "body larger than 16777216 bytes");
	ck_resp_errs("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	    "unsupported Transfer-Encoding 'gzip, chunked'");
	ck_resp_errs("HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n", "obsolete line folding in header");
	ck_resp_errs("HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n", "malformed header line");
	ck_resp_errs("HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\n", "malformed header line");
	ck_resp_errs("HTTP/1.1 200 OK\r\n: x\r\n\r\n", "malformed header line");
	ck_resp_errs("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", "malformed header line");
	ck_resp_errs("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", "control character in header line");
	ck_resp_err("HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n", 27, "control character in header line");
	ck_resp_errs("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA",
	    "data after the end of the response");
}
END_TEST

START_TEST(test_resp_header_too_long)
{
	static char text[DOCKER_MAX_HEADER + 400];
	struct docker_resp r;
	size_t n, i;

	/* one line of DOCKER_MAX_LINE bytes, CR included, fits; one more does not */
	n = (size_t)sprintf(text, "HTTP/1.1 200 OK\r\nX-Long: ");
	memset(text + n, 'a', DOCKER_MAX_LINE - 9);
	n += DOCKER_MAX_LINE - 9;
	memcpy(text + n, "\r\n\r\n", 5);
	docker_resp_init(&r, 0);
	ck_assert_int_eq(docker_resp_feed(&r, text, strlen(text)), 0);
	ck_assert_int_eq(docker_resp_eof(&r), 0);
	docker_resp_free(&r);
	memmove(text + n + 1, text + n, 5);
	text[n] = 'a';
	ck_resp_errs(text, "header line longer than 8192 bytes");

	/* many short lines add up */
	n = (size_t)sprintf(text, "HTTP/1.1 200 OK\r\n");
	for (i = 0; n < DOCKER_MAX_HEADER + 100; i++)
		n += (size_t)sprintf(text + n, "X-%04zu: %090d\r\n", i, 0);
	ck_resp_errs(text, "headers longer than 32768 bytes");
}
END_TEST

START_TEST(test_resp_bad_chunks)
{
#define CHUNKED "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	ck_resp_errs(CHUNKED "fffffffffffffffffffffffff\r\n", "chunk size too large");
	ck_resp_errs(CHUNKED "1000001\r\n", "chunk size too large");
	ck_resp_errs(CHUNKED "zz\r\n", "malformed chunk size");
	ck_resp_errs(CHUNKED "\r\n", "malformed chunk size");
	ck_resp_errs(CHUNKED "-1\r\n", "malformed chunk size");
	ck_resp_errs(CHUNKED "5 x\r\n", "malformed chunk size");
	ck_resp_errs(CHUNKED "0x5\r\n", "malformed chunk size");
	ck_resp_errs(CHUNKED "3\r\nabcdef\r\n", "expected CRLF after chunk data");
	ck_resp_errs(CHUNKED "3\r\nabc\r\n0\r\n\r\nmore", "data after the end of the response");
	ck_resp_errs(CHUNKED "3\x01\r\n", "control character in chunk line");
#undef CHUNKED
}
END_TEST

/* A chunked body grows past DOCKER_MAX_BODY one legal chunk at a time. */
START_TEST(test_resp_body_too_large)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	size_t piece = 1 << 20, i;
	char *data = calloc(1, piece), size[16];
	struct docker_resp r;
	int rc = 0;

	ck_assert_ptr_nonnull(data);
	docker_resp_init(&r, 0);
	ck_assert_int_eq(docker_resp_feed(&r, head, strlen(head)), 0);
	sprintf(size, "%zx\r\n", piece);
	for (i = 0; i <= DOCKER_MAX_BODY / piece && rc == 0; i++) {
		rc = docker_resp_feed(&r, size, strlen(size));
		if (rc == 0)
			rc = docker_resp_feed(&r, data, piece);
		if (rc == 0)
			rc = docker_resp_feed(&r, "\r\n", 2);
	}
	ck_assert_int_eq(rc, -1);
	ck_assert_uint_eq(i, DOCKER_MAX_BODY / piece + 1);
	ck_assert_str_eq(r.err, "body larger than 16777216 bytes");
	/* failed for good */
	ck_assert_int_eq(docker_resp_feed(&r, "0\r\n\r\n", 5), -1);
	ck_assert_str_eq(r.err, "body larger than 16777216 bytes");
	docker_resp_free(&r);
	free(data);
}
END_TEST

/* --- the event stream ------------------------------------------------------- */

/* Feeds one piece, appending each event handed out and a newline to out. */
static int
stream_piece(struct docker_resp *r, const char *data, size_t len, struct buf *out)
{
	const char *ev;
	size_t evlen;
	ssize_t n;

	while (len > 0) {
		n = docker_events_feed(r, data, len, &ev, &evlen);
		if (n < 0)
			return -1;
		ck_assert_uint_le((size_t)n, len);
		if (ev != NULL) {
			ck_assert_uint_eq(strlen(ev), evlen);
			buf_append(out, ev, evlen);
			buf_append(out, "\n", 1);
		} else
			ck_assert_uint_eq((size_t)n, len);
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The events of data fed in two pieces cut at cut, or byte by byte if cut is 0. */
static void
stream_events(const char *data, size_t len, size_t cut, struct buf *out)
{
	struct docker_resp r;
	size_t i;

	buf_reset(out);
	docker_resp_init(&r, 1);
	if (cut == 0) {
		for (i = 0; i < len; i++)
			ck_assert_int_eq(stream_piece(&r, data + i, 1, out), 0);
	} else {
		ck_assert_int_eq(stream_piece(&r, data, cut, out), 0);
		ck_assert_int_eq(stream_piece(&r, data + cut, len - cut, out), 0);
	}
	ck_assert_int_eq(r.status, 200);
	docker_resp_free(&r);
}

START_TEST(test_events_every_cut)
{
	size_t len = strlen(events_response), cut, n = 0;
	struct buf whole, b;
	const char *p;

	buf_init(&whole);
	buf_init(&b);
	stream_events(events_response, len, len, &whole);
	for (p = whole.data; (p = strchr(p, '\n')) != NULL; p++)
		n++;
	ck_assert_uint_eq(n, 11);
	ck_assert(strncmp(whole.data, "{\"status\":\"rename\",", 19) == 0);
	for (cut = 1; cut < len; cut++) {
		stream_events(events_response, len, cut, &b);
		ck_assert_msg(strcmp(b.data, whole.data) == 0, "cut at %zu differs", cut);
	}
	stream_events(events_response, len, 0, &b);
	ck_assert_str_eq(b.data, whole.data);
	buf_free(&whole);
	buf_free(&b);
}
END_TEST

/* Events need not line up with chunks; blank lines are skipped. */
START_TEST(test_events_across_chunks)
{
	static const char text[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "4\r\n{\"a\"\r\n"
	    "8\r\n:1}\n{\"b\"\r\n"
	    "7\r\n:2}\n{}\n\r\n"
	    "3\r\n\n \n\r\n"
	    "0\r\n\r\n";
	struct docker_resp r;
	struct buf out;

	buf_init(&out);
	docker_resp_init(&r, 1);
	ck_assert_int_eq(stream_piece(&r, text, strlen(text), &out), 0);
	ck_assert_str_eq(out.data, "{\"a\":1}\n{\"b\":2}\n{}\n");
	ck_assert_int_eq(docker_resp_done(&r), 1);
	ck_assert_int_eq(stream_piece(&r, "x", 1, &out), -1);
	ck_assert_str_eq(r.err, "data after the end of the response");
	docker_resp_free(&r);
	buf_free(&out);
}
END_TEST

START_TEST(test_events_not_200)
{
	static const char text[] = "HTTP/1.1 400 Bad Request\r\nApi-Version: 1.41\r\n"
	    "Content-Type: application/json\r\nContent-Length: 42\r\n\r\n"
	    "{\"message\":\"invalid filter 'type=bogus'\"}\n";
	struct docker_resp r;
	struct buf out;

	buf_init(&out);
	docker_resp_init(&r, 1);
	ck_assert_int_eq(stream_piece(&r, text, strlen(text), &out), -1);
	ck_assert_str_eq(r.err, "HTTP status 400");
	ck_assert_int_eq(r.status, 400);
	ck_assert_uint_eq(out.len, 0);
	docker_resp_free(&r);
	buf_free(&out);
}
END_TEST

START_TEST(test_events_too_long)
{
	static const char head[] = "HTTP/1.1 200 OK\r\n\r\n";
	size_t n = DOCKER_MAX_EVENT + 1;
	char *text = malloc(sizeof(head) + n);
	struct docker_resp r;
	struct buf out;

	ck_assert_ptr_nonnull(text);
	memcpy(text, head, sizeof(head) - 1);
	memset(text + sizeof(head) - 1, ' ', n);
	text[sizeof(head) - 1] = '{';
	text[sizeof(head) - 1 + n - 1] = '\n';	/* DOCKER_MAX_EVENT bytes and a newline */
	buf_init(&out);
	docker_resp_init(&r, 1);
	ck_assert_int_eq(stream_piece(&r, text, sizeof(head) - 1 + n - 1, &out), 0);
	ck_assert_int_eq(stream_piece(&r, "\n", 1, &out), -1);
	ck_assert_str_eq(r.err, "event longer than 262144 bytes");
	docker_resp_free(&r);
	buf_free(&out);
	free(text);
}
END_TEST

/* --- requests --------------------------------------------------------------- */

START_TEST(test_requests)
{
	char out[DOCKER_REQ_MAX];

	ck_assert_int_eq(docker_req_list(out, sizeof(out)), 72);
	ck_assert_str_eq(out, "GET /v1.41/containers/json HTTP/1.1\r\n"
	    "Host: docker\r\nConnection: close\r\n\r\n");
	ck_assert_int_gt(docker_req_inspect(out, sizeof(out), ID_WEB), 0);
	ck_assert_str_eq(out, "GET /v1.41/containers/" ID_WEB "/json HTTP/1.1\r\n"
	    "Host: docker\r\nConnection: close\r\n\r\n");
	ck_assert_int_gt(docker_req_inspect(out, sizeof(out), "shop-web-1"), 0);
	ck_assert_str_eq(out, "GET /v1.41/containers/shop-web-1/json HTTP/1.1\r\n"
	    "Host: docker\r\nConnection: close\r\n\r\n");
	ck_assert_int_gt(docker_req_events(out, sizeof(out)), 0);
	ck_assert_str_eq(out, "GET /v1.41/events?filters="
	    "%7B%22type%22%3A%5B%22container%22%2C%22network%22%5D%7D HTTP/1.1\r\n"
	    "Host: docker\r\n\r\n");
	ck_assert_int_eq(docker_req_networks(out, sizeof(out)), 65);
	ck_assert_str_eq(out, "GET /v1.41/networks HTTP/1.1\r\n"
	    "Host: docker\r\nConnection: close\r\n\r\n");
	ck_assert_int_eq(docker_req_networks(out, 65), -1);
}
END_TEST

START_TEST(test_request_refuses)
{
	char out[DOCKER_REQ_MAX], name[200];

	ck_assert_int_eq(docker_req_inspect(out, sizeof(out), ""), -1);
	ck_assert_int_eq(docker_req_inspect(out, sizeof(out), "../../info"), -1);
	ck_assert_int_eq(docker_req_inspect(out, sizeof(out), "a b"), -1);
	ck_assert_int_eq(docker_req_inspect(out, sizeof(out), "a/b"), -1);
	ck_assert_int_eq(docker_req_inspect(out, sizeof(out), "a?x=1"), -1);
	ck_assert_int_eq(docker_req_inspect(out, sizeof(out), "a%2f"), -1);
	ck_assert_int_eq(docker_req_inspect(out, sizeof(out), "web\r\nX: y"), -1);
	ck_assert_int_eq(docker_req_inspect(out, sizeof(out), "-web"), -1);
	ck_assert_int_eq(docker_req_inspect(out, sizeof(out), "_web"), -1);
	memset(name, 'a', 128);
	name[128] = '\0';
	ck_assert_int_gt(docker_req_inspect(out, sizeof(out), name), 0);
	name[128] = 'a';
	name[129] = '\0';
	ck_assert_int_eq(docker_req_inspect(out, sizeof(out), name), -1);
	ck_assert_int_eq(docker_req_list(out, 72), -1);
	ck_assert_int_eq(docker_req_list(out, 73), 72);
	ck_assert_int_eq(docker_req_events(out, 20), -1);
	ck_assert_int_eq(docker_req_inspect(out, 20, "web"), -1);
	/* An image by its id only: "sha256:" and 64 lowercase hex digits. */
	ck_assert_int_gt(docker_req_image(out, sizeof(out), ID_IMG_VAULT), 0);
	ck_assert_str_eq(out, "GET /v1.41/images/" ID_IMG_VAULT "/json HTTP/1.1\r\n"
	    "Host: docker\r\nConnection: close\r\n\r\n");
	ck_assert_int_eq(docker_req_image(out, sizeof(out), "nvdbox"), -1);
	ck_assert_int_eq(docker_req_image(out, sizeof(out), "sha256:7d4f43"), -1);
	ck_assert_int_eq(docker_req_image(out, sizeof(out), ID_IMG_VAULT "0"), -1);
	ck_assert_int_eq(docker_req_image(out, sizeof(out), "sha256:7D4F438288F7650475E34371AA7674BF"
	    "F1160BE9F3A54DC57CE06ECE8E8C2D8F"), -1);
	ck_assert_int_eq(docker_req_image(out, sizeof(out), "sha512:7d4f438288f7650475e34371aa7674bf"
	    "f1160be9f3a54dc57ce06ece8e8c2d8f"), -1);
	ck_assert_int_eq(docker_req_image(out, 40, ID_IMG_VAULT), -1);
}
END_TEST

/* --- documents -------------------------------------------------------------- */

static struct docker_container ct;

static const char *
addr_text(const struct docker_addr *a)
{
	static char text[64];

	return inet_ntop(a->family, a->addr, text, sizeof(text));
}

START_TEST(test_inspect_bridge)
{
	ck_assert_int_eq(docker_parse_container(inspect_bridge, strlen(inspect_bridge),
	    &ct, err, sizeof(err)), 0);
	ck_assert_str_eq(ct.id, ID_WEB);
	ck_assert_str_eq(ct.name, "web1");
	ck_assert_str_eq(ct.image, "nvdbox");
	ck_assert_str_eq(ct.project, "");
	ck_assert_str_eq(ct.service, "");
	ck_assert_int_eq(ct.running, 1);
	ck_assert_int_eq(ct.pid, 14509);
	ck_assert_int_eq(ct.nlabels, 0);
	ck_assert_int_eq(ct.labels_dropped, 0);
	ck_assert_int_eq(ct.naddrs, 1);
	ck_assert_int_eq(ct.addrs[0].family, AF_INET);
	ck_assert_str_eq(addr_text(&ct.addrs[0]), "198.19.0.2");
	ck_assert_str_eq(ct.addrs[0].network, "bridge");
	ck_assert_int_eq(ct.addrs_dropped, 0);
	ck_assert_str_eq(ct.image_id, "sha256:37a2c2a5b3ad4c141eb985c35767133f65c527c97b6da38a7354f4c66f635542");
	ck_assert_int_eq(ct.addrs[0].has_mac, 1);
	ck_assert_mem_eq(ct.addrs[0].mac, "\x02\x42\xc6\x13\x00\x02", 6);
	ck_assert_int_eq(ct.addrs[0].ifindex, 0);
}
END_TEST

START_TEST(test_inspect_compose)
{
	ck_assert_int_eq(docker_parse_container(inspect_compose, strlen(inspect_compose),
	    &ct, err, sizeof(err)), 0);
	ck_assert_str_eq(ct.id, ID_SHOP);
	ck_assert_str_eq(ct.name, "shop-web-1");
	ck_assert_str_eq(ct.image, "nvdbox");
	ck_assert_str_eq(ct.project, "shop");
	ck_assert_str_eq(ct.service, "web");
	ck_assert_int_eq(ct.running, 1);
	ck_assert_int_eq(ct.pid, 14657);
	ck_assert_int_eq(ct.nlabels, 10);
	ck_assert_str_eq(ct.labels[0].key, "com.docker.compose.config-hash");
	ck_assert_str_eq(ct.labels[5].key, "com.docker.compose.project");
	ck_assert_str_eq(ct.labels[5].value, "shop");
	ck_assert_str_eq(ct.labels[6].key, "com.docker.compose.project.config_files");
	ck_assert_str_eq(ct.labels[6].value, "/srv/shop/compose.yaml");
	ck_assert_str_eq(ct.labels[9].key, "com.docker.compose.version");
	ck_assert_int_eq(ct.naddrs, 3);
	ck_assert_str_eq(ct.addrs[0].network, "shop_back");
	ck_assert_int_eq(ct.addrs[0].family, AF_INET);
	ck_assert_str_eq(addr_text(&ct.addrs[0]), "198.19.2.2");
	ck_assert_str_eq(ct.addrs[1].network, "shop_back");
	ck_assert_int_eq(ct.addrs[1].family, AF_INET6);
	ck_assert_str_eq(addr_text(&ct.addrs[1]), "fd00:19:2::2");
	ck_assert_str_eq(ct.addrs[2].network, "shop_front");
	ck_assert_str_eq(addr_text(&ct.addrs[2]), "198.19.1.2");
	/* Each network's interface: both addresses of shop_back on one. */
	ck_assert_mem_eq(ct.addrs[0].mac, "\x02\x42\xc6\x13\x02\x02", 6);
	ck_assert_mem_eq(ct.addrs[1].mac, "\x02\x42\xc6\x13\x02\x02", 6);
	ck_assert_mem_eq(ct.addrs[2].mac, "\x02\x42\xc6\x13\x01\x02", 6);
}
END_TEST

/* Docker's shapes for a created container and one on the host network. */
START_TEST(test_inspect_no_addresses)
{
	static const char created[] = "{\"Id\":\"" ID_WEB "\",\"State\":{\"Status\":\"created\","
	    "\"Running\":false,\"Paused\":false,\"Pid\":0,\"ExitCode\":0},\"Name\":\"/stopped1\","
	    "\"Config\":{\"Image\":\"nvdbox\",\"Labels\":{}},\"NetworkSettings\":{\"IPAddress\":\"\","
	    "\"Networks\":{\"bridge\":{\"IPAMConfig\":null,\"NetworkID\":\"\",\"Gateway\":\"\","
	    "\"IPAddress\":\"\",\"IPPrefixLen\":0,\"GlobalIPv6Address\":\"\"}}}}";
	static const char host[] = "{\"Id\":\"" ID_WEB "\",\"State\":{\"Running\":true,"
	    "\"Pid\":15357},\"Name\":\"/hostnet\",\"Config\":{\"Image\":\"nvdbox\",\"Labels\":null},"
	    "\"NetworkSettings\":{\"Networks\":{\"host\":{\"IPAMConfig\":null,"
	    "\"IPAddress\":\"\",\"GlobalIPv6Address\":\"\"}}}}";
	static const char bare[] = "{\"Id\":\"" ID_WEB "\",\"Name\":\"x\"}";

	ck_assert_int_eq(docker_parse_container(created, strlen(created), &ct, err, sizeof(err)), 0);
	ck_assert_str_eq(ct.name, "stopped1");
	ck_assert_int_eq(ct.running, 0);
	ck_assert_int_eq(ct.pid, 0);
	ck_assert_int_eq(ct.naddrs, 0);
	ck_assert_int_eq(docker_parse_container(host, strlen(host), &ct, err, sizeof(err)), 0);
	ck_assert_int_eq(ct.running, 1);
	ck_assert_int_eq(ct.pid, 15357);
	ck_assert_int_eq(ct.naddrs, 0);
	ck_assert_int_eq(ct.nlabels, 0);
	ck_assert_int_eq(docker_parse_container(bare, strlen(bare), &ct, err, sizeof(err)), 0);
	ck_assert_str_eq(ct.name, "x");
	ck_assert_str_eq(ct.image, "");
	ck_assert_str_eq(ct.image_id, "");
}
END_TEST

static void
doc_with_labels(struct buf *b, int n, const char *extra)
{
	int i;

	buf_reset(b);
	buf_printf(b, "{\"Id\":\"%s\",\"Name\":\"/many\",\"Config\":{\"Labels\":{", ID_WEB);
	for (i = 0; i < n; i++)
		buf_printf(b, "\"a%02d\":\"v%d\",", i, i);
	buf_printf(b, "%s}}}", extra);
}

START_TEST(test_inspect_labels_bounded)
{
	static char longkey[DOCKER_LABEL_KEY_MAX + 1], longval[DOCKER_LABEL_VALUE_MAX + 1];
	struct buf b, extra;

	buf_init(&b);
	buf_init(&extra);
	doc_with_labels(&b, DOCKER_MAX_LABELS + 6, "\"com.docker.compose.project\":\"shop\","
	    "\"com.docker.compose.service\":\"db\"");
	ck_assert_int_eq(docker_parse_container(b.data, b.len, &ct, err, sizeof(err)), 0);
	ck_assert_int_eq(ct.nlabels, DOCKER_MAX_LABELS);
	ck_assert_int_eq(ct.labels_dropped, 8);
	ck_assert_str_eq(ct.labels[63].key, "a63");
	ck_assert_str_eq(ct.labels[63].value, "v63");
	ck_assert_str_eq(ct.project, "shop");
	ck_assert_str_eq(ct.service, "db");

	memset(longkey, 'k', sizeof(longkey) - 1);
	memset(longval, 'v', sizeof(longval) - 1);
	buf_printf(&extra, "\"%s\":\"x\",\"%.127s\":\"fits\",\"big\":\"%s\",\"fits\":\"%.255s\","
	    "\"n\":1,\"nul\\u0000\":\"x\"", longkey, longkey, longval, longval);
	doc_with_labels(&b, 2, extra.data);
	ck_assert_int_eq(docker_parse_container(b.data, b.len, &ct, err, sizeof(err)), 0);
	ck_assert_int_eq(ct.nlabels, 4);
	ck_assert_int_eq(ct.labels_dropped, 4);
	ck_assert_uint_eq(strlen(ct.labels[2].key), DOCKER_LABEL_KEY_MAX - 1);
	ck_assert_str_eq(ct.labels[3].key, "fits");
	ck_assert_uint_eq(strlen(ct.labels[3].value), DOCKER_LABEL_VALUE_MAX - 1);
	buf_free(&b);
	buf_free(&extra);
}
END_TEST

START_TEST(test_inspect_addrs_bounded)
{
	struct buf b;
	int i;

	buf_init(&b);
	buf_printf(&b, "{\"Id\":\"%s\",\"Name\":\"/wide\",\"NetworkSettings\":{\"Networks\":{", ID_WEB);
	for (i = 0; i < 20; i++)
		buf_printf(&b, "%s\"net%d\":{\"IPAddress\":\"198.19.%d.2\","
		    "\"GlobalIPv6Address\":\"fd00:19:%x::2\"}", i ? "," : "", i, i + 10, i + 10);
	buf_puts(&b, "}}}");
	ck_assert_int_eq(docker_parse_container(b.data, b.len, &ct, err, sizeof(err)), 0);
	ck_assert_int_eq(ct.naddrs, DOCKER_MAX_ADDRS);
	ck_assert_int_eq(ct.addrs_dropped, 40 - DOCKER_MAX_ADDRS);
	ck_assert_str_eq(ct.addrs[31].network, "net15");
	ck_assert_str_eq(addr_text(&ct.addrs[31]), "fd00:19:19::2");
	buf_free(&b);
}
END_TEST

/* {"Id":ID_WEB, then body}: one bad field each. */
#define ck_inspect_err(body, want) do {				 \
	static const char t_[] = "{\"Id\":\"" ID_WEB "\"," body; \
	ck_assert_int_eq(docker_parse_container(t_, strlen(t_), &ct, err, sizeof(err)), -1); \
	ck_assert_str_eq(err, (want));				 \
} while (0)

START_TEST(test_inspect_errors)
{
	static char longname[400];
	struct buf b;

	ck_assert_int_eq(docker_parse_container(inspect_bridge, 1000, &ct, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "inspect: offset 1000: unexpected end of input");
	ck_assert_int_eq(docker_parse_container("[]", 2, &ct, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "inspect: not a JSON object");
	ck_assert_int_eq(docker_parse_container("{\"Id\":\"abc\"}", 12, &ct, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "inspect: Id is not 64 hex digits");
	ck_assert_int_eq(docker_parse_container("{\"Id\":\"CB45501D5872F3E2EE3D904114376BB8"
	    "9D5CF1900D29A90D0E267AB1C321B344\"}", 73, &ct, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "inspect: Id is not 64 hex digits");
	ck_inspect_err("\"State\":{}}", "inspect: Name is not a string");
	ck_inspect_err("\"Name\":\"/\"}", "inspect: Name is empty");
	ck_inspect_err("\"Name\":7}", "inspect: Name is not a string");
	ck_inspect_err("\"Name\":\"/x\",\"Config\":{\"Image\":42}}",
	    "inspect: Config.Image is not a string");
	ck_inspect_err("\"Name\":\"/x\",\"State\":{\"Pid\":-1}}", "inspect: State.Pid is not a process id");
	ck_inspect_err("\"Name\":\"/x\",\"State\":{\"Pid\":1e3}}", "inspect: State.Pid is not a process id");
	ck_inspect_err("\"Name\":\"/x\",\"State\":{\"Pid\":99999999999}}",
	    "inspect: State.Pid is not a process id");
	ck_inspect_err("\"Name\":\"/x\",\"Config\":{\"Labels\":[]}}",
	    "inspect: Config.Labels is not an object");
	ck_inspect_err("\"Name\":\"/x\",\"Config\":{\"Labels\":{\"com.docker.compose.project\":1}}}",
	    "inspect: label com.docker.compose.project is not a string");
	ck_inspect_err("\"Name\":\"/x\",\"NetworkSettings\":{\"Networks\":[]}}",
	    "inspect: NetworkSettings.Networks is not an object");
	ck_inspect_err("\"Name\":\"/x\",\"NetworkSettings\":{\"Networks\":{\"bridge\":\"x\"}}}",
	    "inspect: network bridge is not an object");
	ck_inspect_err("\"Name\":\"/x\",\"NetworkSettings\":{\"Networks\":{\"\":{}}}}",
	    "inspect: bad network name");
	ck_inspect_err("\"Name\":\"/x\",\"NetworkSettings\":{\"Networks\":{\"bridge\":"
	    "{\"IPAddress\":\"198.19.0.300\"}}}}", "inspect: network bridge: bad IPAddress");
	ck_inspect_err("\"Name\":\"/x\",\"NetworkSettings\":{\"Networks\":{\"bridge\":"
	    "{\"IPAddress\":\"198.19.0.2/24\"}}}}", "inspect: network bridge: bad IPAddress");
	ck_inspect_err("\"Name\":\"/x\",\"NetworkSettings\":{\"Networks\":{\"bridge\":"
	    "{\"IPAddress\":7}}}}", "inspect: network bridge: bad IPAddress");
	ck_inspect_err("\"Name\":\"/x\",\"NetworkSettings\":{\"Networks\":{\"bridge\":"
	    "{\"GlobalIPv6Address\":\"198.19.0.2\"}}}}", "inspect: network bridge: bad GlobalIPv6Address");
	ck_inspect_err("\"Name\":\"/x\",\"NetworkSettings\":{\"Networks\":{\"bridge\":"
	    "{\"MacAddress\":\"02:42:c6:13:00\"}}}}", "inspect: network bridge: bad MacAddress");
	ck_inspect_err("\"Name\":\"/x\",\"NetworkSettings\":{\"Networks\":{\"bridge\":"
	    "{\"MacAddress\":\"02:42:c6:13:00:02:03\"}}}}", "inspect: network bridge: bad MacAddress");
	ck_inspect_err("\"Name\":\"/x\",\"NetworkSettings\":{\"Networks\":{\"bridge\":"
	    "{\"MacAddress\":\"02-42-c6-13-00-02\"}}}}", "inspect: network bridge: bad MacAddress");
	ck_inspect_err("\"Name\":\"/x\",\"NetworkSettings\":{\"Networks\":{\"bridge\":"
	    "{\"MacAddress\":2}}}}", "inspect: network bridge: bad MacAddress");
	ck_inspect_err("\"Name\":\"/x\",\"Image\":\"nvdbox\"}", "inspect: Image is not an image id");
	ck_inspect_err("\"Name\":\"/x\",\"Image\":7}", "inspect: Image is not a string");

	buf_init(&b);
	memset(longname, 'n', 256);
	buf_printf(&b, "{\"Id\":\"%s\",\"Name\":\"/%s\"}", ID_WEB, longname);
	ck_assert_int_eq(docker_parse_container(b.data, b.len, &ct, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "inspect: Name longer than 255 bytes");
	longname[255] = '\0';
	buf_reset(&b);
	buf_printf(&b, "{\"Id\":\"%s\",\"Name\":\"/%s\"}", ID_WEB, longname);
	ck_assert_int_eq(docker_parse_container(b.data, b.len, &ct, err, sizeof(err)), 0);
	ck_assert_uint_eq(strlen(ct.name), 255);
	memset(longname, 'i', sizeof(longname) - 1);
	buf_reset(&b);
	buf_printf(&b, "{\"Id\":\"%s\",\"Name\":\"/x\",\"Config\":{\"Image\":\"%s\"}}", ID_WEB, longname);
	ck_assert_int_eq(docker_parse_container(b.data, b.len, &ct, err, sizeof(err)), 0);
	buf_reset(&b);
	buf_printf(&b, "{\"Id\":\"%s\",\"Name\":\"/x\",\"Config\":{\"Image\":\"%s%s\"}}", ID_WEB,
	    longname, longname);
	ck_assert_int_eq(docker_parse_container(b.data, b.len, &ct, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "inspect: Config.Image longer than 511 bytes");
	buf_free(&b);
}
END_TEST

/* --- images, and whose labels count ---------------------------------------- */

static struct docker_image img;

START_TEST(test_image_captured)
{
	ck_assert_int_eq(docker_parse_image(image_vault, strlen(image_vault), &img, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(img.id, ID_IMG_VAULT);
	ck_assert_int_eq(img.nlabels, 3);
	ck_assert_str_eq(img.labels[2].key, "zone");
	ck_assert_str_eq(img.labels[2].value, "vault");
	ck_assert_str_eq(img.project, "shop");
	ck_assert_str_eq(img.service, "db");
	ck_assert_int_eq(img.labels_dropped, 0);
	ck_assert_int_eq(docker_parse_image(image_plain, strlen(image_plain), &img, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(img.id, "sha256:121b83e933554e190ed08b964520b01b5932dad968fbba0289a8faf28c0ae031");
	ck_assert_int_eq(img.nlabels, 0);
	ck_assert_str_eq(img.project, "");
}
END_TEST

/* What Docker says of a container besides who it is (docker_asset.c). */
START_TEST(test_inspect_assets)
{
	static const char odd[] = "{\"Id\":\"" ID_WEB "\",\"Name\":\"/odd\",\"State\":{"
	    "\"Status\":\"paused\",\"Running\":true,\"Paused\":true},\"HostConfig\":{"
	    "\"Privileged\":true},\"Config\":{\"User\":\"1000:0\"},\"NetworkSettings\":{"
	    "\"Ports\":{\"8080/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"18080\"},"
	    "{\"HostIp\":\"::\",\"HostPort\":\"18080\"}],\"53/udp\":null,\"9/sctp\":[{\"HostIp\":"
	    "\"\",\"HostPort\":\"9\"}],\"80\":[{\"HostIp\":\"\",\"HostPort\":\"1\"}],"
	    "\"70000/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"1\"}],\"81/tcp\":[{\"HostIp\":\"x\","
	    "\"HostPort\":\"1\"},{\"HostIp\":\"\",\"HostPort\":\"0\"},{\"HostIp\":\"\"}],"
	    "\"82/tcp\":{}},\"Networks\":{\"front\":{},\"a,b\":{},\"back\":{}}}}";
	char text[512];

	ck_assert_int_eq(docker_parse_container(inspect_bridge, strlen(inspect_bridge), &ct, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(ct.asset.state, "running");
	ck_assert_int_eq(ct.asset.privileged, 0);
	ck_assert_str_eq(ct.asset.user, "");
	ck_assert_int_eq(docker_asset_root(&ct.asset), 1);
	ck_assert_int_eq(ct.asset.nports, 0);
	docker_asset_nets_text(&ct.asset, text, sizeof(text));
	ck_assert_str_eq(text, "bridge");
	ck_assert_int_eq(docker_parse_container(inspect_compose, strlen(inspect_compose), &ct, err,
	    sizeof(err)), 0);
	docker_asset_nets_text(&ct.asset, text, sizeof(text));
	ck_assert_str_eq(text, "shop_back,shop_front");
	/* Captured: a published port, on IPv4 and IPv6; a privileged container. */
	ck_assert_int_eq(docker_parse_container(inspect_published, strlen(inspect_published), &ct,
	    err, sizeof(err)), 0);
	docker_asset_ports_text(&ct.asset, text, sizeof(text));
	ck_assert_str_eq(text, "0.0.0.0:18080->8080/tcp,[::]:18080->8080/tcp");
	ck_assert_int_eq(ct.asset.dropped, 0);
	ck_assert_int_eq(ct.asset.privileged, 0);
	ck_assert_int_eq(docker_parse_container(inspect_privileged, strlen(inspect_privileged), &ct,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(ct.asset.privileged, 1);
	ck_assert_str_eq(ct.asset.state, "created");
	ck_assert_int_eq(ct.asset.nports, 0);

	/* What does not read is left out and counted, the rest kept. */
	ck_assert_int_eq(docker_parse_container(odd, strlen(odd), &ct, err, sizeof(err)), 0);
	ck_assert_str_eq(ct.asset.state, "paused");
	ck_assert_int_eq(ct.asset.privileged, 1);
	ck_assert_str_eq(ct.asset.user, "1000:0");
	ck_assert_int_eq(docker_asset_root(&ct.asset), 0);
	docker_asset_ports_text(&ct.asset, text, sizeof(text));
	ck_assert_str_eq(text, "0.0.0.0:18080->8080/tcp,[::]:18080->8080/tcp,:9->9/sctp");
	ck_assert_int_eq(ct.asset.dropped, 7);
	docker_asset_nets_text(&ct.asset, text, sizeof(text));
	ck_assert_str_eq(text, "front,back");
	/* Cut at an item, "..." for the rest. */
	docker_asset_ports_text(&ct.asset, text, 30);
	ck_assert_str_eq(text, "0.0.0.0:18080->8080/tcp,...");
	docker_asset_ports_text(&ct.asset, text, 8);
	ck_assert_str_eq(text, "...");
}
END_TEST

START_TEST(test_asset_root)
{
	static const struct { const char *user; int root; } t[] = {
		{ "", 1 }, { "root", 1 }, { "0", 1 }, { "00", 1 }, { "0:0", 1 }, { "root:wheel", 1 },
		{ ":1000", 1 }, { "1000", 0 }, { "nobody", 0 }, { "1000:0", 0 }, { "01", 0 },
		{ "rooter", 0 }, { "10", 0 },
	};
	struct docker_asset a;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&a, 0, sizeof(a));
		strcpy(a.user, t[i].user);
		ck_assert_msg(docker_asset_root(&a) == t[i].root, "user '%s'", t[i].user);
	}
	/* A user too long to keep is not told root by what is left. */
	memset(&a, 0, sizeof(a));
	a.user_cut = 1;
	ck_assert_int_eq(docker_asset_root(&a), 0);
}
END_TEST

START_TEST(test_version)
{
	static const char v[] = "{\"Platform\":{\"Name\":\"\"},\"Version\":\"20.10.24+dfsg1\","
	    "\"ApiVersion\":\"1.41\",\"MinAPIVersion\":\"1.12\",\"Os\":\"linux\"}";
	struct docker_version dv;
	char req[DOCKER_REQ_MAX];

	ck_assert_int_eq(docker_parse_version(v, strlen(v), &dv, err, sizeof(err)), 0);
	ck_assert_str_eq(dv.version, "20.10.24+dfsg1");
	ck_assert_str_eq(dv.api, "1.41");
	ck_assert_int_eq(docker_parse_version(version_body, strlen(version_body), &dv, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(dv.version, "20.10.24+dfsg1");
	ck_assert_str_eq(dv.api, "1.41");
	ck_assert_int_eq(docker_parse_version("{}", 2, &dv, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "version: no Version");
	ck_assert_int_eq(docker_parse_version("{", 1, &dv, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "version: offset 1: unexpected end of input");
	ck_assert_int_gt(docker_req_version(req, sizeof(req)), 0);
	ck_assert_str_eq(req, "GET /v1.41/version HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n");
}
END_TEST

#define ck_image_err(text, want) do {					\
	static const char t_[] = text;					\
	ck_assert_int_eq(docker_parse_image(t_, strlen(t_), &img, err, sizeof(err)), -1); \
	ck_assert_str_eq(err, (want));					\
} while (0)

START_TEST(test_image_errors)
{
	ck_image_err("{\"Id\":", "image: offset 6: unexpected end of input");
	ck_image_err("[]", "image: not a JSON object");
	ck_image_err("{}", "image: Id is not an image id");
	ck_image_err("{\"Id\":\"sha256:7d4f43\"}", "image: Id is not an image id");
	ck_image_err("{\"Id\":[]}", "image: Id is not a string");
	ck_image_err("{\"Id\":\"" ID_IMG_VAULT "\",\"Config\":{\"Labels\":[]}}",
	    "image: Config.Labels is not an object");
	ck_image_err("{\"Id\":\"" ID_IMG_VAULT "\",\"Config\":{\"Labels\":"
	    "{\"com.docker.compose.service\":false}}}",
	    "image: label com.docker.compose.service is not a string");
}
END_TEST

/* Container labels as "k=v k=v | service project" after docker_labels_own(). */
static const char *
own_labels(const char *labels, const struct docker_image *im)
{
	static char out[1024];
	struct buf b;
	size_t off = 0;

	buf_init(&b);
	buf_printf(&b, "{\"Id\":\"%s\",\"Name\":\"/c\",\"Config\":{\"Labels\":{%s}}}", ID_WEB,
	    labels);
	ck_assert_msg(docker_parse_container(b.data, b.len, &ct, err, sizeof(err)) == 0, "%s", err);
	buf_free(&b);
	docker_labels_own(&ct, im);
	out[0] = '\0';
	for (int i = 0; i < ct.nlabels; i++)
		off += (size_t)snprintf(out + off, sizeof(out) - off, "%s%s=%s", i ? " " : "",
		    ct.labels[i].key, ct.labels[i].value);
	snprintf(out + off, sizeof(out) - off, " | %s %s", ct.service, ct.project);
	return out;
}

/*
 * What counts of a container's labels (docker.h, nvd(8)): its own, not
 * its image's; compose's project and service when compose made it.
 */
START_TEST(test_labels_own)
{
	static const char vault[] = "\"com.docker.compose.project\":\"shop\","
	    "\"com.docker.compose.service\":\"db\",\"zone\":\"vault\"";
	struct buf b;

	ck_assert_int_eq(docker_parse_image(image_vault, strlen(image_vault), &img, err,
	    sizeof(err)), 0);
	/* docker run of the image: everything is the image's. */
	ck_assert_str_eq(own_labels(vault, &img), " |  ");
	/* A label of its own counts, so does one it changes; one it sets to
	 * the image's value again is the image's. */
	ck_assert_str_eq(own_labels("\"zone\":\"vault\",\"owner\":\"ops\","
	    "\"com.docker.compose.project\":\"web\"", &img),
	    "owner=ops com.docker.compose.project=web |  web");
	/* Compose made it (config-hash is the container's own): its project
	 * and service count even where its image (built by compose) has them,
	 * the image's zone does not. */
	ck_assert_str_eq(own_labels("\"com.docker.compose.config-hash\":\"5b0c2e4e\","
	    "\"com.docker.compose.project\":\"shop\",\"com.docker.compose.service\":\"db\","
	    "\"zone\":\"vault\"", &img), "com.docker.compose.config-hash=5b0c2e4e "
	    "com.docker.compose.project=shop com.docker.compose.service=db | db shop");
	/* An image with no labels takes none away. */
	ck_assert_int_eq(docker_parse_image(image_plain, strlen(image_plain), &img, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(own_labels(vault, &img), "com.docker.compose.project=shop "
	    "com.docker.compose.service=db zone=vault | db shop");
	/* An image nvd could not read, or one with more labels than it
	 * holds: nothing tells what the container set; no label counts. */
	ck_assert_str_eq(own_labels(vault, NULL), " |  ");
	buf_init(&b);
	buf_printf(&b, "{\"Id\":\"" ID_IMG_VAULT "\",\"Config\":{\"Labels\":{");
	for (int i = 0; i <= DOCKER_MAX_LABELS; i++)
		buf_printf(&b, "%s\"k%d\":\"v\"", i ? "," : "", i);
	buf_puts(&b, "}}}");
	ck_assert_int_eq(docker_parse_image(b.data, b.len, &img, err, sizeof(err)), 0);
	ck_assert_int_eq(img.labels_dropped, 1);
	ck_assert_str_eq(own_labels("\"owner\":\"ops\"", &img), " |  ");
	buf_free(&b);
}
END_TEST

START_TEST(test_list_errors)
{
	static const char two[] = "[{\"Id\":\"" ID_WEB "\"},{\"Id\":\"xyz\"}]";
	char ids[2][DOCKER_ID_LEN + 1];
	size_t n = 9;

	ck_assert_int_eq(docker_parse_list("[]", 2, ids, 2, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(docker_parse_list("{}", 2, ids, 2, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "list: not a JSON array");
	ck_assert_int_eq(docker_parse_list("[{", 2, ids, 2, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "list: offset 2: unexpected end of input");
	ck_assert_int_eq(docker_parse_list("[{},{},{}]", 10, ids, 2, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "list: more than 2 containers");
	ck_assert_int_eq(docker_parse_list(two, strlen(two), ids, 2, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "list: container 1: Id is not 64 hex digits");
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* --- networks --------------------------------------------------------------- */

static struct docker_subnet subnets[8];

static const char *
subnet_text(const struct docker_subnet *sn)
{
	static char text[DOCKER_NET_NAME_MAX + 80];
	char a[64];

	inet_ntop(sn->family, sn->addr, a, sizeof(a));
	snprintf(text, sizeof(text), "%s %s/%d", sn->network, a, sn->prefix);
	return text;
}

/* The bridge networks' subnets, IPv4 and IPv6; none, host and macvlan have none that count. */
START_TEST(test_networks_captured)
{
	size_t n = 9;

	ck_assert_int_eq(docker_parse_networks(networks_response, strlen(networks_response),
	    subnets, 8, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(subnet_text(&subnets[0]), "bridge 198.19.0.0/24");
	ck_assert_int_eq(subnets[0].family, AF_INET);
	ck_assert_str_eq(subnet_text(&subnets[1]), "shop_back 198.19.8.0/24");
	ck_assert_str_eq(subnet_text(&subnets[2]), "shop_front 198.19.9.0/24");
	ck_assert_str_eq(subnet_text(&subnets[3]), "shop_front fd00:19:9::/64");
	ck_assert_int_eq(subnets[3].family, AF_INET6);
	ck_assert_int_eq(docker_parse_networks(networks_response, strlen(networks_response),
	    subnets, 3, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "networks: more than 3 subnets");
	ck_assert_uint_eq(n, 0);
}
END_TEST

static int
networks(const char *text, size_t *n)
{
	return docker_parse_networks(text, strlen(text), subnets, 8, n, err, sizeof(err));
}

#define BRIDGE(name, config) \
	"{\"Name\":\"" name "\",\"Driver\":\"bridge\",\"IPAM\":{\"Config\":" config "}}"

START_TEST(test_networks_odd)
{
	size_t n;

	/* Host bits are cleared; entries without a subnet, and null or absent
	 * configs, add nothing. */
	ck_assert_int_eq(networks("[" BRIDGE("b", "[{\"Subnet\":\"198.19.0.1/24\"},"
	    "{\"Gateway\":\"198.19.0.1\"},{\"Subnet\":null},{\"Subnet\":\"fd00:19::9/60\"},"
	    "{\"Subnet\":\"10.1.2.3/0\"},{\"Subnet\":\"10.1.2.3/32\"}]") ","
	    BRIDGE("c", "null") ",{\"Name\":\"d\",\"Driver\":\"bridge\"},"
	    "{\"Name\":\"\",\"Driver\":\"overlay\",\"IPAM\":7}]", &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(subnet_text(&subnets[0]), "b 198.19.0.0/24");
	ck_assert_str_eq(subnet_text(&subnets[1]), "b fd00:19::/60");
	ck_assert_str_eq(subnet_text(&subnets[2]), "b 0.0.0.0/0");
	ck_assert_str_eq(subnet_text(&subnets[3]), "b 10.1.2.3/32");
	ck_assert_int_eq(networks("[]", &n), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_networks_errors)
{
	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "{}", "networks: not a JSON array" },
		{ "[", "networks: offset 1: unexpected end of input" },
		{ "[7]", "networks: network 0 is not an object" },
		{ "[{\"Driver\":\"bridge\"}]", "networks: bad network name" },
		{ "[" BRIDGE("", "[]") "]", "networks: bad network name" },
		{ "[" BRIDGE("b", "{}") "]", "networks: network b: IPAM.Config is not an array" },
		{ "[" BRIDGE("b", "[{\"Subnet\":7}]") "]", "networks: network b: bad subnet" },
		{ "[" BRIDGE("b", "[{\"Subnet\":\"198.19.0.0\"}]") "]", "networks: network b: bad subnet" },
		{ "[" BRIDGE("b", "[{\"Subnet\":\"198.19.0.0/33\"}]") "]", "networks: network b: bad subnet" },
		{ "[" BRIDGE("b", "[{\"Subnet\":\"fd00::/129\"}]") "]", "networks: network b: bad subnet" },
		{ "[" BRIDGE("b", "[{\"Subnet\":\"198.19.0.0/\"}]") "]", "networks: network b: bad subnet" },
		{ "[" BRIDGE("b", "[{\"Subnet\":\"198.19.0.0/0024\"}]") "]", "networks: network b: bad subnet" },
		{ "[" BRIDGE("b", "[{\"Subnet\":\"198.19.0.0/24x\"}]") "]", "networks: network b: bad subnet" },
		{ "[" BRIDGE("b", "[{\"Subnet\":\"198.19.0/24\"}]") "]", "networks: network b: bad subnet" },
		{ "[" BRIDGE("b", "[{\"Subnet\":\"/24\"}]") "]", "networks: network b: bad subnet" },
		{ "[" BRIDGE("b", "[{\"Subnet\":\"fd00::1::2/64\"}]") "]", "networks: network b: bad subnet" },
	};
	size_t n = 9;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(networks(bad[i].text, &n) == -1, "%s", bad[i].text);
		ck_assert_str_eq(err, bad[i].err);
		ck_assert_uint_eq(n, 0);
	}
}
END_TEST

static struct docker_event ev;

static int
event(const char *text)
{
	return docker_parse_event(text, strlen(text), &ev, err, sizeof(err));
}

/* Every event of the captured stream, in order. */
START_TEST(test_events_captured)
{
	static const struct {
		enum docker_action action;
		const char *name, *id, *cname;
	} want[] = {
		{ DOCKER_ACT_RENAME, "rename", ID_WEB, "web2" },
		{ DOCKER_ACT_OTHER, "kill", ID_WEB, "web2" },
		{ DOCKER_ACT_OTHER, "kill", ID_WEB, "web2" },
		{ DOCKER_ACT_DIE, "die", ID_WEB, "web2" },
		{ DOCKER_ACT_DISCONNECT, "disconnect", ID_WEB, "" },
		{ DOCKER_ACT_STOP, "stop", ID_WEB, "web2" },
		{ DOCKER_ACT_DISCONNECT, "disconnect", ID_SHOP, "" },
		{ DOCKER_ACT_DISCONNECT, "disconnect", ID_SHOP, "" },
		{ DOCKER_ACT_CONNECT, "connect", ID_SHOP, "" },
		{ DOCKER_ACT_CONNECT, "connect", ID_WEB, "" },
		{ DOCKER_ACT_START, "start", ID_WEB, "web2" },
	};
	struct buf all;
	char *line, *next;
	size_t i = 0;

	buf_init(&all);
	stream_events(events_response, strlen(events_response), strlen(events_response), &all);
	for (line = all.data; (next = strchr(line, '\n')) != NULL; line = next + 1, i++) {
		*next = '\0';
		ck_assert_uint_lt(i, sizeof(want) / sizeof(want[0]));
		ck_assert_msg(event(line) == 0, "event %zu: %s", i, err);
		ck_assert_int_eq(ev.action, want[i].action);
		ck_assert_str_eq(ev.action_name, want[i].name);
		ck_assert_str_eq(ev.id, want[i].id);
		ck_assert_str_eq(ev.name, want[i].cname);
	}
	ck_assert_uint_eq(i, sizeof(want) / sizeof(want[0]));
	buf_free(&all);
	ck_assert(event("{\"status\":\"start\",\"id\":\"" ID_WEB "\",\"Type\":\"container\","
	    "\"Action\":\"start\",\"Actor\":{\"ID\":\"" ID_WEB "\",\"Attributes\":{"
	    "\"image\":\"nvdbox\",\"name\":\"web2\"}},\"scope\":\"local\",\"time\":1795878971,"
	    "\"timeNano\":1795878971521887501}") == 0);
	ck_assert(ev.time_nano == 1795878971521887501LL);
}
END_TEST

START_TEST(test_events_other)
{
	ck_assert_int_eq(event("{\"Type\":\"container\",\"Action\":\"exec_start: sh -c "
	    "'while true; do date; sleep 1; done'\",\"Actor\":{\"ID\":\"" ID_WEB "\","
	    "\"Attributes\":{\"name\":\"/web2\"}}}"), 0);
	ck_assert_int_eq(ev.action, DOCKER_ACT_OTHER);
	ck_assert_str_eq(ev.action_name, "exec_start: sh -c 'while true; ");
	ck_assert_str_eq(ev.name, "web2");
	ck_assert_int_eq(event("{\"Type\":\"network\",\"Action\":\"create\",\"Actor\":{\"ID\":"
	    "\"ed5a1ca26c6bcfae20e37b57832216f9e8557a52828d934f1eba64250f071c22\","
	    "\"Attributes\":{\"name\":\"shop_back\",\"type\":\"bridge\"}}}"), 0);
	ck_assert_int_eq(ev.action, DOCKER_ACT_NETWORK);
	ck_assert_str_eq(ev.action_name, "create");
	ck_assert_str_eq(ev.id, "");
	ck_assert_int_eq(event("{\"Type\":\"image\",\"Action\":\"pull\",\"Actor\":{\"ID\":\"busybox\"}}"), 0);
	ck_assert_int_eq(ev.action, DOCKER_ACT_OTHER);
	ck_assert_int_eq(event("{\"Type\":\"container\",\"Action\":\"destroy\",\"Actor\":"
	    "{\"ID\":\"" ID_WEB "\"}}"), 0);
	ck_assert_int_eq(ev.action, DOCKER_ACT_DESTROY);
	ck_assert_str_eq(ev.name, "");
	ck_assert(ev.time_nano == 0);
}
END_TEST

START_TEST(test_events_errors)
{
	ck_assert_int_eq(event("{\"Type\":\"container\",\"Action\":\"start\""), -1);
	ck_assert_str_eq(err, "event: offset 36: unexpected end of input");
	ck_assert_int_eq(event("[]"), -1);
	ck_assert_str_eq(err, "event: not a JSON object");
	ck_assert_int_eq(event("{\"Type\":\"container\"}"), -1);
	ck_assert_str_eq(err, "event: Action is not a string");
	ck_assert_int_eq(event("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"abc\"}}"), -1);
	ck_assert_str_eq(err, "event: Actor.ID is not 64 hex digits");
	ck_assert_int_eq(event("{\"Type\":\"container\",\"Action\":\"rename\",\"Actor\":{\"ID\":\""
	    ID_WEB "\",\"Attributes\":{\"oldName\":\"/web1\"}}}"), -1);
	ck_assert_str_eq(err, "event: rename without Actor.Attributes.name");
	ck_assert_int_eq(event("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\""
	    ID_WEB "\",\"Attributes\":{\"name\":\"/\"}}}"), -1);
	ck_assert_str_eq(err, "event: Actor.Attributes.name is empty");
	ck_assert_int_eq(event("{\"Type\":\"network\",\"Action\":\"connect\",\"Actor\":{\"ID\":\""
	    ID_WEB "\",\"Attributes\":{\"name\":\"bridge\"}}}"), -1);
	ck_assert_str_eq(err, "event: Actor.Attributes.container is not 64 hex digits");
	ck_assert_int_eq(event("{\"Type\":\"container\",\"Action\":\"start\",\"timeNano\":1.5}"), -1);
	ck_assert_str_eq(err, "event: timeNano is not an integer");
}
END_TEST

/* --- docker_request against a canned server ----------------------------------- */

struct server {
	char dir[64], path[108];
	int lfd;
	const char *reply;	/* sent in small pieces, then the connection closes */
	int stall;		/* send nothing; wait for the client to give up */
	char request[1024];
	pthread_t thread;
};

static struct server srv;

static void *
server_run(void *arg)
{
	struct server *s = arg;
	size_t n = 0, off, len;
	ssize_t k;
	char c;
	int fd = accept(s->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	while (n < sizeof(s->request) - 1 && strstr(s->request, "\r\n\r\n") == NULL) {
		if ((k = read(fd, s->request + n, sizeof(s->request) - 1 - n)) <= 0)
			break;
		n += (size_t)k;
		s->request[n] = '\0';
	}
	if (s->stall) {
		while (read(fd, &c, 1) > 0)
			;
	} else {
		len = strlen(s->reply);
		for (off = 0; off < len; off += 7)
			if (send(fd, s->reply + off, len - off < 7 ? len - off : 7, MSG_NOSIGNAL) < 0)
				break;
	}
	close(fd);
	return NULL;
}

static void
server_start(const char *reply, int stall)
{
	struct sockaddr_un sun;

	memset(&srv, 0, sizeof(srv));
	strcpy(srv.dir, "/tmp/check_docker.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(srv.dir));
	snprintf(srv.path, sizeof(srv.path), "%s/docker.sock", srv.dir);
	srv.reply = reply;
	srv.stall = stall;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, srv.path);
	srv.lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(srv.lfd, 0);
	ck_assert_int_eq(bind(srv.lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(srv.lfd, 4), 0);
	ck_assert_int_eq(pthread_create(&srv.thread, NULL, server_run, &srv), 0);
}

static void
server_stop(void)
{
	pthread_join(srv.thread, NULL);
	close(srv.lfd);
	unlink(srv.path);
	rmdir(srv.dir);
}

static const char reply_inspect[] = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n"
    "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    "48\r\n{\"Id\":\"" ID_WEB "\"\r\n"
    "11\r\n,\"Name\":\"/web1\"}\n\r\n"
    "0\r\n\r\n";

START_TEST(test_request_ok)
{
	char req[DOCKER_REQ_MAX];
	struct buf body;

	buf_init(&body);
	buf_puts(&body, "old");
	server_start(reply_inspect, 0);
	ck_assert_int_gt(docker_req_inspect(req, sizeof(req), "web1"), 0);
	ck_assert_msg(docker_request(srv.path, req, &body, err, sizeof(err)) == 0, "%s", err);
	server_stop();
	ck_assert_str_eq(srv.request, req);
	ck_assert_str_eq(body.data, "{\"Id\":\"" ID_WEB "\",\"Name\":\"/web1\"}\n");
	ck_assert_int_eq(docker_parse_container(body.data, body.len, &ct, err, sizeof(err)), 0);
	ck_assert_str_eq(ct.name, "web1");
	buf_free(&body);
}
END_TEST

static void
request_fails(const char *reply, const char *want)
{
	char req[DOCKER_REQ_MAX];
	struct buf body;

	buf_init(&body);
	server_start(reply, 0);
	ck_assert_int_gt(docker_req_list(req, sizeof(req)), 0);
	ck_assert_int_eq(docker_request(srv.path, req, &body, err, sizeof(err)), -1);
	server_stop();
	ck_assert_str_eq(err, want);
	ck_assert_uint_eq(body.len, 0);
	buf_free(&body);
}

START_TEST(test_request_errors)
{
	request_fails("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
	    "Content-Length: 38\r\n\r\n{\"message\":\"No such container: nope\"}\n",
	    "HTTP 404: No such container: nope");
	request_fails("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\noops",
	    "HTTP 500");
	request_fails("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n[{\"Id\":",
	    "connection closed before the end of the response");
	request_fails("SSH-2.0-OpenSSH_9.2\r\n", "malformed status line");
	request_fails("", "connection closed before the end of the response");
}
END_TEST

START_TEST(test_request_no_server)
{
	char path[200];
	struct buf body;

	buf_init(&body);
	ck_assert_int_eq(docker_request("/nonexistent/docker.sock", "GET / HTTP/1.1\r\n\r\n",
	    &body, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "connect to /nonexistent/docker.sock: No such file or directory");
	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	ck_assert_int_eq(docker_request(path, "GET / HTTP/1.1\r\n\r\n", &body, err, sizeof(err)), -1);
	ck_assert(strncmp(err, "socket path too long: /ppp", 26) == 0);
	ck_assert_int_eq(docker_events_open("/nonexistent/docker.sock", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "connect to /nonexistent/docker.sock: No such file or directory");
	buf_free(&body);
}
END_TEST

/* A daemon that accepts and never answers costs DOCKER_TIMEOUT_MS, no more. */
START_TEST(test_request_timeout)
{
	char req[DOCKER_REQ_MAX];
	struct buf body;

	buf_init(&body);
	server_start(NULL, 1);
	ck_assert_int_gt(docker_req_list(req, sizeof(req)), 0);
	ck_assert_int_eq(docker_request(srv.path, req, &body, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "no complete response within 5000 ms");
	server_stop();
	buf_free(&body);
}
END_TEST

START_TEST(test_events_open)
{
	char req[DOCKER_REQ_MAX], chunk[100];
	struct docker_resp r;
	struct buf out;
	ssize_t n;
	size_t count = 0;
	const char *p;
	int fd;

	buf_init(&out);
	server_start(events_response, 0);
	fd = docker_events_open(srv.path, err, sizeof(err));
	ck_assert_msg(fd >= 0, "%s", err);
	docker_resp_init(&r, 1);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		ck_assert_int_eq(stream_piece(&r, chunk, (size_t)n, &out), 0);
	ck_assert_int_eq(n, 0);
	close(fd);
	server_stop();
	ck_assert_int_gt(docker_req_events(req, sizeof(req)), 0);
	ck_assert_str_eq(srv.request, req);
	for (p = out.data; (p = strchr(p, '\n')) != NULL; p++)
		count++;
	ck_assert_uint_eq(count, 11);
	docker_resp_free(&r);
	buf_free(&out);
}
END_TEST

static Suite *
docker_suite(void)
{
	Suite *s = suite_create("docker");
	TCase *tc;

	tc = tcase_create("http");
	tcase_add_test(tc, test_resp_content_length);
	tcase_add_test(tc, test_resp_chunked);
	tcase_add_test(tc, test_resp_list);
	tcase_add_test(tc, test_resp_until_close);
	tcase_add_test(tc, test_resp_no_body);
	tcase_add_test(tc, test_resp_cut_short);
	tcase_add_test(tc, test_resp_bad_status);
	tcase_add_test(tc, test_resp_bad_headers);
	tcase_add_test(tc, test_resp_header_too_long);
	tcase_add_test(tc, test_resp_bad_chunks);
	tcase_add_test(tc, test_resp_body_too_large);
	suite_add_tcase(s, tc);

	tc = tcase_create("stream");
	tcase_set_timeout(tc, 60);	/* every cut of the stream, under the sanitizers too */
	tcase_add_test(tc, test_events_every_cut);
	tcase_add_test(tc, test_events_across_chunks);
	tcase_add_test(tc, test_events_not_200);
	tcase_add_test(tc, test_events_too_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("requests");
	tcase_add_test(tc, test_requests);
	tcase_add_test(tc, test_request_refuses);
	suite_add_tcase(s, tc);

	tc = tcase_create("documents");
	tcase_add_test(tc, test_inspect_bridge);
	tcase_add_test(tc, test_inspect_compose);
	tcase_add_test(tc, test_inspect_no_addresses);
	tcase_add_test(tc, test_inspect_labels_bounded);
	tcase_add_test(tc, test_inspect_addrs_bounded);
	tcase_add_test(tc, test_inspect_errors);
	tcase_add_test(tc, test_inspect_assets);
	tcase_add_test(tc, test_asset_root);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_list_errors);
	tcase_add_test(tc, test_image_captured);
	tcase_add_test(tc, test_image_errors);
	tcase_add_test(tc, test_labels_own);
	tcase_add_test(tc, test_networks_captured);
	tcase_add_test(tc, test_networks_odd);
	tcase_add_test(tc, test_networks_errors);
	tcase_add_test(tc, test_events_captured);
	tcase_add_test(tc, test_events_other);
	tcase_add_test(tc, test_events_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("socket");
	tcase_set_timeout(tc, 20);	/* test_request_timeout waits DOCKER_TIMEOUT_MS */
	tcase_add_test(tc, test_request_ok);
	tcase_add_test(tc, test_request_errors);
	tcase_add_test(tc, test_request_no_server);
	tcase_add_test(tc, test_request_timeout);
	tcase_add_test(tc, test_events_open);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(docker_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
