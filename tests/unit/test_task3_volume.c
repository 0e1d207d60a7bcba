/* Unit tests for task3/src/volume.c: -v specs are parsed by Docker's
 * rules, and the mount point is made and resolved inside the container's
 * root even when the image's symlinks point at the host.  The root is a
 * real scratch directory (the kernel's openat2 decides); mount() is a fake
 * that records where the bind would land. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "scratch.h"
#include "volume.h"

static char dir[64], root[128], host[128], canary[128];
static char landed[2][PATH_MAX]; /* what the bind's and the remount's targets resolve to */
static unsigned long flags_of[2];
static int mounts;

int __wrap_sys_mount(const char *source, const char *target, const char *fstype, unsigned long flags,
		     const void *data)
{
	(void)source, (void)fstype, (void)data;
	if (mounts < 2) {
		ssize_t n = readlink(target, landed[mounts], PATH_MAX - 1);
		landed[mounts][n < 0 ? 0 : n] = '\0';
		flags_of[mounts] = flags;
	}
	mounts++;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	if (scratch_make(dir, sizeof(dir), "dl-unit-volume"))
		return -1;
	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(host, sizeof(host), "%s/host", dir);
	snprintf(canary, sizeof(canary), "%s/canary", dir);
	mounts = 0;
	memset(landed, 0, sizeof(landed));
	return mkdir(root, 0755) || mkdir(host, 0755) || mkdir(canary, 0755);
}

static int teardown(void **state)
{
	(void)state;
	return scratch_remove(dir);
}

static struct volume parsed(const char *spec)
{
	struct volume v;
	const char *why = NULL;
	assert_int_equal(volume_parse(spec, &v, &why), 0);
	return v;
}

static void refused(const char *spec, const char *why_part)
{
	struct volume v;
	const char *why = NULL;
	assert_int_equal(volume_parse(spec, &v, &why), -EINVAL);
	assert_non_null(strstr(why, why_part));
}

static void test_parse_forms(void **state)
{
	(void)state;
	struct volume v = parsed("/srv/site:/var/www");
	assert_string_equal(v.host, "/srv/site");
	assert_string_equal(v.target, "/var/www");
	assert_false(v.readonly);
	v = parsed("/srv/site:/var/www:ro");
	assert_string_equal(v.target, "/var/www");
	assert_true(v.readonly);
	assert_false(parsed("/a:/b:rw").readonly);
	/* the mount point is normalized the way the kernel walks it */
	assert_string_equal(parsed("/a://x/./y/../z/").target, "/x/z");
	assert_string_equal(parsed("/a:/../../data").target, "/data");
}

static void test_parse_refusals(void **state)
{
	(void)state;
	refused("/srv", "HOST:CONTAINER");
	refused(":/data", "HOST:CONTAINER");
	refused("/srv:", "HOST:CONTAINER");
	refused("srv:/data", "host path must be absolute");
	refused("/srv:data", "container path must be absolute");
	refused("/srv:/data:rx", "ro or rw");
	refused("/srv:/data:ro:ro", "ro or rw");
	refused("/a\nb:/data", "newline");
	refused("/srv:/", "may not be /");
	refused("/srv:/a/..", "may not be /");
	refused("/srv:/proc/x", "/proc");
	refused("/srv:/dev", "/dev");
	/* a name that only starts like one is fine */
	assert_string_equal(parsed("/srv:/devices").target, "/devices");
}

static void mount_in_root(const char *spec, int expect_rc)
{
	int root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(root_fd >= 0);
	char buf[256];
	snprintf(buf, sizeof(buf), "%s:%s", host, spec);
	struct volume v = parsed(strdup(buf));
	const char *what = NULL;
	assert_int_equal(volume_mount(root_fd, &v, &what), expect_rc);
	close(root_fd);
}

/* a missing path is made, directories all the way */
static void test_mount_point_made(void **state)
{
	(void)state;
	mount_in_root("/data/deep", 0);
	char want[256];
	snprintf(want, sizeof(want), "%s/data/deep", root);
	struct stat st;
	assert_int_equal(stat(want, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(mounts, 1);
	assert_string_equal(landed[0], want);
	assert_int_equal(flags_of[0], MS_BIND);
}

/* the image's absolute and relative symlinks lead inside its own root */
static void test_symlinks_stay_inside(void **state)
{
	(void)state;
	char link[256], want[PATH_MAX], inside[PATH_MAX];
	/* an absolute link naming a host directory that the image has too */
	snprintf(inside, sizeof(inside), "mkdir -p '%s%s'", root, canary);
	assert_int_equal(system(inside), 0);
	snprintf(link, sizeof(link), "%s/data", root);
	assert_int_equal(symlink(canary, link), 0);
	snprintf(link, sizeof(link), "%s/up", root);
	assert_int_equal(symlink("../../../../../..", link), 0);
	mount_in_root("/data/x", 0);
	snprintf(want, sizeof(want), "%s%s/x", root, canary);
	assert_string_equal(landed[0], want);
	mounts = 0;
	mount_in_root("/up/tmp/y", 0);
	snprintf(want, sizeof(want), "%s/tmp/y", root);
	assert_string_equal(landed[0], want);
	/* the host directory the first link names got nothing */
	char made[256];
	snprintf(made, sizeof(made), "%s/x", canary);
	assert_int_equal(access(made, F_OK), -1);
}

/* a link to where the image has nothing is an error, never a host path */
static void test_dangling_link_refused(void **state)
{
	(void)state;
	char link[256], made[256];
	snprintf(link, sizeof(link), "%s/data", root);
	assert_int_equal(symlink(canary, link), 0);
	mount_in_root("/data/x", -ENOENT);
	assert_int_equal(mounts, 0);
	snprintf(made, sizeof(made), "%s/x", canary);
	assert_int_equal(access(made, F_OK), -1);
}

static void test_readonly_remounts(void **state)
{
	(void)state;
	mount_in_root("/ro:ro", 0);
	assert_int_equal(mounts, 2);
	assert_true(flags_of[1] & MS_REMOUNT);
	assert_true(flags_of[1] & MS_BIND);
	assert_true(flags_of[1] & MS_RDONLY);
}

/* a directory is not bound on a file, nor on a symlink to one */
static void test_kind_mismatch(void **state)
{
	(void)state;
	char file[256];
	snprintf(file, sizeof(file), "%s/file", root);
	int fd = open(file, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	mount_in_root("/file", -ENOTDIR);
	assert_int_equal(mounts, 0);
}

static void test_missing_host_path(void **state)
{
	(void)state;
	int root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char buf[256];
	snprintf(buf, sizeof(buf), "%s/none:/data", dir);
	struct volume v = parsed(strdup(buf));
	const char *what = NULL;
	assert_int_equal(volume_mount(root_fd, &v, &what), -ENOENT);
	assert_non_null(strstr(what, "host path"));
	/* nothing was made in the container */
	char made[256];
	snprintf(made, sizeof(made), "%s/data", root);
	assert_int_equal(access(made, F_OK), -1);
	close(root_fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test_setup_teardown(test_mount_point_made, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinks_stay_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dangling_link_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_remounts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kind_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_host_path, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
