/*
 * check_dockerwatch.c: the docker thread.  The conversion of a container
 * into a workload, and the thread itself against a scripted engine on a
 * unix socket: the stream first and the list after it, each kind of event,
 * an inspect that finds the container gone, the engine closing the stream
 * or going away and coming back (workloads that vanished meanwhile go),
 * an engine that refuses the stream, the networks' subnets, a worker's
 * nudge, and the status counters.
 *
 * Each container's image is read once, for the labels it sets (those do
 * not count); each address gets its interface's port from the daemon's
 * finder, by MacAddress.
 *
 * The responses have the form dockerd 20.10 gives them (see
 * check_docker.c for captured ones); the thread's result is read from a
 * struct live made bare (no database, no snapshot), through its lock.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "docker/docker.h"
#include "docker/dockerwatch.h"
#include "runtime/live.h"
#include "policy/policy.h"

#define ID_A	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define ID_C	"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define ID_NET	"6bbf887df19f7ddbbb34a0accd9daf6b59b1f95cb5cd37e7fbc6f1270c971064"
#define ID_IMG	"37a2c2a5b3ad4c141eb985c35767133f65c527c97b6da38a7354f4c66f635542"

static char err[256];

/* --- conversion -------------------------------------------------------------- */

static struct docker_container ct;	/* ~30 KB */

static const char inspect_compose[] =
	"{\"Id\":\"" ID_A "\",\"Name\":\"/shop-web-1\","
	"\"State\":{\"Status\":\"running\",\"Running\":true,\"Paused\":false,\"Pid\":14657},"
	"\"Config\":{\"Image\":\"nvdbox\",\"Labels\":{\"com.docker.compose.container-number\":\"1\","
	"\"com.docker.compose.project\":\"shop\",\"com.docker.compose.service\":\"web\","
	"\"tier\":\"front\"}},"
	"\"NetworkSettings\":{\"Networks\":{"
	"\"shop_back\":{\"IPAddress\":\"198.19.2.2\",\"GlobalIPv6Address\":\"fd00:19:2::2\"},"
	"\"shop_front\":{\"IPAddress\":\"198.19.1.2\",\"GlobalIPv6Address\":\"\"}}}}";

static const char *
addr_text(const struct policy_addr *a)
{
	static char out[INET6_ADDRSTRLEN];

	return inet_ntop(a->family, a->addr, out, sizeof(out));
}

