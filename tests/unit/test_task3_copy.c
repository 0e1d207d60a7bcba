/* Unit tests for task3/src/copy.c (dl-cp's copying) against a real tree in
 * a scratch directory: root/ plays a container's root, full of symlinks
 * that lead out of it, and a canary file beside root/ plays the host's
 * files.  Whatever is copied in or out, the canary must be neither written
 * nor read (its content and its access time stay).  sys_openat2 is
 * wrapped: a kernel without openat2 must make cp fail, never fall back to
 * resolving on the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "copy.h"
#include "scratch.h"

static char dir[64], canary[128];
static int dir_fd = -1, root_fd = -1;
static const struct timespec canary_times[2] = { { .tv_sec = 1000 }, { .tv_sec = 2000 } };

/* with fake_enosys set, openat2 is a kernel that does not have it */
static int fake_enosys;
int __real_sys_openat2(int dirfd, const char *path, void *how, size_t size);
int __wrap_sys_openat2(int dirfd, const char *path, void *how, size_t size)
{
	if (fake_enosys) {
		errno = ENOSYS;
		return -1;
	}
	return __real_sys_openat2(dirfd, path, how, size);
}

static void put(int at, const char *name, const char *text, mode_t mode)
{
	int fd = openat(at, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static const char *get(int at, const char *name)
{
	static char buf[256];
	int fd = openat(at, name, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return n < 0 ? NULL : buf;
}

/* The container's root: etc -> /, up -> ../../../.., abs -> the canary,
 * absdir -> the scratch directory (all host paths), and d/sub/f. */
static int make_tree(void **state)
{
	(void)state;
	char link[160];
	if (scratch_make(dir, sizeof(dir), "dl-cp-unit"))
		return -1;
	snprintf(canary, sizeof(canary), "%s/canary", dir);
	dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0 || mkdirat(dir_fd, "root", 0755) || mkdirat(dir_fd, "host", 0755))
		return -1;
	root_fd = openat(dir_fd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	put(dir_fd, "canary", "host canary\n", 0644);
	put(dir_fd, "host/file", "from the host\n", 0640);
	snprintf(link, sizeof(link), "%s", dir);
	if (root_fd < 0 || symlinkat("/", root_fd, "etc") || symlinkat("../../../..", root_fd, "up") ||
	    symlinkat(canary, root_fd, "abs") || symlinkat(link, root_fd, "absdir") ||
	    mkdirat(root_fd, "d", 0755) || mkdirat(root_fd, "d/sub", 0750))
		return -1;
	put(root_fd, "d/sub/f", "in the container\n", 04755);
	return utimensat(dir_fd, "canary", canary_times, 0);
}

static int remove_tree(void **state)
{
	(void)state;
	close(root_fd);
	close(dir_fd);
	return scratch_remove(dir);
}

/* The canary was not read (atime) and not written (content); its atime
 * is put back after this check's own read. */
static void canary_untouched(void)
{
	struct stat st;
	assert_int_equal(fstatat(dir_fd, "canary", &st, 0), 0);
	assert_int_equal(st.st_atim.tv_sec, 1000);
	assert_int_equal(st.st_mtim.tv_sec, 2000);
	assert_string_equal(get(dir_fd, "canary"), "host canary\n");
	assert_int_equal(utimensat(dir_fd, "canary", canary_times, 0), 0);
}

static int copy(const char *src, int src_in, const char *dst, int dst_in, struct cp_ctx *c)
{
	char host_src[160], host_dst[160];
	snprintf(host_src, sizeof(host_src), "%s/%s", dir, src);
	snprintf(host_dst, sizeof(host_dst), "%s/%s", dir, dst);
	struct cp_end s = { src_in ? root_fd : AT_FDCWD, src_in ? src : host_src, src };
	struct cp_end d = { dst_in ? root_fd : AT_FDCWD, dst_in ? dst : host_dst, dst };
	cp_ctx_init(c, &s, &d);
	return cp_copy(c, &s, &d);
}
#define copy_in(src, dst, c) copy(src, 0, dst, 1, c)
#define copy_out(src, dst, c) copy(src, 1, dst, 0, c)

static void writes_through_hostile_links_stay_inside(void **state)
{
	(void)state;
	struct cp_ctx c;
	char path[160];
	/* /etc -> / : "/etc/canary" is the root's /canary */
	assert_int_equal(copy_in("host/file", "/etc/canary", &c), 0);
	assert_string_equal(get(root_fd, "canary"), "from the host\n");
	/* .. never climbs above the root */
	assert_int_equal(copy_in("host/file", "/up/up/canary2", &c), 0);
	assert_string_equal(get(root_fd, "canary2"), "from the host\n");
	/* the scratch directory's own path means nothing inside the root */
	snprintf(path, sizeof(path), "%s/canary", dir);
	assert_int_equal(copy_in("host/file", path, &c), -ENOENT);
	assert_int_equal(copy_in("host/file", "/absdir/canary", &c), -ENOENT);
	/* a symlink to the canary as the destination is replaced, not written through */
	assert_int_equal(copy_in("host/file", "/abs", &c), 0);
	assert_string_equal(get(root_fd, "abs"), "from the host\n");
	canary_untouched();
}

static void reads_through_hostile_links_stay_inside(void **state)
{
	(void)state;
	struct cp_ctx c;
	struct stat st;
	char link[160], climb[160];
	assert_int_equal(symlinkat(canary, root_fd, "abs2"), 0);
	/* the link itself is copied, as a link: its target is not read */
	assert_int_equal(copy_out("/abs2", "out-link", &c), 0);
	assert_int_equal(fstatat(dir_fd, "out-link", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISLNK(st.st_mode));
	ssize_t n = readlinkat(dir_fd, "out-link", link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_string_equal(link, canary);
	/* followed, it leads inside the root, where there is no such file */
	assert_int_equal(copy_out("/abs2/", "out-x", &c), -ENOENT);
	/* the canary's host path, climbing out with "..": the root's /tmp/... */
	snprintf(climb, sizeof(climb), "/up/up%s", canary);
	assert_int_equal(copy_out(climb, "out-x", &c), -ENOENT);
	assert_int_equal(copy_out("/absdir/canary", "out-x", &c), -ENOENT);
	/* a path through /etc -> / that stays inside works */
	assert_int_equal(copy_out("/etc/etc/d/sub/f", "out-f", &c), 0);
	assert_string_equal(get(dir_fd, "out-f"), "in the container\n");
	canary_untouched();
}

/* A symlink inside a copied tree is copied as a link, and a link in the
 * way of a directory being copied in is never entered. */
static void a_walk_never_follows_a_link(void **state)
{
	(void)state;
	struct cp_ctx c;
	struct stat st;
	assert_int_equal(mkdirat(root_fd, "tree", 0755), 0);
	assert_int_equal(symlinkat(dir, root_fd, "tree/out"), 0);
	assert_int_equal(copy_out("/tree", "tree-out", &c), 0);
	assert_int_equal(fstatat(dir_fd, "tree-out/out", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISLNK(st.st_mode));
	/* host/tree/out is a directory; the container's tree/out a link out */
	assert_int_equal(mkdirat(dir_fd, "host/tree", 0755), 0);
	assert_int_equal(mkdirat(dir_fd, "host/tree/out", 0755), 0);
	put(dir_fd, "host/tree/out/canary", "overwritten\n", 0644);
	assert_int_equal(copy_in("host/tree", "/", &c), -ENOTDIR);
	canary_untouched();
}

static void docker_cp_rules(void **state)
{
	(void)state;
	struct cp_ctx c;
	struct stat st;
	assert_int_equal(mkdirat(root_fd, "dst", 0755), 0);
	/* into an existing directory, under its own name */
	assert_int_equal(copy_in("host/file", "/dst", &c), 0);
	assert_string_equal(get(root_fd, "dst/file"), "from the host\n");
	/* a new name in an existing directory */
	assert_int_equal(copy_in("host/file", "/dst/renamed", &c), 0);
	assert_string_equal(get(root_fd, "dst/renamed"), "from the host\n");
	/* a missing directory: for a file, an error either way */
	assert_int_equal(copy_in("host/file", "/nodir/x", &c), -ENOENT);
	assert_non_null(strstr(c.msg, "does not exist"));
	assert_int_equal(copy_in("host/file", "/nodir/", &c), -ENOENT);
	assert_int_equal(faccessat(root_fd, "nodir", F_OK, AT_SYMLINK_NOFOLLOW), -1);
	/* a directory onto a file */
	assert_int_equal(copy_out("/d", "host/file", &c), -ENOTDIR);
	/* a missing source */
	assert_int_equal(copy_out("/nosuch", "x", &c), -ENOENT);
	assert_non_null(strstr(c.msg, "no such file"));
	/* a directory, recursively, modes kept; set-user-ID dropped on the way out */
	assert_int_equal(copy_out("/d", "dcopy", &c), 0);
	assert_int_equal(fstatat(dir_fd, "dcopy/sub", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(fstatat(dir_fd, "dcopy/sub/f", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_string_equal(get(dir_fd, "dcopy/sub/f"), "in the container\n");
	/* "dir/." : its content, into an existing directory */
	assert_int_equal(copy_out("/d/.", "dcopy", &c), 0);
	assert_int_equal(fstatat(dir_fd, "dcopy/sub/f", &st, 0), 0);
	assert_int_equal(faccessat(dir_fd, "dcopy/d", F_OK, 0), -1);
	/* into the container, modes are kept whole */
	assert_int_equal(copy_in("dcopy", "/dback", &c), 0);
	assert_int_equal(fstatat(root_fd, "dback/sub", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
}

static void without_openat2_nothing_is_copied(void **state)
{
	(void)state;
	struct cp_ctx c;
	fake_enosys = 1;
	int rc = copy_in("host/file", "/etc/canary-enosys", &c);
	fake_enosys = 0;
	assert_int_equal(rc, -ENOSYS);
	assert_int_equal(faccessat(root_fd, "canary-enosys", F_OK, AT_SYMLINK_NOFOLLOW), -1);
	canary_untouched();
}

static void split_and_mount_root(void **state)
{
	(void)state;
	char parent[16], base[16];
	static const char *cases[][3] = {
		{ "a/b", "a", "b" }, { "a/b/", "a", "b" }, { "b", ".", "b" },   { "/b", "/", "b" },
		{ "/", "/", "" },    { "a/.", "a", "." },  { "a//b", "a/", "b" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(cp_split(cases[i][0], parent, sizeof(parent), base, sizeof(base)), 0);
		assert_string_equal(parent, cases[i][1]);
		assert_string_equal(base, cases[i][2]);
	}
	assert_int_equal(cp_split("a/0123456789abcdefgh", parent, sizeof(parent), base, sizeof(base)),
			 -ENAMETOOLONG);
	/* the empty mount point of an unmounted root is not a root */
	assert_int_equal(cp_is_mount_root(root_fd), 0);
	int slash = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(cp_is_mount_root(slash), 1);
	close(slash);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(writes_through_hostile_links_stay_inside),
		cmocka_unit_test(reads_through_hostile_links_stay_inside),
		cmocka_unit_test(a_walk_never_follows_a_link),
		cmocka_unit_test(docker_cp_rules),
		cmocka_unit_test(without_openat2_nothing_is_copied),
		cmocka_unit_test(split_and_mount_root),
	};
	return cmocka_run_group_tests_name("task3 cp inside a root", tests, make_tree, remove_tree);
}
