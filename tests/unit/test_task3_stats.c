/* Unit tests for task3/src/stats.c: what `stats` reads, from fake v1 and
 * v2 cgroup leaves made in a scratch directory with the kernel's file
 * names and formats (the project's machines are v1-hybrid: the v2 names
 * are checked here). */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "stats.h"
#include "scratch.h"

static char dir[64];

static void put(const char *leaf, const char *knob, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, leaf);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, leaf, knob);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void leaf_path(char *buf, const char *leaf)
{
	snprintf(buf, PATH_MAX, "%s/%s", dir, leaf);
}

static int make_dir(void **state)
{
	(void)state;
	return scratch_make(dir, sizeof(dir), "dl-unit-stats");
}

static int remove_dir(void **state)
{
	(void)state;
	return scratch_remove(dir);
}

static void keyed_and_limits(void **state)
{
	(void)state;
	const char *cpu = "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n";
	assert_true(stats_keyed(cpu, "usage_usec") == 1500);
	assert_true(stats_keyed(cpu, "system_usec") == 500);
	assert_true(stats_keyed(cpu, "usage") == -1); /* whole keys only */
	assert_true(stats_keyed("", "usage_usec") == -1);
	assert_true(stats_limit("max\n") == -1);
	assert_true(stats_limit("268435456\n") == 268435456);
	assert_true(stats_limit("9223372036854771712\n") == -1); /* v1's unlimited */
	assert_true(stats_limit("12 x") == -1);
}

static void io_lines_of_both_versions(void **state)
{
	(void)state;
	long long r, w;
	stats_io(CG_MODE_V2, "254:0 rbytes=4096 wbytes=1048576 rios=1 wios=16 dbytes=0 dios=0\n"
			     "8:0 rbytes=100 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n", &r, &w);
	assert_true(r == 4196);
	assert_true(w == 1048576);
	stats_io(CG_MODE_V1, "254:0 Read 4096\n254:0 Write 2048\n254:0 Sync 6144\n254:0 Async 0\n"
			     "254:0 Discard 0\n254:0 Total 6144\nTotal 6144\n", &r, &w);
	assert_true(r == 4096);
	assert_true(w == 2048);
	stats_io(CG_MODE_V1, "Total 0\n", &r, &w);
	assert_true(r == 0 && w == 0);
}

/* v2: one leaf; memory without the inactive page cache; "max" is none. */
static void v2_leaf(void **state)
{
	(void)state;
	struct cgroup cg = { .mode = CG_MODE_V2 };
	struct cg_usage u;
	put("c2", "cpu.stat", "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n");
	put("c2", "memory.current", "60000000\n");
	put("c2", "memory.stat", "anon 50000000\nfile 10000000\nactive_file 2000000\ninactive_file 8000000\n");
	put("c2", "memory.max", "max\n");
	put("c2", "pids.current", "4\n");
	put("c2", "pids.max", "20\n");
	put("c2", "io.stat", "254:0 rbytes=512 wbytes=3145728 rios=1 wios=48 dbytes=0 dios=0\n");
	leaf_path(cg.leaf[0], "c2");
	assert_int_equal(stats_read(&cg, &u), 0);
	assert_true(u.cpu_ns == 2500000000LL);
	assert_true(u.mem_bytes == 52000000);
	assert_true(u.mem_limit == -1);
	assert_true(u.pids == 4);
	assert_true(u.pids_limit == 20);
	assert_true(u.io_read == 512);
	assert_true(u.io_write == 3145728);
}

/* v2 where the root enables no controller: cpu.stat alone (it is in every
 * cgroup); the rest is not accounted. */
static void v2_leaf_without_controllers(void **state)
{
	(void)state;
	struct cgroup cg = { .mode = CG_MODE_V2 };
	struct cg_usage u;
	put("c3", "cpu.stat", "usage_usec 7\n");
	leaf_path(cg.leaf[0], "c3");
	assert_int_equal(stats_read(&cg, &u), 0);
	assert_true(u.cpu_ns == 7000);
	assert_true(u.mem_bytes == -1 && u.mem_limit == -1 && u.pids == -1 && u.io_read == -1 && u.io_write == -1);
}

/* v1: a leaf a hierarchy, each with its own names. */
static void v1_leaves(void **state)
{
	(void)state;
	struct cgroup cg = { .mode = CG_MODE_V1 };
	struct cg_usage u;
	put("cpuacct", "cpuacct.usage", "123456789\n");
	put("memory", "memory.usage_in_bytes", "70000000\n");
	put("memory", "memory.stat", "cache 20000000\nrss 50000000\ninactive_file 1\ntotal_inactive_file 15000000\n");
	put("memory", "memory.limit_in_bytes", "9223372036854771712\n");
	put("pids", "pids.current", "3\n");
	put("pids", "pids.max", "max\n");
	put("blkio", "blkio.throttle.io_service_bytes", "254:0 Read 1024\n254:0 Write 4096\n254:0 Total 5120\nTotal 5120\n");
	leaf_path(cg.leaf[CG_CPUACCT], "cpuacct");
	leaf_path(cg.leaf[CG_MEMORY], "memory");
	leaf_path(cg.leaf[CG_PIDS], "pids");
	leaf_path(cg.leaf[CG_IO], "blkio");
	assert_int_equal(stats_read(&cg, &u), 0);
	assert_true(u.cpu_ns == 123456789);
	assert_true(u.mem_bytes == 55000000);
	assert_true(u.mem_limit == -1);
	assert_true(u.pids == 3);
	assert_true(u.pids_limit == -1);
	assert_true(u.io_read == 1024);
	assert_true(u.io_write == 4096);
}

/* A container whose leaves are gone (it ended meanwhile): nothing. */
static void gone_leaves_are_not_accounted(void **state)
{
	(void)state;
	struct cgroup cg = { .mode = CG_MODE_V1 };
	struct cg_usage u;
	leaf_path(cg.leaf[CG_MEMORY], "no-such-leaf");
	assert_int_equal(stats_read(&cg, &u), -ENOENT);
	assert_true(u.cpu_ns == -1 && u.mem_bytes == -1);
	struct cgroup none = { .mode = CG_MODE_NONE };
	assert_int_equal(stats_read(&none, &u), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keyed_and_limits),
		cmocka_unit_test(io_lines_of_both_versions),
		cmocka_unit_test_setup_teardown(v2_leaf, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(v2_leaf_without_controllers, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(v1_leaves, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(gone_leaves_are_not_accounted, make_dir, remove_dir),
	};
	return cmocka_run_group_tests_name("task3/stats", tests, NULL, NULL);
}