START_TEST(test_workload_compose)
{
	struct policy_workload w;
	char group[POLICY_NAME_MAX];

	ck_assert_msg(docker_parse_container(inspect_compose, strlen(inspect_compose), &ct,
	    err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(dockerwatch_workload(&ct, &w), 0);
	ck_assert_str_eq(w.id, ID_A);
	ck_assert_str_eq(w.name, "shop-web-1");
	ck_assert_str_eq(w.image, "nvdbox");
	ck_assert_str_eq(w.service, "web");
	ck_assert_str_eq(w.project, "shop");
	ck_assert_int_eq(w.is_static, 0);
	ck_assert_int_eq(w.nlabels, 4);
	ck_assert_str_eq(w.labels[0].key, "com.docker.compose.container-number");
	ck_assert_str_eq(w.labels[0].value, "1");
	ck_assert_str_eq(w.labels[3].key, "tier");
	ck_assert_str_eq(w.labels[3].value, "front");
	ck_assert_int_eq(w.naddrs, 3);
	ck_assert_int_eq(w.addrs[0].family, AF_INET);
	ck_assert_str_eq(addr_text(&w.addrs[0]), "198.19.2.2");
	ck_assert_int_eq(w.addrs[1].family, AF_INET6);
	ck_assert_str_eq(addr_text(&w.addrs[1]), "fd00:19:2::2");
	ck_assert_str_eq(addr_text(&w.addrs[2]), "198.19.1.2");
	policy_learned_group(&w, group, sizeof(group));
	ck_assert_str_eq(group, "nv.web.shop");
	policy_workload_clear(&w);
	ck_assert_ptr_null(w.labels);
}
END_TEST

START_TEST(test_workload_plain)
{
	static const char doc[] = "{\"Id\":\"" ID_B "\",\"Name\":\"/web-2\","
	    "\"State\":{\"Running\":true,\"Pid\":7},\"Config\":{\"Image\":\"nvdbox:1\",\"Labels\":{}},"
	    "\"NetworkSettings\":{\"Networks\":{\"bridge\":{\"IPAddress\":\"198.19.0.2\"}}}}";
	struct policy_workload w;
	char group[POLICY_NAME_MAX];

	ck_assert_msg(docker_parse_container(doc, strlen(doc), &ct, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(dockerwatch_workload(&ct, &w), 0);
	ck_assert_str_eq(w.name, "web-2");
	ck_assert_str_eq(w.image, "nvdbox:1");
	ck_assert_str_eq(w.service, "");
	ck_assert_str_eq(w.project, "");
	ck_assert_int_eq(w.nlabels, 0);
	ck_assert_ptr_null(w.labels);
	ck_assert_int_eq(w.naddrs, 1);
	ck_assert_str_eq(addr_text(&w.addrs[0]), "198.19.0.2");
	policy_learned_group(&w, group, sizeof(group));
	ck_assert_str_eq(group, "nv.web");
	policy_workload_clear(&w);
}
END_TEST

/* Fields longer than the policy's are cut to fit; addresses past its bound are left out. */
START_TEST(test_workload_bounds)
{
	struct policy_workload w;
	int i;

	memset(&ct, 0, sizeof(ct));
	strcpy(ct.id, ID_C);
	memset(ct.name, 'n', DOCKER_NAME_MAX - 1);
	memset(ct.image, 'i', DOCKER_IMAGE_MAX - 1);
	memset(ct.service, 's', DOCKER_LABEL_VALUE_MAX - 1);
	memset(ct.project, 'p', DOCKER_LABEL_VALUE_MAX - 1);
	ct.running = 1;
	for (i = 0; i < DOCKER_MAX_ADDRS; i++) {
		ct.addrs[i].family = AF_INET;
		ct.addrs[i].addr[0] = 198;
		ct.addrs[i].addr[1] = 19;
		ct.addrs[i].addr[3] = (uint8_t)(i + 1);
	}
	ct.naddrs = DOCKER_MAX_ADDRS;
	ct.nlabels = DOCKER_MAX_LABELS;
	for (i = 0; i < DOCKER_MAX_LABELS; i++) {
		memset(ct.labels[i].key, 'k', DOCKER_LABEL_KEY_MAX - 1);
		memset(ct.labels[i].value, 'v', DOCKER_LABEL_VALUE_MAX - 1);
	}
	ck_assert_int_eq(dockerwatch_workload(&ct, &w), 0);
	ck_assert_str_eq(w.id, ID_C);
	ck_assert_uint_eq(strlen(w.name), POLICY_NAME_MAX - 1);
	ck_assert_uint_eq(strlen(w.image), POLICY_IMAGE_MAX - 1);
	ck_assert_uint_eq(strlen(w.service), POLICY_NAME_MAX - 1);
	ck_assert_uint_eq(strlen(w.project), POLICY_NAME_MAX - 1);
	ck_assert_int_eq(w.nlabels, DOCKER_MAX_LABELS);
	ck_assert_uint_eq(strlen(w.labels[DOCKER_MAX_LABELS - 1].key), POLICY_LABEL_KEY_MAX - 1);
	ck_assert_uint_eq(strlen(w.labels[DOCKER_MAX_LABELS - 1].value), POLICY_LABEL_VALUE_MAX - 1);
	ck_assert_int_eq(w.naddrs, POLICY_MAX_ADDRS);
	ck_assert_str_eq(addr_text(&w.addrs[POLICY_MAX_ADDRS - 1]), "198.19.0.16");
	policy_workload_clear(&w);
}
END_TEST

/* --- a scripted engine --------------------------------------------------------- */

struct fake_ct {
	char id[DOCKER_ID_LEN + 1];
	char name[64];
	char labels[256];	/* the JSON members of Config.Labels */
	char nets[256];		/* the JSON members of NetworkSettings.Networks */
	int running;
	int paused;		/* State.Status "paused" (and Running true) */
	int privileged;		/* HostConfig.Privileged */
};

#define MAX_FAKE	8
#define MAX_REQS	64

/*
 * One thread answers requests one connection at a time, as dockerd's
 * handlers would: the list and inspect documents from cts[], the events
 * request by keeping the connection for engine_event().
 */
static struct engine {
	char dir[64], path[108];
	int lfd, stop_fd;
	int up;			/* listening, thread running */
	pthread_t thread;
	pthread_mutex_t lock;
	struct fake_ct cts[MAX_FAKE];
	int ncts;
	char image_labels[256];	/* the JSON members of the image's Config.Labels */
	int image_missing;	/* the image inspect answers 404 */
	char nets[1024];	/* the networks list's body */
	int evfd;		/* the events connection, -1 if none */
	int events_status;	/* status for the events request */
	int streams;		/* events connections answered */
	char reqs[MAX_REQS][96];	/* request lines in the order received */
	int nreqs;
} eng;

static void
send_all(int fd, const char *s, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off < len && (n = send(fd, s + off, len - off, MSG_NOSIGNAL)) > 0)
		off += (size_t)n;
}

static void
reply(int fd, int status, const char *body)
{
	char head[256];

	snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nApi-Version: 1.41\r\n"
	    "Content-Type: application/json\r\nServer: Docker/20.10.24+dfsg1 (linux)\r\n"
	    "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n%zx\r\n",
	    status, status == 200 ? "OK" : "Not Found", strlen(body));
	send_all(fd, head, strlen(head));
	send_all(fd, body, strlen(body));
	send_all(fd, "\r\n0\r\n\r\n", 7);
}

/* With eng.lock held. */
static struct fake_ct *
fake_find(const char *id)
{
	for (int i = 0; i < eng.ncts; i++)
		if (!strcmp(eng.cts[i].id, id))
			return &eng.cts[i];
	return NULL;
}

static void
reply_list(int fd)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "[");
	for (int i = 0, n = 0; i < eng.ncts; i++)
		if (eng.cts[i].running)
			buf_printf(&b, "%s{\"Id\":\"%s\",\"Names\":[\"/%s\"],\"Image\":\"nvdbox\","
			    "\"State\":\"running\"}", n++ ? "," : "", eng.cts[i].id, eng.cts[i].name);
	buf_puts(&b, "]\n");
	reply(fd, 200, b.data);
	buf_free(&b);
}

static void
reply_inspect(int fd, const char *id)
{
	struct fake_ct *c = fake_find(id);
	struct buf b;

	if (c == NULL) {
		buf_init(&b);
		buf_printf(&b, "{\"message\":\"No such container: %s\"}\n", id);
		reply(fd, 404, b.data);
		buf_free(&b);
		return;
	}
	buf_init(&b);
	buf_printf(&b, "{\"Id\":\"%s\",\"Name\":\"/%s\",\"State\":{\"Status\":\"%s\","
	    "\"Running\":%s,\"Pid\":%d},\"HostConfig\":{\"Privileged\":%s},"
	    "\"Image\":\"sha256:" ID_IMG "\","
	    "\"Config\":{\"Image\":\"nvdbox\",\"Labels\":{%s}},"
	    "\"NetworkSettings\":{\"Networks\":{%s}}}\n", c->id, c->name,
	    c->paused ? "paused" : c->running ? "running" : "exited", c->running ? "true" : "false",
	    c->running ? 4242 : 0, c->privileged ? "true" : "false", c->labels,
	    c->running ? c->nets : "");
	reply(fd, 200, b.data);
	buf_free(&b);
}

static void
reply_image(int fd)
{
	struct buf b;

	buf_init(&b);
	if (eng.image_missing) {
		buf_puts(&b, "{\"message\":\"No such image: sha256:" ID_IMG "\"}\n");
		reply(fd, 404, b.data);
	} else {
		buf_printf(&b, "{\"Id\":\"sha256:" ID_IMG "\",\"RepoTags\":[\"nvdbox:latest\"],"
		    "\"Config\":{\"Cmd\":null,\"Labels\":{%s}}}\n", eng.image_labels);
		reply(fd, 200, b.data);
	}
	buf_free(&b);
}

