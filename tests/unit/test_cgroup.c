/* Unit tests for common/cgroup.c.
 *
 * The project's machines are cgroup v1-hybrid, so the v2 path can only be
 * checked here: a temporary directory plays the cgroup root, statfs is
 * wrapped to report the filesystem type under test, mkdir is wrapped to
 * create the knob files the kernel would create in a new cgroup, and
 * write_file is wrapped to give cgroup.subtree_control the kernel's meaning
 * (a set that "+x" and "-x" change).  The tests then read back what the
 * module wrote. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgroup.h"
#include "fsutil.h"
#include "scratch.h"

static char root[64];
static char run_scratch[64]; /* plays /run: the record goes to <it>/docker-lite */
static char record_dir[128];
static long root_fstype;   /* what statfs(root) reports */
static int v1_cpu_dir_ok;  /* whether <root>/cpu reports cgroup v1 */
static int root_subtree_writes; /* writes to the root's cgroup.subtree_control */

int __real_sys_mkdir(const char *path, mode_t mode);
int __real_write_file(const char *path, const char *text);
ssize_t __real_read_file(const char *path, char *buf, size_t size);

int __wrap_sys_statfs(const char *path, struct statfs *buf)
{
	memset(buf, 0, sizeof(*buf));
	if (strcmp(path, root) == 0) {
		buf->f_type = root_fstype;
		return 0;
	}
	size_t n = strlen(root);
	if (strncmp(path, root, n) == 0 && path[n] == '/') {
		/* v2: one tree, cgroup2 all the way down */
		buf->f_type = root_fstype == CG_V2_MAGIC ? CG_V2_MAGIC : v1_cpu_dir_ok ? CG_V1_MAGIC : CG_TMPFS_MAGIC;
		return access(path, F_OK) == 0 ? 0 : (errno = ENOENT, -1);
	}
	errno = ENOENT;
	return -1;
}

/* Create what the kernel puts in every new cgroup directory: its
 * cgroup.controllers lists what its parent enabled for it. */
static void add_knobs(const char *dir, const char *controllers)
{
	static const char *const knobs[] = {
		"cgroup.procs", "cgroup.subtree_control", "cgroup.controllers", "cpu.max",
		"memory.max", "pids.max", "cpu.cfs_quota_us", "cpu.cfs_period_us",
		"memory.limit_in_bytes", "io.max", "blkio.throttle.read_bps_device",
		"blkio.throttle.write_bps_device", "blkio.throttle.read_iops_device",
		"blkio.throttle.write_iops_device",
	};
	char path[512];
	for (size_t i = 0; i < sizeof(knobs) / sizeof(*knobs); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, knobs[i]);
		write_new_file(path, strcmp(knobs[i], "cgroup.controllers") ? "" : controllers);
	}
}

int __wrap_sys_mkdir(const char *path, mode_t mode)
{
	if (__real_sys_mkdir(path, mode) < 0)
		return -1;
	add_knobs(path, "");
	return 0;
}

/* As the kernel: a cgroup's cgroup.controllers is what its parent's
 * cgroup.subtree_control holds now (the root's is the file itself). */
ssize_t __wrap_read_file(const char *path, char *buf, size_t size)
{
	static const char knob[] = "/cgroup.controllers";
	size_t n = strlen(path), k = strlen(knob), r = strlen(root);
	if (n < k || strcmp(path + n - k, knob) != 0 || strncmp(path, root, r) != 0 || n - k == r)
		return __real_read_file(path, buf, size);
	char parent[600];
	snprintf(parent, sizeof(parent), "%.*s/../cgroup.subtree_control", (int)(n - k), path);
	return __real_read_file(parent, buf, size);
}

/* ---- the fake kernel's cgroup.subtree_control -------------------------- */

static const char *const kernel_order[] = { "cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc" };
#define N_KERNEL (sizeof(kernel_order) / sizeof(*kernel_order))

static int kernel_index(const char *name, size_t len)
{
	for (size_t i = 0; i < N_KERNEL; i++)
		if (strlen(kernel_order[i]) == len && strncmp(name, kernel_order[i], len) == 0)
			return (int)i;
	return -1;
}

/* The set a file of controller names holds (missing file: empty). */
static unsigned set_in(const char *path)
{
	char text[256];
	unsigned set = 0;
	if (read_file(path, text, sizeof(text)) < 0)
		return 0;
	for (char *s = text; *s;) {
		size_t n = strcspn(s, " \n");
		int i = n ? kernel_index(s, n) : -1;
		if (i >= 0)
			set |= 1u << i;
		s += n;
		s += strspn(s, " \n");
	}
	return set;
}

