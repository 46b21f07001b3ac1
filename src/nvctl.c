/*
 * nvctl.c: the command-line client.  Sends the command words to nvd over
 * the control socket and prints the reply: text for people, one JSON value
 * with --json.  Exit 0 on success, 1 on failure or not found, 2 on usage.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/control_proto.h"
#include "base/io.h"

#define NVCTL_DEFAULT_SOCKET "/run/nvd/nvd.sock"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: nvctl [-s SOCKET] [--json] COMMAND [ARGS]\n"
	    "commands:\n"
	    "  status                      version, uptime, hook kind, counters\n"
	    "  reload                      re-read the config and rule files\n"
	    "  workload list|add|delete    containers and static workloads\n"
	    "  group list|show|add|delete|mode\n"
	    "                              groups, their criteria and policy mode\n"
	    "  rule list|show|add|delete|promote\n"
	    "                              network rules, user and learned\n"
	    "  sensor list|show|add|delete|rule|assign|unassign|test\n"
	    "                              DLP and WAF sensors and their rules\n"
	    "  events                      the audit log, newest first\n"
	    "  admission rule add|list|show|delete|enable|disable|test\n"
	    "                              admission rules for Docker containers\n"
	    "  admission mode|test|status  their mode, judging a container, the plugin\n"
	    "  threat list|show|set        threat detectors, their actions and thresholds\n"
	    "--json may also come last.  See nvctl(8).\n");
}

/*
 * The file at path as hexadecimal text, malloc'ed, or NULL with a message
 * printed.  nvctl reads it with its user's rights: nvd, running as root,
 * opens no path a client names.
 */
static char *
file_hex(const char *path)
{
	unsigned char *data = malloc(CTL_MAX_TEST_INPUT + 1);
	char *hex = NULL;
	FILE *f = NULL;
	size_t n = 0;

	if (data == NULL || (f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "nvctl: %s: %s\n", path, strerror(errno));
		goto out;
	}
	n = fread(data, 1, CTL_MAX_TEST_INPUT + 1, f);
	if (ferror(f))
		fprintf(stderr, "nvctl: %s: read error\n", path);
	else if (n > CTL_MAX_TEST_INPUT)
		fprintf(stderr, "nvctl: %s: larger than %d bytes\n", path, CTL_MAX_TEST_INPUT);
	else if ((hex = malloc(2 * n + 1)) == NULL)
		fprintf(stderr, "nvctl: out of memory\n");
	for (size_t i = 0; hex != NULL && i <= n; i++)
		if (i == n)
			hex[2 * n] = '\0';
		else
			snprintf(hex + 2 * i, 3, "%02x", data[i]);
out:
	if (f != NULL)
		fclose(f);
	free(data);
	return hex;
}

/*
 * `sensor test ... --file PATH` becomes `--hex HEX` (`--file=PATH`:
 * `--hex=HEX`).  *hex is the new word, to free; 0, or -1 with a message.
 */
static int
test_file(int argc, char **argv, char **hex)
{
	int eq;

	*hex = NULL;
	if (argc < 2 || strcmp(argv[0], "sensor") != 0 || strcmp(argv[1], "test") != 0)
		return 0;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--file") != 0 && strncmp(argv[i], "--file=", 7) != 0)
			continue;
		eq = argv[i][6] == '=';
		if (*hex != NULL || (!eq && i + 1 == argc)) {
			fprintf(stderr, "nvctl: --file takes one path, once\n");
			return -1;
		}
		if ((*hex = file_hex(eq ? argv[i] + 7 : argv[i + 1])) == NULL)
			return -1;
		if (eq) {
			char *w = malloc(strlen(*hex) + 7);

			if (w == NULL) {
				fprintf(stderr, "nvctl: out of memory\n");
				return -1;
			}
			strcpy(w, "--hex=");
			strcat(w, *hex);
			free(*hex);
			*hex = argv[i] = w;
		} else {
			argv[i] = "--hex";
			argv[++i] = *hex;
		}
	}
	return 0;
}

/*
 * `admission test FILE` and `admission rule test ID FILE` send the text
 * of FILE ("-": standard input) as `--input TEXT`, read with nvctl's
 * user's rights.  *nargv is the new argument vector (free it, and *text)
 * when one was made; 0, or -1 with a message.
 */
