#define _GNU_SOURCE
#include "cgroup.h"
#include "fsutil.h"
#include "sys.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* v2: the controllers enabled for a limit; the freezer is none (NULL) */
static const char *const v2_names[CG_NCONTROLLERS] = { "cpu", "memory", "pids", NULL, "io", NULL };
/* v1 hierarchies may be co-mounted ("cpu,cpuacct"): try each spelling */
static const char *const v1_dirs[CG_NCONTROLLERS][3] = {
	{ "cpu", "cpu,cpuacct", NULL },
	{ "memory", NULL, NULL },
	{ "pids", NULL, NULL },
	{ "freezer", NULL, NULL },
	{ "blkio", NULL, NULL },
	{ "cpuacct", "cpu,cpuacct", NULL },
};

const char *cg_mode_name(enum cg_mode mode)
{
	switch (mode) {
	case CG_MODE_V1: return "v1";
	case CG_MODE_V2: return "v2";
	default: return "none";
	}
}

const char *cg_root(void)
{
	const char *root = getenv(CG_ROOT_ENV);
	return root && *root ? root : CG_DEFAULT_ROOT;
}

int cg_leaf_name_ok(const char *name)
{
	return name[0] && name[0] != '.' && !strchr(name, '/');
}

/* ---- naming ------------------------------------------------------------ */

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, int n)
{
	return x >> n | x << (32 - n);
}

/* One 64-byte block into the hash state h. */
static void sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], v[8];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
		       p[4 * i + 3];
	for (int i = 16; i < 64; i++)
		w[i] = w[i - 16] + (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ w[i - 15] >> 3) + w[i - 7] +
		       (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ w[i - 2] >> 10);
	memcpy(v, h, sizeof(v));
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = v[7] + (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) +
			      ((v[4] & v[5]) ^ (~v[4] & v[6])) + sha256_k[i] + w[i];
		uint32_t t2 = (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) +
			      ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(*v));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (int i = 0; i < 8; i++)
		h[i] += v[i];
}

/* The first 32 bits of the SHA-256 of text (FIPS 180-4): enough for a tag,
 * here so that naming a leaf costs no sha256sum process. */
static uint32_t sha256_first_word(const char *text)
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	size_t len = strlen(text), done = 0;
	unsigned char tail[128];
	for (; len - done >= 64; done += 64)
		sha256_block(h, (const unsigned char *)text + done);
	size_t rest = len - done, n = rest < 56 ? 64 : 128;
	memset(tail, 0, sizeof(tail));
	memcpy(tail, text + done, rest);
	tail[rest] = 0x80; /* then zeros, then the length in bits, big-endian */
	uint64_t bits = (uint64_t)len * 8;
	for (int i = 0; i < 8; i++)
		tail[n - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha256_block(h, tail);
	if (n == 128)
		sha256_block(h, tail + 64);
	return h[0];
}

int cg_leaf_name(char *buf, size_t size, const char *name, const char *scope)
{
	int n = snprintf(buf, size, "%s.%08lx", name, (unsigned long)sha256_first_word(scope));
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return cg_leaf_name_ok(buf) ? 0 : -EINVAL;
}

int cg_leaf_path(const char *hierarchy, const char *name, char *group, char *leaf)
{
	int rc;
	if (!cg_leaf_name_ok(name))
		return -EINVAL;
	if ((rc = path_join(group, PATH_MAX, hierarchy, CG_GROUP)))
		return rc;
	return path_join(leaf, PATH_MAX, group, name);
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
	/* a well-formed size too large for 64 bits is -ERANGE, not a wrapped one */
	int too_large = errno == ERANGE;
	unsigned shift = 0;
	switch (toupper((unsigned char)*end)) {
	case '\0': break;
	case 'B': break;
	case 'K': shift = 10; break;
	case 'M': shift = 20; break;
	case 'G': shift = 30; break;
	default: return -EINVAL;
	}
	/* then an optional B: "256M", "256MB", "4096B" */
	const char *b = shift ? end + 1 : end;
	if (*b && !(toupper((unsigned char)*b) == 'B' && b[1] == '\0'))
		return -EINVAL;
	if (value == 0)
		return -EINVAL;
	if (too_large || value > (uint64_t)INT64_MAX >> shift)
		return -ERANGE;
	*bytes = (long long)(value << shift);
	return 0;
}

