/* Unit tests for task3/src/freeze.c: pause and unpause on fake v1 and v2
 * trees.
 *
 * The project's machines are cgroup v1-hybrid; the users' are pure v2. A
 * scratch directory plays the container's cgroup leaf, and read_file and
 * write_file are wrapped to play the kernel's freezer: on v1 a write of
 * FROZEN to freezer.state reads back FREEZING for a few reads before
 * FROZEN; on v2 a write of 1 to cgroup.freeze shows in cgroup.events as
 * "frozen 1" only after a few reads. A task that never stops (one in an
 * uninterruptible sleep) keeps it FREEZING / "frozen 0" for ever. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "freeze.h"
#include "fsutil.h"
#include "scratch.h"

static char leaf[64];
static int reads_to_freeze; /* reads of the report until the freeze is done; -1: never */
static int writes;          /* writes to the freezer's knob */
static int thaws;           /* of which thaws (THAWED, 0) */
static int stuck_until_thawed; /* v1: FROZEN only after a thaw and a new FROZEN */
static char last_written[32];

int __real_write_file(const char *path, const char *text);
ssize_t __real_read_file(const char *path, char *buf, size_t size);

static int ends_with(const char *path, const char *name)
{
	size_t n = strlen(path), k = strlen(name);
	return n > k && path[n - k - 1] == '/' && strcmp(path + n - k, name) == 0;
}

static void put(const char *name, const char *text)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", leaf, name);
	assert_int_equal(write_new_file(path, text), 0);
}

/* The kernel's answer to a freezer write: FREEZING / "frozen 0" for now. */
int __wrap_write_file(const char *path, const char *text)
{
	if (ends_with(path, "freezer.state") || ends_with(path, "cgroup.freeze")) {
		writes++;
		thaws += strcmp(text, "THAWED") == 0 || strcmp(text, "0") == 0;
		snprintf(last_written, sizeof(last_written), "%s", text);
	}
	if (ends_with(path, "freezer.state") && strcmp(text, "FROZEN") == 0)
		return __real_write_file(path, "FREEZING\n");
	if (ends_with(path, "freezer.state"))
		return __real_write_file(path, strcmp(text, "THAWED") == 0 ? "THAWED\n" : "?\n");
	if (ends_with(path, "cgroup.freeze")) {
		put("cgroup.events", "populated 1\nfrozen 0\n");
		return __real_write_file(path, text);
	}
	return __real_write_file(path, text);
}

/* Reads of the report move a freeze on until every task has stopped. */
ssize_t __wrap_read_file(const char *path, char *buf, size_t size)
{
	char wanted[16];
	int v1 = ends_with(path, "freezer.state"), v2 = ends_with(path, "cgroup.events");
	if ((v1 || v2) && reads_to_freeze >= 0 && !(stuck_until_thawed && !thaws) && reads_to_freeze-- == 0) {
		if (v1 && __real_read_file(path, wanted, sizeof(wanted)) > 0 && strncmp(wanted, "FREEZING", 8) == 0)
			put("freezer.state", "FROZEN\n");
		if (v2 && strcmp(last_written, "1") == 0)
			put("cgroup.events", "populated 1\nfrozen 1\n");
	}
	return __real_read_file(path, buf, size);
}

static int make_leaf(void **state)
{
	(void)state;
	return scratch_make(leaf, sizeof(leaf), "dl-unit-freeze");
}

static int remove_leaf(void **state)
{
	(void)state;
	return scratch_remove(leaf);
}

/* A cgroup as cg_open makes it, its freezer directory the scratch leaf. */
static struct cgroup cgroup_of(enum cg_mode mode)
{
	struct cgroup cg;
	memset(&cg, 0, sizeof(cg));
	cg.mode = mode;
	snprintf(cg.leaf[mode == CG_MODE_V2 ? 0 : CG_FREEZER], PATH_MAX, "%s", leaf);
	return cg;
}

