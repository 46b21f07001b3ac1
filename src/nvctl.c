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
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
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
	    "  workload list|add|delete    containers (state, image, privileged, root,\n"
	    "                              published ports, networks) and static workloads\n"
	    "  group list|show|add|delete|mode\n"
	    "                              groups, their criteria and policy mode\n"
	    "  rule list|show|add|delete|promote\n"
	    "                              network rules, user and learned\n"
	    "  sensor list|show|add|delete|rule|assign|unassign|test\n"
	    "                              DLP and WAF sensors and their rules\n"
	    "  events                      the audit log, newest first\n"
	    "  events show ID              one event whole, with its evidence\n"
	    "  admission rule add|list|show|delete|enable|disable|test\n"
	    "                              admission rules for Docker containers\n"
	    "  admission mode|test|status  their mode, judging a container, the plugin\n"
	    "  conversations               who talks to whom, by application\n"
	    "  dns list                    the IP to DNS name bindings\n"
	    "  graph [--format dot|svg|json] [--workloads] [--group G] [--since T]\n"
	    "                              the conversation graph (svg: Graphviz's dot)\n"
	    "  dashboard                   counts, modes, events, exposure, top sources\n"
	    "                              and destinations, applications\n"
	    "  host                        this host, its kernel and Docker, nvd's hook\n"
	    "  policy export|import        the policy as one JSON document\n"
	    "  response list|show|add|enable|disable|delete|test\n"
	    "                              response rules: quarantine, webhook, suppress-log\n"
	    "  quarantine list|release     quarantined workloads\n"
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

/*
 * `policy import FILE ...` carries FILE's text as `--document TEXT`: *argv
 * and *argc become new words (*argv malloc'ed) and *doc the text.  1 when
 * they did, 0 for another command, -1 with a message.
 */
static int
import_file(int *argc, char ***argv, char **doc)
{
	char **v = *argv;
	const char *path = NULL;
	size_t n = 0;
	FILE *f;

	*doc = NULL;
	if (*argc < 3 || strcmp(v[0], "policy") || strcmp(v[1], "import"))
		return 0;
	for (int i = 2; i < *argc && path == NULL; i++)
		if (strncmp(v[i], "--", 2) != 0)
			path = v[i];
	if (path == NULL)
		return 0;	/* nvd says the usage */
	if ((*doc = malloc(CTL_MAX_DOCUMENT - CTL_MAX_REQUEST + 1)) == NULL ||
	    (v = calloc((size_t)*argc + 3, sizeof(*v))) == NULL) {
		fprintf(stderr, "nvctl: out of memory\n");
		return -1;
	}
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "nvctl: %s: %s\n", path, strerror(errno));
		free(v);
		return -1;
	}
	n = fread(*doc, 1, CTL_MAX_DOCUMENT - CTL_MAX_REQUEST + 1, f);
	if (ferror(f) || n > CTL_MAX_DOCUMENT - CTL_MAX_REQUEST || memchr(*doc, '\0', n)) {
		fprintf(stderr, "nvctl: %s: %s\n", path, ferror(f) ? "read error" :
		    n > CTL_MAX_DOCUMENT - CTL_MAX_REQUEST ? "larger than 16 MiB" :
		    "not a JSON document (it holds a NUL byte)");
		fclose(f);
		free(v);
		return -1;
	}
	fclose(f);
	(*doc)[n] = '\0';
	memcpy(v, *argv, (size_t)*argc * sizeof(*v));
	v[(*argc)++] = "--document";
	v[(*argc)++] = *doc;
	*argv = v;
	return 1;
}

/* Whether `graph` asks for --format svg; the word becomes dot (nvd writes
 * DOT, which nvctl hands to Graphviz's dot). */
static int
graph_svg(int argc, char **argv)
{
	int svg = 0;

	if (argc < 1 || strcmp(argv[0], "graph"))
		return 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--format=svg")) {
			argv[i] = "--format=dot";
			svg = 1;
		} else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
			if (!strcmp(argv[++i], "svg")) {
				argv[i] = "dot";
				svg = 1;
			}
		}
	}
	return svg;
}

/* Whether an executable dot is on $PATH. */
static int
have_dot(void)
{
	const char *path = getenv("PATH");
	char dir[4096];

	for (const char *p = path ? path : "/usr/bin:/bin"; *p; ) {
		size_t n = strcspn(p, ":");

		snprintf(dir, sizeof(dir), "%.*s/dot", (int)n, n ? p : ".");
		if (access(dir, X_OK) == 0)
			return 1;
		p += n + (p[n] == ':');
	}
	return 0;
}

/* The DOT text drawn as SVG on stdout by dot -Tsvg; nvctl's exit status. */
static int
draw_svg(const char *dot, size_t len)
{
	int fd[2], status;
	FILE *in;
	pid_t pid;

	fflush(stdout);
	if (pipe(fd) < 0 || (pid = fork()) < 0) {
		fprintf(stderr, "nvctl: cannot run dot: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		dup2(fd[0], 0);
		close(fd[0]);
		close(fd[1]);
		execlp("dot", "dot", "-Tsvg", (char *)NULL);
		fprintf(stderr, "nvctl: dot: %s\n", strerror(errno));
		_exit(127);
	}
	close(fd[0]);
	signal(SIGPIPE, SIG_IGN);
	if ((in = fdopen(fd[1], "w")) == NULL || fwrite(dot, 1, len, in) != len)
		fprintf(stderr, "nvctl: dot did not read the whole graph\n");
	if (in != NULL)
		fclose(in);
	else
		close(fd[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	fprintf(stderr, "nvctl: dot failed (%s %d)\n", WIFEXITED(status) ? "exit" : "signal",
	    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 1;
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
	char *req = NULL, *body = NULL, *hex = NULL, *input = NULL, **nargv = NULL, *doc = NULL;
	char **words;
	size_t reqlen = 0;
	int ch, fd, nwords, svg, made = 0, rc = 1;

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
	nwords = argc - optind;
	words = argv + optind;
	if ((made = import_file(&nwords, &words, &doc)) < 0)
		goto out;
	svg = graph_svg(nwords, words) && !(h.flags & CTL_F_JSON);
	if (svg && !have_dot()) {
		fprintf(stderr, "nvctl: graph --format svg needs Graphviz's dot, which is not "
		    "installed (Debian: apt-get install graphviz); --format dot prints the graph "
		    "for it\n");
		goto out;
	}
	for (int i = 0; i < nwords; i++)
		reqlen += strlen(words[i]) + 1;
	if (reqlen > (doc ? CTL_MAX_DOCUMENT : CTL_MAX_REQUEST)) {
		fprintf(stderr, "nvctl: arguments too long\n");
		rc = 2;
		goto out;
	}
	if ((req = malloc(reqlen)) == NULL) {
		fprintf(stderr, "nvctl: out of memory\n");
		goto out;
	}
	reqlen = 0;
	for (int i = 0; i < nwords; i++) {
		size_t n = strlen(words[i]) + 1;

		memcpy(req + reqlen, words[i], n);
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
		if (svg) {
			rc = draw_svg(body, h.len);
			break;
		}
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
	if (made > 0)
		free(words);
	free(doc);
	free(req);
	free(body);
	free(hex);
	free(input);
	free(nargv);
	return rc;
}
