/* Unit tests for task 3's pure helpers: overlay options (layer order),
 * /proc/PID/stat parsing, exit codes, limits, the command's environment,
 * state-file merging, the cgroups exec joins, which signals are forwarded. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgjoin.h"
#include "env.h"
#include "forward.h"
#include "keyfile.h"
#include "overlay.h"
#include "procstat.h"
#include "runlimits.h"
#include "status.h"
#include "scratch.h"

/* ---- overlay ---------------------------------------------------------- */

static void overlay_data_keeps_the_given_layer_order(void **state)
{
	(void)state;
	char buf[OVERLAY_DATA_MAX];
	/* topmost first: the last RUN layer, then the earlier one, then the base */
	assert_int_equal(overlay_data(buf, sizeof(buf), "/c/layers/k2/diff:/c/layers/k1/diff:/b/debian",
				      "/c/x/upper", "/c/x/work", 0),
			 0);
	assert_string_equal(buf, "lowerdir=/c/layers/k2/diff:/c/layers/k1/diff:/b/debian,"
				 "upperdir=/c/x/upper,workdir=/c/x/work");
	/* a container's scratch upper: not synced (a build step's is a layer) */
	assert_int_equal(overlay_data(buf, sizeof(buf), "/b/debian", "/c/x/upper", "/c/x/work", 1), 0);
	assert_string_equal(buf, "lowerdir=/b/debian,upperdir=/c/x/upper,workdir=/c/x/work,volatile");
	assert_int_equal(overlay_lower_count("/c/layers/k2/diff:/c/layers/k1/diff:/b/debian"), 3);
	assert_int_equal(overlay_lower_count("/b"), 1);
}

static void overlay_data_refuses_what_the_kernel_would_misread(void **state)
{
	(void)state;
	char buf[OVERLAY_DATA_MAX];
	assert_int_equal(overlay_data(buf, sizeof(buf), "/a,upperdir=/etc", "/u", "/w", 0), -EINVAL);
	assert_int_equal(overlay_data(buf, sizeof(buf), "/a", "/u,x", "/w", 0), -EINVAL);
	assert_int_equal(overlay_data(buf, sizeof(buf), "/a", "/u", "/w:x", 0), -EINVAL);
	assert_int_equal(overlay_data(buf, sizeof(buf), "/a\\:b", "/u", "/w", 0), -EINVAL);
	assert_int_equal(overlay_data(buf, sizeof(buf), "relative", "/u", "/w", 0), -EINVAL);
	assert_int_equal(overlay_data(buf, sizeof(buf), "/a", "u", "/w", 0), -EINVAL);
	assert_int_equal(overlay_lower_count("/a::/b"), -EINVAL);
	assert_int_equal(overlay_lower_count(":/a"), -EINVAL);
	assert_int_equal(overlay_lower_count("/a:"), -EINVAL);
	assert_int_equal(overlay_lower_count(""), -EINVAL);
}

static void overlay_data_must_fit_in_a_page(void **state)
{
	(void)state;
	static char lower[8192], buf[8192];
	size_t n = 0;
	/* 80 layers of ~60 characters: over 4096 */
	for (int i = 0; i < 80; i++)
		n += (size_t)snprintf(lower + n, sizeof(lower) - n, "%s/tmp/dl-test.abcdef/.cache/layers/%040d/diff",
				      i ? ":" : "", i);
	assert_int_equal(overlay_data(buf, sizeof(buf), lower, "/u", "/w", 0), -E2BIG);
	char small[16];
	assert_int_equal(overlay_data(small, sizeof(small), "/a", "/u", "/w", 0), -E2BIG);
}

/* ---- /proc/PID/stat ---------------------------------------------------- */

static void stat_fields_are_counted_after_the_last_paren(void **state)
{
	(void)state;
	struct proc_stat st;
	/* comm with spaces and parentheses, as a process may name itself */
	const char *text = "1234 (evil) S 1 2 3) R 1 1 1 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 "
			   "1000 10 18446744073709551615\n";
	assert_int_equal(proc_stat_parse(text, &st), 0);
	assert_int_equal(st.state, 'R');
	assert_true(st.starttime == 987654ULL);
	assert_true(proc_stat_is(&st, 987654ULL));
	assert_false(proc_stat_is(&st, 987655ULL));
	st.state = 'Z';
	assert_false(proc_stat_is(&st, 987654ULL)); /* a zombie is not running */
}