static void
answer(int fd)
{
	char req[1024], line[96], id[DOCKER_ID_LEN + 1];
	size_t n = 0;
	ssize_t k;

	req[0] = '\0';
	while (n < sizeof(req) - 1 && strstr(req, "\r\n\r\n") == NULL) {
		if ((k = read(fd, req + n, sizeof(req) - 1 - n)) <= 0)
			break;
		n += (size_t)k;
		req[n] = '\0';
	}
	/* "GET /path?query HTTP/1.1" is recorded as "GET /path". */
	k = (ssize_t)strcspn(req, " ");
	k += req[k] ? (ssize_t)strcspn(req + k + 1, "? \r") + 1 : 0;
	snprintf(line, sizeof(line), "%.*s", (int)k, req);
	pthread_mutex_lock(&eng.lock);
	if (eng.nreqs < MAX_REQS)
		strcpy(eng.reqs[eng.nreqs++], line);
	if (!strcmp(line, "GET /v1.41/events")) {
		eng.streams++;
		if (eng.events_status != 200) {
			reply(fd, eng.events_status, "{\"message\":\"not now\"}\n");
			close(fd);
		} else {
			static const char head[] = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n"
			    "Content-Type: application/json\r\nServer: Docker/20.10.24+dfsg1 (linux)\r\n"
			    "Transfer-Encoding: chunked\r\n\r\n";

			if (eng.evfd >= 0)
				close(eng.evfd);
			send_all(fd, head, sizeof(head) - 1);
			eng.evfd = fd;
		}
	} else {
		if (!strcmp(line, "GET /v1.41/containers/json"))
			reply_list(fd);
		else if (!strcmp(line, "GET /v1.41/networks"))
			reply(fd, 200, eng.nets);
		else if (!strcmp(line, "GET /v1.41/version"))
			reply(fd, 200, "{\"Platform\":{\"Name\":\"\"},\"Version\":\"20.10.24+dfsg1\","
			    "\"ApiVersion\":\"1.41\",\"MinAPIVersion\":\"1.12\"}\n");
		else if (sscanf(line, "GET /v1.41/containers/%64[0-9a-f]/json", id) == 1)
			reply_inspect(fd, id);
		else if (!strcmp(line, "GET /v1.41/images/sha256:" ID_IMG "/json"))
			reply_image(fd);
		else
			reply(fd, 404, "{\"message\":\"page not found\"}\n");
		close(fd);
	}
	pthread_mutex_unlock(&eng.lock);
}

static void *
engine_run(void *unused)
{
	struct pollfd pfd[2] = { { .fd = eng.stop_fd, .events = POLLIN }, { .fd = eng.lfd, .events = POLLIN } };
	int fd;

	for (;;) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents)
			break;
		if ((pfd[1].revents & POLLIN) && (fd = accept(eng.lfd, NULL, NULL)) >= 0)
			answer(fd);
	}
	return NULL;
}

/* Starts listening at eng.path (made once per test by engine_init). */
static void
engine_listen(void)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, eng.path);
	eng.lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(eng.lfd, 0);
	ck_assert_int_eq(bind(eng.lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(eng.lfd, 16), 0);
	eng.stop_fd = eventfd(0, EFD_CLOEXEC);
	ck_assert_int_ge(eng.stop_fd, 0);
	ck_assert_int_eq(pthread_create(&eng.thread, NULL, engine_run, NULL), 0);
	eng.up = 1;
}

/* The engine goes away: its socket, and the events stream with it. */
static void
engine_down(void)
{
	uint64_t one = 1;

	if (!eng.up)
		return;
	eng.up = 0;
	ck_assert_int_eq(write(eng.stop_fd, &one, sizeof(one)), sizeof(one));
	pthread_join(eng.thread, NULL);
	close(eng.stop_fd);
	close(eng.lfd);
	unlink(eng.path);
	pthread_mutex_lock(&eng.lock);
	if (eng.evfd >= 0)
		close(eng.evfd);
	eng.evfd = -1;
	pthread_mutex_unlock(&eng.lock);
}

/* The networks: the default bridge, host and none as dockerd lists them
 * (check_docker.c has a whole answer), and more (JSON objects, or ""). */
static void
engine_nets(const char *more)
{
	pthread_mutex_lock(&eng.lock);
	snprintf(eng.nets, sizeof(eng.nets), "[{\"Name\":\"none\",\"Driver\":\"null\","
	    "\"IPAM\":{\"Config\":[]}},{\"Name\":\"host\",\"Driver\":\"host\",\"IPAM\":"
	    "{\"Config\":[]}},{\"Name\":\"bridge\",\"Id\":\"" ID_NET "\",\"Driver\":\"bridge\","
	    "\"IPAM\":{\"Driver\":\"default\",\"Options\":null,\"Config\":[{\"Subnet\":"
	    "\"198.19.0.0/24\",\"Gateway\":\"198.19.0.1\"}]}}%s%s]\n", *more ? "," : "", more);
	pthread_mutex_unlock(&eng.lock);
}