/* True when a child cgroup of dir enables controller i for its children. */
static int child_enables(const char *dir, int i)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[600];
	int found = 0;
	while (d && (e = readdir(d)) && !found) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/cgroup.subtree_control", dir, e->d_name);
		found = (set_in(path) >> i) & 1;
	}
	if (d)
		closedir(d);
	return found;
}

/* As the kernel: "+x" needs x in cgroup.controllers (ENOENT), "-x" is
 * refused while a child enables x (EBUSY), the file reads back the set in the
 * kernel's order.  Every other file is written as it is. */
int __wrap_write_file(const char *path, const char *text)
{
	static const char knob[] = "/cgroup.subtree_control";
	size_t n = strlen(path), k = strlen(knob);
	if (n < k || strcmp(path + n - k, knob) != 0)
		return __real_write_file(path, text);
	char dir[512], file[600], out[256] = "";
	snprintf(dir, sizeof(dir), "%.*s", (int)(n - k), path);
	if (strcmp(dir, root) == 0)
		root_subtree_writes++;
	unsigned on = set_in(path);
	snprintf(file, sizeof(file), "%s/cgroup.controllers", dir);
	unsigned avail = set_in(file);
	for (const char *s = text; *s;) {
		size_t len = strcspn(s, " \n");
		int i = len > 1 ? kernel_index(s + 1, len - 1) : -1;
		if (i < 0 || (s[0] != '+' && s[0] != '-'))
			return -EINVAL;
		if (s[0] == '+' && !((avail >> i) & 1))
			return -ENOENT;
		if (s[0] == '-' && ((on >> i) & 1) && child_enables(dir, i))
			return -EBUSY;
		on = s[0] == '+' ? on | 1u << i : on & ~(1u << i);
		s += len;
		s += strspn(s, " \n");
	}
	for (size_t i = 0; i < N_KERNEL; i++)
		if ((on >> i) & 1)
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", out[0] ? " " : "", kernel_order[i]);
	strcat(out, "\n");
	return __real_write_file(path, out);
}

static int make_root(void **state)
{
	(void)state;
	if (scratch_make(root, sizeof(root), "dl-unit-cg") ||
	    scratch_make(run_scratch, sizeof(run_scratch), "dl-unit-cgrun"))
		return -1;
	add_knobs(root, "cpu memory pids\n");
	snprintf(record_dir, sizeof(record_dir), "%s/docker-lite", run_scratch);
	cg_set_record_dir(record_dir);
	v1_cpu_dir_ok = 1;
	return 0;
}

static int remove_root(void **state)
{
	(void)state;
	int rc = scratch_remove(root);
	return scratch_remove(run_scratch) ? -1 : rc;
}