static void stat_garbage_is_refused(void **state)
{
	(void)state;
	struct proc_stat st;
	assert_int_equal(proc_stat_parse("", &st), -EINVAL);
	assert_int_equal(proc_stat_parse("1 (x S 1 2", &st), -EINVAL);
	assert_int_equal(proc_stat_parse("1 (x) S 1 2 3", &st), -EINVAL);
	assert_int_equal(proc_stat_parse("1 (x) S 1 1 1 0 -1 4 1 0 0 0 0 0 0 0 20 0 1 0 12a 5", &st), -EINVAL);
}

static void stat_of_this_process_is_readable(void **state)
{
	(void)state;
	struct proc_stat a, b;
	assert_int_equal(proc_stat_read(getpid(), &a), 0);
	assert_int_equal(proc_stat_read(getpid(), &b), 0);
	assert_true(a.starttime == b.starttime);
	assert_true(a.state == 'R' || a.state == 'S');
	unsigned long long t;
	assert_int_equal(parse_starttime("42", &t), 0);
	assert_true(t == 42ULL);
	assert_int_equal(parse_starttime("", &t), -EINVAL);
	assert_int_equal(parse_starttime("4x", &t), -EINVAL);
	assert_int_equal(parse_starttime("-4", &t), -EINVAL);
}

/* ---- exit codes -------------------------------------------------------- */

/* A real wait status: a child that exits with code, or raises sig. */
static int status_of_child(int code, int sig)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (sig) {
			signal(sig, SIG_DFL);
			raise(sig);
		}
		_exit(code);
	}
	int status;
	waitpid(pid, &status, 0);
	return status;
}

static void exit_codes_pass_through_and_signals_add_128(void **state)
{
	(void)state;
	assert_int_equal(exit_code_from_wait(status_of_child(0, 0)), 0);
	assert_int_equal(exit_code_from_wait(status_of_child(3, 0)), 3);
	assert_int_equal(exit_code_from_wait(status_of_child(255, 0)), 255);
	assert_int_equal(exit_code_from_wait(status_of_child(0, SIGKILL)), 137);
	assert_int_equal(exit_code_from_wait(status_of_child(0, SIGTERM)), 143);
	assert_int_equal(exit_code_for_exec_errno(ENOENT), 127);
	assert_int_equal(exit_code_for_exec_errno(ENOTDIR), 127);
	assert_int_equal(exit_code_for_exec_errno(EACCES), 126);
	assert_int_equal(exit_code_for_exec_errno(ENOEXEC), 126);
}

/* ---- limits ------------------------------------------------------------- */

static void cpus_become_a_quota(void **state)
{
	(void)state;
	long q;
	assert_int_equal(parse_cpus("0.5", 100000, 4, &q), 0);
	assert_int_equal(q, 50000);
	assert_int_equal(parse_cpus("0.1", 100000, 4, &q), 0);
	assert_int_equal(q, 10000); /* not 9999: no floating point */
	assert_int_equal(parse_cpus("1.5", 100000, 4, &q), 0);
	assert_int_equal(q, 150000);
	assert_int_equal(parse_cpus("2", 100000, 4, &q), 0);
	assert_int_equal(q, 200000);
	assert_int_equal(parse_cpus("0.01", 100000, 4, &q), 0);
	assert_int_equal(q, 1000);
	assert_int_equal(parse_cpus("0.00001", 100000, 4, &q), -ERANGE);
	assert_int_equal(parse_cpus("0", 100000, 4, &q), -ERANGE);
	assert_int_equal(parse_cpus("4.5", 100000, 4, &q), -ERANGE);
	assert_int_equal(parse_cpus("99999999", 100000, 4, &q), -ERANGE);
	assert_int_equal(parse_cpus("0.000001", 100000, 4, &q), -EINVAL);
	assert_int_equal(parse_cpus(".5", 100000, 4, &q), -EINVAL);
	assert_int_equal(parse_cpus("1.", 100000, 4, &q), -EINVAL);
	assert_int_equal(parse_cpus("-1", 100000, 4, &q), -EINVAL);
	assert_int_equal(parse_cpus("1e3", 100000, 4, &q), -EINVAL);
	assert_int_equal(parse_cpus("", 100000, 4, &q), -EINVAL);
}