static void
engine_init(void)
{
	memset(&eng, 0, sizeof(eng));
	pthread_mutex_init(&eng.lock, NULL);
	eng.evfd = -1;
	eng.events_status = 200;
	engine_nets("");
	strcpy(eng.dir, "/tmp/check_dockerwatch.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(eng.dir));
	snprintf(eng.path, sizeof(eng.path), "%s/docker.sock", eng.dir);
}

static void
engine_fini(void)
{
	engine_down();
	rmdir(eng.dir);
	pthread_mutex_destroy(&eng.lock);
}

/* Adds or changes a container; net "": no network. */
static void
engine_set(const char *id, const char *name, int running, const char *ip, const char *labels)
{
	struct fake_ct *c;

	pthread_mutex_lock(&eng.lock);
	if ((c = fake_find(id)) == NULL) {
		ck_assert_int_lt(eng.ncts, MAX_FAKE);
		c = &eng.cts[eng.ncts++];
	}
	snprintf(c->id, sizeof(c->id), "%s", id);
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->labels, sizeof(c->labels), "%s", labels ? labels : "");
	/* The interface's address ends in the address's last byte, as Docker's do. */
	if (*ip)
		snprintf(c->nets, sizeof(c->nets), "\"bridge\":{\"NetworkID\":\"" ID_NET "\","
		    "\"Gateway\":\"198.19.0.1\",\"IPAddress\":\"%s\",\"IPPrefixLen\":24,"
		    "\"GlobalIPv6Address\":\"\",\"MacAddress\":\"02:42:c6:13:00:%02x\"}", ip,
		    atoi(strrchr(ip, '.') + 1));
	else
		c->nets[0] = '\0';
	c->running = running;
	pthread_mutex_unlock(&eng.lock);
}

static void
engine_destroy(const char *id)
{
	struct fake_ct *c;

	pthread_mutex_lock(&eng.lock);
	if ((c = fake_find(id)) != NULL)
		*c = eng.cts[--eng.ncts];
	pthread_mutex_unlock(&eng.lock);
}

/* Sends one event, as dockerd does: one chunk, the JSON and a newline. */
static void
engine_send(const char *json)
{
	char head[32];

	pthread_mutex_lock(&eng.lock);
	ck_assert_int_ge(eng.evfd, 0);
	snprintf(head, sizeof(head), "%zx\r\n", strlen(json) + 1);
	send_all(eng.evfd, head, strlen(head));
	send_all(eng.evfd, json, strlen(json));
	send_all(eng.evfd, "\n\r\n", 3);
	pthread_mutex_unlock(&eng.lock);
}

static void
engine_event(const char *action, const char *id, const char *name)
{
	char json[512];

	snprintf(json, sizeof(json), "{\"status\":\"%s\",\"id\":\"%s\",\"from\":\"nvdbox\","
	    "\"Type\":\"container\",\"Action\":\"%s\",\"Actor\":{\"ID\":\"%s\","
	    "\"Attributes\":{\"image\":\"nvdbox\",\"name\":\"%s\"}},\"scope\":\"local\","
	    "\"time\":1795878969,\"timeNano\":1795878969680905257}", action, id, action, id, name);
	engine_send(json);
}

static void
engine_net_event(const char *action, const char *id)
{
	char json[512];

	snprintf(json, sizeof(json), "{\"Type\":\"network\",\"Action\":\"%s\",\"Actor\":{\"ID\":"
	    "\"" ID_NET "\",\"Attributes\":{\"container\":\"%s\",\"name\":\"bridge\","
	    "\"type\":\"bridge\"}},\"scope\":\"local\",\"time\":1795878970,"
	    "\"timeNano\":1795878970853120023}", action, id);
	engine_send(json);
}

/* The engine ends the stream (the last chunk), as dockerd does when it stops. */
static void
engine_end_stream(void)
{
	pthread_mutex_lock(&eng.lock);
	if (eng.evfd >= 0) {
		send_all(eng.evfd, "0\r\n\r\n", 5);
		close(eng.evfd);
	}
	eng.evfd = -1;
	pthread_mutex_unlock(&eng.lock);
}

static int
engine_streams(void)
{
	int n;

	pthread_mutex_lock(&eng.lock);
	n = eng.streams;
	pthread_mutex_unlock(&eng.lock);
	return n;
}

/* --- the live workloads, read through their lock ------------------------------ */

static struct live lv;

/* A struct live without database or snapshot: enough for the workload calls. */
static void
live_bare(void)
{
	memset(&lv, 0, sizeof(lv));
	pthread_mutex_init(&lv.lock, NULL);
	lv.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ck_assert_int_ge(lv.wake_fd, 0);
	lv.nudge_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ck_assert_int_ge(lv.nudge_fd, 0);
}

/* The workload with id, as "name image addr,addr", or "" if there is none. */
static const char *
wl(const char *id)
{
	static char out[512];
	size_t off;

	out[0] = '\0';
	pthread_mutex_lock(&lv.lock);
	for (int i = 0; i < lv.nwl; i++) {
		if (strcmp(lv.wl[i].id, id))
			continue;
		off = (size_t)snprintf(out, sizeof(out), "%s %s", lv.wl[i].name, lv.wl[i].image);
		for (int a = 0; a < lv.wl[i].naddrs && off < sizeof(out); a++)
			off += (size_t)snprintf(out + off, sizeof(out) - off, "%c%s", a ? ',' : ' ',
			    addr_text(&lv.wl[i].addrs[a]));
	}
	pthread_mutex_unlock(&lv.lock);
	return out;
}

/* The workload's state and whether it is privileged, as Docker gave them. */
static const char *
wl_state(const char *id)
{
	static char out[64];

	out[0] = '\0';
	pthread_mutex_lock(&lv.lock);
	for (int i = 0; i < lv.nwl; i++)
		if (!strcmp(lv.wl[i].id, id))
			snprintf(out, sizeof(out), "%s privileged %d", lv.wl[i].asset.state,
			    lv.wl[i].asset.privileged);
	pthread_mutex_unlock(&lv.lock);
	return out;
}

/* The workload's labels as "k=v k=v", then " | service project", and the
 * port of each address ("@7"). */
static const char *
wl_more(const char *id)
{
	static char out[1024];
	size_t off = 0;

	out[0] = '\0';
	pthread_mutex_lock(&lv.lock);
	for (int i = 0; i < lv.nwl; i++) {
		const struct policy_workload *w = &lv.wl[i];

		if (strcmp(w->id, id))
			continue;
		for (int l = 0; l < w->nlabels; l++)
			off += (size_t)snprintf(out + off, sizeof(out) - off, "%s%s=%s", l ? " " : "",
			    w->labels[l].key, w->labels[l].value);
		off += (size_t)snprintf(out + off, sizeof(out) - off, " | %s %s", w->service,
		    w->project);
		for (int a = 0; a < w->naddrs; a++)
			off += (size_t)snprintf(out + off, sizeof(out) - off, " @%d",
			    w->addrs[a].ifindex);
	}
	pthread_mutex_unlock(&lv.lock);
	return out;
}

