#define _GNU_SOURCE
#include "freeze.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What is written where, and the line the kernel shows once it is done:
 * [0] thawed, [1] frozen.  retry: v1 cannot reliably freeze a cgroup while
 * new processes keep appearing in it (a shell loop forking): it stays
 * FREEZING until FROZEN is written again, and at times only after a thaw
 * (the kernel's old freezer-subsystem.txt said to retry; runc does both).
 * v2's freezer has no such bug. */
struct freezer {
	const char *knob;
	const char *value[2];
	const char *report;
	const char *reached[2];
	int retry;
};

static const struct freezer freezers[] = {
	[CG_MODE_V1] = { "freezer.state", { "THAWED", "FROZEN" }, "freezer.state", { "THAWED", "FROZEN" }, 1 },
	[CG_MODE_V2] = { "cgroup.freeze", { "0", "1" }, "cgroup.events", { "frozen 0", "frozen 1" }, 0 },
};

/* v1 retries: a few ms apart, with a thaw every RETHAW_EVERY tries */
#define RETRY_PAUSE_MAX_NS (4 * 1000 * 1000)
#define RETHAW_EVERY 25

static const struct freezer *freezer_of(enum cg_mode mode)
{
	return mode == CG_MODE_V1 || mode == CG_MODE_V2 ? &freezers[mode] : NULL;
}

int freeze_reached(enum cg_mode mode, const char *report, int frozen)
{
	const struct freezer *f = freezer_of(mode);
	if (!f)
		return 0;
	const char *want = f->reached[!!frozen];
	size_t n = strlen(want);
	for (const char *line = report; *line; line += strcspn(line, "\n"), line += *line == '\n')
		if (strncmp(line, want, n) == 0 && (line[n] == '\n' || line[n] == '\0'))
			return 1;
	return 0;
}

/* One write freezes (or thaws) every task of the cgroup, and every task
 * that joins it later (exec) is born frozen. */
static int write_state(const char *dir, const struct freezer *f, int frozen)
{
	char path[PATH_MAX];
	int rc = path_join(path, sizeof(path), dir, f->knob);
	return rc ? rc : write_file(path, f->value[frozen]);
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* A freeze still under way on v1: write FROZEN again, now and then after
 * a thaw (see retry above). */
static int retry_freeze(const char *dir, const struct freezer *f, int tries)
{
	int rc = tries % RETHAW_EVERY == 0 ? write_state(dir, f, 0) : 0;
	return rc ? rc : write_state(dir, f, 1);
}

/* Poll the report file until it shows the state: freezing takes as long
 * as the slowest task needs to reach a point where it can stop. */
static int wait_reached(const char *dir, enum cg_mode mode, int frozen, long timeout_ms)
{
	const struct freezer *f = freezer_of(mode);
	char path[PATH_MAX], text[256];
	struct timespec start, pause = { 0, 1000 * 1000 };
	long pause_max = frozen && f->retry ? RETRY_PAUSE_MAX_NS : 16 * 1000 * 1000;
	int rc = path_join(path, sizeof(path), dir, f->report);
	if (rc)
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (int tries = 1;; tries++) {
		ssize_t n = read_file(path, text, sizeof(text));
		if (n < 0)
			return (int)n;
		if (freeze_reached(mode, text, frozen))
			return 0;
		if (elapsed_ms(&start) >= timeout_ms)
			return -ETIMEDOUT;
		nanosleep(&pause, NULL);
		if (pause.tv_nsec < pause_max)
			pause.tv_nsec *= 2;
		if (frozen && f->retry && (rc = retry_freeze(dir, f, tries)))
			return rc;
	}
}

/* Write the state, and wait until the kernel reports it. */
static int change_state(const char *dir, const struct freezer *f, enum cg_mode mode, int frozen,
			long timeout_ms)
{
	int rc = 0;
	/* BEGIN SOLUTION: write_state(), then wait_reached() the state; a freeze that does not complete is thawed again (write_state 0) */
	if ((rc = write_state(dir, f, frozen)))
		return rc;
	rc = wait_reached(dir, mode, frozen, timeout_ms);
	if (rc && frozen)
		write_state(dir, f, 0); /* never leave it half frozen */
	/* END SOLUTION */
	return rc;
}

int freeze_cgroup(const struct cgroup *cg, int frozen, long timeout_ms)
{
	const char *dir = cg_freezer_dir(cg);
	const struct freezer *f = freezer_of(cg->mode);
	if (!dir || !f)
		return -EOPNOTSUPP;
	/* one freeze or thaw of a cgroup at a time: a flock of its directory,
	 * held until the kernel reports the state.  Without it a pause whose
	 * caller was killed could still be writing FROZEN (v1 retries) after
	 * stop thawed the container, which would then never take stop's
	 * signals. */
	int lock = lock_dir(dir);
	if (lock < 0)
		return lock;
	int rc = change_state(dir, f, cg->mode, !!frozen, timeout_ms);
	close(lock);
	return rc;
}