/* Edges: leading zeros are decimal (as Docker reads them), the machine's
 * CPUs are the ceiling, and a number too long for any type is a refusal,
 * never a wrapped-around quota. */
static void cpus_edges(void **state)
{
	(void)state;
	long q;
	assert_int_equal(parse_cpus("00.5", 100000, 4, &q), 0);
	assert_int_equal(q, 50000);
	assert_int_equal(parse_cpus("004", 100000, 4, &q), 0);
	assert_int_equal(q, 400000);
	assert_int_equal(parse_cpus("0.12345", 100000, 4, &q), 0);
	assert_int_equal(q, 12345);
	assert_int_equal(parse_cpus("4.00001", 100000, 4, &q), -ERANGE);
	assert_int_equal(parse_cpus("3", 100000, 2, &q), -ERANGE);
	assert_int_equal(parse_cpus("0.009", 100000, 4, &q), -ERANGE);
	assert_int_equal(parse_cpus("0.0", 100000, 4, &q), -ERANGE);
	assert_int_equal(parse_cpus("99999999999999999999", 100000, 4, &q), -ERANGE);
	assert_int_equal(parse_cpus("1.99999999999999999999", 100000, 4, &q), -EINVAL);
	assert_int_equal(parse_cpus("1,5", 100000, 4, &q), -EINVAL);
	assert_int_equal(parse_cpus(" 1", 100000, 4, &q), -EINVAL);
}

static void memory_and_pids(void **state)
{
	(void)state;
	long long bytes;
	long pids;
	assert_int_equal(parse_memory("256M", &bytes), 0);
	assert_true(bytes == 256LL << 20);
	assert_int_equal(parse_memory("1g", &bytes), 0);
	assert_true(bytes == 1LL << 30);
	assert_int_equal(parse_memory("5M", &bytes), -ERANGE);
	assert_int_equal(parse_memory("lots", &bytes), -EINVAL);
	assert_int_equal(parse_memory("-1M", &bytes), -EINVAL);
	assert_int_equal(parse_pids("100", &pids), 0);
	assert_int_equal(pids, 100);
	assert_int_equal(parse_pids("0", &pids), -ERANGE);
	assert_int_equal(parse_pids("5000000", &pids), -ERANGE);
	assert_int_equal(parse_pids("1 ", &pids), -EINVAL);
}

/* Edges: leading zeros are decimal ("06M" is 6M, "010" is 10, never
 * octal), the bounds hold exactly, and a value beyond 64 bits is refused
 * as too large (-EOVERFLOW, -ERANGE), never wrapped into a small one. */
static void memory_and_pids_edges(void **state)
{
	(void)state;
	long long bytes;
	long pids;
	assert_int_equal(parse_memory("06M", &bytes), 0);
	assert_true(bytes == 6LL << 20);
	assert_int_equal(parse_memory("6291456", &bytes), 0);
	assert_int_equal(parse_memory("6291456B", &bytes), 0);
	assert_int_equal(parse_memory("6291455", &bytes), -ERANGE);
	assert_int_equal(parse_memory("100b", &bytes), -ERANGE);
	assert_int_equal(parse_memory("0", &bytes), -EINVAL);
	assert_int_equal(parse_memory("0M", &bytes), -EINVAL);
	assert_int_equal(parse_memory("6MBB", &bytes), -EINVAL);
	assert_int_equal(parse_memory("6T", &bytes), -EINVAL);
	assert_int_equal(parse_memory("1.5G", &bytes), -EINVAL);
	/* 2^63 - 2^20 bytes fits; 2^63 does not */
	assert_int_equal(parse_memory("8796093022207M", &bytes), 0);
	assert_true(bytes == INT64_MAX - ((1LL << 20) - 1));
	assert_int_equal(parse_memory("8796093022208M", &bytes), -EOVERFLOW);
	/* Bash's arithmetic wrapped this one into a small number */
	assert_int_equal(parse_memory("9999999999999M", &bytes), -EOVERFLOW);
	assert_int_equal(parse_memory("99999999999999999999", &bytes), -EOVERFLOW);
	assert_int_equal(parse_pids("010", &pids), 0);
	assert_int_equal(pids, 10);
	assert_int_equal(parse_pids("4194304", &pids), 0);
	assert_int_equal(pids, 4194304);
	assert_int_equal(parse_pids("4194305", &pids), -ERANGE);
	assert_int_equal(parse_pids("00", &pids), -ERANGE);
	assert_int_equal(parse_pids("99999999999999999999", &pids), -ERANGE);
	assert_int_equal(parse_pids("-1", &pids), -EINVAL);
	assert_int_equal(parse_pids("+1", &pids), -EINVAL);
	assert_int_equal(parse_pids("1.5", &pids), -EINVAL);
	assert_int_equal(parse_pids("", &pids), -EINVAL);
}

