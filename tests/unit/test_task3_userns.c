/* Unit tests for task3/src/userns.c: which subordinate range of
 * /etc/subuid is the user's, and the map newuidmap is given for it (or the
 * one-id map without one).  Pure: the files' text is given. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "userns.h"

static void finds_the_line_of_the_name(void **state)
{
	(void)state;
	struct id_range r;
	const char *text = "alice:100000:65536\nbob:165536:65536\n";
	assert_int_equal(subid_find(text, "bob", 1001, &r), 0);
	assert_int_equal(r.start, 165536);
	assert_int_equal(r.count, 65536);
}

static void finds_the_line_of_the_uid(void **state)
{
	(void)state;
	struct id_range r;
	assert_int_equal(subid_find("alice:100000:65536\n1001:300000:1000", "bob", 1001, &r), 0);
	assert_int_equal(r.start, 300000);
	assert_int_equal(r.count, 1000);
}

/* "al" is not "alice", nor is uid 10 "100"; the first of two lines wins */
static void owner_is_a_whole_word_and_the_first_line_wins(void **state)
{
	(void)state;
	struct id_range r;
	const char *text = "alice:100000:65536\n100:5:5\nal:200000:10\nal:300000:10\n";
	assert_int_equal(subid_find(text, "al", 10, &r), 0);
	assert_int_equal(r.start, 200000);
	assert_int_equal(subid_find(text, "ali", 10, &r), -ENOENT);
}

static void malformed_or_empty_ranges_are_skipped(void **state)
{
	(void)state;
	struct id_range r;
	const char *text = "bob:x:65536\nbob:100000:\nbob:100000:0\nbob::5\nbob:7:9x\nbob:400000:2\n";
	assert_int_equal(subid_find(text, "bob", 1001, &r), 0);
	assert_int_equal(r.start, 400000);
	assert_int_equal(r.count, 2);
	assert_int_equal(subid_find("", "bob", 1001, &r), -ENOENT);
	assert_int_equal(subid_find("bob:1:2", "", 5, &r), -ENOENT);
}

/* root inside is the user; 1.. the range: newuidmap PID 0 UID 1 1 START COUNT */
static void the_map_with_a_range(void **state)
{
	(void)state;
	struct userns_ids ids = { .uid = 1001, .gid = 1002, .subuid = { 100000, 65536 },
				  .subgid = { 200000, 500 } };
	char w[6][24];
	assert_int_equal(userns_map_words(&ids, 0, w, 6), 6);
	const char *uid_words[] = { "0", "1001", "1", "1", "100000", "65536" };
	for (int i = 0; i < 6; i++)
		assert_string_equal(w[i], uid_words[i]);
	assert_int_equal(userns_map_words(&ids, 1, w, 6), 6);
	const char *gid_words[] = { "0", "1002", "1", "1", "200000", "500" };
	for (int i = 0; i < 6; i++)
		assert_string_equal(w[i], gid_words[i]);
	assert_true(userns_has_ranges(&ids));
}

static void without_a_range_one_id(void **state)
{
	(void)state;
	struct userns_ids ids = { .uid = 1001, .gid = 1002, .subuid = { 100000, 65536 } };
	char w[6][24];
	assert_false(userns_has_ranges(&ids)); /* both are needed */
	assert_int_equal(userns_map_words(&ids, 1, w, 6), 3);
	assert_string_equal(w[0], "0");
	assert_string_equal(w[1], "1002");
	assert_string_equal(w[2], "1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_the_line_of_the_name),
		cmocka_unit_test(finds_the_line_of_the_uid),
		cmocka_unit_test(owner_is_a_whole_word_and_the_first_line_wins),
		cmocka_unit_test(malformed_or_empty_ranges_are_skipped),
		cmocka_unit_test(the_map_with_a_range),
		cmocka_unit_test(without_a_range_one_id),
	};
	return cmocka_run_group_tests_name("task3 userns", tests, NULL, NULL);
}
