/* Unit tests for task3/src/safepath.c against a real directory tree: an
 * image's /proc, /sys, /dev and /etc/resolv.conf must not lead the tool
 * outside the image. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "safepath.h"
#include "scratch.h"

static char root[64];
static int root_fd = -1;

static int make_tree(void **state)
{
	(void)state;
	if (scratch_make(root, sizeof(root), "dl-h4-safepath"))
		return -1;
	root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return root_fd < 0 || mkdirat(root_fd, "etc", 0755) < 0 ? -1 : 0;
}

static int remove_tree(void **state)
{
	(void)state;
	close(root_fd);
	return scratch_remove(root);
}

static void mount_dirs_are_created_or_accepted(void **state)
{
	(void)state;
	struct stat st;
	assert_int_equal(check_mount_dir(root_fd, "proc", 0555), 0);
	assert_int_equal(fstatat(root_fd, "proc", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(check_mount_dir(root_fd, "proc", 0555), 0); /* already there */
}

static void a_symlinked_mount_dir_is_refused(void **state)
{
	(void)state;
	assert_int_equal(symlinkat("/etc", root_fd, "sys"), 0);
	assert_int_equal(check_mount_dir(root_fd, "sys", 0555), -ELOOP);
	assert_int_equal(symlinkat("etc", root_fd, "dev"), 0); /* even pointing inside */
	assert_int_equal(check_mount_dir(root_fd, "dev", 0555), -ELOOP);
	assert_int_equal(mknodat(root_fd, "run", S_IFREG | 0644, 0), 0);
	assert_int_equal(check_mount_dir(root_fd, "run", 0555), -ENOTDIR);
}

static void resolv_conf_must_stay_inside(void **state)
{
	(void)state;
	/* missing: fine (nothing to follow) */
	assert_int_equal(check_beneath(root_fd, "etc/resolv.conf"), 0);
	/* a regular file: fine */
	assert_int_equal(mknodat(root_fd, "etc/resolv.conf", S_IFREG | 0644, 0), 0);
	assert_int_equal(check_beneath(root_fd, "etc/resolv.conf"), 0);
	assert_int_equal(unlinkat(root_fd, "etc/resolv.conf", 0), 0);
	/* relative, staying inside (Ubuntu's ../run/systemd/...): fine */
	assert_int_equal(symlinkat("../run2/stub-resolv.conf", root_fd, "etc/resolv.conf"), 0);
	assert_int_equal(check_beneath(root_fd, "etc/resolv.conf"), 0);
	assert_int_equal(unlinkat(root_fd, "etc/resolv.conf", 0), 0);
	/* absolute: on the host it would be the host's file */
	assert_int_equal(symlinkat("/etc/hostname", root_fd, "etc/resolv.conf"), 0);
	assert_int_equal(check_beneath(root_fd, "etc/resolv.conf"), -EXDEV);
	assert_int_equal(unlinkat(root_fd, "etc/resolv.conf", 0), 0);
	/* climbing out with .. */
	assert_int_equal(symlinkat("../../../../../../etc/hostname", root_fd, "etc/resolv.conf"), 0);
	assert_int_equal(check_beneath(root_fd, "etc/resolv.conf"), -EXDEV);
	assert_int_equal(unlinkat(root_fd, "etc/resolv.conf", 0), 0);
}

static void a_symlinked_etc_is_caught_too(void **state)
{
	(void)state;
	assert_int_equal(mkdirat(root_fd, "img2", 0755), 0);
	int img = openat(root_fd, "img2", O_PATH | O_DIRECTORY);
	assert_true(img >= 0);
	assert_int_equal(symlinkat("/etc", img, "etc"), 0);
	assert_int_equal(check_beneath(img, "etc/resolv.conf"), -EXDEV);
	close(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mount_dirs_are_created_or_accepted),
		cmocka_unit_test(a_symlinked_mount_dir_is_refused),
		cmocka_unit_test(resolv_conf_must_stay_inside),
		cmocka_unit_test(a_symlinked_etc_is_caught_too),
	};
	return cmocka_run_group_tests_name("task3 safe paths", tests, make_tree, remove_tree);
}