/* ---- block I/O ------------------------------------------------------------ */

static void device_values_parse(void **state)
{
	(void)state;
	char dev[64];
	unsigned long long v;
	unsigned w;
	assert_int_equal(parse_device_value("/dev/sda:1mb", 0, dev, sizeof(dev), &v), 0);
	assert_string_equal(dev, "/dev/sda");
	assert_true(v == 1048576);
	assert_int_equal(parse_device_value("/dev/vda:512k", 0, dev, sizeof(dev), &v), 0);
	assert_true(v == 524288);
	assert_int_equal(parse_device_value("/dev/vda:3G", 0, dev, sizeof(dev), &v), 0);
	assert_true(v == 3ULL << 30);
	assert_int_equal(parse_device_value("/dev/disk/by-path/pci-0:0:4.0:1m", 0, dev, sizeof(dev), &v), 0);
	assert_string_equal(dev, "/dev/disk/by-path/pci-0:0:4.0");
	assert_int_equal(parse_device_value("/dev/sda:1000", 1, dev, sizeof(dev), &v), 0);
	assert_true(v == 1000);
	/* a rate that is no rate */
	assert_int_equal(parse_device_value("/dev/sda:1x", 0, dev, sizeof(dev), &v), -ERANGE);
	assert_int_equal(parse_device_value("/dev/sda:0", 0, dev, sizeof(dev), &v), -ERANGE);
	assert_int_equal(parse_device_value("/dev/sda:", 0, dev, sizeof(dev), &v), -ERANGE);
	assert_int_equal(parse_device_value("/dev/sda:1k", 1, dev, sizeof(dev), &v), -ERANGE);
	assert_int_equal(parse_device_value("/dev/sda:0", 1, dev, sizeof(dev), &v), -ERANGE);
	assert_int_equal(parse_device_value("/dev/sda:-5", 1, dev, sizeof(dev), &v), -ERANGE);
	/* no device, or not a path */
	assert_int_equal(parse_device_value("1m", 0, dev, sizeof(dev), &v), -EINVAL);
	assert_int_equal(parse_device_value(":1m", 0, dev, sizeof(dev), &v), -EINVAL);
	assert_int_equal(parse_device_value("sda:1m", 0, dev, sizeof(dev), &v), -EINVAL);
	assert_int_equal(parse_device_value("/dev/a-long-name:1m", 0, dev, 8, &v), -ENAMETOOLONG);
	assert_int_equal(parse_io_weight("500", &w), 0);
	assert_int_equal(w, 500);
	assert_int_equal(parse_io_weight("10", &w), 0);
	assert_int_equal(parse_io_weight("1000", &w), 0);
	assert_int_equal(parse_io_weight("9", &w), -ERANGE);
	assert_int_equal(parse_io_weight("1001", &w), -ERANGE);
	assert_int_equal(parse_io_weight("5x", &w), -ERANGE);
	assert_int_equal(parse_io_weight("x", &w), -EINVAL);
}

static char sysfs[64];

static void sysfs_put(const char *rel, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", sysfs, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void sysfs_dir(const char *rel)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", sysfs, rel);
	assert_int_equal(system(cmd), 0);
}

static void sysfs_link(const char *target, const char *rel)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", sysfs, rel);
	assert_int_equal(symlink(target, path), 0);
}

/* A fake /sys: the disk sda (8:0) on bfq, its partition sda1 (8:1), and
 * the disk vda (254:0) on mq-deadline, laid out as the kernel does. */
