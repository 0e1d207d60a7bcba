/* Unit tests for task3/src/cli.c: the command lines of dl-run and dl-exec. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "cli.h"

#define NCPUS 4
#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

static struct run_opts o;
static struct exec_opts e;
static char err[CLI_ERR_MAX];

static int run(int argc, char **argv)
{
	return run_parse(argc, argv, NCPUS, &o, err, sizeof(err));
}

static void minimal_run_takes_the_command_after_dashes(void **state)
{
	(void)state;
	char *argv[] = { "dl-run", "--rootfs", "/r", "--", "sh", "-c", "echo \"a  b\"", NULL };
	assert_int_equal(run(ARGC(argv), argv), 0);
	assert_string_equal(o.rootfs, "/r");
	assert_ptr_equal(o.argv, &argv[4]);
	assert_string_equal(o.argv[2], "echo \"a  b\"");
	assert_null(o.argv[3]);
	assert_int_equal(o.harden, 1);
	assert_int_equal(o.share_net, 0);
	assert_int_equal(o.detach, 0);
}

static void command_flags_are_never_parsed(void **state)
{
	(void)state;
	/* "--no-harden" and "--help" after "--" belong to the command */
	char *argv[] = { "dl-run", "--rootfs", "/r", "--", "ls", "-e", "--no-harden", "--help", NULL };
	assert_int_equal(run(ARGC(argv), argv), 0);
	assert_int_equal(o.harden, 1);
	assert_string_equal(o.argv[0], "ls");
	assert_string_equal(o.argv[1], "-e");
	assert_string_equal(o.argv[3], "--help");
}

static void every_option_and_both_value_forms(void **state)
{
	(void)state;
	char *argv[] = { "dl-run", "--hostname=h4", "--lower", "/l2:/l1", "--upper=/u", "--work", "/w",
			 "--rootfs", "/r", "--share-net", "--cgroup", "h4.x", "--cpus", "0.5",
			 "--memory=256M", "--pids", "100", "--state", "/s", "--lock", "/k",
			 "--create", "image=i\n", "--rm", "--detach", "--log", "/log", "--env", "A=1", "--env=B=x=y", "--workdir", "/tmp",
			 "--no-harden", "--", "true", NULL };
	assert_int_equal(run(ARGC(argv), argv), 0);
	assert_string_equal(o.hostname, "h4");
	assert_string_equal(o.lower, "/l2:/l1");
	assert_string_equal(o.upper, "/u");
	assert_string_equal(o.work, "/w");
	assert_int_equal(o.share_net, 1);
	assert_string_equal(o.cgroup, "h4.x");
	assert_int_equal(o.limits.cpu_quota_us, 50000);
	assert_int_equal(o.limits.cpu_period_us, 100000);
	assert_int_equal(o.limits.memory_bytes, 256LL << 20);
	assert_int_equal(o.limits.pids_max, 100);
	assert_string_equal(o.state, "/s");
	assert_string_equal(o.create, "image=i\n");
	assert_int_equal(o.remove, 1);
	assert_string_equal(o.lock, "/k");
	assert_int_equal(o.detach, 1);
	assert_string_equal(o.log, "/log");
	assert_int_equal(o.nenv, 2);
	assert_string_equal(o.env[1], "B=x=y");
	assert_string_equal(o.workdir, "/tmp");
	assert_int_equal(o.harden, 0);
}

/* Foreground --log: dl-run relays the output and keeps a copy there. */
static void log_without_detach_is_a_relayed_copy(void **state)
{
	(void)state;
	char *argv[] = { "dl-run", "--rootfs", "/r", "--log", "/log", "--", "true", NULL };
	assert_int_equal(run(ARGC(argv), argv), 0);
	assert_int_equal(o.detach, 0);
	assert_string_equal(o.log, "/log");
}