static int
nwl(void)
{
	int n;

	pthread_mutex_lock(&lv.lock);
	n = lv.nwl;
	pthread_mutex_unlock(&lv.lock);
	return n;
}

/* Waits (up to 10 s; the thread acts in milliseconds) until cond holds. */
#define WAIT_UNTIL(cond) do {						\
	for (int w_ = 0; w_ < 1000 && !(cond); w_++)			\
		usleep(10000);						\
	ck_assert_msg((cond), "timed out waiting for %s", #cond);	\
} while (0)

static struct dockerwatch *dw;

static struct dockerwatch_status *
status(void)
{
	static struct dockerwatch_status st;

	dockerwatch_status(dw, &st);
	return &st;
}

static void
watch_setup(void)
{
	engine_init();
	live_bare();
	dw = NULL;
}

static void
watch_teardown(void)
{
	dockerwatch_stop(dw);
	dw = NULL;
	live_destroy(&lv);
	engine_fini();
}

/* Starts the thread and waits until it has listed the engine's containers. */
static void
watch_start(void)
{
	dw = dockerwatch_start(eng.path, &lv, NULL, err, sizeof(err));
	ck_assert_msg(dw != NULL, "%s", err);
}

START_TEST(test_watch_list_then_events)
{
	static const char compose[] = "\"com.docker.compose.project\":\"shop\","
	    "\"com.docker.compose.service\":\"web\"";

	engine_set(ID_A, "web1", 1, "198.19.0.2", NULL);
	engine_set(ID_B, "shop-web-1", 1, "198.19.0.3", compose);
	engine_set(ID_C, "old", 0, "", NULL);
	engine_listen();
	watch_start();
	WAIT_UNTIL(status()->connected);
	ck_assert_int_eq(nwl(), 2);
	ck_assert_str_eq(wl(ID_A), "web1 nvdbox 198.19.0.2");
	ck_assert_str_eq(wl(ID_B), "shop-web-1 nvdbox 198.19.0.3");
	ck_assert_str_eq(wl(ID_C), "");
	pthread_mutex_lock(&lv.lock);
	ck_assert_str_eq(lv.wl[1].service, "web");
	ck_assert_str_eq(lv.wl[1].project, "shop");
	pthread_mutex_unlock(&lv.lock);

	/* The stream was asked for first, then the networks, the list, each
	 * container, and their image once; then the engine's version. */
	pthread_mutex_lock(&eng.lock);
	ck_assert_int_eq(eng.nreqs, 7);
	ck_assert_str_eq(eng.reqs[0], "GET /v1.41/events");
	ck_assert_str_eq(eng.reqs[1], "GET /v1.41/networks");
	ck_assert_str_eq(eng.reqs[2], "GET /v1.41/containers/json");
	ck_assert_str_eq(eng.reqs[3], "GET /v1.41/containers/" ID_A "/json");
	ck_assert_str_eq(eng.reqs[4], "GET /v1.41/images/sha256:" ID_IMG "/json");
	ck_assert_str_eq(eng.reqs[5], "GET /v1.41/containers/" ID_B "/json");
	ck_assert_str_eq(eng.reqs[6], "GET /v1.41/version");
	pthread_mutex_unlock(&eng.lock);
	ck_assert_str_eq(status()->version, "20.10.24+dfsg1");
	ck_assert_str_eq(status()->api_version, "1.41");
	ck_assert_int_eq(status()->containers, 2);
	ck_assert_uint_eq(status()->connects, 1);
	ck_assert_uint_eq(status()->reconnects, 0);
	ck_assert_str_eq(status()->socket, eng.path);
	ck_assert_str_eq(status()->last_error, "");

	/* start: a container comes (network connect first, as dockerd sends it). */
	engine_set(ID_C, "db", 0, "", NULL);
	engine_net_event("connect", ID_C);
	engine_set(ID_C, "db", 1, "198.19.0.4", NULL);
	engine_event("start", ID_C, "db");
	WAIT_UNTIL(*wl(ID_C) != '\0');
	ck_assert_str_eq(wl(ID_C), "db nvdbox 198.19.0.4");
	ck_assert_int_eq(status()->containers, 3);

	/* rename: the new name. */
	engine_set(ID_A, "web2", 1, "198.19.0.2", NULL);
	engine_event("rename", ID_A, "web2");
	WAIT_UNTIL(!strcmp(wl(ID_A), "web2 nvdbox 198.19.0.2"));

	/* network disconnect and connect: the addresses Docker has now. */
	engine_set(ID_A, "web2", 1, "", NULL);
	engine_net_event("disconnect", ID_A);
	WAIT_UNTIL(!strcmp(wl(ID_A), "web2 nvdbox"));
	engine_set(ID_A, "web2", 1, "198.19.0.9", NULL);
	engine_net_event("connect", ID_A);
	WAIT_UNTIL(!strcmp(wl(ID_A), "web2 nvdbox 198.19.0.9"));

	/* pause keeps the workload, inspected again for its state; kill is
	 * nothing; die removes it. */
	ck_assert_str_eq(wl_state(ID_B), "running privileged 0");
	pthread_mutex_lock(&eng.lock);
	fake_find(ID_B)->paused = 1;
	fake_find(ID_B)->privileged = 1;
	pthread_mutex_unlock(&eng.lock);
	engine_event("pause", ID_B, "shop-web-1");
	WAIT_UNTIL(!strcmp(wl_state(ID_B), "paused privileged 1"));
	engine_event("kill", ID_C, "db");
	engine_event("die", ID_C, "db");
	WAIT_UNTIL(*wl(ID_C) == '\0');
	ck_assert_str_eq(wl(ID_B), "shop-web-1 nvdbox 198.19.0.3");
	ck_assert_int_eq(status()->containers, 2);

	/* stop and destroy remove too (a second removal is harmless). */
	engine_event("stop", ID_B, "shop-web-1");
	engine_event("destroy", ID_B, "shop-web-1");
	WAIT_UNTIL(status()->events == 10);
	ck_assert_str_eq(wl(ID_B), "");
	ck_assert_int_eq(nwl(), 1);
	ck_assert_uint_eq(status()->errors, 0);
}
END_TEST