static int
admission_file(int argc, char **argv, char ***nargv, char **text)
{
	const char *path;
	FILE *f;
	size_t n;

	*nargv = NULL;
	*text = NULL;
	if (argc < 3 || strcmp(argv[0], "admission") != 0 ||
	    !((argc == 3 && strcmp(argv[1], "test") == 0) ||
	    (argc == 5 && strcmp(argv[1], "rule") == 0 && strcmp(argv[2], "test") == 0)))
		return 0;
	path = argv[argc - 1];
	if (strncmp(path, "--", 2) == 0)
		return 0;
	if ((f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r")) == NULL) {
		fprintf(stderr, "nvctl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if ((*text = malloc(CTL_MAX_ADMISSION_INPUT + 2)) == NULL ||
	    (*nargv = calloc((size_t)argc + 2, sizeof(**nargv))) == NULL) {
		fprintf(stderr, "nvctl: out of memory\n");
		goto fail;
	}
	n = fread(*text, 1, CTL_MAX_ADMISSION_INPUT + 1, f);
	if (ferror(f) || n > CTL_MAX_ADMISSION_INPUT || memchr(*text, '\0', n)) {
		fprintf(stderr, "nvctl: %s: %s\n", path, ferror(f) ? "read error" :
		    n > CTL_MAX_ADMISSION_INPUT ? "larger than 60 KiB" : "not text (a NUL byte)");
		goto fail;
	}
	(*text)[n] = '\0';
	memcpy(*nargv, argv, (size_t)(argc - 1) * sizeof(**nargv));
	(*nargv)[argc - 1] = "--input";
	(*nargv)[argc] = *text;
	if (f != stdin)
		fclose(f);
	return 0;
fail:
	if (f != stdin)
		fclose(f);
	free(*text);
	free(*nargv);
	*text = NULL;
	*nargv = NULL;
	return -1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = getenv("NVCTL_SOCKET");
	struct ctl_hdr h = { .magic = CTL_MAGIC, .version = CTL_VERSION, .type = CTL_REQ_COMMAND };
	char *req = NULL, *body = NULL, *hex = NULL, *input = NULL, **nargv = NULL;
	size_t reqlen = 0;
	int ch, fd, rc = 1;

	if (path == NULL || *path == '\0')
		path = NVCTL_DEFAULT_SOCKET;
	/* '+': stop at the first command word, so its own options pass through. */
	while ((ch = getopt_long(argc, argv, "+js:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			h.flags |= CTL_F_JSON;
			break;
		case 's':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("nvctl %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	/* "--json" also works as the last word ("nvctl rule list --json"). */
	if (argc - optind >= 2 && !strcmp(argv[argc - 1], "--json")) {
		h.flags |= CTL_F_JSON;
		argc--;
	}
	if (argc - optind > CTL_MAX_ARGS) {
		fprintf(stderr, "nvctl: too many arguments\n");
		return 2;
	}
	if (test_file(argc - optind, argv + optind, &hex) < 0) {
		free(hex);
		return 2;
	}
	if (admission_file(argc - optind, argv + optind, &nargv, &input) < 0)
		return 2;
	if (nargv != NULL) {
		argc = argc - optind + 1;
		argv = nargv;
		optind = 0;
	}
	for (int i = optind; i < argc; i++)
		reqlen += strlen(argv[i]) + 1;
	if (reqlen > CTL_MAX_REQUEST) {
		fprintf(stderr, "nvctl: arguments too long\n");
		rc = 2;
		goto out;
	}
	if ((req = malloc(reqlen)) == NULL) {
		fprintf(stderr, "nvctl: out of memory\n");
		goto out;
	}
	reqlen = 0;
	for (int i = optind; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

		memcpy(req + reqlen, argv[i], n);
		reqlen += n;
	}
	h.len = (uint32_t)reqlen;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "nvctl: socket path too long: %s\n", path);
		goto out;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int e = errno;

		fprintf(stderr, "nvctl: cannot reach nvd at %s: %s%s\n", path, strerror(e),
		    e == EACCES ? " (root and groups " CTL_GROUP " and " CTL_GROUP_READ
		    " may use it)" : "");
		goto out;
	}
	/* nvd may refuse (busy, no permission) before it reads the request:
	 * its answer is read even when sending the request failed. */
	if (io_write_full(fd, &h, sizeof(h)) == 0)
		io_write_full(fd, req, reqlen);
	if (io_read_full(fd, &h, sizeof(h)) < 0) {
		fprintf(stderr, "nvctl: nvd closed the connection\n");
		goto out_fd;
	}
	if (h.magic != CTL_MAGIC || h.version != CTL_VERSION || h.len > CTL_MAX_RESPONSE) {
		fprintf(stderr, "nvctl: unexpected reply (protocol version %u, nvctl speaks %u)\n",
		    h.version, CTL_VERSION);
		goto out_fd;
	}
	if ((body = malloc((size_t)h.len + 1)) == NULL || io_read_full(fd, body, h.len) < 0) {
		fprintf(stderr, "nvctl: reply cut short\n");
		goto out_fd;
	}
	body[h.len] = '\0';
	switch (h.type) {
	case CTL_RESP_OK:
		fputs(body, stdout);
		rc = 0;
		break;
	case CTL_RESP_USAGE:
		fprintf(stderr, "nvctl: %s\n", body);
		rc = 2;
		break;
	case CTL_RESP_NOMATCH:
		fputs(body, stdout);
		rc = 1;
		break;
	case CTL_RESP_DENIED:	/* as an error: a message and exit 1 */
	default:
		fprintf(stderr, "nvctl: %s\n", body);
		rc = 1;
	}
out_fd:
	close(fd);
out:
	free(req);
	free(body);
	free(hex);
	free(input);
	free(nargv);
	return rc;
}