static int make_sysfs(void **state)
{
	(void)state;
	if (scratch_make(sysfs, sizeof(sysfs), "dl-unit-sysfs"))
		return -1;
	sysfs_dir("devices/pci0/block/sda/sda1");
	sysfs_dir("devices/virtual/block/vda");
	sysfs_dir("dev/block");
	sysfs_dir("block/sda/queue");
	sysfs_dir("block/vda/queue");
	sysfs_put("devices/pci0/block/sda/dev", "8:0\n");
	sysfs_put("devices/pci0/block/sda/sda1/dev", "8:1\n");
	sysfs_put("devices/pci0/block/sda/sda1/partition", "1\n");
	sysfs_put("devices/virtual/block/vda/dev", "254:0\n");
	sysfs_link("../../devices/pci0/block/sda", "dev/block/8:0");
	sysfs_link("../../devices/pci0/block/sda/sda1", "dev/block/8:1");
	sysfs_link("../../devices/virtual/block/vda", "dev/block/254:0");
	sysfs_put("block/sda/queue/scheduler", "mq-deadline kyber [bfq] none\n");
	sysfs_put("block/vda/queue/scheduler", "none [mq-deadline] kyber bfq\n");
	return 0;
}

static int remove_sysfs(void **state)
{
	(void)state;
	return scratch_remove(sysfs);
}

static void a_partition_names_its_disk(void **state)
{
	(void)state;
	struct block_disk d;
	char active[32];
	assert_int_equal(block_disk_from_sysfs(sysfs, 8, 0, &d), 0);
	assert_false(d.partition);
	assert_string_equal(d.name, "sda");
	assert_int_equal(d.major, 8);
	assert_int_equal(d.minor, 0);
	assert_int_equal(block_disk_has_bfq(sysfs, &d, active, sizeof(active)), 1);
	assert_string_equal(active, "bfq");

	assert_int_equal(block_disk_from_sysfs(sysfs, 8, 1, &d), 0);
	assert_true(d.partition);
	assert_string_equal(d.name, "sda");
	assert_int_equal(d.minor, 0);

	assert_int_equal(block_disk_from_sysfs(sysfs, 254, 0, &d), 0);
	assert_string_equal(d.name, "vda");
	assert_int_equal(block_disk_has_bfq(sysfs, &d, active, sizeof(active)), 0);
	assert_string_equal(active, "mq-deadline");

	assert_int_equal(block_disk_from_sysfs(sysfs, 7, 9, &d), -ENOENT);
	/* a path that is no block device */
	assert_int_equal(block_disk_of(sysfs, "/dev/null", &d), -ENOTBLK);
	assert_int_equal(block_disk_of(sysfs, sysfs, &d), -ENOTBLK);
	assert_int_equal(block_disk_of(sysfs, "/dev/dl-unit-no-such-disk", &d), -ENOENT);
}

/* ---- environment --------------------------------------------------------- */

static void environment_is_clean_and_overridable(void **state)
{
	(void)state;
	struct env e;
	setenv("SECRET_OF_THE_HOST", "x", 1);
	env_init(&e, "h4", "xterm");
	assert_string_equal(env_get(&e, "PATH"), ENV_DEFAULT_PATH + 5);
	assert_string_equal(env_get(&e, "HOME"), "/root");
	assert_string_equal(env_get(&e, "HOSTNAME"), "h4");
	assert_string_equal(env_get(&e, "TERM"), "xterm");
	assert_null(env_get(&e, "SECRET_OF_THE_HOST"));
	assert_int_equal(env_set(&e, "HOME=/srv"), 0);
	assert_int_equal(env_set(&e, "A=1=2"), 0);
	assert_string_equal(env_get(&e, "HOME"), "/srv");
	assert_string_equal(env_get(&e, "A"), "1=2");
	assert_int_equal(env_set(&e, "=x"), -EINVAL);
	assert_int_equal(env_set(&e, "1A=x"), -EINVAL);
	assert_int_equal(env_set(&e, "A B=x"), -EINVAL);
	assert_int_equal(env_set(&e, "NOEQ"), -EINVAL);
	assert_null(e.vars[e.n]);

	env_init(&e, NULL, NULL);
	assert_null(env_get(&e, "HOSTNAME"));
	assert_null(env_get(&e, "TERM"));
	assert_int_equal(e.n, 2);
}

