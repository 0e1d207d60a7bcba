/* Unit tests for common/cgroup.c.
 *
 * The project's machines are cgroup v1-hybrid, so the v2 path can only be
 * checked here: a temporary directory plays the cgroup root, statfs is
 * wrapped to report the filesystem type under test, and mkdir is wrapped to
 * create the knob files the kernel would create in a new cgroup.  The tests
 * then read back what the module wrote, in order. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgroup.h"
#include "fsutil.h"
#include "scratch.h"

static char root[64];
static long root_fstype;   /* what statfs(root) reports */
static int v1_cpu_dir_ok;  /* whether <root>/cpu reports cgroup v1 */

int __real_sys_mkdir(const char *path, mode_t mode);

int __wrap_sys_statfs(const char *path, struct statfs *buf)
{
	memset(buf, 0, sizeof(*buf));
	if (strcmp(path, root) == 0) {
		buf->f_type = root_fstype;
		return 0;
	}
	size_t n = strlen(root);
	if (strncmp(path, root, n) == 0 && path[n] == '/') {
		buf->f_type = v1_cpu_dir_ok ? CG_V1_MAGIC : CG_TMPFS_MAGIC;
		return access(path, F_OK) == 0 ? 0 : (errno = ENOENT, -1);
	}
	errno = ENOENT;
	return -1;
}

/* Create what the kernel puts in every new cgroup directory. */
static void add_knobs(const char *dir)
{
	static const char *const knobs[] = {
		"cgroup.procs", "cgroup.subtree_control", "cgroup.controllers", "cpu.max",
		"memory.max", "pids.max", "cpu.cfs_quota_us", "cpu.cfs_period_us",
		"memory.limit_in_bytes",
	};
	char path[512];
	for (size_t i = 0; i < sizeof(knobs) / sizeof(*knobs); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, knobs[i]);
		write_new_file(path, strcmp(knobs[i], "cgroup.controllers") ? "" : "cpu memory pids\n");
	}
}

int __wrap_sys_mkdir(const char *path, mode_t mode)
{
	if (__real_sys_mkdir(path, mode) < 0)
		return -1;
	add_knobs(path);
	return 0;
}

static int make_root(void **state)
{
	(void)state;
	if (scratch_make(root, sizeof(root), "dl-unit-cg"))
		return -1;
	add_knobs(root);
	v1_cpu_dir_ok = 1;
	return 0;
}

static int remove_root(void **state)
{
	(void)state;
	return scratch_remove(root);
}

static void slurp(const char *dir, const char *knob, char *buf, size_t size)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, knob);
	assert_true(read_file(path, buf, size) >= 0);
}

static int dir_exists(const char *fmt, const char *a, const char *b)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), fmt, a, b);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Knob files are plain files in the fake tree: rmdir needs them gone. */
static void remove_knobs(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "find '%s' -mindepth 1 -type f -delete", dir);
	assert_int_equal(system(cmd), 0);
}

static void mode_follows_filesystem_type(void **state)
{
	(void)state;
	assert_int_equal(cg_mode_from_fstype(CG_V2_MAGIC), CG_MODE_V2);
	assert_int_equal(cg_mode_from_fstype(CG_TMPFS_MAGIC), CG_MODE_V1);
	assert_int_equal(cg_mode_from_fstype(0xEF53), CG_MODE_NONE); /* ext4 */
	enum cg_mode mode;
	root_fstype = 0xEF53;
	assert_int_equal(cg_detect(root, &mode), -ENOENT);
	root_fstype = CG_V2_MAGIC;
	assert_int_equal(cg_detect(root, &mode), 0);
	assert_int_equal(mode, CG_MODE_V2);
	assert_string_equal(cg_mode_name(mode), "v2");
}