/* The names of one throttle in each version: v2 writes a key into the one
 * io.max, v1 has a file per kind. */
static const char *const io_keys[CG_IO_NKINDS] = { "rbps", "wbps", "riops", "wiops" };
static const char *const io_v1_files[CG_IO_NKINDS] = {
	"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
	"blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
};

int cg_format_io(char *buf, size_t size, enum cg_mode mode, const struct cg_io_limit *io,
		 const char **knob)
{
	int n;
	if (io->kind < 0 || io->kind >= CG_IO_NKINDS || io->value == 0)
		return -EINVAL;
	if (mode == CG_MODE_V2) {
		*knob = "io.max";
		n = snprintf(buf, size, "%u:%u %s=%llu", io->major, io->minor, io_keys[io->kind], io->value);
	} else {
		*knob = io_v1_files[io->kind];
		n = snprintf(buf, size, "%u:%u %llu", io->major, io->minor, io->value);
	}
	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

/* Made for every container where that is possible, limit or not: the
 * freezer for pause, the others to account what it uses (stats). */
static int optional(enum cg_controller c)
{
	return c == CG_FREEZER || c == CG_CPU || c == CG_CPUACCT || c == CG_MEMORY || c == CG_PIDS || c == CG_IO;
}

static int wants(const struct cg_limits *l, enum cg_controller c)
{
	switch (c) {
	case CG_CPU: return l->cpu_quota_us > 0;
	case CG_MEMORY: return l->memory_bytes > 0;
	case CG_PIDS: return l->pids_max > 0;
	case CG_FREEZER: return 1; /* every container can be paused */
	case CG_IO: return l->nio > 0 || l->io_weight > 0;
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

/* The throttles, one write each (v2 merges the keys of one disk's line),
 * then BFQ's weight: its file exists only where the BFQ scheduler is
 * loaded, so a missing one is an error (-EOPNOTSUPP), never a no-op. */
static int apply_io(enum cg_mode mode, const char *leaf, const struct cg_limits *l)
{
	char text[96];
	const char *knob;
	int rc;
	for (size_t i = 0; i < l->nio; i++) {
		/* BEGIN SOLUTION 3.io: cg_format_io() the throttle (the line and its file, v1 or v2), then write_knob() it into the leaf */
		if ((rc = cg_format_io(text, sizeof(text), mode, &l->io[i], &knob)) ||
		    (rc = write_knob(leaf, knob, text)))
			return rc;
		/* END SOLUTION */
	}
	if (!l->io_weight)
		return 0;
	rc = write_knob_num(leaf, mode == CG_MODE_V2 ? "io.bfq.weight" : "blkio.bfq.weight", l->io_weight);
	return rc == -ENOENT ? -EOPNOTSUPP : rc;
}

/* ---- the lock and the record ------------------------------------------- */

static const char *record_dir = CG_DEFAULT_RECORD_DIR;

void cg_set_record_dir(const char *dir)
{
	record_dir = dir && *dir ? dir : CG_DEFAULT_RECORD_DIR;
}

/* One lock for every docker-lite process that changes a cgroup tree, so a
 * create and a destroy never interleave: without it one could remove the
 * group between the other's mkdir of the group and of its leaf, or disable
 * at the root a controller the other has just found enabled.  It is a flock
 * of the root directory itself: always there, no lock file to leave behind. */
static int lock_root(const char *root)
{
	return lock_dir(root);
}

static unsigned bit(int c)
{
	return 1u << c;
}

/* Our controllers among the words of a list such as cgroup.controllers or
 * cgroup.subtree_control ("cpuset cpu io memory pids"): whole words only,
 * "cpu" is not "cpuset". */
static unsigned controllers_in(const char *text)
{
	unsigned mask = 0;
	for (const char *s = text; *s;) {
		size_t n = strcspn(s, " \t\n");
		for (int c = 0; c < CG_NCONTROLLERS; c++)
			if (v2_names[c] && n == strlen(v2_names[c]) && strncmp(s, v2_names[c], n) == 0)
				mask |= bit(c);
		s += n;
		s += strspn(s, " \t\n");
	}
	return mask;
}

static int read_controllers(const char *dir, const char *knob, unsigned *mask)
{
	char path[PATH_MAX], text[512];
	int rc = path_join(path, sizeof(path), dir, knob);
	if (rc)
		return rc;
	ssize_t n = read_file(path, text, sizeof(text));
	if (n < 0)
		return (int)n;
	*mask = controllers_in(text);
	return 0;
}

/* The record: the controllers docker-lite enabled at the v2 root and has not
 * disabled again, one line such as "cpu pids"; no file means none. */
static int record_read(unsigned *mask)
{
	char path[PATH_MAX], text[128];
	int rc = path_join(path, sizeof(path), record_dir, CG_RECORD_FILE);
	if (rc)
		return rc;
	ssize_t n = read_file(path, text, sizeof(text));
	if (n < 0 && n != -ENOENT)
		return (int)n;
	*mask = n < 0 ? 0 : controllers_in(text);
	return 0;
}

/* Not cgroups: plain mkdir/unlink/rmdir, not the sys_ wrappers (which the
 * unit tests' fake kernel replaces).  An empty record leaves neither file nor
 * directory: /run as it was found. */
static int record_write(unsigned mask)
{
	char path[PATH_MAX], text[64];
	size_t len = 0;
	int rc = path_join(path, sizeof(path), record_dir, CG_RECORD_FILE);
	if (rc)
		return rc;
	if (!mask) {
		if (unlink(path) < 0 && errno != ENOENT)
			return -errno;
		rmdir(record_dir); /* fails while other run-time state is kept there: fine */
		return 0;
	}
	if (mkdir(record_dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	text[0] = '\0';
	for (int c = 0; c < CG_NCONTROLLERS; c++)
		if (mask & bit(c))
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s", len ? " " : "", v2_names[c]);
	snprintf(text + len, sizeof(text) - len, "\n");
	return write_new_file(path, text);
}

/* ---- v2: one tree; controllers must be enabled top-down ---------------- */

static unsigned wanted(const struct cg_limits *l)
{
	unsigned mask = 0;
	for (int c = 0; c < CG_NCONTROLLERS; c++)
		if (wants(l, c) && v2_names[c])
			mask |= bit(c);
	return mask;
}

/* "+cpu", "-pids": one controller a write, so a refusal names its controller. */
static int switch_controller(const char *dir, int c, char sign)
{
	char word[16];
	snprintf(word, sizeof(word), "%c%s", sign, v2_names[c]);
	return write_knob(dir, "cgroup.subtree_control", word);
}

/* A cgroup v2 controller is usable in a child only once the parent lists it
 * in cgroup.subtree_control; <group> holds no processes itself, so the
 * no-internal-process rule is respected. */
static int v2_enable(const char *dir, unsigned want)
{
	unsigned avail;
	int rc = read_controllers(dir, "cgroup.controllers", &avail);
	if (rc)
		return rc;
	if (want & ~avail)
		return -EOPNOTSUPP;
	for (int c = 0; c < CG_NCONTROLLERS; c++)
		if ((want & bit(c)) && (rc = switch_controller(dir, c, '+')) < 0)
			return rc;
	return 0;
}

/* At the root, enabling changes the whole machine (every cgroup below may
 * now get the controller's files), so only what is off is enabled, and
 * recorded first: a crash in between leaves a record of a change not made
 * (the next destroy finds the controller off and just forgets it) rather
 * than a change nobody would undo. */
static int v2_enable_root(const char *root, unsigned want)
{
	unsigned avail, on, ours;
	int rc;
	if ((rc = read_controllers(root, "cgroup.controllers", &avail)))
		return rc;
	if (want & ~avail)
		return -EOPNOTSUPP;
	if ((rc = read_controllers(root, "cgroup.subtree_control", &on)) || (rc = record_read(&ours)))
		return rc;
	for (int c = 0; c < CG_NCONTROLLERS; c++) {
		if (!(want & bit(c)) || (on & bit(c)))
			continue;
		if ((rc = record_write(ours | bit(c))))
			return rc;
		ours |= bit(c);
		if ((rc = switch_controller(root, c, '+')) < 0) {
			record_write(ours & ~bit(c));
			return rc;
		}
	}
	return 0;
}

/* The group is gone: disable at the root what the record says docker-lite
 * enabled there.  EBUSY means a cgroup outside docker-lite has since enabled
 * the controller for its own children (the kernel will not take it away from
 * under them): it is theirs now, so it stays on and leaves the record. */
static int v2_restore_root(const char *root)
{
	unsigned ours, on;
	int rc = record_read(&ours), first = 0;
	if (rc || !ours)
		return rc;
	if ((rc = read_controllers(root, "cgroup.subtree_control", &on)))
		return rc;
	for (int c = 0; c < CG_NCONTROLLERS; c++) {
		if (!(ours & bit(c)))
			continue;
		rc = on & bit(c) ? switch_controller(root, c, '-') : 0;
		if (rc < 0 && rc != -EBUSY) {
			first = first ? first : rc;
			continue; /* kept in the record: the next destroy tries again */
		}
		ours &= ~bit(c);
	}
	rc = record_write(ours);
	return first ? first : rc;
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
	if (wants(l, CG_IO) && (rc = apply_io(CG_MODE_V2, leaf, l)))
		return rc;
	return 0;
}

/* v2 accounting without a limit: only what the root enables already, so
 * that accounting alone never changes the machine outside our group (a
 * systemd machine enables cpu, io, memory and pids at its root). */
static int accounted(const char *root, unsigned *mask)
{
	unsigned on, opt = 0;
	int rc = read_controllers(root, "cgroup.subtree_control", &on);
	if (rc)
		return rc;
	for (int c = 0; c < CG_NCONTROLLERS; c++)
		if (optional(c) && v2_names[c])
			opt |= bit(c);
	*mask = on & opt;
	return 0;
}

static int v2_create(struct cgroup *cg, const char *name, const struct cg_limits *l)
{
	unsigned want = wanted(l), extra;
	int rc = accounted(cg->root, &extra);
	if (rc)
		return rc;
	want |= extra;
	if ((rc = cg_leaf_path(cg->root, name, cg->group, cg->leaf[0])))
		return rc;
	if ((rc = v2_enable_root(cg->root, want)))
		return rc;
	if (sys_mkdir(cg->group, 0755) < 0 && errno != EEXIST)
		return -errno;
	if ((rc = v2_enable(cg->group, want)))
		return rc;
	if (sys_mkdir(cg->leaf[0], 0755) < 0)
		return -errno;
	return v2_apply(cg->leaf[0], l);
}

/* ---- rootless: a cgroup delegated to the caller ------------------------ */

/* The v2 cgroup this process is in: the "0::PATH" line of /proc/self/cgroup,
 * below the cgroup root. */
static int own_cgroup(char *dir, size_t size)
{
	char text[4096];
	ssize_t n = read_file("/proc/self/cgroup", text, sizeof(text));
	if (n < 0)
		return (int)n;
	for (char *line = text; line && *line;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strncmp(line, "0::/", 4) == 0)
			return path_join(dir, size, cg_root(), line + 4);
		line = next;
	}
	return -ENOENT;
}

/* Delegated: the directory is the caller's, and so are the two files a
 * delegation hands over (what systemd chowns for Delegate=yes). */
static int is_delegated(const char *dir)
{
	static const char *const knobs[] = { "cgroup.procs", "cgroup.subtree_control" };
	struct stat st;
	if (stat(dir, &st) < 0)
		return -errno;
	if (st.st_uid != geteuid())
		return -EACCES;
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		char path[PATH_MAX];
		int rc = path_join(path, sizeof(path), dir, knobs[i]);
		if (rc)
			return rc;
		if (access(path, W_OK) < 0)
			return -EACCES;
	}
	return 0;
}

/* The kernel enables a controller for children only in a cgroup holding no
 * process: one that holds others than us (a login's shell) cannot be ours
 * to divide. */
static int holds_others(const char *dir)
{
	char path[PATH_MAX], text[4096];
	int rc = path_join(path, sizeof(path), dir, "cgroup.procs");
	ssize_t n = rc ? rc : read_file(path, text, sizeof(text));
	if (n < 0)
		return (int)n;
	for (char *p = text; *p;) {
		char *end;
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid != (long)getpid())
			return -EBUSY;
		p = end + strspn(end, "\n");
	}
	return 0;
}

int cg_delegated(char *dir, size_t size)
{
	enum cg_mode mode;
	int rc = cg_detect(cg_root(), &mode);
	if (rc)
		return rc;
	if (mode != CG_MODE_V2)
		return -EOPNOTSUPP;
	if ((rc = own_cgroup(dir, size)))
		return rc;
	/* a second call (dl-run re-executes itself) finds it in the supervisor */
	char *last = strrchr(dir, '/');
	if (last && strcmp(last + 1, CG_SUPERVISOR) == 0)
		*last = '\0';
	rc = is_delegated(dir);
	return rc ? rc : holds_others(dir);
}

int cg_enter_delegated(char *dir, size_t size)
{
	char supervisor[PATH_MAX];
	int rc = cg_delegated(dir, size);
	if (rc || (rc = path_join(supervisor, sizeof(supervisor), dir, CG_SUPERVISOR)))
		return rc;
	if (sys_mkdir(supervisor, 0755) < 0 && errno != EEXIST)
		return -errno;
	return write_knob_num(supervisor, "cgroup.procs", getpid());
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
	case CG_FREEZER: return 0; /* nothing to set: thawed at birth */
	case CG_IO: return apply_io(CG_MODE_V1, leaf, l);
	case CG_CPUACCT: return 0; /* accounting only */
	default: return -EINVAL;
	}
}

/* Whether hier is the hierarchy the cpu leaf is in: co-mounted as
 * "cpu,cpuacct", with "cpu" and "cpuacct" symlinks to it, the same
 * directory under two names. */
static int v1_same_hierarchy(const struct cgroup *cg, const char *hier)
{
	char cpu[PATH_MAX];
	struct stat a, b;
	return path_join(cpu, sizeof(cpu), cg->v1_group[CG_CPU], "..") == 0 && stat(hier, &a) == 0 &&
	       stat(cpu, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int v1_create(struct cgroup *cg, const char *name, const struct cg_limits *l)
{
	for (int c = 0; c < CG_NCONTROLLERS; c++) {
		char hier[PATH_MAX];
		int rc;
		if (!wants(l, c) && !optional(c))
			continue;
		rc = v1_hierarchy(cg->root, c, hier, sizeof(hier));
		if (rc == -EOPNOTSUPP && (c == CG_FREEZER || !wants(l, c)))
			continue; /* cannot be paused or accounted there, but runs */
		/* cpu and cpuacct co-mounted: the cpu leaf is the cpuacct one */
		if (!rc && c == CG_CPUACCT && cg->leaf[CG_CPU][0] && v1_same_hierarchy(cg, hier))
			continue;
		if (rc || (rc = cg_leaf_path(hier, name, cg->v1_group[c], cg->leaf[c])))
			return rc;
		if (sys_mkdir(cg->v1_group[c], 0755) < 0 && errno != EEXIST)
			return -errno;
		if (sys_mkdir(cg->leaf[c], 0755) < 0) {
			int err = -errno;
			cg->leaf[c][0] = '\0'; /* not ours: never remove it */
			return err;
		}
		if (wants(l, c) && (rc = v1_apply(c, cg->leaf[c], l)))
			return rc;
	}
	return 0;
}

/* What cg_create and cg_open share: check the name, detect the mode. */
static int cg_start(struct cgroup *cg, const char *root, const char *name)
{
	memset(cg, 0, sizeof(*cg));
	if (!cg_leaf_name_ok(name))
		return -EINVAL;
	if ((size_t)snprintf(cg->root, sizeof(cg->root), "%s", root) >= sizeof(cg->root))
		return -ENAMETOOLONG;
	return cg_detect(root, &cg->mode);
}

static int destroy_locked(struct cgroup *cg);

int cg_create(struct cgroup *cg, const char *root, const char *name, const struct cg_limits *limits)
{
	int rc = cg_start(cg, root, name);
	if (rc)
		return rc; /* mode none: cg_destroy has nothing to do */
	int lock = lock_root(root);
	if (lock < 0)
		return lock;
	rc = cg->mode == CG_MODE_V2 ? v2_create(cg, name, limits) : v1_create(cg, name, limits);
	if (rc) {
		/* v2: a leaf we failed to mkdir is not ours (EEXIST) */
		if (rc == -EEXIST)
			cg->leaf[0][0] = '\0';
		destroy_locked(cg);
	}
	close(lock);
	return rc;
}

int cg_open(struct cgroup *cg, const char *root, const char *name)
{
	int rc = cg_start(cg, root, name);
	if (rc)
		return rc;
	if (cg->mode == CG_MODE_V2)
		return cg_leaf_path(root, name, cg->group, cg->leaf[0]);
	for (int c = 0; c < CG_NCONTROLLERS; c++) {
		char hier[PATH_MAX];
		if (v1_hierarchy(root, c, hier, sizeof(hier)))
			continue; /* not mounted: nothing of ours there */
		if ((rc = cg_leaf_path(hier, name, cg->v1_group[c], cg->leaf[c])))
			return rc;
	}
	return 0;
}

int cg_open_path(struct cgroup *cg, const char *leaf)
{
	char dir[PATH_MAX];
	if ((size_t)snprintf(dir, sizeof(dir), "%s", leaf) >= sizeof(dir))
		return -ENAMETOOLONG;
	char *name = strrchr(dir, '/');
	if (dir[0] != '/' || !name || !cg_leaf_name_ok(name + 1))
		return -EINVAL;
	*name = '\0';
	char *group = strrchr(dir, '/');
	if (!group || strcmp(group + 1, CG_GROUP) != 0)
		return -EINVAL;
	*group = '\0';
	int rc = cg_start(cg, dir[0] ? dir : "/", name + 1);
	if (rc)
		return rc;
	if (cg->mode != CG_MODE_V2)
		return -EOPNOTSUPP;
	return cg_leaf_path(cg->root, name + 1, cg->group, cg->leaf[0]);
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

const char *cg_freezer_dir(const struct cgroup *cg)
{
	const char *dir = cg->mode == CG_MODE_V2 ? cg->leaf[0] : cg->leaf[CG_FREEZER];
	return cg->mode != CG_MODE_NONE && dir[0] ? dir : NULL;
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

/* With the root locked.  The groups are tried only once every leaf is gone,
 * so a caller that retries while a leaf is busy removes them on a later call. */
static int destroy_locked(struct cgroup *cg)
{
	int first = 0;
	for (int c = 0; c < CG_NCONTROLLERS; c++) {
		int rc = remove_dir(cg->leaf[c], 0);
		if (rc && !first)
			first = rc;
	}
	if (first)
		return first;
	for (int c = 0; c < CG_NCONTROLLERS; c++)
		remove_dir(cg->v1_group[c], 1); /* shared by other containers */
	if (!cg->group[0])
		return 0;
	if (sys_rmdir(cg->group) < 0 && errno != ENOENT) {
		/* EBUSY, ENOTEMPTY: other containers' cgroups are still in it */
		int err = errno == EBUSY || errno == ENOTEMPTY ? 0 : -errno;
		if (!err)
			cg->group[0] = '\0';
		return err;
	}
	cg->group[0] = '\0';
	/* the last docker-lite cgroup is gone: so is the reason for the root's change */
	return cg->mode == CG_MODE_V2 ? v2_restore_root(cg->root) : 0;
}

int cg_destroy(struct cgroup *cg)
{
	if (cg->mode == CG_MODE_NONE)
		return 0;
	int lock = lock_root(cg->root);
	if (lock < 0)
		return lock;
	int rc = destroy_locked(cg);
	close(lock);
	return rc;
}
