/* Unit tests for task 3's user switch (user.h): Docker's USER/-u rules
 * against an image's own passwd and group files (given as memory
 * streams), and the order of the three calls (the real ones wrapped). */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "user.h"

static const char PASSWD[] = "root:x:0:0:root:/root:/bin/bash\n"
			     "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
			     "broken line without fields\n"
			     "app:x:1000:1000:App,,,:/home/app:/bin/sh\n"
			     "nohome:x:1001:1001:::/bin/sh\n";
static const char GROUP[] = "root:x:0:\n"
			    "daemon:x:1:\n"
			    "app:x:1000:\n"
			    "audio:x:29:other,app\n"
			    "video:x:44:application\n"
			    "staff:x:50:app\n";

static int resolve(const char *spec, struct user_id *u, char *err)
{
	FILE *p = fmemopen((void *)PASSWD, sizeof(PASSWD) - 1, "r");
	FILE *g = fmemopen((void *)GROUP, sizeof(GROUP) - 1, "r");
	int rc = user_resolve(spec, p, g, u, err, 256);
	fclose(p);
	fclose(g);
	return rc;
}

static void a_name_gets_its_ids_home_and_member_groups(void **state)
{
	(void)state;
	struct user_id u;
	char err[256];
	assert_int_equal(resolve("app", &u, err), 0);
	assert_int_equal(u.uid, 1000);
	assert_int_equal(u.gid, 1000);
	assert_string_equal(u.home_env, "HOME=/home/app");
	/* audio and staff list app; video lists "application", not app */
	assert_int_equal(u.ngroups, 2);
	assert_int_equal(u.groups[0], 29);
	assert_int_equal(u.groups[1], 50);
}

static void a_group_replaces_the_primary_gid(void **state)
{
	(void)state;
	struct user_id u;
	char err[256];
	assert_int_equal(resolve("app:audio", &u, err), 0);
	assert_int_equal(u.gid, 29);
	assert_int_equal(resolve("daemon:44", &u, err), 0);
	assert_int_equal(u.uid, 1);
	assert_int_equal(u.gid, 44);
	assert_int_equal(u.ngroups, 0);
}

static void a_uid_without_an_entry_is_allowed_with_gid_0_and_home_slash(void **state)
{
	(void)state;
	struct user_id u;
	char err[256];
	assert_int_equal(resolve("4242", &u, err), 0);
	assert_int_equal(u.uid, 4242);
	assert_int_equal(u.gid, 0);
	assert_string_equal(u.home_env, "HOME=/");
	/* a uid with an entry takes its gid and home */
	assert_int_equal(resolve("1000", &u, err), 0);
	assert_int_equal(u.gid, 1000);
	assert_string_equal(u.home_env, "HOME=/home/app");
	/* an empty home field is "/" */
	assert_int_equal(resolve("nohome", &u, err), 0);
	assert_string_equal(u.home_env, "HOME=/");
}

static void unknown_names_and_bad_forms_are_refused_with_a_reason(void **state)
{
	(void)state;
	struct user_id u;
	char err[256];
	assert_int_equal(resolve("nobody", &u, err), -ENOENT);
	assert_string_equal(err, "no user 'nobody' in the image's /etc/passwd");
	assert_int_equal(resolve("app:wheel", &u, err), -ENOENT);
	assert_string_equal(err, "no group 'wheel' in the image's /etc/group");
	assert_int_equal(resolve("", &u, err), -EINVAL);
	assert_int_equal(resolve(":0", &u, err), -EINVAL);
	assert_int_equal(resolve("app:", &u, err), -EINVAL);
	/* a name that is not in a file that is missing */
	assert_int_equal(user_resolve("app", NULL, NULL, &u, err, sizeof(err)), -ENOENT);
	assert_int_equal(user_resolve("7:8", NULL, NULL, &u, err, sizeof(err)), 0);
	assert_int_equal(u.gid, 8);
}

/* ---- the switch: groups and gid first, while we still may --------------- */

static char calls[64];

int __wrap_sys_setgroups(size_t n, const gid_t *groups)
{
	(void)groups;
	snprintf(calls + strlen(calls), sizeof(calls) - strlen(calls), "groups(%zu) ", n);
	return mock_type(int);
}

int __wrap_sys_setgid(gid_t gid)
{
	snprintf(calls + strlen(calls), sizeof(calls) - strlen(calls), "gid(%u) ", (unsigned)gid);
	return mock_type(int);
}

int __wrap_sys_setuid(uid_t uid)
{
	snprintf(calls + strlen(calls), sizeof(calls) - strlen(calls), "uid(%u)", (unsigned)uid);
	return mock_type(int);
}

static void the_switch_sets_groups_then_gid_then_uid(void **state)
{
	(void)state;
	struct user_id u = { .uid = 1000, .gid = 1000, .groups = { 29, 50 }, .ngroups = 2 };
	calls[0] = '\0';
	will_return(__wrap_sys_setgroups, 0);
	will_return(__wrap_sys_setgid, 0);
	will_return(__wrap_sys_setuid, 0);
	assert_int_equal(user_switch(&u), 0);
	assert_string_equal(calls, "groups(2) gid(1000) uid(1000)");
}

static void a_failed_step_stops_the_switch_with_its_errno(void **state)
{
	(void)state;
	struct user_id u = { .uid = 5, .gid = 5 };
	calls[0] = '\0';
	will_return(__wrap_sys_setgroups, 0);
	errno = EPERM;
	will_return(__wrap_sys_setgid, -1);
	assert_int_equal(user_switch(&u), -EPERM);
	/* never setuid with root's gid still in place */
	assert_string_equal(calls, "groups(0) gid(5) ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_name_gets_its_ids_home_and_member_groups),
		cmocka_unit_test(a_group_replaces_the_primary_gid),
		cmocka_unit_test(a_uid_without_an_entry_is_allowed_with_gid_0_and_home_slash),
		cmocka_unit_test(unknown_names_and_bad_forms_are_refused_with_a_reason),
		cmocka_unit_test(the_switch_sets_groups_then_gid_then_uid),
		cmocka_unit_test(a_failed_step_stops_the_switch_with_its_errno),
	};
	return cmocka_run_group_tests_name("task3 user switch", tests, NULL, NULL);
}