static void start(enum cg_mode mode, int reads)
{
	reads_to_freeze = reads;
	writes = thaws = stuck_until_thawed = 0;
	last_written[0] = '\0';
	/* the knobs of a new cgroup, thawed */
	if (mode == CG_MODE_V1) {
		put("freezer.state", "THAWED\n");
	} else {
		put("cgroup.freeze", "0");
		put("cgroup.events", "populated 1\nfrozen 0\n");
	}
}

static void slurp(const char *name, char *buf, size_t size)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", leaf, name);
	assert_true(__real_read_file(path, buf, size) >= 0);
}

static void reports_are_read_line_by_line(void **state)
{
	(void)state;
	assert_true(freeze_reached(CG_MODE_V1, "FROZEN\n", 1));
	assert_false(freeze_reached(CG_MODE_V1, "FREEZING\n", 1));
	assert_true(freeze_reached(CG_MODE_V1, "THAWED\n", 0));
	assert_false(freeze_reached(CG_MODE_V1, "FROZEN\n", 0));
	assert_true(freeze_reached(CG_MODE_V2, "populated 1\nfrozen 1\n", 1));
	assert_false(freeze_reached(CG_MODE_V2, "populated 1\nfrozen 0\n", 1));
	assert_true(freeze_reached(CG_MODE_V2, "populated 0\nfrozen 0", 0));
	/* whole lines: "frozen 10" is not "frozen 1" */
	assert_false(freeze_reached(CG_MODE_V2, "frozen 10\n", 1));
	assert_false(freeze_reached(CG_MODE_NONE, "FROZEN\n", 1));
}

/* v1: freeze returns only once freezer.state reads FROZEN. */
static void v1_freeze_waits_until_frozen_then_thaws(void **state)
{
	(void)state;
	struct cgroup cg = cgroup_of(CG_MODE_V1);
	char buf[64];
	start(CG_MODE_V1, 3);
	assert_int_equal(freeze_cgroup(&cg, 1, 2000), 0);
	slurp("freezer.state", buf, sizeof(buf));
	assert_string_equal(buf, "FROZEN\n");
	assert_int_equal(reads_to_freeze, -1); /* it read until the kernel was done */
	assert_int_equal(thaws, 0);
	assert_int_equal(freeze_cgroup(&cg, 0, 2000), 0);
	slurp("freezer.state", buf, sizeof(buf));
	assert_string_equal(buf, "THAWED\n");
}

/* v2: cgroup.freeze is written, cgroup.events is what says it is done. */
static void v2_freeze_writes_cgroup_freeze_and_waits_for_events(void **state)
{
	(void)state;
	struct cgroup cg = cgroup_of(CG_MODE_V2);
	char buf[64];
	start(CG_MODE_V2, 2);
	assert_int_equal(freeze_cgroup(&cg, 1, 2000), 0);
	slurp("cgroup.freeze", buf, sizeof(buf));
	assert_string_equal(buf, "1");
	slurp("cgroup.events", buf, sizeof(buf));
	assert_string_equal(buf, "populated 1\nfrozen 1\n");
	assert_int_equal(reads_to_freeze, -1);
	assert_int_equal(writes, 1); /* v2 freezes reliably: one write */
	assert_int_equal(freeze_cgroup(&cg, 0, 2000), 0);
	slurp("cgroup.freeze", buf, sizeof(buf));
	assert_string_equal(buf, "0");
}

/* A task that never stops: the freeze gives up and thaws, never leaving
 * the container half frozen. */
static void a_freeze_that_never_completes_is_undone(void **state)
{
	(void)state;
	struct cgroup v1 = cgroup_of(CG_MODE_V1), v2 = cgroup_of(CG_MODE_V2);
	char buf[64];
	start(CG_MODE_V1, -1);
	assert_int_equal(freeze_cgroup(&v1, 1, 50), -ETIMEDOUT);
	slurp("freezer.state", buf, sizeof(buf));
	assert_string_equal(buf, "THAWED\n");
	assert_string_equal(last_written, "THAWED");
	start(CG_MODE_V2, -1);
	assert_int_equal(freeze_cgroup(&v2, 1, 50), -ETIMEDOUT);
	slurp("cgroup.freeze", buf, sizeof(buf));
	assert_string_equal(buf, "0");
}

