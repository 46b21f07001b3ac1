/*
 * nvd.c: the daemon's main: options, signals, the control socket and the
 * main loop.  The lifecycle itself (start-up, reload, shutdown) is
 * daemon.c's.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "base/clock.h"
#include "daemon/control.h"
#include "daemon/daemon.h"
#include "daemon/metrics.h"
#include "base/log.h"
#include "base/sdnotify.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: nvd [-f] [-c FILE] [--check-config] [--version]\n");
}

/* A scrape waits (metrics.h): the status, as nvctl --json status has it. */
static void
publish_status(struct daemon *d, struct metrics *m)
{
	char *argv[] = { "status" };
	struct buf out;

	buf_init(&out);
	if (control_dispatch(d, 1, argv, 1, &out) != CTL_RESP_OK || buf_failed(&out))
		buf_reset(&out);
	metrics_publish(m, out.data ? out.data : "", out.len);
	buf_free(&out);
}

static int
main_loop(struct daemon *d, int sfd, struct control *ctl, struct metrics *m)
{
	struct pollfd pfd[3 + CTL_POLLFDS];

	for (;;) {
		int n, nc;

		pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = d->live.wake_fd, .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = metrics_ask_fd(m), .events = POLLIN };
		nc = control_pollfds(ctl, pfd + 3);
		n = poll(pfd, 3 + nc, 100);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			return -1;
		}
		daemon_housekeeping(d, pfd[1].revents & POLLIN);
		if (pfd[2].revents & POLLIN)
			publish_status(d, m);
		/* Also when nothing is ready: clients' deadlines pass. */
		control_step(ctl, pfd + 3, nc, (int64_t)clock_mono_ms());
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo == SIGHUP) {
				struct buf out;

				log_info("SIGHUP: reloading");
				buf_init(&out);
				daemon_reload(d, &out);
				buf_free(&out);
			} else {
				log_info("%s: shutting down", strsignal((int)si.ssi_signo));
				return 0;
			}
		}
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "check-config", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct daemon d;
	static struct control ctl;
	struct metrics *metrics = NULL;
	struct conf_errors errs = { 0 };
	int foreground = 0, check = 0, ch, sfd = -1, rc = 1;
	sigset_t mask;

	strcpy(d.conf_path, NVD_DEFAULT_CONF);
	while ((ch = getopt_long(argc, argv, "c:fhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			if (strlen(optarg) >= sizeof(d.conf_path)) {
				fprintf(stderr, "nvd: config path too long\n");
				return 2;
			}
			strcpy(d.conf_path, optarg);
			d.conf_given = 1;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'C':
			check = 1;
			break;
		case 'V':
			printf("nvd %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (daemon_load_conf(&d, &d.conf, &errs) > 0) {
		for (int i = 0; i < errs.count; i++)
			fprintf(stderr, "%s\n", errs.msg[i]);
		return 1;
	}
	if (check)
		return 0;

	log_init("nvd", foreground);
	d.foreground = foreground;
	daemon_apply_limits(&d.conf);
	if (!foreground && getenv("NOTIFY_SOCKET") == NULL && daemon(0, 0) < 0)
		fatal("daemon");

	/* Signals are read from a signalfd in the main loop; workers inherit
	 * the blocked mask and never see them. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((sfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0)
		fatal("signalfd");

	/* The control socket before the queues: a second nvd stops here. */
	control_init(&ctl, &d);
	if (daemon_init(&d) == 0 && control_open(&ctl, d.conf.control_socket) == 0 &&
	    (d.conf.metrics_listen[0] == '\0' ||
	    (metrics = metrics_start(d.conf.metrics_listen)) != NULL) &&
	    daemon_start(&d) == 0) {
		sd_notify_send("READY=1");
		log_info("nvd %s ready: steering into queues %u-%u, hook %s", PACKAGE_VERSION,
		    d.conf.queue_first, d.conf.queue_first + d.conf.queue_count - 1,
		    nft_hook_kind_name(d.hook));
		rc = main_loop(&d, sfd, &ctl, metrics) < 0 ? 1 : 0;
		sd_notify_send("STOPPING=1");
	}
	metrics_stop(metrics);
	daemon_stop(&d);
	control_close(&ctl);
	close(sfd);
	return rc;
}