/*
 * Labels its image sets do not count: a container run from an image that
 * says it is the compose service db of project shop, and tier=db, is
 * neither; one given tier=db itself again is not either, another label of
 * its own counts; one compose made keeps compose's project and service
 * (which an image compose built carries too), not the image's tier.  The
 * image is asked for once.  An image the engine does not have: no label
 * counts.
 */
START_TEST(test_watch_image_labels)
{
	static const char compose[] = "\"com.docker.compose.project\":\"shop\","
	    "\"com.docker.compose.service\":\"db\"";

	snprintf(eng.image_labels, sizeof(eng.image_labels), "%s,\"tier\":\"db\","
	    "\"com.docker.compose.version\":\"2.20.2\"", compose);
	engine_set(ID_A, "plain", 1, "198.19.0.2", "\"tier\":\"db\",\"com.docker.compose.version\":"
	    "\"2.20.2\",\"com.docker.compose.project\":\"shop\",\"com.docker.compose.service\":\"db\"");
	engine_set(ID_B, "again", 1, "198.19.0.3", "\"tier\":\"db\",\"owner\":\"ops\","
	    "\"com.docker.compose.project\":\"shop\",\"com.docker.compose.service\":\"db\"");
	engine_set(ID_C, "shop-db-1", 1, "198.19.0.4", "\"tier\":\"db\","
	    "\"com.docker.compose.config-hash\":\"5b0c2e4e\",\"com.docker.compose.project\":\"shop\","
	    "\"com.docker.compose.service\":\"db\",\"com.docker.compose.version\":\"2.20.2\"");
	engine_listen();
	watch_start();
	WAIT_UNTIL(status()->connected);
	ck_assert_int_eq(nwl(), 3);
	ck_assert_str_eq(wl_more(ID_A), " |   @0");
	ck_assert_str_eq(wl_more(ID_B), "owner=ops |   @0");
	ck_assert_str_eq(wl_more(ID_C), "com.docker.compose.config-hash=5b0c2e4e "
	    "com.docker.compose.project=shop com.docker.compose.service=db | db shop @0");
	pthread_mutex_lock(&eng.lock);
	ck_assert_int_eq(eng.nreqs, 8);
	ck_assert_str_eq(eng.reqs[4], "GET /v1.41/images/sha256:" ID_IMG "/json");
	pthread_mutex_unlock(&eng.lock);

	/* Read once: what the engine says of it later is not asked. */
	eng.image_missing = 1;
	engine_event("restart", ID_B, "again");
	WAIT_UNTIL(status()->events == 1);
	ck_assert_str_eq(wl_more(ID_B), "owner=ops |   @0");
	ck_assert_uint_eq(status()->errors, 0);
}
END_TEST

START_TEST(test_watch_image_missing)
{
	eng.image_missing = 1;
	engine_set(ID_A, "web1", 1, "198.19.0.2", "\"owner\":\"ops\",\"com.docker.compose.project\":"
	    "\"shop\",\"com.docker.compose.service\":\"web\"");
	engine_listen();
	watch_start();
	WAIT_UNTIL(status()->connected);
	ck_assert_str_eq(wl(ID_A), "web1 nvdbox 198.19.0.2");
	ck_assert_str_eq(wl_more(ID_A), " |   @0");
	ck_assert_uint_eq(status()->errors, 0);
}
END_TEST

/* The ports the daemon finds (link.h) by the container's pid, matched to
 * its networks by MacAddress. */
static int ports_pid, ports_fail;

static int
fake_ports(void *ctx, int pid, struct dockerwatch_port *out, int max, char *e, size_t elen)
{
	static const uint8_t mac2[6] = { 0x02, 0x42, 0xc6, 0x13, 0x00, 0x02 };
	static const uint8_t other[6] = { 0x02, 0x42, 0xc6, 0x13, 0x00, 0x09 };

	ck_assert_ptr_eq(ctx, &ports_pid);
	ck_assert_int_ge(max, 2);
	__atomic_store_n(&ports_pid, pid, __ATOMIC_RELEASE);
	if (__atomic_load_n(&ports_fail, __ATOMIC_ACQUIRE)) {
		snprintf(e, elen, "pid %d: no such process", pid);
		return -1;
	}
	memcpy(out[0].mac, other, 6);
	out[0].ifindex = 9;
	memcpy(out[1].mac, mac2, 6);
	out[1].ifindex = 41;
	return 2;
}

START_TEST(test_watch_ports)
{
	const struct dockerwatch_ports ports = { fake_ports, &ports_pid };

	engine_set(ID_A, "web1", 1, "198.19.0.2", NULL);
	engine_set(ID_B, "web2", 1, "198.19.0.3", NULL);
	engine_listen();
	dw = dockerwatch_start(eng.path, &lv, &ports, err, sizeof(err));
	ck_assert_msg(dw != NULL, "%s", err);
	WAIT_UNTIL(status()->connected);
	ck_assert_int_eq(__atomic_load_n(&ports_pid, __ATOMIC_ACQUIRE), 4242);
	ck_assert_str_eq(wl_more(ID_A), " |   @41");
	ck_assert_str_eq(wl_more(ID_B), " |   @0");	/* no interface of its address */
	/* Ports that cannot be found are not known; the workload still is. */
	__atomic_store_n(&ports_fail, 1, __ATOMIC_RELEASE);
	engine_event("restart", ID_A, "web1");
	WAIT_UNTIL(status()->events == 1);
	WAIT_UNTIL(!strcmp(wl_more(ID_A), " |   @0"));
	ck_assert_str_eq(wl(ID_A), "web1 nvdbox 198.19.0.2");
	ck_assert_uint_eq(status()->errors, 0);
}
END_TEST