/* What the root's subtree_control holds before a test (the machine's own). */
static void set_root_subtree(const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", root);
	assert_int_equal(__real_write_file(path, text), 0);
	root_subtree_writes = 0;
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

/* v1: the knob files of every fake hierarchy an earlier test left (a
 * container gets a leaf in each: accounting). */
static void remove_v1_knobs(void)
{
	static const char *const hier[] = { "cpu", "cpuacct", "memory", "pids", "freezer", "blkio" };
	char path[256];
	for (size_t i = 0; i < sizeof(hier) / sizeof(*hier); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, hier[i]);
		if (dir_exists("%s%s", path, ""))
			remove_knobs(path);
	}
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
	assert_int_equal(cg_parse_size("4096b", &bytes), 0);
	assert_int_equal(bytes, 4096);
	assert_int_equal(cg_parse_size("06M", &bytes), 0); /* decimal, not octal */
	assert_int_equal(bytes, 6LL << 20);
	const char *bad[] = { "", "M", "-1", "0", "12X", "1MM", "1BB", "1MBB", "1.5G", " 1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(cg_parse_size(bad[i], &bytes), -EINVAL);
	/* well-formed, but no 64-bit number holds it: refused, never wrapped */
	const char *huge[] = { "99999999999999999999G", "99999999999999999999", "9999999999999M", "8589934592G" };
	for (size_t i = 0; i < sizeof(huge) / sizeof(*huge); i++)
		assert_int_equal(cg_parse_size(huge[i], &bytes), -ERANGE);
	assert_int_equal(cg_parse_size("8589934591G", &bytes), 0);
}

static void v2_enables_controllers_top_down_and_writes_cpu_max(void **state)
{
	(void)state;
	struct cgroup cg;
	struct cg_limits lim = { .cpu_quota_us = 50000, .pids_max = 64 };
	char buf[128];
	root_fstype = CG_V2_MAGIC;
	set_root_subtree("");
	assert_int_equal(cg_create(&cg, root, "c1", &lim), 0);
	assert_int_equal(cg.mode, CG_MODE_V2);
	/* enabled at the root and in the group, memory (not asked for) not */
	slurp(root, "cgroup.subtree_control", buf, sizeof(buf));
	assert_string_equal(buf, "cpu pids\n");
	slurp(cg.group, "cgroup.subtree_control", buf, sizeof(buf));
	assert_string_equal(buf, "cpu pids\n");
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
	/* the root as it was */
	slurp(root, "cgroup.subtree_control", buf, sizeof(buf));
	assert_string_equal(buf, "\n");
	/* twice is fine */
	assert_int_equal(cg_destroy(&cg), 0);
}

/* The throttle lines, as the kernel reads them: v2 one io.max a disk with
 * a key a kind, v1 a file a kind. */
static void io_lines_format(void **state)
{
	(void)state;
	char buf[96];
	const char *knob;
	struct cg_io_limit w = { CG_IO_WRITE_BPS, 254, 0, 1048576 }, r = { CG_IO_READ_IOPS, 8, 16, 300 };
	assert_int_equal(cg_format_io(buf, sizeof(buf), CG_MODE_V2, &w, &knob), 0);
	assert_string_equal(knob, "io.max");
	assert_string_equal(buf, "254:0 wbps=1048576");
	assert_int_equal(cg_format_io(buf, sizeof(buf), CG_MODE_V2, &r, &knob), 0);
	assert_string_equal(buf, "8:16 riops=300");
	assert_int_equal(cg_format_io(buf, sizeof(buf), CG_MODE_V1, &w, &knob), 0);
	assert_string_equal(knob, "blkio.throttle.write_bps_device");
	assert_string_equal(buf, "254:0 1048576");
	assert_int_equal(cg_format_io(buf, sizeof(buf), CG_MODE_V1, &r, &knob), 0);
	assert_string_equal(knob, "blkio.throttle.read_iops_device");
	assert_string_equal(buf, "8:16 300");
	struct cg_io_limit zero = { CG_IO_READ_BPS, 8, 0, 0 };
	assert_int_equal(cg_format_io(buf, sizeof(buf), CG_MODE_V2, &zero, &knob), -EINVAL);
	assert_int_equal(cg_format_io(buf, 8, CG_MODE_V2, &w, &knob), -ENOSPC);
}

/* v2: an I/O limit enables io top-down like any controller, writes io.max,
 * and the root is put back as it was. */
static void v2_io_limit_writes_io_max(void **state)
{
	(void)state;
	struct cgroup cg;
	struct cg_limits lim = { .nio = 1, .io = { { CG_IO_WRITE_BPS, 254, 0, 2097152 } } };
	char buf[128], path[256];
	root_fstype = CG_V2_MAGIC;
	set_root_subtree("");
	snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
	assert_int_equal(__real_write_file(path, "cpu io memory pids\n"), 0);
	assert_int_equal(cg_create(&cg, root, "io1", &lim), 0);
	slurp(root, "cgroup.subtree_control", buf, sizeof(buf));
	assert_string_equal(buf, "io\n");
	slurp(cg.group, "cgroup.subtree_control", buf, sizeof(buf));
	assert_string_equal(buf, "io\n");
	slurp(cg.leaf[0], "io.max", buf, sizeof(buf));
	assert_string_equal(buf, "254:0 wbps=2097152");
	remove_knobs(cg.group);
	assert_int_equal(cg_destroy(&cg), 0);
	assert_false(dir_exists("%s/%s", root, "docker-lite"));
	slurp(root, "cgroup.subtree_control", buf, sizeof(buf));
	assert_string_equal(buf, "\n");
	assert_int_equal(__real_write_file(path, "cpu memory pids\n"), 0);
}

/* v2 without the io controller, and a weight where BFQ gives no file:
 * refused (-EOPNOTSUPP), nothing left. */
static void v2_io_unsupported_leaves_nothing(void **state)
{
	(void)state;
	struct cgroup cg;
	struct cg_limits lim = { .nio = 1, .io = { { CG_IO_READ_BPS, 8, 0, 1024 } } }, weight = { .io_weight = 300 };
	char buf[128], path[256];
	root_fstype = CG_V2_MAGIC;
	set_root_subtree("");
	assert_int_equal(cg_create(&cg, root, "io2", &lim), -EOPNOTSUPP);
	assert_false(dir_exists("%s/%s", root, "docker-lite"));
	snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
	assert_int_equal(__real_write_file(path, "cpu io memory pids\n"), 0);
	assert_int_equal(cg_create(&cg, root, "io3", &weight), -EOPNOTSUPP);
	/* its leaf was made, then removed by the same destroy as always, which
	 * the fake tree's knob files (plain files) keep from rmdir: again */
	remove_knobs(cg.group);
	assert_int_equal(cg_destroy(&cg), 0);
	assert_false(dir_exists("%s/%s", root, "docker-lite"));
	slurp(root, "cgroup.subtree_control", buf, sizeof(buf));
	assert_string_equal(buf, "\n");
	snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
	assert_int_equal(__real_write_file(path, "cpu memory pids\n"), 0);
}

/* v1: the blkio hierarchy, a throttle file a kind. */
static void v1_io_limits_write_blkio_throttle_files(void **state)
{
	(void)state;
	struct cgroup cg;
	struct cg_limits lim = { .nio = 2,
				 .io = { { CG_IO_WRITE_BPS, 254, 0, 1048576 }, { CG_IO_READ_IOPS, 254, 0, 50 } } };
	char buf[64], path[256];
	root_fstype = CG_TMPFS_MAGIC;
	snprintf(path, sizeof(path), "%s/blkio", root);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(cg_create(&cg, root, "b1", &lim), 0);
	snprintf(path, sizeof(path), "%s/blkio/docker-lite/b1", root);
	assert_string_equal(cg.leaf[CG_IO], path);
	slurp(path, "blkio.throttle.write_bps_device", buf, sizeof(buf));
	assert_string_equal(buf, "254:0 1048576");
	slurp(path, "blkio.throttle.read_iops_device", buf, sizeof(buf));
	assert_string_equal(buf, "254:0 50");
	slurp(path, "blkio.throttle.read_bps_device", buf, sizeof(buf));
	assert_string_equal(buf, "");
	remove_v1_knobs();
	assert_int_equal(cg_destroy(&cg), 0);
	snprintf(path, sizeof(path), "%s/blkio", root);
	assert_false(dir_exists("%s/%s", root, "blkio/docker-lite"));
	assert_int_equal(rmdir(path), 0);
}

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void v2_destroy_disables_at_the_root_what_create_enabled(void **state)
{
	(void)state;
	struct cgroup cg;
	struct cg_limits lim = { .cpu_quota_us = 50000 };
	char buf[128], record[256];
	root_fstype = CG_V2_MAGIC;
	set_root_subtree("memory pids\n"); /* what the machine (systemd) enabled */
	assert_int_equal(cg_create(&cg, root, "r1", &lim), 0);
	slurp(root, "cgroup.subtree_control", buf, sizeof(buf));
	assert_string_equal(buf, "cpu memory pids\n");
	/* the record says what docker-lite enabled, for whoever destroys it */
	slurp(record_dir, CG_RECORD_FILE, record, sizeof(record));
	assert_string_equal(record, "cpu\n");

	remove_knobs(cg.group);
	assert_int_equal(cg_destroy(&cg), 0);
	slurp(root, "cgroup.subtree_control", buf, sizeof(buf));
	assert_string_equal(buf, "memory pids\n");
	/* and no record, nor its directory, is left in /run */
	assert_false(dir_exists("%s%s", record_dir, ""));
}

static void v2_a_controller_already_enabled_stays_and_is_never_written(void **state)
{
	(void)state;
	struct cgroup cg;
	struct cg_limits lim = { .cpu_quota_us = 50000, .memory_bytes = 1 << 24 };
	char buf[128];
	root_fstype = CG_V2_MAGIC;
	set_root_subtree("cpu memory pids\n");
	assert_int_equal(cg_create(&cg, root, "r2", &lim), 0);
	remove_knobs(cg.group);
	assert_int_equal(cg_destroy(&cg), 0);
	slurp(root, "cgroup.subtree_control", buf, sizeof(buf));
	assert_string_equal(buf, "cpu memory pids\n");
	assert_int_equal(root_subtree_writes, 0);
	assert_false(dir_exists("%s%s", record_dir, ""));
}

static void v2_the_root_is_restored_when_the_last_container_goes(void **state)
{
	(void)state;
	struct cgroup a, b;
	struct cg_limits cpu = { .cpu_quota_us = 50000 }, cpu_pids = { .cpu_quota_us = 20000, .pids_max = 9 };
	char buf[128], path[256];
	root_fstype = CG_V2_MAGIC;
	set_root_subtree("memory\n");
	assert_int_equal(cg_create(&a, root, "ra", &cpu), 0);
	assert_int_equal(cg_create(&b, root, "rb", &cpu_pids), 0);
	slurp(root, "cgroup.subtree_control", buf, sizeof(buf));
	assert_string_equal(buf, "cpu memory pids\n");
	/* b still uses the group: the root keeps what b needs */
	remove_knobs(a.leaf[0]);
	assert_int_equal(cg_destroy(&a), 0);
	assert_true(dir_exists("%s/%s", root, "docker-lite/rb"));
	slurp(root, "cgroup.subtree_control", buf, sizeof(buf));
	assert_string_equal(buf, "cpu memory pids\n");
	/* b goes, and with it the group and docker-lite's change of the root;
	 * destroyed through cg_open, as another process would */
	remove_knobs(b.group);
	assert_int_equal(cg_open(&b, root, "rb"), 0);
	assert_int_equal(cg_destroy(&b), 0);
	assert_false(dir_exists("%s/%s", root, "docker-lite"));
	slurp(root, "cgroup.subtree_control", buf, sizeof(buf));
	assert_string_equal(buf, "memory\n");
	snprintf(path, sizeof(path), "%s/%s", record_dir, CG_RECORD_FILE);
	assert_false(is_file(path));
}

static void v2_a_controller_someone_else_now_uses_stays_enabled(void **state)
{
	(void)state;
	struct cgroup cg;
	struct cg_limits lim = { .cpu_quota_us = 50000 };
	char buf[128], other[256], path[512];
	root_fstype = CG_V2_MAGIC;
	set_root_subtree("");
	assert_int_equal(cg_create(&cg, root, "r3", &lim), 0);
	/* meanwhile a service manager enables cpu below its own cgroup */
	snprintf(other, sizeof(other), "%s/other.slice", root);
	assert_int_equal(__wrap_sys_mkdir(other, 0755), 0);
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", other);
	assert_int_equal(write_file(path, "+cpu"), 0);

	remove_knobs(cg.group);
	assert_int_equal(cg_destroy(&cg), 0); /* EBUSY at the root is no error */
	slurp(root, "cgroup.subtree_control", buf, sizeof(buf));
	assert_string_equal(buf, "cpu\n");
	/* it is theirs now: forgotten, so no later destroy takes it away */
	assert_false(dir_exists("%s%s", record_dir, ""));

	remove_knobs(other);
	assert_int_equal(rmdir(other), 0);
	set_root_subtree("");
}

static void v2_create_waits_for_the_lock_of_the_root(void **state)
{
	(void)state;
	struct cgroup cg;
	char buf[128];
	root_fstype = CG_V2_MAGIC;
	set_root_subtree("");
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct cg_limits lim = { .cpu_quota_us = 50000 };
		close(fd); /* the lock is the parent's, not this copy's */
		_exit(cg_create(&cg, root, "r4", &lim) == 0 ? 0 : 1);
	}
	/* not a readiness wait: the child must still be blocked after it */
	nanosleep(&(struct timespec){ .tv_nsec = 200 * 1000 * 1000 }, NULL);
	/* looked at now, asserted once the lock is gone: a failing assertion
	 * must not leave the root locked for the tests after this one */
	int made_while_locked = dir_exists("%s/%s", root, "docker-lite");
	char while_locked[128];
	slurp(root, "cgroup.subtree_control", while_locked, sizeof(while_locked));
	assert_int_equal(flock(fd, LOCK_UN), 0);
	close(fd);
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_false(made_while_locked);
	assert_string_equal(while_locked, "");
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(dir_exists("%s/%s", root, "docker-lite/r4"));
	slurp(root, "cgroup.subtree_control", buf, sizeof(buf));
	assert_string_equal(buf, "cpu\n");
	/* another process (this one) destroys it from the record the child left */
	char group[256];
	snprintf(group, sizeof(group), "%s/docker-lite", root);
	remove_knobs(group);
	assert_int_equal(cg_open(&cg, root, "r4"), 0);
	assert_int_equal(cg_destroy(&cg), 0);
	slurp(root, "cgroup.subtree_control", buf, sizeof(buf));
	assert_string_equal(buf, "\n");
	assert_false(dir_exists("%s/%s", root, "docker-lite"));
}

