#define _GNU_SOURCE
#include "cgroup.h"
#include "fsutil.h"
#include "sys.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const v2_names[CG_NCONTROLLERS] = { "cpu", "memory", "pids" };
/* v1 hierarchies may be co-mounted ("cpu,cpuacct"): try each spelling */
static const char *const v1_dirs[CG_NCONTROLLERS][3] = {
	{ "cpu", "cpu,cpuacct", NULL },
	{ "memory", NULL, NULL },
	{ "pids", NULL, NULL },
};

const char *cg_mode_name(enum cg_mode mode)
{
	switch (mode) {
	case CG_MODE_V1: return "v1";
	case CG_MODE_V2: return "v2";
	default: return "none";
	}
}

enum cg_mode cg_mode_from_fstype(long f_type)
{
	if (f_type == CG_V2_MAGIC)
		return CG_MODE_V2;
	if (f_type == CG_TMPFS_MAGIC)
		return CG_MODE_V1;
	return CG_MODE_NONE;
}

int cg_detect(const char *root, enum cg_mode *mode)
{
	struct statfs st;
	if (sys_statfs(root, &st) < 0)
		return -errno;
	*mode = cg_mode_from_fstype((long)st.f_type);
	return *mode == CG_MODE_NONE ? -ENOENT : 0;
}

int cg_quota_from_percent(long percent, long max_percent, long period_us, long *quota_us)
{
	if (percent < 1 || percent > max_percent || period_us < 1000 || period_us > 1000000)
		return -ERANGE;
	long quota = period_us * percent / 100;
	if (quota < 1000)
		return -ERANGE;
	*quota_us = quota;
	return 0;
}