static void tty_and_interactive(void **state)
{
	(void)state;
	char *argv[] = { "dl-run", "--rootfs", "/r", "--tty", "--interactive", "--", "sh", NULL };
	assert_int_equal(run(ARGC(argv), argv), 0);
	assert_int_equal(o.tty, 1);
	assert_int_equal(o.interactive, 1);
	char *eargv[] = { "dl-exec", "--pid", "4", "--starttime", "9", "--tty", "--", "sh", NULL };
	assert_int_equal(exec_parse(ARGC(eargv), eargv, &e, err, sizeof(err)), 0);
	assert_int_equal(e.tty, 1);
	assert_int_equal(e.interactive, 0);
	char *e_alone[] = { "dl-exec", "--pid", "4", "--starttime", "9", "--interactive", "--", "sh", NULL };
	assert_int_equal(exec_parse(ARGC(e_alone), e_alone, &e, err, sizeof(err)), -1);
}

/* Each must be refused with a reason. */
static void bad_run_lines_are_refused(void **state)
{
	(void)state;
	char *no_rootfs[] = { "dl-run", "--", "true", NULL };
	char *no_command[] = { "dl-run", "--rootfs", "/r", NULL };
	char *empty_command[] = { "dl-run", "--rootfs", "/r", "--", NULL };
	char *half_overlay[] = { "dl-run", "--rootfs", "/r", "--lower", "/l", "--", "true", NULL };
	char *limit_without_cgroup[] = { "dl-run", "--rootfs", "/r", "--pids", "5", "--", "true", NULL };
	char *cgroup_path[] = { "dl-run", "--rootfs", "/r", "--cgroup", "../x", "--pids", "5", "--", "true", NULL };
	char *bad_cpus[] = { "dl-run", "--rootfs", "/r", "--cgroup", "x", "--cpus", "lots", "--", "true", NULL };
	char *too_many_cpus[] = { "dl-run", "--rootfs", "/r", "--cgroup", "x", "--cpus", "5", "--", "true", NULL };
	char *tiny_memory[] = { "dl-run", "--rootfs", "/r", "--cgroup", "x", "--memory", "1M", "--", "true", NULL };
	char *zero_pids[] = { "dl-run", "--rootfs", "/r", "--cgroup", "x", "--pids", "0", "--", "true", NULL };
	char *detach_no_log[] = { "dl-run", "--rootfs", "/r", "--detach", "--", "true", NULL };
	char *flag_value[] = { "dl-run", "--rootfs", "/r", "--detach=yes", "--log", "/l", "--", "true", NULL };
	char *missing_value[] = { "dl-run", "--rootfs", NULL };
	char *unknown[] = { "dl-run", "--rootfs", "/r", "--privileged", "--", "true", NULL };
	char *bad_env[] = { "dl-run", "--rootfs", "/r", "--env", "NOEQUALS", "--", "true", NULL };
	char *lock_alone[] = { "dl-run", "--rootfs", "/r", "--lock", "/k", "--", "true", NULL };
	char *create_unlocked[] = { "dl-run", "--rootfs", "/r", "--state", "/s", "--create", "a=1\n", "--", "true", NULL };
	char *rm_unlocked[] = { "dl-run", "--rootfs", "/r", "--state", "/s", "--rm", "--", "true", NULL };
	char *detached_input[] = { "dl-run", "--rootfs", "/r", "--detach", "--log", "/l", "--tty", "--interactive", "--", "sh", NULL };
	char *interactive_alone[] = { "dl-run", "--rootfs", "/r", "--interactive", "--", "sh", NULL };
	char **cases[] = { no_rootfs,	    no_command,	   empty_command, half_overlay,
			   limit_without_cgroup, cgroup_path, bad_cpus,
			   too_many_cpus,   tiny_memory,   zero_pids,	  detach_no_log,
			   flag_value,	    missing_value, unknown,	  bad_env,
			   lock_alone,	    detached_input,  interactive_alone, create_unlocked, rm_unlocked };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int argc = 0;
		while (cases[i][argc])
			argc++;
		err[0] = '\0';
		assert_int_equal(run(argc, cases[i]), -1);
		assert_true(strlen(err) > 10);
	}
	char *unknown_again[] = { "dl-run", "--rootfs", "/r", "--privileged", "--", "true", NULL };
	run(ARGC(unknown_again), unknown_again);
	assert_non_null(strstr(err, "--privileged"));
}

/* The I/O options: a device that is no block device, a bad rate, a weight
 * out of range, or an I/O limit without a cgroup are refused by name; the
 * check-only parse takes the limit options alone. */
