#include "stats.h"
#include "fsutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATS_FILE_MAX 8192
/* v1 writes "no limit" as the largest multiple of the page size */
#define V1_UNLIMITED (1LL << 62)

long long stats_keyed(const char *text, const char *key)
{
	size_t n = strlen(key);
	for (const char *line = text; *line; line += strcspn(line, "\n"), line += *line == '\n')
		if (strncmp(line, key, n) == 0 && line[n] == ' ' && isdigit((unsigned char)line[n + 1]))
			return strtoll(line + n + 1, NULL, 10);
	return -1;
}

long long stats_limit(const char *text)
{
	char *end;
	if (!isdigit((unsigned char)text[0]))
		return -1;
	long long v = strtoll(text, &end, 10);
	return (*end && *end != '\n') || v >= V1_UNLIMITED ? -1 : v;
}

/* v2: every "key=N" word of a line, for rbytes and wbytes */
static void io_v2_line(const char *line, size_t len, long long *r, long long *w)
{
	for (const char *p = line; p < line + len; p += strcspn(p, " \n"), p += *p == ' ') {
		if (strncmp(p, "rbytes=", 7) == 0)
			*r += strtoll(p + 7, NULL, 10);
		else if (strncmp(p, "wbytes=", 7) == 0)
			*w += strtoll(p + 7, NULL, 10);
	}
}

/* v1: "MAJ:MIN Read N", "MAJ:MIN Write N" (and Sync, Async, Total: not added) */
static void io_v1_line(const char *line, long long *r, long long *w)
{
	const char *op = strchr(line, ' ');
	if (!op || !strchr(line, ':') || strchr(line, ':') > op)
		return; /* the "Total N" line */
	op++;
	if (strncmp(op, "Read ", 5) == 0)
		*r += strtoll(op + 5, NULL, 10);
	else if (strncmp(op, "Write ", 6) == 0)
		*w += strtoll(op + 6, NULL, 10);
}

void stats_io(enum cg_mode mode, const char *text, long long *read, long long *written)
{
	*read = *written = 0;
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		if (mode == CG_MODE_V2)
			io_v2_line(line, len, read, written);
		else
			io_v1_line(line, read, written);
		line += len + (line[len] == '\n');
	}
}

/* The text of <dir>/<knob> into buf; 0 or -errno (no leaf: -ENOENT). */
static int slurp(const char *dir, const char *knob, char *buf, size_t size)
{
	char path[PATH_MAX];
	if (!dir[0])
		return -ENOENT;
	int rc = path_join(path, sizeof(path), dir, knob);
	if (rc)
		return rc;
	ssize_t n = read_file(path, buf, size);
	return n < 0 ? (int)n : 0;
}

static long long number(const char *dir, const char *knob, int *found)
{
	static char text[STATS_FILE_MAX];
	if (slurp(dir, knob, text, sizeof(text)))
		return -1;
	*found = 1;
	return stats_limit(text);
}

/* The memory in use without the inactive page cache, as Docker shows it. */
static long long memory_used(const char *dir, const char *usage, const char *inactive, int *found)
{
	static char text[STATS_FILE_MAX];
	long long used = number(dir, usage, found);
	if (used < 0 || slurp(dir, "memory.stat", text, sizeof(text)))
		return used;
	long long cache = stats_keyed(text, inactive);
	return cache > 0 && cache < used ? used - cache : used;
}

static void read_v2(const char *leaf, struct cg_usage *u, int *found)
{
	static char text[STATS_FILE_MAX];
	if (!slurp(leaf, "cpu.stat", text, sizeof(text)) && stats_keyed(text, "usage_usec") >= 0) {
		u->cpu_ns = stats_keyed(text, "usage_usec") * 1000;
		*found = 1;
	}
	u->mem_bytes = memory_used(leaf, "memory.current", "inactive_file", found);
	u->mem_limit = number(leaf, "memory.max", found);
	u->pids = number(leaf, "pids.current", found);
	u->pids_limit = number(leaf, "pids.max", found);
	if (!slurp(leaf, "io.stat", text, sizeof(text)))
		stats_io(CG_MODE_V2, text, &u->io_read, &u->io_write);
}

static void read_v1(const struct cgroup *cg, struct cg_usage *u, int *found)
{
	static char text[STATS_FILE_MAX];
	u->cpu_ns = number(cg->leaf[CG_CPUACCT], "cpuacct.usage", found);
	u->mem_bytes = memory_used(cg->leaf[CG_MEMORY], "memory.usage_in_bytes", "total_inactive_file", found);
	u->mem_limit = number(cg->leaf[CG_MEMORY], "memory.limit_in_bytes", found);
	u->pids = number(cg->leaf[CG_PIDS], "pids.current", found);
	u->pids_limit = number(cg->leaf[CG_PIDS], "pids.max", found);
	if (!slurp(cg->leaf[CG_IO], "blkio.throttle.io_service_bytes", text, sizeof(text))) {
		stats_io(CG_MODE_V1, text, &u->io_read, &u->io_write);
		*found = 1;
	}
}

int stats_read(const struct cgroup *cg, struct cg_usage *u)
{
	int found = 0;
	*u = (struct cg_usage){ -1, -1, -1, -1, -1, -1, -1 };
	if (cg->mode == CG_MODE_V2)
		read_v2(cg->leaf[0], u, &found);
	else if (cg->mode == CG_MODE_V1)
		read_v1(cg, u, &found);
	return found ? 0 : -ENOENT;
}
