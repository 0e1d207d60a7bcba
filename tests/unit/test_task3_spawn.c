/* Unit tests for task3/src/spawn.c: how the container's init is started.
 * On cgroup v2 it must be asked of clone3 with CLONE_INTO_CGROUP and the
 * leaf's directory (born there: dl-run then writes no cgroup.procs); on a
 * kernel without clone3 (ENOSYS) or without CLONE_INTO_CGROUP (E2BIG) the
 * plain clone() follows, and the caller is told to move the child in; on
 * v1 it is clone() alone.  Both system calls are wrapped (this host is v1,
 * and a real clone would start a child); the leaf is a real directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "scratch.h"
#include "spawn.h"

#define FLAGS (CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS)
#define PID 4242

static char leaf[64];
static int clone3_fd = -1; /* the fd the last clone3 was given */

static int never_run(void *arg)
{
	(void)arg;
	fail_msg("the child's function ran in the test process");
	return 1;
}

/* The leaf's directory, by its inode: what the fd given to clone3 names. */
static void assert_fd_is_leaf(int fd)
{
	struct stat a, b;
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(leaf, &b), 0);
	assert_true(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
}

pid_t __wrap_sys_clone3_into(unsigned long long flags, int exit_signal, int cgroup_fd)
{
	assert_int_equal(flags, FLAGS);
	assert_int_equal(exit_signal, SIGCHLD);
	assert_fd_is_leaf(cgroup_fd);
	clone3_fd = cgroup_fd;
	int rc = mock_type(int);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

pid_t __wrap_sys_clone(int (*fn)(void *), void *stack_top, int flags, void *arg)
{
	assert_ptr_equal(fn, never_run);
	assert_non_null(stack_top);
	assert_int_equal(flags, FLAGS | SIGCHLD);
	assert_null(arg);
	return mock_type(pid_t);
}

static int setup(void **state)
{
	(void)state;
	clone3_fd = -1;
	return scratch_make(leaf, sizeof(leaf), "dl-spawn");
}

static int teardown(void **state)
{
	(void)state;
	return scratch_remove(leaf);
}

static struct cgroup cgroup_of(enum cg_mode mode)
{
	struct cgroup cg;
	memset(&cg, 0, sizeof(cg));
	cg.mode = mode;
	snprintf(cg.leaf[0], sizeof(cg.leaf[0]), "%s", leaf);
	return cg;
}

static void v2_born_in_the_leaf_without_clone(void **state)
{
	(void)state;
	struct cgroup cg = cgroup_of(CG_MODE_V2);
	int born_in = -1;
	will_return(__wrap_sys_clone3_into, PID); /* no sys_clone expected */
	assert_int_equal(spawn_init(never_run, NULL, FLAGS, &cg, &born_in), PID);
	assert_int_equal(born_in, 1);
	/* the fd only named the cgroup: closed again */
	assert_int_equal(fcntl(clone3_fd, F_GETFD), -1);
}

static void v2_falls_back_to_clone_on_old_kernels(void **state)
{
	(void)state;
	static const int old[] = { -ENOSYS, -E2BIG };
	for (size_t i = 0; i < sizeof(old) / sizeof(*old); i++) {
		struct cgroup cg = cgroup_of(CG_MODE_V2);
		int born_in = -1;
		will_return(__wrap_sys_clone3_into, old[i]);
		will_return(__wrap_sys_clone, PID);
		assert_int_equal(spawn_init(never_run, NULL, FLAGS, &cg, &born_in), PID);
		assert_int_equal(born_in, 0); /* the caller moves it in */
		assert_int_equal(fcntl(clone3_fd, F_GETFD), -1);
	}
}

static void v2_other_clone3_errors_are_returned(void **state)
{
	(void)state;
	struct cgroup cg = cgroup_of(CG_MODE_V2);
	int born_in = -1;
	will_return(__wrap_sys_clone3_into, -EBUSY); /* no clone() after it */
	assert_int_equal(spawn_init(never_run, NULL, FLAGS, &cg, &born_in), -1);
	assert_int_equal(errno, EBUSY);
	assert_int_equal(born_in, 0);
}

static void v2_leaf_gone_is_an_error(void **state)
{
	(void)state;
	struct cgroup cg = cgroup_of(CG_MODE_V2);
	int born_in = -1;
	assert_int_equal(rmdir(leaf), 0);
	assert_int_equal(spawn_init(never_run, NULL, FLAGS, &cg, &born_in), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(born_in, 0);
}

static void v1_and_no_cgroup_use_clone(void **state)
{
	(void)state;
	struct cgroup cg = cgroup_of(CG_MODE_V1);
	int born_in = -1;
	will_return(__wrap_sys_clone, PID); /* no sys_clone3_into expected */
	assert_int_equal(spawn_init(never_run, NULL, FLAGS, &cg, &born_in), PID);
	assert_int_equal(born_in, 0);
	born_in = -1;
	will_return(__wrap_sys_clone, PID);
	assert_int_equal(spawn_init(never_run, NULL, FLAGS, NULL, &born_in), PID);
	assert_int_equal(born_in, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(v2_born_in_the_leaf_without_clone, setup, teardown),
		cmocka_unit_test_setup_teardown(v2_falls_back_to_clone_on_old_kernels, setup, teardown),
		cmocka_unit_test_setup_teardown(v2_other_clone3_errors_are_returned, setup, teardown),
		cmocka_unit_test_setup_teardown(v2_leaf_gone_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(v1_and_no_cgroup_use_clone, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
