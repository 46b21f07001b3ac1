/*
 * check_daemon.c: the daemon's lifecycle as nvd's main drives it
 * (daemon.h), on a database and config of the test's own: init, reload
 * (errors keep the running config, what cannot change at run time is
 * kept, the rest applied), the housekeeping a policy change asks for, and
 * stop after a start that failed half way.  Needs no root: no queue is
 * bound and no nftables rule installed (daemon_start is the integration
 * tests').
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "daemon/daemon.h"
#include "daemon/resolvers.h"
#include "names/fqdn.h"
#include "store/store.h"

static char dir[64];
static struct daemon d;
static struct buf out;

/* Writes the config: the test's own paths, then extra lines. */
static void
write_conf(const char *extra)
{
	FILE *f = fopen(d.conf_path, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "database = %s/nvd.db\ncontrol_socket = %s/nvd.sock\n"
	    "rules_dir = %s/rules\ndocker_socket =\ninstall_rules = no\n%s", dir, dir, dir, extra);
	fclose(f);
}

static void
setup(void)
{
	struct conf_errors errs = { 0 };

	strcpy(dir, "/tmp/check_daemon.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	memset(&d, 0, sizeof(d));
	snprintf(d.conf_path, sizeof(d.conf_path), "%s/nvd.conf", dir);
	d.conf_given = 1;
	write_conf("queues = 3-4\ndns_min_ttl = 30\n");
	ck_assert_int_eq(daemon_load_conf(&d, &d.conf, &errs), 0);
	ck_assert_int_eq(daemon_init(&d), 0);
	buf_init(&out);
}

static void
teardown(void)
{
	char cmd[128];

	buf_free(&out);
	daemon_stop(&d);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *
reply(void)
{
	buf_append(&out, "", 1);
	out.len--;
	return out.data;
}

/* dns_resolvers = auto: the nameservers a container could ask. */
START_TEST(test_resolvers_from_file)
{
	char path[] = "/tmp/nvd-resolv.XXXXXX";
	struct policy_resolvers r;
	FILE *f;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs("# generated\nsearch example\nnameserver 127.0.0.53\nnameserver 10.0.0.2\n"
	    "nameserver fe80::1%eth0\nnameserver ::1\nnameserver 2001:db8::53\n"
	    "nameserver 10.0.0.2\noptions edns0\n", f);
	fclose(f);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(resolvers_from_file(path, &r), 2);	/* two loopback ones skipped */
	ck_assert_int_eq(r.n, 2);
	ck_assert_int_eq(r.a[0].family, AF_INET);
	ck_assert_int_eq(r.a[1].family, AF_INET6);
	unlink(path);
	ck_assert_int_eq(resolvers_from_file(path, &r), -1);
	resolvers_load("192.0.2.1, 2001:db8::1", &r);
	ck_assert_int_eq(r.n, 2);
	ck_assert_int_eq(r.any, 0);
	resolvers_load("any", &r);
	ck_assert_int_eq(r.any, 1);
	/* auto on any host: at least one server (the host's, or Docker's
	 * defaults where it names none a container can reach) */
	resolvers_load("auto", &r);
	ck_assert_int_eq(r.any, 0);
	ck_assert_int_ge(r.n, 1);
}
END_TEST

START_TEST(test_init)
{
	ck_assert_ptr_nonnull(d.db);
	ck_assert_ptr_nonnull(d.fqdn);
	ck_assert_int_eq(d.live_up, 1);
	ck_assert_int_eq(d.writer_up, 1);
	/* Response rules judge what the writer writes; webhooks have their thread. */
	ck_assert_int_eq(d.resp_up, 1);
	ck_assert_ptr_eq(d.writer.resp, &d.resp);
	ck_assert_ptr_nonnull(d.wh);
	ck_assert_int_eq(d.hook, NFT_HOOK_NONE);
	ck_assert_int_eq(d.nworkers, 0);
	/* The built-in groups are there to be judged with. */
	ck_assert_int_ge(policy_ngroups(live_current(&d.live)), 3);
}
END_TEST

START_TEST(test_reload_error_keeps_config)
{
	char want[PATH_MAX + 128];

	write_conf("queues = 3-4\ndns_min_ttl = 30\nstream_depth = lots\n");
	ck_assert_int_eq(daemon_reload(&d, &out), -1);
	snprintf(want, sizeof(want), "%s:8: bad value for stream_depth: 'lots' (expected bytes, "
	    "at most 1g; k, m, g suffixes)", d.conf_path);
	ck_assert_str_eq(reply(), want);
	ck_assert_uint_eq(d.conf.dns_min_ttl, 30);
}
END_TEST

START_TEST(test_reload_applies)
{
	write_conf("queues = 5-6\ndns_min_ttl = 90\ndefault_mode = monitor\n");
	ck_assert_int_eq(daemon_reload(&d, &out), 0);
	ck_assert_uint_eq(d.conf.dns_min_ttl, 90);
	ck_assert_int_eq(d.live.default_mode, MODE_MONITOR);
	/* The queues the workers were made for stay until a restart. */
	ck_assert_int_eq(d.conf.queue_first, 3);
	ck_assert_int_eq(d.conf.queue_count, 2);
}
END_TEST

START_TEST(test_missing_file_given)
{
	struct daemon e;
	struct conf c;
	struct conf_errors errs = { 0 };

	memset(&e, 0, sizeof(e));
	snprintf(e.conf_path, sizeof(e.conf_path), "%s/none.conf", dir);
	e.conf_given = 1;
	ck_assert_int_eq(daemon_load_conf(&e, &c, &errs), 1);
	/* Not given: the built-in defaults. */
	e.conf_given = 0;
	memset(&errs, 0, sizeof(errs));
	ck_assert_int_eq(daemon_load_conf(&e, &c, &errs), 0);
	ck_assert_int_eq(c.queue_first, 0);
}
END_TEST

/* A rebuild asked for (Docker, learning) happens in the housekeeping. */
START_TEST(test_housekeeping_rebuilds)
{
	uint64_t gen = live_gen(&d.live);
	char err[256];

	ck_assert_int_eq(store_group_add(d.db, "web", "name=web*", MODE_PROTECT, err, sizeof(err)), 0);
	live_request_rebuild(&d.live);
	for (int i = 0; i < 50 && live_gen(&d.live) == gen; i++) {
		daemon_housekeeping(&d, 1);
		usleep(10000);
	}
	ck_assert_uint_gt(live_gen(&d.live), gen);
	ck_assert_int_ge(policy_group_find(live_current(&d.live), "web"), 0);
}
END_TEST

/* A start that failed half way is undone without touching what it did
 * not make (fd 0 among them). */
START_TEST(test_stop_after_failed_init)
{
	struct daemon e;

	memset(&e, 0, sizeof(e));
	conf_defaults(&e.conf);
	/* A database below a file: no directory can be made for it. */
	snprintf(e.conf.database, sizeof(e.conf.database), "%s/nvd.conf/x.db", dir);
	ck_assert_int_eq(daemon_init(&e), -1);
	daemon_stop(&e);
	daemon_stop(&e);	/* twice is harmless */
	ck_assert_int_ne(fcntl(0, F_GETFD), -1);
}
END_TEST

static Suite *
daemon_suite(void)
{
	Suite *s = suite_create("daemon");
	TCase *tc = tcase_create("lifecycle");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_init);
	tcase_add_test(tc, test_resolvers_from_file);
	tcase_add_test(tc, test_reload_error_keeps_config);
	tcase_add_test(tc, test_reload_applies);
	tcase_add_test(tc, test_missing_file_given);
	tcase_add_test(tc, test_housekeeping_rebuilds);
	tcase_add_test(tc, test_stop_after_failed_init);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(daemon_suite());
	int failed;

	log_init("check_daemon", 1);
	log_set_level(LOG_LVL_ERROR);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