static void v2_without_the_controller_fails_and_leaves_nothing(void **state)
{
	(void)state;
	struct cgroup cg;
	struct cg_limits lim = { .cpu_quota_us = 50000 };
	char path[256];
	root_fstype = CG_V2_MAGIC;
	set_root_subtree("memory\n");
	snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
	assert_int_equal(write_file(path, "cpuset memory pids\n"), 0); /* cpuset is not cpu */
	assert_int_equal(cg_create(&cg, root, "c2", &lim), -EOPNOTSUPP);
	assert_false(dir_exists("%s/%s", root, "docker-lite"));
	assert_int_equal(root_subtree_writes, 0);
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

	assert_int_equal(cg_create(&cg, root, "c3", &lim), 0);
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
	assert_int_equal(cg_create(&cg, root, "c4", &lim), -EOPNOTSUPP);
}

/* Every container gets a leaf for pause: on v2 the leaf alone has
 * cgroup.freeze, so no controller is enabled anywhere for it. */
static void v2_a_leaf_without_limits_enables_nothing(void **state)
{
	(void)state;
	struct cgroup cg;
	struct cg_limits none = { 0 };
	char buf[128];
	root_fstype = CG_V2_MAGIC;
	set_root_subtree("");
	assert_int_equal(cg_create(&cg, root, "p1", &none), 0);
	assert_true(dir_exists("%s/%s", root, "docker-lite/p1"));
	assert_int_equal(root_subtree_writes, 0);
	slurp(cg.group, "cgroup.subtree_control", buf, sizeof(buf));
	assert_string_equal(buf, "");
	assert_false(dir_exists("%s%s", record_dir, ""));
	assert_non_null(cg_freezer_dir(&cg));
	assert_string_equal(cg_freezer_dir(&cg), cg.leaf[0]);
	remove_knobs(cg.group);
	assert_int_equal(cg_destroy(&cg), 0);
	assert_false(dir_exists("%s/%s", root, "docker-lite"));
}