/* ---- state files ---------------------------------------------------------- */

static void merge_replaces_only_the_given_keys(void **state)
{
	(void)state;
	static const char *const drop[] = { "pid", "cgroup", NULL };
	char out[512];
	const char *old = "image=img\npid=1\ncgroup=/a\ncgroup=/b\npidx=keep\nip=10.0.0.2\n";
	assert_int_equal(keyfile_merge(old, drop, "pid=2\ncgroup=/c\n", out, sizeof(out)), 0);
	assert_string_equal(out, "image=img\npidx=keep\nip=10.0.0.2\npid=2\ncgroup=/c\n");
	/* no trailing newline in the old text */
	assert_int_equal(keyfile_merge("a=1", drop, "pid=3\n", out, sizeof(out)), 0);
	assert_string_equal(out, "a=1\npid=3\n");
	assert_int_equal(keyfile_merge("a=1\n", drop, "pid=3\n", out, 8), -E2BIG);
}

static void has_matches_whole_lines_only(void **state)
{
	(void)state;
	const char *text = "image=img\nstatus=stopping\nxstatus=running\n";
	assert_true(keyfile_has(text, "status", "stopping"));
	assert_false(keyfile_has(text, "status", "stop"));
	assert_false(keyfile_has(text, "status", "running"));
	assert_false(keyfile_has(text, "image", "im"));
	assert_true(keyfile_has("status=exited", "status", "exited"));
	assert_false(keyfile_has("", "status", "exited"));
}

/* A scratch directory per test (scratch.h: removed also when it fails). */
static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	return scratch_make(dir, sizeof(dir), "dl-h4-unit");
}

static int remove_dir(void **state)
{
	(void)state;
	return scratch_remove(dir);
}

static void update_never_recreates_a_removed_state(void **state)
{
	(void)state;
	static const char *const drop[] = { "exitcode", NULL };
	char path[sizeof(dir) + 8], text[256];
	snprintf(path, sizeof(path), "%s/state", dir);
	assert_int_equal(keyfile_update(path, drop, "exitcode=1\n", 0), -ENOENT);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(keyfile_update(path, drop, "exitcode=1\n", 1), 0);
	assert_int_equal(keyfile_update(path, drop, "exitcode=2\n", 0), 0);
	FILE *f = fopen(path, "r");
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	assert_string_equal(text, "exitcode=2\n");
	int lock = lock_take(path, 1);
	assert_true(lock >= 0);
	pid_t child = fork();
	if (child == 0)
		_exit(lock_take(path, 0) == -ETIMEDOUT ? 0 : 1); /* held by the parent */
	int status;
	waitpid(child, &status, 0);
	assert_int_equal(WEXITSTATUS(status), 0);
	close(lock);
	unlink(path);
	assert_int_equal(rmdir(dir), 0); /* no temp file left behind (rm -rf of it is a no-op then) */
}

/* ---- cgroups to join ------------------------------------------------------- */