/* v1 stays FREEZING while processes keep appearing: FROZEN is written
 * again, and after a while a thaw lets the next FROZEN take. */
static void v1_a_stuck_freeze_is_retried_through_a_thaw(void **state)
{
	(void)state;
	struct cgroup cg = cgroup_of(CG_MODE_V1);
	char buf[64];
	start(CG_MODE_V1, 0);
	stuck_until_thawed = 1;
	assert_int_equal(freeze_cgroup(&cg, 1, 3000), 0);
	slurp("freezer.state", buf, sizeof(buf));
	assert_string_equal(buf, "FROZEN\n");
	assert_true(thaws >= 1);
	assert_string_equal(last_written, "FROZEN");
}

/* A pause whose caller was killed may still be freezing: a thaw (stop's)
 * waits for it to end, and only then thaws, so the container is never
 * frozen again behind stop's back. */
static void a_thaw_waits_for_a_freeze_under_way(void **state)
{
	(void)state;
	struct cgroup cg = cgroup_of(CG_MODE_V1);
	char buf[64];
	start(CG_MODE_V1, 0);
	put("freezer.state", "FROZEN\n");
	int fd = open(leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0); /* the freeze under way */
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(fd); /* the lock is the parent's, not this copy's */
		_exit(freeze_cgroup(&cg, 0, 2000) == 0 ? 0 : 1);
	}
	/* not a readiness wait: the child must still be blocked after it */
	nanosleep(&(struct timespec){ .tv_nsec = 200 * 1000 * 1000 }, NULL);
	/* looked at now, asserted once the lock is gone (a failing assertion
	 * must not leave the child blocked) */
	int status, ended_while_locked = waitpid(child, &status, WNOHANG) == child;
	slurp("freezer.state", buf, sizeof(buf));
	int thawed_while_locked = strcmp(buf, "THAWED\n") == 0;
	assert_int_equal(flock(fd, LOCK_UN), 0);
	close(fd);
	if (!ended_while_locked)
		assert_int_equal(waitpid(child, &status, 0), child);
	assert_false(ended_while_locked);
	assert_false(thawed_while_locked);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	slurp("freezer.state", buf, sizeof(buf));
	assert_string_equal(buf, "THAWED\n");
}

/* No freezer directory (v1 without the hierarchy) or no cgroup at all. */
static void no_freezer_is_unsupported_and_a_missing_leaf_is_enoent(void **state)
{
	(void)state;
	struct cgroup none = cgroup_of(CG_MODE_V1);
	none.leaf[CG_FREEZER][0] = '\0';
	assert_int_equal(freeze_cgroup(&none, 1, 50), -EOPNOTSUPP);
	struct cgroup gone = cgroup_of(CG_MODE_V2);
	snprintf(gone.leaf[0], PATH_MAX, "%s/no-such-leaf", leaf);
	start(CG_MODE_V2, 0);
	assert_int_equal(freeze_cgroup(&gone, 1, 50), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reports_are_read_line_by_line),
		cmocka_unit_test(v1_freeze_waits_until_frozen_then_thaws),
		cmocka_unit_test(v2_freeze_writes_cgroup_freeze_and_waits_for_events),
		cmocka_unit_test(a_freeze_that_never_completes_is_undone),
		cmocka_unit_test(v1_a_stuck_freeze_is_retried_through_a_thaw),
		cmocka_unit_test(a_thaw_waits_for_a_freeze_under_way),
		cmocka_unit_test(no_freezer_is_unsupported_and_a_missing_leaf_is_enoent),
	};
	return cmocka_run_group_tests_name("task3/freeze", tests, make_leaf, remove_leaf);
}
