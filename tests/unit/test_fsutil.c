/* Unit tests for common/fsutil.c on a real temporary directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fsutil.h"
#include "scratch.h"

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	return scratch_make(dir, sizeof(dir), "dl-unit-fs");
}

static int remove_dir(void **state)
{
	(void)state;
	return scratch_remove(dir);
}

static void write_new_then_read_back(void **state)
{
	(void)state;
	char path[128], buf[64];
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(write_new_file(path, "hello\n"), 0);
	assert_int_equal(read_file(path, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "hello\n");
	/* truncates, never appends */
	assert_int_equal(write_file(path, "x"), 0);
	assert_int_equal(read_file(path, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "x");
}

static void write_file_never_creates(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/absent", dir);
	assert_int_equal(write_file(path, "1"), -ENOENT);
	assert_int_equal(access(path, F_OK), -1);
}

static void read_truncates_to_buffer(void **state)
{
	(void)state;
	char path[128], buf[4];
	snprintf(path, sizeof(path), "%s/long", dir);
	assert_int_equal(write_new_file(path, "abcdefgh"), 0);
	assert_int_equal(read_file(path, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "abc");
}

static void mkdir_p_makes_parents_and_is_idempotent(void **state)
{
	(void)state;
	char path[128];
	struct stat st;
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	assert_int_equal(mkdir_p(path, 0755), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(mkdir_p(path, 0755), 0);
}

static void mkdir_p_fails_through_a_file(void **state)
{
	(void)state;
	char file[128], path[160];
	snprintf(file, sizeof(file), "%s/plain", dir);
	assert_int_equal(write_new_file(file, ""), 0);
	snprintf(path, sizeof(path), "%s/sub", file);
	assert_int_equal(mkdir_p(path, 0755), -ENOTDIR);
}

static void path_join_checks_length(void **state)
{
	(void)state;
	char buf[8];
	assert_int_equal(path_join(buf, sizeof(buf), "/a", "b"), 0);
	assert_string_equal(buf, "/a/b");
	assert_int_equal(path_join(buf, sizeof(buf), "/abc", "defg"), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(write_new_then_read_back),
		cmocka_unit_test(write_file_never_creates),
		cmocka_unit_test(read_truncates_to_buffer),
		cmocka_unit_test(mkdir_p_makes_parents_and_is_idempotent),
		cmocka_unit_test(mkdir_p_fails_through_a_file),
		cmocka_unit_test(path_join_checks_length),
	};
	return cmocka_run_group_tests_name("common/fsutil", tests, make_dir, remove_dir);
}