static void cgjoin_finds_only_docker_lite_groups(void **state)
{
	(void)state;
	char paths[CGJOIN_MAX][PATH_MAX];
	const char *v1 = "12:name=systemd:/user.slice\n8:pids:/docker-lite/h4.ab\n4:memory:/docker-lite/h4.ab\n"
			 "2:cpu,cpuacct:/docker-lite/h4.ab\n1:blkio:/\n0::/\n";
	assert_int_equal(cgjoin_paths(v1, "/sys/fs/cgroup", 0, paths, CGJOIN_MAX), 3);
	assert_string_equal(paths[0], "/sys/fs/cgroup/pids/docker-lite/h4.ab/cgroup.procs");
	assert_string_equal(paths[2], "/sys/fs/cgroup/cpu,cpuacct/docker-lite/h4.ab/cgroup.procs");
	const char *v2 = "0::/docker-lite/h4.ab\n";
	assert_int_equal(cgjoin_paths(v2, "/sys/fs/cgroup", 1, paths, CGJOIN_MAX), 1);
	assert_string_equal(paths[0], "/sys/fs/cgroup/docker-lite/h4.ab/cgroup.procs");
	assert_int_equal(cgjoin_paths(v2, "/sys/fs/cgroup", 0, paths, CGJOIN_MAX), 0);
	assert_int_equal(cgjoin_paths("1:pids:/docker-lite/../../x\n", "/r", 0, paths, CGJOIN_MAX), 0);
	/* only a leaf right in the group is a container's (cg_leaf_path) */
	assert_int_equal(cgjoin_paths("1:pids:/docker-lite/h4.ab/sub\n", "/r", 0, paths, CGJOIN_MAX), 0);
	assert_int_equal(cgjoin_paths("1:pids:/docker-lite/\n", "/r", 0, paths, CGJOIN_MAX), 0);
	assert_int_equal(cgjoin_paths("garbage\n", "/r", 0, paths, CGJOIN_MAX), -EINVAL);
	assert_int_equal(cgjoin_paths("", "/r", 0, paths, CGJOIN_MAX), 0);
	/* rootless: the group below a cgroup delegated to the user, v2 only */
	const char *nested = "0::/user.slice/u@1.service/run-r1.scope/docker-lite/h4.ab\n";
	assert_int_equal(cgjoin_paths(nested, "/sys/fs/cgroup", CGJOIN_V2, paths, CGJOIN_MAX), 0);
	assert_int_equal(cgjoin_paths(nested, "/sys/fs/cgroup", CGJOIN_V2 | CGJOIN_NESTED, paths, CGJOIN_MAX), 1);
	assert_string_equal(paths[0], "/sys/fs/cgroup/user.slice/u@1.service/run-r1.scope/docker-lite/h4.ab/cgroup.procs");
	assert_int_equal(cgjoin_paths("0::/a/docker-lite/x/docker-lite/h4.ab/sub\n", "/r", CGJOIN_V2 | CGJOIN_NESTED,
				      paths, CGJOIN_MAX),
			 0);
	assert_int_equal(cgjoin_paths("1:pids:/a/docker-lite/h4.ab\n", "/r", CGJOIN_NESTED, paths, CGJOIN_MAX), 0);
}

/* ---- signals ---------------------------------------------------------------- */

static void terminal_signals_are_not_forwarded_twice(void **state)
{
	(void)state;
	assert_false(should_forward(SI_KERNEL)); /* Ctrl-C reached the whole group */
	assert_true(should_forward(SI_USER));	  /* kill(1), stop */
	assert_true(should_forward(SI_QUEUE));
	int seen_term = 0, seen_int = 0;
	for (int i = 0; i < forwarded_signals_count; i++) {
		seen_term |= forwarded_signals[i] == SIGTERM;
		seen_int |= forwarded_signals[i] == SIGINT;
		assert_true(forwarded_signals[i] != SIGKILL && forwarded_signals[i] != SIGCHLD);
	}
	assert_true(seen_term && seen_int);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(overlay_data_keeps_the_given_layer_order),
		cmocka_unit_test(overlay_data_refuses_what_the_kernel_would_misread),
		cmocka_unit_test(overlay_data_must_fit_in_a_page),
		cmocka_unit_test(stat_fields_are_counted_after_the_last_paren),
		cmocka_unit_test(stat_garbage_is_refused),
		cmocka_unit_test(stat_of_this_process_is_readable),
		cmocka_unit_test(exit_codes_pass_through_and_signals_add_128),
		cmocka_unit_test(cpus_become_a_quota),
		cmocka_unit_test(cpus_edges),
		cmocka_unit_test(memory_and_pids),
		cmocka_unit_test(memory_and_pids_edges),
		cmocka_unit_test(device_values_parse),
		cmocka_unit_test_setup_teardown(a_partition_names_its_disk, make_sysfs, remove_sysfs),
		cmocka_unit_test(environment_is_clean_and_overridable),
		cmocka_unit_test(merge_replaces_only_the_given_keys),
		cmocka_unit_test(has_matches_whole_lines_only),
		cmocka_unit_test_setup_teardown(update_never_recreates_a_removed_state, make_dir, remove_dir),
		cmocka_unit_test(cgjoin_finds_only_docker_lite_groups),
		cmocka_unit_test(terminal_signals_are_not_forwarded_twice),
	};
	return cmocka_run_group_tests_name("task3 pure helpers", tests, NULL, NULL);
}