static void io_options_are_checked(void **state)
{
	(void)state;
	char *not_block[] = { "dl-run", "--rootfs", "/r", "--cgroup", "x", "--device-write-bps", "/dev/null:1m", "--", "true", NULL };
	assert_int_equal(run(ARGC(not_block), not_block), -1);
	assert_non_null(strstr(err, "/dev/null is not a block device"));
	char *bad_rate[] = { "dl-run", "--rootfs", "/r", "--cgroup", "x", "--device-read-bps=/dev/sda:fast", "--", "true", NULL };
	assert_int_equal(run(ARGC(bad_rate), bad_rate), -1);
	assert_non_null(strstr(err, "invalid --device-read-bps '/dev/sda:fast'"));
	char *bad_iops[] = { "dl-run", "--rootfs", "/r", "--cgroup", "x", "--device-write-iops", "/dev/sda:1k", "--", "true", NULL };
	assert_int_equal(run(ARGC(bad_iops), bad_iops), -1);
	assert_non_null(strstr(err, "whole number of I/Os"));
	char *bad_weight[] = { "dl-run", "--rootfs", "/r", "--cgroup", "x", "--blkio-weight", "1", "--", "true", NULL };
	assert_int_equal(run(ARGC(bad_weight), bad_weight), -1);
	assert_non_null(strstr(err, "from 10 to 1000"));
	char *no_cgroup[] = { "dl-run", "--rootfs", "/r", "--blkio-weight", "100", "--", "true", NULL };
	assert_int_equal(run(ARGC(no_cgroup), no_cgroup), -1);
	assert_non_null(strstr(err, "need --cgroup"));
	struct run_opts lo;
	char *only_limits[] = { "dl-run", "--pids", "5", "--memory", "64M", NULL };
	assert_int_equal(limits_parse(ARGC(only_limits), only_limits, 4, &lo, err, sizeof(err)), 0);
	assert_int_equal(lo.limits.pids_max, 5);
	char *not_a_limit[] = { "dl-run", "--detach", NULL };
	assert_int_equal(limits_parse(ARGC(not_a_limit), not_a_limit, 4, &lo, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--detach"));
	char *weight_alone[] = { "dl-run", "--blkio-weight", "100", NULL };
	assert_int_equal(limits_parse(ARGC(weight_alone), weight_alone, 4, &lo, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--rootfs"));
}

/* --cpus, --memory and --pids as conductor.sh's run shows them (it asks
 * --check-limits, limits_parse): one line naming the option, the value and
 * what to give instead; leading zeros are decimal. */
static void limits_are_refused_by_name(void **state)
{
	(void)state;
	struct run_opts lo;
	char *zeros[] = { "dl-run", "--memory", "06M", "--pids=010", "--cpus", "00.5", NULL };
	assert_int_equal(limits_parse(ARGC(zeros), zeros, 4, &lo, err, sizeof(err)), 0);
	assert_true(lo.limits.memory_bytes == 6LL << 20);
	assert_int_equal(lo.limits.pids_max, 10);
	assert_int_equal(lo.limits.cpu_quota_us, 50000);
	const struct {
		const char *option, *value, *err;
	} bad[] = {
		{ "--memory", "9999999999999M", "invalid --memory '9999999999999M': too large for 64 bits" },
		{ "--memory", "99999999999999999999", "invalid --memory '99999999999999999999': too large" },
		{ "--memory", "5M", "invalid --memory '5M': use at least 6M" },
		{ "--memory", "lots", "invalid --memory 'lots': use bytes or a size with K, M or G, e.g. 256M" },
		{ "--cpus", "5", "invalid --cpus '5': use 0.01 to 4 (the CPUs of this machine)" },
		{ "--cpus", "0.001", "invalid --cpus '0.001': use 0.01 to 4" },
		{ "--cpus", "0.000001", "invalid --cpus '0.000001': use a number of CPUs such as 0.5 or 2 (at most 5 decimals)" },
		{ "--pids", "0", "invalid --pids '0': use a whole number from 1 to 4194304" },
		{ "--pids", "99999999999999999999", "invalid --pids '99999999999999999999': use a whole number" },
		/* what was typed is quoted, a newline in it as \x0a: still one line */
		{ "--memory", "1\nM", "invalid --memory '1\\x0aM': use bytes" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char *argv[] = { "dl-run", (char *)bad[i].option, (char *)bad[i].value, NULL };
		assert_int_equal(limits_parse(ARGC(argv), argv, 4, &lo, err, sizeof(err)), -1);
		assert_non_null(strstr(err, bad[i].err));
		assert_null(strchr(err, '\n'));
	}
}

/* Every container gets a leaf, limits or not: pause freezes it. */
static void cgroup_without_limits_is_a_leaf_for_pause(void **state)
{
	(void)state;
	char *argv[] = { "dl-run", "--rootfs", "/r", "--cgroup", "c1.tag", "--", "true", NULL };
	assert_int_equal(run(ARGC(argv), argv), 0);
	assert_string_equal(o.cgroup, "c1.tag");
	assert_int_equal(o.limits.cpu_quota_us, 0);
	assert_int_equal(o.limits.memory_bytes, 0);
	assert_int_equal(o.limits.pids_max, 0);
}

/* conductor.sh's run: the container's name and its state root; the leaf
 * is the name tagged as common/cgroup.c tags it (printf %s /tmp/dl-test.XXXXXX
 * | sha256sum: d773e526...). */
static void cgroup_scope_tags_the_leaf(void **state)
{
	(void)state;
	char *argv[] = { "dl-run", "--rootfs", "/r", "--cgroup", "web", "--cgroup-scope=/tmp/dl-test.XXXXXX",
			 "--", "true", NULL };
	assert_int_equal(run(ARGC(argv), argv), 0);
	assert_string_equal(o.cgroup, "web.d773e526");

	char *scope_alone[] = { "dl-run", "--rootfs", "/r", "--cgroup-scope", "/s", "--", "true", NULL };
	assert_int_equal(run(ARGC(scope_alone), scope_alone), -1);
	assert_string_equal(err, "--cgroup-scope DIR tags the leaf of --cgroup NAME: give --cgroup too");
	char *hidden[] = { "dl-run", "--rootfs", "/r", "--cgroup", ".web", "--cgroup-scope", "/s", "--", "true", NULL };
	assert_int_equal(run(ARGC(hidden), hidden), -1);
	assert_string_equal(err, "invalid --cgroup '.web': one path component, not starting with '.'");
}

static void live_root_and_on_exit(void **state)
{
	(void)state;
	char *argv[] = { "dl-run", "--lower", "/l", "--upper", "/u", "--work", "/w", "--rootfs", "/r",
			 "--live-root", "--detach", "--log", "/log", "--on-exit", "/c.sh", "--on-exit",
			 "stop", "--on-exit=--from-monitor", "--on-exit", "n1", "--", "true", NULL };
	assert_int_equal(run(ARGC(argv), argv), 0);
	assert_int_equal(o.live_root, 1);
	assert_int_equal(o.non_exit, 4);
	assert_string_equal(o.on_exit[0], "/c.sh");
	assert_string_equal(o.on_exit[2], "--from-monitor");
	assert_string_equal(o.on_exit[3], "n1");
	assert_null(o.on_exit[4]); /* execv's argv ends there */
	char *plain[] = { "dl-run", "--rootfs", "/r", "--", "true", NULL };
	assert_int_equal(run(ARGC(plain), plain), 0);
	assert_int_equal(o.live_root, 0);
	assert_null(o.on_exit[0]);
}

static void bad_live_root_and_on_exit_lines_are_refused(void **state)
{
	(void)state;
	/* an unbindable bind cannot be bound again: only an overlay goes on it */
	char *live_no_overlay[] = { "dl-run", "--rootfs", "/r", "--live-root", "--", "true", NULL };
	/* in the foreground the caller wants the command's exit code */
	char *on_exit_foreground[] = { "dl-run", "--rootfs", "/r", "--on-exit", "/c", "--", "true", NULL };
	char *on_exit_relative[] = { "dl-run", "--rootfs", "/r", "--detach", "--log", "/l",
				     "--on-exit", "c.sh", "--", "true", NULL };
	char *live_value[] = { "dl-run", "--lower", "/l", "--upper", "/u", "--work", "/w", "--rootfs", "/r",
			       "--live-root=1", "--", "true", NULL };
	char *too_many[] = { "dl-run", "--rootfs", "/r", "--detach", "--log", "/l", "--on-exit", "/1",
			     "--on-exit", "2", "--on-exit", "3", "--on-exit", "4", "--on-exit", "5",
			     "--on-exit", "6", "--on-exit", "7", "--on-exit", "8", "--on-exit", "9",
			     "--", "true", NULL };
	char **cases[] = { live_no_overlay, on_exit_foreground, on_exit_relative, live_value, too_many };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int argc = 0;
		while (cases[i][argc])
			argc++;
		err[0] = '\0';
		assert_int_equal(run(argc, cases[i]), -1);
		assert_true(strlen(err) > 10);
	}
}

static void help_is_recognised(void **state)
{
	(void)state;
	char *argv[] = { "dl-run", "--help", NULL };
	assert_int_equal(run(ARGC(argv), argv), 1);
	char *eargv[] = { "dl-exec", "-h", NULL };
	assert_int_equal(exec_parse(ARGC(eargv), eargv, &e, err, sizeof(err)), 1);
}

static void exec_line(void **state)
{
	(void)state;
	char *argv[] = { "dl-exec", "--pid", "42", "--starttime=12345", "--workdir", "/srv", "--env",
			 "X=1", "--", "cat", "-e", "/f", NULL };
	assert_int_equal(exec_parse(ARGC(argv), argv, &e, err, sizeof(err)), 0);
	assert_int_equal(e.pid, 42);
	assert_true(e.starttime == 12345ULL);
	assert_string_equal(e.workdir, "/srv");
	assert_int_equal(e.nenv, 1);
	assert_string_equal(e.argv[1], "-e");
	assert_int_equal(e.harden, 1);

	/* start time 0 is a value, not "missing" */
	char *zero[] = { "dl-exec", "--pid", "1", "--starttime", "0", "--", "true", NULL };
	assert_int_equal(exec_parse(ARGC(zero), zero, &e, err, sizeof(err)), 0);
}

static void bad_exec_lines_are_refused(void **state)
{
	(void)state;
	char *no_pid[] = { "dl-exec", "--starttime", "1", "--", "true", NULL };
	char *no_start[] = { "dl-exec", "--pid", "1", "--", "true", NULL };
	char *bad_pid[] = { "dl-exec", "--pid", "1x", "--starttime", "1", "--", "true", NULL };
	char *neg_pid[] = { "dl-exec", "--pid", "-3", "--starttime", "1", "--", "true", NULL };
	char *bad_start[] = { "dl-exec", "--pid", "1", "--starttime", "-1", "--", "true", NULL };
	char *no_cmd[] = { "dl-exec", "--pid", "1", "--starttime", "1", NULL };
	char **cases[] = { no_pid, no_start, bad_pid, neg_pid, bad_start, no_cmd };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int argc = 0;
		while (cases[i][argc])
			argc++;
		err[0] = '\0';
		assert_int_equal(exec_parse(argc, cases[i], &e, err, sizeof(err)), -1);
		assert_true(strlen(err) > 10);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(minimal_run_takes_the_command_after_dashes),
		cmocka_unit_test(command_flags_are_never_parsed),
		cmocka_unit_test(every_option_and_both_value_forms),
		cmocka_unit_test(log_without_detach_is_a_relayed_copy),
		cmocka_unit_test(tty_and_interactive),
		cmocka_unit_test(bad_run_lines_are_refused),
		cmocka_unit_test(cgroup_without_limits_is_a_leaf_for_pause),
		cmocka_unit_test(cgroup_scope_tags_the_leaf),
		cmocka_unit_test(io_options_are_checked),
		cmocka_unit_test(limits_are_refused_by_name),
		cmocka_unit_test(help_is_recognised),
		cmocka_unit_test(live_root_and_on_exit),
		cmocka_unit_test(bad_live_root_and_on_exit_lines_are_refused),
		cmocka_unit_test(exec_line),
		cmocka_unit_test(bad_exec_lines_are_refused),
	};
	return cmocka_run_group_tests_name("task3 cli", tests, NULL, NULL);
}
