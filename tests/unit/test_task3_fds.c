/* Unit tests for task3/src/fds.c: close every inherited fd above 2 except
 * the ones kept, in as few close_range() calls as there are gaps. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>
#include <cmocka.h>

#include "fds.h"
#include "syncpipe.h"

int __wrap_sys_close_range(unsigned int first, unsigned int last, int flags)
{
	check_expected(first);
	check_expected(last);
	assert_int_equal(flags, 0);
	int rc = mock_type(int);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

static void expect_range(unsigned int first, unsigned int last, int rc)
{
	expect_value(__wrap_sys_close_range, first, first);
	expect_value(__wrap_sys_close_range, last, last);
	will_return(__wrap_sys_close_range, rc);
}

static void nothing_kept_closes_all_above_2(void **state)
{
	(void)state;
	expect_range(3, UINT_MAX, 0);
	assert_int_equal(close_fds_except(NULL, 0), 0);
}

static void gaps_between_kept_fds_are_closed(void **state)
{
	(void)state;
	int keep[] = { 9, 4, -1, 5, 2 }; /* unsorted; -1 and 2 ignored */
	expect_range(3, 3, 0);
	expect_range(6, 8, 0);
	expect_range(10, UINT_MAX, 0);
	assert_int_equal(close_fds_except(keep, 5), 0);
}

static void kept_fd_3_needs_no_empty_range(void **state)
{
	(void)state;
	int keep[] = { 3, 4 };
	expect_range(5, UINT_MAX, 0);
	assert_int_equal(close_fds_except(keep, 2), 0);
}

static void failure_is_returned(void **state)
{
	(void)state;
	expect_range(3, UINT_MAX, -ENOSYS);
	assert_int_equal(close_fds_except(NULL, 0), -ENOSYS);
}

static void sync_bytes_travel_through_a_pipe(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(sync_send(p[1], SYNC_GO), 0);
	assert_int_equal(sync_send(p[1], SYNC_READY), 0);
	close(p[1]);
	assert_int_equal(sync_wait(p[0], SYNC_GO), 1);
	assert_int_equal(sync_wait(p[0], SYNC_START), 0); /* another byte */
	assert_int_equal(sync_wait(p[0], SYNC_START), 0); /* EOF: the other side gave up */
	close(p[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nothing_kept_closes_all_above_2),
		cmocka_unit_test(gaps_between_kept_fds_are_closed),
		cmocka_unit_test(kept_fd_3_needs_no_empty_range),
		cmocka_unit_test(failure_is_returned),
		cmocka_unit_test(sync_bytes_travel_through_a_pipe),
	};
	return cmocka_run_group_tests_name("task3 fds", tests, NULL, NULL);
}