static void percent_becomes_quota(void **state)
{
	(void)state;
	long quota = 0;
	assert_int_equal(cg_quota_from_percent(50, 100, 100000, &quota), 0);
	assert_int_equal(quota, 50000);
	assert_int_equal(cg_quota_from_percent(150, 200, 100000, &quota), 0);
	assert_int_equal(quota, 150000);
	assert_int_equal(cg_quota_from_percent(0, 100, 100000, &quota), -ERANGE);
	assert_int_equal(cg_quota_from_percent(101, 100, 100000, &quota), -ERANGE);
	/* under the kernel's 1 ms minimum quota */
	assert_int_equal(cg_quota_from_percent(1, 100, 10000, &quota), -ERANGE);
}

static void cpu_max_text(void **state)
{
	(void)state;
	char buf[32];
	assert_int_equal(cg_format_cpu_max(buf, sizeof(buf), 50000, 100000), 0);
	assert_string_equal(buf, "50000 100000");
	assert_int_equal(cg_format_cpu_max(buf, sizeof(buf), 0, 100000), 0);
	assert_string_equal(buf, "max 100000");
	assert_int_equal(cg_format_cpu_max(buf, 4, 50000, 100000), -ENOSPC);
}

static void sizes_parse(void **state)
{
	(void)state;
	long long bytes;
	assert_int_equal(cg_parse_size("256M", &bytes), 0);
	assert_int_equal(bytes, 256LL << 20);
	assert_int_equal(cg_parse_size("1g", &bytes), 0);
	assert_int_equal(bytes, 1LL << 30);
	assert_int_equal(cg_parse_size("4096", &bytes), 0);
	assert_int_equal(bytes, 4096);
	assert_int_equal(cg_parse_size("64KB", &bytes), 0);
	assert_int_equal(bytes, 64LL << 10);
	const char *bad[] = { "", "M", "-1", "0", "12X", "1MM", "99999999999999999999G" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(cg_parse_size(bad[i], &bytes), -EINVAL);
}

static void v2_enables_controllers_top_down_and_writes_cpu_max(void **state)
{
	(void)state;
	struct cgroup cg;
	struct cg_limits lim = { .cpu_quota_us = 50000, .pids_max = 64 };
	char buf[128];
	root_fstype = CG_V2_MAGIC;
	assert_int_equal(cg_create(&cg, root, "docker-lite", "c1", &lim), 0);
	assert_int_equal(cg.mode, CG_MODE_V2);
	/* the last write to each subtree_control enabled pids after cpu */
	slurp(root, "cgroup.subtree_control", buf, sizeof(buf));
	assert_string_equal(buf, "+pids");
	slurp(cg.group, "cgroup.subtree_control", buf, sizeof(buf));
	assert_string_equal(buf, "+pids");
	slurp(cg.leaf[0], "cpu.max", buf, sizeof(buf));
	assert_string_equal(buf, "50000 100000");
	slurp(cg.leaf[0], "pids.max", buf, sizeof(buf));
	assert_string_equal(buf, "64");
	slurp(cg.leaf[0], "memory.max", buf, sizeof(buf));
	assert_string_equal(buf, ""); /* not asked for: untouched */

	assert_int_equal(cg_attach(&cg, 4321), 0);
	slurp(cg.leaf[0], "cgroup.procs", buf, sizeof(buf));
	assert_string_equal(buf, "4321");
	/* no process was ever put in the inner node (no-internal-process rule) */
	slurp(cg.group, "cgroup.procs", buf, sizeof(buf));
	assert_string_equal(buf, "");

	remove_knobs(cg.group);
	assert_int_equal(cg_destroy(&cg), 0);
	assert_false(dir_exists("%s/%s", root, "docker-lite/c1"));
	assert_false(dir_exists("%s/%s", root, "docker-lite"));
	/* twice is fine */
	assert_int_equal(cg_destroy(&cg), 0);
}

static void v2_without_the_controller_fails_and_leaves_nothing(void **state)
{
	(void)state;
	struct cgroup cg;
	struct cg_limits lim = { .cpu_quota_us = 50000 };
	char path[256];
	root_fstype = CG_V2_MAGIC;
	snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
	assert_int_equal(write_file(path, "cpuset memory pids\n"), 0); /* cpuset is not cpu */
	assert_int_equal(cg_create(&cg, root, "docker-lite", "c2", &lim), -EOPNOTSUPP);
	assert_false(dir_exists("%s/%s", root, "docker-lite"));
	assert_int_equal(write_file(path, "cpu memory pids\n"), 0);
}

static void v1_writes_period_then_quota_per_hierarchy(void **state)
{
	(void)state;
	struct cgroup cg;
	struct cg_limits lim = { .cpu_quota_us = 25000, .memory_bytes = 1 << 20 };
	char path[256], buf[64];
	root_fstype = CG_TMPFS_MAGIC;
	snprintf(path, sizeof(path), "%s/cpu", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/memory", root);
	assert_int_equal(mkdir(path, 0755), 0);

	assert_int_equal(cg_create(&cg, root, "docker-lite", "c3", &lim), 0);
	assert_int_equal(cg.mode, CG_MODE_V1);
	snprintf(path, sizeof(path), "%s/cpu/docker-lite/c3", root);
	assert_string_equal(cg.leaf[CG_CPU], path);
	slurp(path, "cpu.cfs_period_us", buf, sizeof(buf));
	assert_string_equal(buf, "100000");
	slurp(path, "cpu.cfs_quota_us", buf, sizeof(buf));
	assert_string_equal(buf, "25000");
	slurp(cg.leaf[CG_MEMORY], "memory.limit_in_bytes", buf, sizeof(buf));
	assert_string_equal(buf, "1048576");
	assert_int_equal(cg.leaf[CG_PIDS][0], '\0');

	assert_int_equal(cg_attach(&cg, 77), 0);
	slurp(cg.leaf[CG_CPU], "cgroup.procs", buf, sizeof(buf));
	assert_string_equal(buf, "77");
	slurp(cg.leaf[CG_MEMORY], "cgroup.procs", buf, sizeof(buf));
	assert_string_equal(buf, "77");

	snprintf(path, sizeof(path), "%s/cpu", root);
	remove_knobs(path);
	snprintf(path, sizeof(path), "%s/memory", root);
	remove_knobs(path);
	assert_int_equal(cg_destroy(&cg), 0);
	assert_false(dir_exists("%s/%s", root, "cpu/docker-lite"));
	assert_false(dir_exists("%s/%s", root, "memory/docker-lite"));
}

static void v1_without_cpu_hierarchy_is_unsupported(void **state)
{
	(void)state;
	struct cgroup cg;
	struct cg_limits lim = { .pids_max = 10 };
	root_fstype = CG_TMPFS_MAGIC;
	/* no <root>/pids directory at all */
	assert_int_equal(cg_create(&cg, root, "docker-lite", "c4", &lim), -EOPNOTSUPP);
}

static void names_cannot_escape_the_group(void **state)
{
	(void)state;
	struct cgroup cg;
	struct cg_limits lim = { .cpu_quota_us = 50000 };
	root_fstype = CG_V2_MAGIC;
	assert_int_equal(cg_create(&cg, root, "docker-lite", "../x", &lim), -EINVAL);
	assert_int_equal(cg_create(&cg, root, "docker-lite", "", &lim), -EINVAL);
	assert_int_equal(cg_create(&cg, root, "../../etc", "x", &lim), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mode_follows_filesystem_type),
		cmocka_unit_test(percent_becomes_quota),
		cmocka_unit_test(cpu_max_text),
		cmocka_unit_test(sizes_parse),
		cmocka_unit_test(v2_enables_controllers_top_down_and_writes_cpu_max),
		cmocka_unit_test(v2_without_the_controller_fails_and_leaves_nothing),
		cmocka_unit_test(v1_writes_period_then_quota_per_hierarchy),
		cmocka_unit_test(v1_without_cpu_hierarchy_is_unsupported),
		cmocka_unit_test(names_cannot_escape_the_group),
	};
	return cmocka_run_group_tests_name("common/cgroup", tests, make_root, remove_root);
}
