/* Unit tests for task3/src/liveroot.c: the container's root on the host is
 * an overlay stacked on an unbindable bind of the rootfs directory (so it
 * propagates nowhere), and every failure undoes what was mounted.  mount
 * and umount2 are fakes that record the calls; the directories are real
 * (a scratch directory). */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/mount.h>
#include <cmocka.h>

#include "liveroot.h"
#include "scratch.h"

static char dir[64], rootfs[128], upper[128], work[128];
static struct run_opts o;
static int fail_call;   /* 1-based index of the mount() call that fails, 0: none */
static int mounts, umounts;
static unsigned long flags_of[4];

int __wrap_sys_mount(const char *source, const char *target, const char *fstype, unsigned long flags,
		     const void *data)
{
	(void)source, (void)fstype, (void)data;
	assert_string_equal(target, rootfs);
	if (mounts < 4)
		flags_of[mounts] = flags;
	if (++mounts == fail_call) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int __wrap_sys_umount2(const char *target, int flags)
{
	assert_string_equal(target, rootfs);
	assert_int_equal(flags, MNT_DETACH);
	umounts++;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	if (scratch_make(dir, sizeof(dir), "dl-unit-liveroot"))
		return -1;
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", dir);
	snprintf(upper, sizeof(upper), "%s/upper", dir);
	snprintf(work, sizeof(work), "%s/work", dir);
	memset(&o, 0, sizeof(o));
	o.lower = "/l2:/l1";
	o.upper = upper;
	o.work = work;
	o.rootfs = rootfs;
	o.harden = 1;
	fail_call = mounts = umounts = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return scratch_remove(dir);
}

static void overlay_goes_on_an_unbindable_bind(void **state)
{
	(void)state;
	const char *what = NULL;
	assert_int_equal(live_root_mount(&o, &what), 0);
	assert_int_equal(mounts, 3);
	assert_int_equal(flags_of[0], MS_BIND);
	/* unbindable before anything is mounted on it */
	assert_int_equal(flags_of[1], MS_UNBINDABLE);
	assert_int_equal(flags_of[2], MS_NODEV);
	assert_int_equal(umounts, 0);
	assert_int_equal(live_root_unmount(rootfs), 0);
	assert_int_equal(umounts, 2);
}

static void each_failure_undoes_what_was_mounted(void **state)
{
	(void)state;
	/* the call that fails, and how many mounts were made before it */
	static const int fails[][2] = { { 1, 0 }, { 2, 1 }, { 3, 1 } };
	for (size_t i = 0; i < sizeof(fails) / sizeof(fails[0]); i++) {
		const char *what = NULL;
		fail_call = fails[i][0];
		mounts = umounts = 0;
		assert_int_equal(live_root_mount(&o, &what), -EPERM);
		assert_non_null(what);
		assert_int_equal(umounts, fails[i][1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(overlay_goes_on_an_unbindable_bind, setup, teardown),
		cmocka_unit_test_setup_teardown(each_failure_undoes_what_was_mounted, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