int cg_format_cpu_max(char *buf, size_t size, long quota_us, long period_us)
{
	int n = quota_us > 0 ? snprintf(buf, size, "%ld %ld", quota_us, period_us)
			     : snprintf(buf, size, "max %ld", period_us);
	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

int cg_parse_size(const char *text, long long *bytes)
{
	char *end;
	if (!isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	unsigned long long value = strtoull(text, &end, 10);
	if (errno)
		return -EINVAL;
	unsigned shift = 0;
	switch (toupper((unsigned char)*end)) {
	case '\0': break;
	case 'K': shift = 10; break;
	case 'M': shift = 20; break;
	case 'G': shift = 30; break;
	default: return -EINVAL;
	}
	if (*end && end[1] != '\0' && !(toupper((unsigned char)end[1]) == 'B' && end[2] == '\0'))
		return -EINVAL;
	if (value == 0 || value > (uint64_t)INT64_MAX >> shift)
		return -EINVAL;
	*bytes = (long long)(value << shift);
	return 0;
}

static int wants(const struct cg_limits *l, enum cg_controller c)
{
	switch (c) {
	case CG_CPU: return l->cpu_quota_us > 0;
	case CG_MEMORY: return l->memory_bytes > 0;
	case CG_PIDS: return l->pids_max > 0;
	default: return 0;
	}
}

static int write_knob(const char *dir, const char *knob, const char *value)
{
	char path[PATH_MAX];
	int rc = path_join(path, sizeof(path), dir, knob);
	return rc ? rc : write_file(path, value);
}

static int write_knob_num(const char *dir, const char *knob, long long value)
{
	char text[32];
	snprintf(text, sizeof(text), "%lld", value);
	return write_knob(dir, knob, text);
}

static long period_of(const struct cg_limits *l)
{
	return l->cpu_period_us > 0 ? l->cpu_period_us : CG_DEFAULT_PERIOD_US;
}

/* ---- v2: one tree; controllers must be enabled top-down ---------------- */

/* A cgroup v2 controller is usable in a child only once the parent lists it
 * in cgroup.subtree_control; the root may do that freely, and <group> holds
 * no processes itself, so the no-internal-process rule is respected. */
static int v2_enable(const char *dir, const struct cg_limits *l)
{
	char avail[512], path[PATH_MAX];
	int rc = path_join(path, sizeof(path), dir, "cgroup.controllers");
	if (rc)
		return rc;
	ssize_t n = read_file(path, avail, sizeof(avail));
	if (n < 0)
		return (int)n;
	for (int c = 0; c < CG_NCONTROLLERS; c++) {
		if (!wants(l, c))
			continue;
		/* match whole words only: "cpu" must not match "cpuset" */
		char padded[520], word[16];
		snprintf(padded, sizeof(padded), " %s ", avail);
		for (char *s = padded; *s; s++)
			if (*s == '\n')
				*s = ' ';
		snprintf(word, sizeof(word), " %s ", v2_names[c]);
		if (!strstr(padded, word))
			return -EOPNOTSUPP;
		snprintf(word, sizeof(word), "+%s", v2_names[c]);
		if ((rc = write_knob(dir, "cgroup.subtree_control", word)) < 0)
			return rc;
	}
	return 0;
}

static int v2_apply(const char *leaf, const struct cg_limits *l)
{
	int rc = 0;
	if (wants(l, CG_CPU)) {
		char text[64];
		if ((rc = cg_format_cpu_max(text, sizeof(text), l->cpu_quota_us, period_of(l))) ||
		    (rc = write_knob(leaf, "cpu.max", text)))
			return rc;
	}
	if (wants(l, CG_MEMORY) && (rc = write_knob_num(leaf, "memory.max", l->memory_bytes)))
		return rc;
	if (wants(l, CG_PIDS) && (rc = write_knob_num(leaf, "pids.max", l->pids_max)))
		return rc;
	return 0;
}

static int v2_create(struct cgroup *cg, const char *root, const char *group, const char *name,
		     const struct cg_limits *l)
{
	int rc;
	if ((rc = path_join(cg->group, sizeof(cg->group), root, group)) ||
	    (rc = path_join(cg->leaf[0], sizeof(cg->leaf[0]), cg->group, name)))
		return rc;
	if ((rc = v2_enable(root, l)))
		return rc;
	if (sys_mkdir(cg->group, 0755) < 0 && errno != EEXIST)
		return -errno;
	if ((rc = v2_enable(cg->group, l)))
		return rc;
	if (sys_mkdir(cg->leaf[0], 0755) < 0)
		return -errno;
	return v2_apply(cg->leaf[0], l);
}

/* ---- v1: one hierarchy per controller ---------------------------------- */

static int v1_hierarchy(const char *root, enum cg_controller c, char *buf, size_t size)
{
	for (int i = 0; v1_dirs[c][i]; i++) {
		struct statfs st;
		int rc = path_join(buf, size, root, v1_dirs[c][i]);
		if (rc)
			return rc;
		if (sys_statfs(buf, &st) == 0 && (long)st.f_type == CG_V1_MAGIC)
			return 0;
	}
	return -EOPNOTSUPP;
}

static int v1_apply(enum cg_controller c, const char *leaf, const struct cg_limits *l)
{
	int rc;
	switch (c) {
	case CG_CPU: /* period first: a quota is validated against the period */
		if ((rc = write_knob_num(leaf, "cpu.cfs_period_us", period_of(l))))
			return rc;
		return write_knob_num(leaf, "cpu.cfs_quota_us", l->cpu_quota_us);
	case CG_MEMORY: return write_knob_num(leaf, "memory.limit_in_bytes", l->memory_bytes);
	case CG_PIDS: return write_knob_num(leaf, "pids.max", l->pids_max);
	default: return -EINVAL;
	}
}

static int v1_create(struct cgroup *cg, const char *root, const char *group, const char *name,
		     const struct cg_limits *l)
{
	for (int c = 0; c < CG_NCONTROLLERS; c++) {
		char hier[PATH_MAX];
		int rc;
		if (!wants(l, c))
			continue;
		if ((rc = v1_hierarchy(root, c, hier, sizeof(hier))) ||
		    (rc = path_join(cg->v1_group[c], sizeof(cg->v1_group[c]), hier, group)) ||
		    (rc = path_join(cg->leaf[c], sizeof(cg->leaf[c]), cg->v1_group[c], name)))
			return rc;
		if (sys_mkdir(cg->v1_group[c], 0755) < 0 && errno != EEXIST)
			return -errno;
		if (sys_mkdir(cg->leaf[c], 0755) < 0) {
			int err = -errno;
			cg->leaf[c][0] = '\0'; /* not ours: never remove it */
			return err;
		}
		if ((rc = v1_apply(c, cg->leaf[c], l)))
			return rc;
	}
	return 0;
}

int cg_create(struct cgroup *cg, const char *root, const char *group, const char *name,
	      const struct cg_limits *limits)
{
	memset(cg, 0, sizeof(*cg));
	if (!name[0] || strchr(name, '/') || !group[0] || strstr(group, ".."))
		return -EINVAL;
	int rc = cg_detect(root, &cg->mode);
	if (rc)
		return rc;
	rc = cg->mode == CG_MODE_V2 ? v2_create(cg, root, group, name, limits)
				    : v1_create(cg, root, group, name, limits);
	if (rc) {
		/* v2: a leaf we failed to mkdir is not ours (EEXIST) */
		if (rc == -EEXIST)
			cg->leaf[0][0] = '\0';
		cg_destroy(cg);
	}
	return rc;
}

int cg_attach(const struct cgroup *cg, pid_t pid)
{
	for (int c = 0; c < CG_NCONTROLLERS; c++) {
		if (!cg->leaf[c][0])
			continue;
		int rc = write_knob_num(cg->leaf[c], "cgroup.procs", pid);
		if (rc)
			return rc;
		if (cg->mode == CG_MODE_V2)
			break;
	}
	return 0;
}

static int remove_dir(char *path, int ignore_busy)
{
	if (!path[0])
		return 0;
	int rc = 0;
	if (sys_rmdir(path) < 0 && errno != ENOENT)
		rc = ignore_busy && (errno == EBUSY || errno == ENOTEMPTY) ? 0 : -errno;
	if (!rc)
		path[0] = '\0';
	return rc;
}

int cg_destroy(struct cgroup *cg)
{
	int first = 0;
	for (int c = 0; c < CG_NCONTROLLERS; c++) {
		int rc = remove_dir(cg->leaf[c], 0);
		if (rc && !first)
			first = rc;
		remove_dir(cg->v1_group[c], 1); /* shared by other containers */
	}
	remove_dir(cg->group, 1);
	return first;
}