/* v1: the freezer is a hierarchy of its own; a leaf there for every
 * container, and in the accounting hierarchies, limits or not. */
static void v1_every_container_gets_a_freezer_leaf(void **state)
{
	(void)state;
	struct cgroup cg, opened;
	struct cg_limits pids = { .pids_max = 10 }, none = { 0 };
	char path[256];
	root_fstype = CG_TMPFS_MAGIC;
	snprintf(path, sizeof(path), "%s/freezer", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/pids", root);
	assert_int_equal(mkdir(path, 0755), 0);

	assert_int_equal(cg_create(&cg, root, "p2", &none), 0);
	snprintf(path, sizeof(path), "%s/freezer/docker-lite/p2", root);
	assert_string_equal(cg.leaf[CG_FREEZER], path);
	assert_true(dir_exists("%s%s", path, ""));
	assert_string_equal(cg_freezer_dir(&cg), path);
	/* and one in each accounting hierarchy that is mounted, with no limit
	 * written (stats); none where there is no hierarchy (cpu here) */
	assert_true(dir_exists("%s/%s", root, "pids/docker-lite/p2"));
	char limit[32];
	slurp(cg.leaf[CG_PIDS], "pids.max", limit, sizeof(limit));
	assert_string_equal(limit, "");
	/* another process finds the same freezer leaf by name (pause) */
	assert_int_equal(cg_open(&opened, root, "p2"), 0);
	assert_string_equal(cg_freezer_dir(&opened), path);
	assert_int_equal(cg_attach(&cg, 99), 0);
	char buf[32];
	slurp(path, "cgroup.procs", buf, sizeof(buf));
	assert_string_equal(buf, "99");
	remove_v1_knobs();
	assert_int_equal(cg_destroy(&cg), 0);
	assert_false(dir_exists("%s/%s", root, "freezer/docker-lite"));
	assert_false(dir_exists("%s/%s", root, "pids/docker-lite"));

	/* with a limit: its hierarchy's leaf and the freezer's */
	assert_int_equal(cg_create(&cg, root, "p3", &pids), 0);
	assert_true(dir_exists("%s/%s", root, "pids/docker-lite/p3"));
	assert_true(dir_exists("%s/%s", root, "freezer/docker-lite/p3"));
	remove_v1_knobs();
	assert_int_equal(cg_destroy(&cg), 0);
	snprintf(path, sizeof(path), "%s/freezer", root);
	assert_false(dir_exists("%s/%s", root, "pids/docker-lite"));
	assert_false(dir_exists("%s/%s", root, "freezer/docker-lite"));
	assert_int_equal(rmdir(path), 0);
	snprintf(path, sizeof(path), "%s/pids", root);
	assert_int_equal(rmdir(path), 0);
}

/* A machine without the v1 freezer still runs containers: they cannot be
 * paused (no freezer directory), that is all. */
static void v1_without_the_freezer_hierarchy_runs_unpausable(void **state)
{
	(void)state;
	struct cgroup cg;
	struct cg_limits none = { 0 };
	root_fstype = CG_TMPFS_MAGIC;
	assert_int_equal(cg_create(&cg, root, "p4", &none), 0);
	assert_null(cg_freezer_dir(&cg));
	assert_int_equal(cg.leaf[CG_FREEZER][0], '\0');
	/* the accounting leaves, in the hierarchies earlier tests left */
	remove_v1_knobs();
	assert_int_equal(cg_destroy(&cg), 0);
}

/* A rootless container's leaf is below the cgroup delegated to its user:
 * stats and pause find it by its path, which must end in the group and a
 * leaf name, on v2 only. */
static void a_rootless_leaf_is_opened_by_its_path(void **state)
{
	(void)state;
	struct cgroup cg;
	char scope[128], leaf[192];
	snprintf(scope, sizeof(scope), "%s/user.scope", root);
	assert_int_equal(mkdir(scope, 0755), 0);
	root_fstype = CG_V2_MAGIC;
	snprintf(leaf, sizeof(leaf), "%s/docker-lite/web.0123abcd", scope);
	assert_int_equal(cg_open_path(&cg, leaf), 0);
	assert_string_equal(cg.leaf[0], leaf);
	assert_string_equal(cg_freezer_dir(&cg), leaf);
	assert_string_equal(cg.root, scope);
	snprintf(leaf, sizeof(leaf), "%s/other/web", scope);
	assert_int_equal(cg_open_path(&cg, leaf), -EINVAL);
	snprintf(leaf, sizeof(leaf), "%s/docker-lite/..", scope);
	assert_int_equal(cg_open_path(&cg, leaf), -EINVAL);
	assert_int_equal(cg_open_path(&cg, "docker-lite/web"), -EINVAL);
	root_fstype = CG_TMPFS_MAGIC; /* v1: nothing is delegated */
	snprintf(leaf, sizeof(leaf), "%s/docker-lite/web.0123abcd", scope);
	assert_int_not_equal(cg_open_path(&cg, leaf), 0);
	rmdir(scope);
}

static void names_cannot_escape_the_group(void **state)
{
	(void)state;
	struct cgroup cg;
	struct cg_limits lim = { .cpu_quota_us = 50000 };
	root_fstype = CG_V2_MAGIC;
	assert_int_equal(cg_create(&cg, root, "../x", &lim), -EINVAL);
	assert_int_equal(cg_create(&cg, root, "", &lim), -EINVAL);
	assert_int_equal(cg_create(&cg, root, "..", &lim), -EINVAL);
	assert_int_equal(cg_open(&cg, root, ".."), -EINVAL);
	/* dl-run's own files start with '.': never a container's leaf */
	assert_int_equal(cg_create(&cg, root, ".x", &lim), -EINVAL);
	assert_false(dir_exists("%s/%s", root, "docker-lite"));
}

/* The one place the layout is written: <hierarchy>/docker-lite/<name>, the
 * hierarchy the v2 root or a v1 controller's directory, co-mounted or not. */
static void leaf_paths_are_hierarchy_group_name(void **state)
{
	(void)state;
	char group[PATH_MAX], leaf[PATH_MAX];
	assert_int_equal(cg_leaf_path("/sys/fs/cgroup", "web.1a2b3c4d", group, leaf), 0);
	assert_string_equal(group, "/sys/fs/cgroup/docker-lite");
	assert_string_equal(leaf, "/sys/fs/cgroup/docker-lite/web.1a2b3c4d");
	assert_int_equal(cg_leaf_path("/sys/fs/cgroup/cpu,cpuacct", "task2c-42", group, leaf), 0);
	assert_string_equal(group, "/sys/fs/cgroup/cpu,cpuacct/docker-lite");
	assert_string_equal(leaf, "/sys/fs/cgroup/cpu,cpuacct/docker-lite/task2c-42");

	static const char *const bad[] = { "", ".", "..", ".hidden", "a/b", "../x", "/abs" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_false(cg_leaf_name_ok(bad[i]));
		assert_int_equal(cg_leaf_path("/sys/fs/cgroup", bad[i], group, leaf), -EINVAL);
	}
	assert_true(cg_leaf_name_ok("a.b..c"));

	char name[PATH_MAX];
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(cg_leaf_path("/sys/fs/cgroup", name, group, leaf), -ENAMETOOLONG);
}

/* <name>.<first 8 hex digits of the SHA-256 of the scope>: the tags below are
 * `printf %s SCOPE | sha256sum`'s, which the bats suites use to find a state
 * root's leaves; the long scopes take the padding into a second block. */
static void leaf_names_are_name_dot_tag_of_the_scope(void **state)
{
	(void)state;
	char leaf[64], long_a[101], b56[57];
	memset(long_a, 'a', 100);
	long_a[100] = '\0';
	memset(b56, 'b', 56);
	b56[56] = '\0';
	assert_int_equal(cg_leaf_name(leaf, sizeof(leaf), "web", "/tmp/dl-test.XXXXXX"), 0);
	assert_string_equal(leaf, "web.d773e526");
	assert_int_equal(cg_leaf_name(leaf, sizeof(leaf), "web", ""), 0);
	assert_string_equal(leaf, "web.e3b0c442");
	assert_int_equal(cg_leaf_name(leaf, sizeof(leaf), "h4", "abc"), 0);
	assert_string_equal(leaf, "h4.ba7816bf");
	assert_int_equal(cg_leaf_name(leaf, sizeof(leaf), "x", long_a), 0);
	assert_string_equal(leaf, "x.28165978");
	assert_int_equal(cg_leaf_name(leaf, sizeof(leaf), "x", b56), 0);
	assert_string_equal(leaf, "x.a5fc6e20");

	assert_int_equal(cg_leaf_name(leaf, sizeof(leaf), ".x", "/r"), -EINVAL);
	assert_int_equal(cg_leaf_name(leaf, sizeof(leaf), "a/b", "/r"), -EINVAL);
	assert_int_equal(cg_leaf_name(leaf, sizeof(leaf), "", "/r"), -EINVAL);
	assert_int_equal(cg_leaf_name(leaf, 12, "web", "/r"), -ENAMETOOLONG); /* 12 bytes, NUL included */
}

/* The root every docker-lite program uses: DL_CGROUP_ROOT when set (the
 * tests' fake or absent trees), else /sys/fs/cgroup; an empty one is unset. */
static void the_root_follows_dl_cgroup_root(void **state)
{
	(void)state;
	const char *saved = getenv(CG_ROOT_ENV);
	char *copy = saved ? strdup(saved) : NULL;

	assert_int_equal(unsetenv(CG_ROOT_ENV), 0);
	assert_string_equal(cg_root(), "/sys/fs/cgroup");
	assert_int_equal(setenv(CG_ROOT_ENV, "", 1), 0);
	assert_string_equal(cg_root(), "/sys/fs/cgroup");
	assert_int_equal(setenv(CG_ROOT_ENV, root, 1), 0);
	assert_string_equal(cg_root(), root);

	/* through it, another process finds the leaf the first made */
	struct cgroup cg, opened;
	struct cg_limits none = { 0 };
	char path[256];
	root_fstype = CG_V2_MAGIC;
	set_root_subtree("");
	assert_int_equal(cg_create(&cg, cg_root(), "e1", &none), 0);
	snprintf(path, sizeof(path), "%s/docker-lite/e1", root);
	assert_true(dir_exists("%s%s", path, ""));
	assert_int_equal(cg_open(&opened, cg_root(), "e1"), 0);
	assert_string_equal(opened.leaf[0], path);
	remove_knobs(cg.group);
	assert_int_equal(cg_destroy(&opened), 0);
	assert_false(dir_exists("%s/%s", root, "docker-lite"));

	if (copy)
		setenv(CG_ROOT_ENV, copy, 1);
	else
		unsetenv(CG_ROOT_ENV);
	free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mode_follows_filesystem_type),
		cmocka_unit_test(percent_becomes_quota),
		cmocka_unit_test(cpu_max_text),
		cmocka_unit_test(sizes_parse),
		cmocka_unit_test(v2_enables_controllers_top_down_and_writes_cpu_max),
		cmocka_unit_test(v2_destroy_disables_at_the_root_what_create_enabled),
		cmocka_unit_test(v2_a_controller_already_enabled_stays_and_is_never_written),
		cmocka_unit_test(v2_the_root_is_restored_when_the_last_container_goes),
		cmocka_unit_test(v2_a_controller_someone_else_now_uses_stays_enabled),
		cmocka_unit_test(v2_create_waits_for_the_lock_of_the_root),
		cmocka_unit_test(v2_without_the_controller_fails_and_leaves_nothing),
		cmocka_unit_test(v1_writes_period_then_quota_per_hierarchy),
		cmocka_unit_test(v1_without_cpu_hierarchy_is_unsupported),
		cmocka_unit_test(v2_a_leaf_without_limits_enables_nothing),
		cmocka_unit_test(v1_every_container_gets_a_freezer_leaf),
		cmocka_unit_test(io_lines_format),
		cmocka_unit_test(v2_io_limit_writes_io_max),
		cmocka_unit_test(v2_io_unsupported_leaves_nothing),
		cmocka_unit_test(v1_io_limits_write_blkio_throttle_files),
		cmocka_unit_test(v1_without_the_freezer_hierarchy_runs_unpausable),
		cmocka_unit_test(names_cannot_escape_the_group),
		cmocka_unit_test(a_rootless_leaf_is_opened_by_its_path),
		cmocka_unit_test(leaf_paths_are_hierarchy_group_name),
		cmocka_unit_test(the_root_follows_dl_cgroup_root),
		cmocka_unit_test(leaf_names_are_name_dot_tag_of_the_scope),
	};
	return cmocka_run_group_tests_name("common/cgroup", tests, make_root, remove_root);
}
