/* Unit tests for common/ns.c: the namespace table and the pidfd join. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ns.h"

/* --- wrapped system calls: pidfd_open and setns never reach the kernel --- */
int __wrap_sys_pidfd_open(pid_t pid, unsigned int flags)
{
	check_expected(pid);
	(void)flags;
	int rc = mock_type(int);
	if (rc < 0)
		errno = -rc;
	/* a real fd so ns_join_pid's close() has something to close */
	return rc < 0 ? -1 : dup(0);
}

int __wrap_sys_setns(int fd, int nstype)
{
	(void)fd;
	check_expected(nstype);
	int rc = mock_type(int);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

static void flag_and_name_are_inverse(void **state)
{
	(void)state;
	for (size_t i = 0; i < ns_kinds_count; i++) {
		assert_int_equal(ns_flag_from_name(ns_kinds[i].name), ns_kinds[i].flag);
		assert_string_equal(ns_name_from_flag(ns_kinds[i].flag), ns_kinds[i].name);
	}
	assert_int_equal(ns_flag_from_name("pid"), CLONE_NEWPID);
	assert_int_equal(ns_flag_from_name("mnt"), CLONE_NEWNS);
	assert_int_equal(ns_flag_from_name("nope"), 0);
	assert_null(ns_name_from_flag(CLONE_VM));
}

static void list_parses_and_formats(void **state)
{
	(void)state;
	int flags = 0;
	char buf[64];
	assert_int_equal(ns_flags_from_list("pid,uts,net", &flags), 0);
	assert_int_equal(flags, CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWNET);
	assert_int_equal(ns_flags_to_list(flags, buf, sizeof(buf)), 0);
	/* table order, whatever order the input had */
	assert_string_equal(buf, "uts,net,pid");
}

static void list_rejects_bad_input(void **state)
{
	(void)state;
	int flags = 42;
	assert_int_equal(ns_flags_from_list("pid,bogus", &flags), -EINVAL);
	assert_int_equal(ns_flags_from_list("pid,", &flags), -EINVAL);
	assert_int_equal(ns_flags_from_list(",pid", &flags), -EINVAL);
	assert_int_equal(ns_flags_from_list("averyveryverylongname", &flags), -EINVAL);
	assert_int_equal(flags, 42); /* untouched on error */
}

static void format_reports_overflow_and_unknown_bits(void **state)
{
	(void)state;
	char small[4];
	char buf[64];
	assert_int_equal(ns_flags_to_list(CLONE_NEWPID | CLONE_NEWNET, small, sizeof(small)), -ENOSPC);
	assert_int_equal(ns_flags_to_list(CLONE_NEWPID | CLONE_VM, buf, sizeof(buf)), -EINVAL);
}

static void join_uses_one_setns_with_all_flags(void **state)
{
	(void)state;
	int flags = CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWNS;
	expect_value(__wrap_sys_pidfd_open, pid, 1234);
	will_return(__wrap_sys_pidfd_open, 0);
	expect_value(__wrap_sys_setns, nstype, flags);
	will_return(__wrap_sys_setns, 0);
	assert_int_equal(ns_join_pid(1234, flags), 0);
}

static void join_returns_negative_errno(void **state)
{
	(void)state;
	expect_value(__wrap_sys_pidfd_open, pid, 99);
	will_return(__wrap_sys_pidfd_open, -ESRCH);
	assert_int_equal(ns_join_pid(99, CLONE_NEWPID), -ESRCH);

	/* an old kernel without setns on pidfds says EINVAL */
	expect_value(__wrap_sys_pidfd_open, pid, 7);
	will_return(__wrap_sys_pidfd_open, 0);
	expect_value(__wrap_sys_setns, nstype, CLONE_NEWUTS);
	will_return(__wrap_sys_setns, -EINVAL);
	assert_int_equal(ns_join_pid(7, CLONE_NEWUTS), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(flag_and_name_are_inverse),
		cmocka_unit_test(list_parses_and_formats),
		cmocka_unit_test(list_rejects_bad_input),
		cmocka_unit_test(format_reports_overflow_and_unknown_bits),
		cmocka_unit_test(join_uses_one_setns_with_all_flags),
		cmocka_unit_test(join_returns_negative_errno),
	};
	return cmocka_run_group_tests_name("common/ns", tests, NULL, NULL);
}