/* A start whose container is gone by the time it is inspected (HTTP 404). */
START_TEST(test_watch_gone_before_inspect)
{
	engine_listen();
	watch_start();
	WAIT_UNTIL(status()->connected);
	ck_assert_int_eq(nwl(), 0);
	engine_event("start", ID_A, "brief");
	engine_set(ID_B, "next", 1, "198.19.0.5", NULL);
	engine_event("start", ID_B, "next");
	WAIT_UNTIL(*wl(ID_B) != '\0');
	ck_assert_str_eq(wl(ID_A), "");
	ck_assert_int_eq(nwl(), 1);
	ck_assert_uint_eq(status()->errors, 0);
	/* A start of a container that stopped again before the inspect: not running. */
	engine_set(ID_C, "flash", 0, "", NULL);
	engine_event("start", ID_C, "flash");
	engine_event("restart", ID_B, "next");
	WAIT_UNTIL(status()->events == 4);
	WAIT_UNTIL(nwl() == 1);
	ck_assert_str_eq(wl(ID_C), "");
}
END_TEST

/* A bad event is counted and skipped; the stream goes on. */
START_TEST(test_watch_bad_event)
{
	engine_listen();
	watch_start();
	WAIT_UNTIL(status()->connected);
	engine_send("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"xyz\"}}");
	engine_set(ID_A, "web1", 1, "198.19.0.2", NULL);
	engine_event("start", ID_A, "web1");
	WAIT_UNTIL(*wl(ID_A) != '\0');
	ck_assert_uint_eq(status()->errors, 1);
	ck_assert_str_eq(status()->last_error, "event: Actor.ID is not 64 hex digits");
	ck_assert_int_eq(status()->connected, 1);
	ck_assert_int_eq(engine_streams(), 1);
}
END_TEST

/*
 * The engine ends the stream: the thread connects again and lists again;
 * what changed meanwhile (one container gone, one new) is taken over.
 */
START_TEST(test_watch_stream_ends)
{
	engine_set(ID_A, "web1", 1, "198.19.0.2", NULL);
	engine_set(ID_B, "web2", 1, "198.19.0.3", NULL);
	engine_listen();
	watch_start();
	WAIT_UNTIL(status()->connected);
	ck_assert_int_eq(nwl(), 2);

	engine_destroy(ID_A);
	engine_set(ID_C, "web3", 1, "198.19.0.4", NULL);
	engine_end_stream();
	WAIT_UNTIL(status()->reconnects == 1 && status()->connected);
	WAIT_UNTIL(nwl() == 2 && *wl(ID_C) != '\0');
	ck_assert_str_eq(wl(ID_A), "");
	ck_assert_str_eq(wl(ID_B), "web2 nvdbox 198.19.0.3");
	ck_assert_str_eq(wl(ID_C), "web3 nvdbox 198.19.0.4");
	ck_assert_int_eq(engine_streams(), 2);
	ck_assert_uint_eq(status()->connects, 2);
	ck_assert_uint_eq(status()->errors, 1);
	snprintf(err, sizeof(err), "%s ended the events stream", eng.path);
	ck_assert_str_eq(status()->last_error, err);
}
END_TEST

/*
 * The engine goes away (socket gone) and comes back later, as when
 * dockerd restarts: the workloads are kept meanwhile, then listed again.
 */
START_TEST(test_watch_engine_restarts)
{
	struct dockerwatch_status st;

	engine_set(ID_A, "web1", 1, "198.19.0.2", NULL);
	engine_listen();
	watch_start();
	WAIT_UNTIL(status()->connected);
	engine_down();
	WAIT_UNTIL(!status()->connected && status()->errors >= 2);
	dockerwatch_status(dw, &st);
	ck_assert_msg(strstr(st.last_error, "connect to ") == st.last_error &&
	    strstr(st.last_error, ": No such file or directory") != NULL, "%s", st.last_error);
	ck_assert_int_eq(nwl(), 1);	/* kept while the engine is away */
	ck_assert_int_ne(st.since, 0);

	engine_destroy(ID_A);
	engine_set(ID_B, "web2", 1, "198.19.0.3", NULL);
	engine_listen();
	WAIT_UNTIL(status()->connected);
	ck_assert_int_eq(nwl(), 1);
	ck_assert_str_eq(wl(ID_B), "web2 nvdbox 198.19.0.3");
	ck_assert_uint_eq(status()->reconnects, 1);
}
END_TEST

/* No engine at start is no failure: the thread waits for one. */
START_TEST(test_watch_no_engine_yet)
{
	watch_start();
	WAIT_UNTIL(status()->errors >= 2);
	ck_assert_int_eq(status()->connected, 0);
	ck_assert_int_eq(status()->since, 0);
	ck_assert_uint_eq(status()->connects, 0);
	engine_set(ID_A, "web1", 1, "198.19.0.2", NULL);
	engine_listen();
	WAIT_UNTIL(status()->connected);
	ck_assert_str_eq(wl(ID_A), "web1 nvdbox 198.19.0.2");
	ck_assert_uint_eq(status()->reconnects, 0);
}
END_TEST

/* An engine that refuses the stream: an error, and no list is asked for. */
START_TEST(test_watch_refused)
{
	eng.events_status = 500;
	engine_listen();
	watch_start();
	WAIT_UNTIL(status()->errors >= 1);
	ck_assert_str_eq(status()->last_error, "events: HTTP status 500");
	ck_assert_int_eq(status()->connected, 0);
	pthread_mutex_lock(&eng.lock);
	for (int i = 0; i < eng.nreqs; i++)
		ck_assert_str_eq(eng.reqs[i], "GET /v1.41/events");
	pthread_mutex_unlock(&eng.lock);
}
END_TEST

/* Stop wakes the thread wherever it waits: on the stream and in its backoff. */
START_TEST(test_watch_stop)
{
	engine_listen();
	watch_start();
	WAIT_UNTIL(status()->connected);
	dockerwatch_stop(dw);
	dw = NULL;
	engine_down();
	watch_start();
	WAIT_UNTIL(status()->errors >= 1);
	dockerwatch_stop(dw);
	dw = NULL;
	dockerwatch_stop(NULL);
}
END_TEST

/* A bridge subnet as live has it: "198.19.0.0/24", or "" past the last. */
static const char *
subnet(int i)
{
	static char out[INET6_ADDRSTRLEN + 8];
	char a[INET6_ADDRSTRLEN];

	out[0] = '\0';
	pthread_mutex_lock(&lv.lock);
	if (i < lv.nnets) {
		inet_ntop(lv.nets[i].family, lv.nets[i].addr, a, sizeof(a));
		snprintf(out, sizeof(out), "%s/%d", a, lv.nets[i].prefix);
	}
	pthread_mutex_unlock(&lv.lock);
	return out;
}

/* The bridge networks' subnets reach live at the sync and at each network event. */
START_TEST(test_watch_networks)
{
	engine_listen();
	watch_start();
	WAIT_UNTIL(status()->connected);
	ck_assert_str_eq(subnet(0), "198.19.0.0/24");
	ck_assert_str_eq(subnet(1), "");
	ck_assert_int_eq(status()->subnets, 1);
	engine_nets("{\"Name\":\"shop_front\",\"Driver\":\"bridge\",\"IPAM\":{\"Config\":"
	    "[{\"Subnet\":\"198.19.9.0/24\"},{\"Subnet\":\"fd00:19:9::/64\"}]}},"
	    "{\"Name\":\"lan\",\"Driver\":\"macvlan\",\"IPAM\":{\"Config\":"
	    "[{\"Subnet\":\"198.18.77.0/24\"}]}}");
	engine_send("{\"Type\":\"network\",\"Action\":\"create\",\"Actor\":{\"ID\":\"" ID_NET
	    "\",\"Attributes\":{\"name\":\"shop_front\",\"type\":\"bridge\"}},"
	    "\"scope\":\"local\",\"time\":1796672557,\"timeNano\":1796672557529790941}");
	WAIT_UNTIL(status()->subnets == 3);
	ck_assert_str_eq(subnet(1), "198.19.9.0/24");
	ck_assert_str_eq(subnet(2), "fd00:19:9::/64");
	/* A network answer nvd cannot read is a failed request: it connects again. */
	engine_nets("{\"Name\":\"odd\",\"Driver\":\"bridge\",\"IPAM\":{\"Config\":"
	    "[{\"Subnet\":\"198.19.9.0/99\"}]}}");
	engine_send("{\"Type\":\"network\",\"Action\":\"destroy\",\"Actor\":{\"ID\":\"" ID_NET
	    "\",\"Attributes\":{\"name\":\"shop_front\",\"type\":\"bridge\"}}}");
	WAIT_UNTIL(status()->errors >= 1);
	ck_assert_str_eq(status()->last_error, "networks: network odd: bad subnet");
	ck_assert_str_eq(subnet(2), "fd00:19:9::/64");	/* the last ones read stay */
}
END_TEST

/*
 * A worker meets an address no workload has: the nudge makes the thread
 * list the running containers and inspect the new one before any event.
 */
START_TEST(test_watch_nudge)
{
	engine_set(ID_A, "web1", 1, "198.19.0.2", NULL);
	engine_listen();
	watch_start();
	WAIT_UNTIL(status()->connected);
	engine_set(ID_B, "starter1", 1, "198.19.0.3", NULL);
	live_nudge(&lv, 5000);
	WAIT_UNTIL(*wl(ID_B) != '\0');
	ck_assert_str_eq(wl(ID_B), "starter1 nvdbox 198.19.0.3");
	WAIT_UNTIL(status()->nudges == 1);
	ck_assert_uint_eq(status()->nudge_found, 1);
	ck_assert_int_eq(status()->containers, 2);
	pthread_mutex_lock(&eng.lock);
	ck_assert_int_eq(eng.nreqs, 8);
	ck_assert_str_eq(eng.reqs[6], "GET /v1.41/containers/json");
	ck_assert_str_eq(eng.reqs[7], "GET /v1.41/containers/" ID_B "/json");
	pthread_mutex_unlock(&eng.lock);
	/* Within LIVE_NUDGE_MS a second nudge is not sent; after it, one is,
	 * and finds nothing new. */
	live_nudge(&lv, 5000 + LIVE_NUDGE_MS - 1);
	live_nudge(&lv, 5000 + LIVE_NUDGE_MS);
	WAIT_UNTIL(status()->nudges == 2);
	ck_assert_uint_eq(status()->nudge_found, 1);
	ck_assert_uint_eq(status()->events, 0);
}
END_TEST

START_TEST(test_watch_start_errors)
{
	char path[200];

	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	ck_assert_ptr_null(dockerwatch_start(path, &lv, NULL, err, sizeof(err)));
	ck_assert(strncmp(err, "socket path too long: /ppp", 26) == 0);
}
END_TEST

static Suite *
dockerwatch_suite(void)
{
	Suite *s = suite_create("dockerwatch");
	TCase *tc;

	tc = tcase_create("workload");
	tcase_add_test(tc, test_workload_compose);
	tcase_add_test(tc, test_workload_plain);
	tcase_add_test(tc, test_workload_bounds);
	suite_add_tcase(s, tc);

	tc = tcase_create("watch");
	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, watch_setup, watch_teardown);
	tcase_add_test(tc, test_watch_list_then_events);
	tcase_add_test(tc, test_watch_image_labels);
	tcase_add_test(tc, test_watch_image_missing);
	tcase_add_test(tc, test_watch_ports);
	tcase_add_test(tc, test_watch_gone_before_inspect);
	tcase_add_test(tc, test_watch_bad_event);
	tcase_add_test(tc, test_watch_stream_ends);
	tcase_add_test(tc, test_watch_engine_restarts);
	tcase_add_test(tc, test_watch_no_engine_yet);
	tcase_add_test(tc, test_watch_refused);
	tcase_add_test(tc, test_watch_stop);
	tcase_add_test(tc, test_watch_networks);
	tcase_add_test(tc, test_watch_nudge);
	tcase_add_test(tc, test_watch_start_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dockerwatch_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
