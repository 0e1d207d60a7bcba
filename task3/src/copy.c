/* copy.c - see copy.h: docker cp's rules over fds that never leave a root. */
#define _GNU_SOURCE
#include "copy.h"
#include "err.h"
#include "syscalls.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

/* How a container path is resolved: inside the root, no /proc magic links
 * (they point anywhere), no other mount (the container's /proc, /sys, /dev
 * belong to the kernel or the host, not to the container's files). */
#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)
/* One name below a directory fd: no symlink followed, no way up. */
#define ONE_NAME (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)

static int fail(struct cp_ctx *c, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct cp_ctx *c, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	return rc;
}

static int open2(int dirfd, const char *path, int flags, mode_t mode, unsigned long long resolve)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		/* openat2 refuses a mode without O_CREAT */
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = resolve,
	};
	int fd = sys_openat2(dirfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

/* The host's paths are the caller's own: resolved as given. */
static unsigned long long top_resolve(const struct cp_end *e)
{
	return e->root_fd == AT_FDCWD ? 0 : IN_ROOT;
}

int cp_open_in_root(int root_fd, const char *path, int flags)
{
	return open2(root_fd, path, flags, 0, IN_ROOT);
}

int cp_is_mount_root(int fd)
{
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) < 0)
		return -errno;
	if (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return -ENOSYS; /* a kernel before 5.8 cannot tell */
	return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
}

int cp_split(const char *path, char *parent, size_t psize, char *base, size_t bsize)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	/* cut: where the last name starts */
	size_t cut = len;
	while (cut > 0 && path[cut - 1] != '/')
		cut--;
	const char *p = cut == 0 ? "." : path;
	size_t plen = cut == 0 ? 1 : (cut == 1 ? 1 : cut - 1); /* "/b": the parent is "/" */
	if (plen >= psize || len - cut >= bsize)
		return -ENAMETOOLONG;
	memcpy(parent, p, plen);
	parent[plen] = '\0';
	memcpy(base, path + cut, len - cut);
	base[len - cut] = '\0';
	return 0;
}

void cp_ctx_init(struct cp_ctx *c, const struct cp_end *src, const struct cp_end *dst)
{
	memset(c, 0, sizeof(*c));
	/* a container's other mounts are skipped; the host's are the user's */
	c->src_walk = ONE_NAME | (src->root_fd == AT_FDCWD ? 0 : RESOLVE_NO_XDEV);
	c->dst_walk = ONE_NAME | (dst->root_fd == AT_FDCWD ? 0 : RESOLVE_NO_XDEV);
	/* Copied out, a container's set-user-ID file would become a set-user-ID
	 * root program on the host (the container's root is the host's root):
	 * those bits are dropped on the way out. */
	c->mode_mask = (src->root_fd != AT_FDCWD && dst->root_fd == AT_FDCWD) ? 01777 : 07777;
}

/* ---- the path below the top, for messages ------------------------------ */

static size_t where_push(struct cp_ctx *c, const char *name)
{
	size_t old = c->where_len;
	int n = snprintf(c->where + old, sizeof(c->where) - old, "%s%s", old ? "/" : "", name);
	if (n > 0)
		c->where_len = old + (size_t)n < sizeof(c->where) ? old + (size_t)n : sizeof(c->where) - 1;
	return old;
}

static void where_pop(struct cp_ctx *c, size_t old)
{
	c->where_len = old;
	c->where[old] = '\0';
}

/* ---- one node ------------------------------------------------------------ */

static int copy_node(struct cp_ctx *c, int src_fd, const struct stat *st, int dst_dir, const char *name);

/* Make room for name in dst_dir: 1 when a directory to merge into is there,
 * 0 when name is free (a file or symlink in the way is removed: replaced,
 * never written through). */
static int prepare_dst(struct cp_ctx *c, int dst_dir, const char *name, int is_dir)
{
	struct stat st;
	if (fstatat(dst_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : fail(c, -errno, "cannot look at the destination %s", c->where);
	if (S_ISDIR(st.st_mode)) {
		if (is_dir)
			return 1;
		return fail(c, -EISDIR, "cannot overwrite the directory %s with a file", c->where);
	}
	if (is_dir)
		return fail(c, -ENOTDIR, "cannot copy a directory to %s, which is not a directory", c->where);
	if (unlinkat(dst_dir, name, 0) < 0)
		return fail(c, -errno, "cannot replace %s", c->where);
	return 0;
}

/* The mode (less what mode_mask drops) and times of the source. */
static int set_meta(struct cp_ctx *c, int fd, const struct stat *st)
{
	const struct timespec times[2] = { st->st_atim, st->st_mtim };
	if (fchmod(fd, st->st_mode & c->mode_mask) < 0 || futimens(fd, times) < 0)
		return fail(c, -errno, "cannot set the mode and times of %s", c->where);
	return 0;
}

/* An O_PATH fd opened for reading.  Through /proc/self/fd, our own fd: the
 * same inode that was checked, where opening the name again could meet
 * whatever was swapped in meanwhile. */
static int reopen(int path_fd, int flags)
{
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", path_fd);
	int fd = open(proc, flags | O_CLOEXEC | O_NOCTTY);
	return fd < 0 ? -errno : fd;
}

static int copy_data(int in, int out)
{
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0)
				return -errno;
			off += w;
		}
	}
	return n < 0 ? -errno : 0;
}

static int copy_file(struct cp_ctx *c, int src_fd, const struct stat *st, int dst_dir, const char *name)
{
	int rc = prepare_dst(c, dst_dir, name, 0);
	if (rc < 0)
		return rc;
	int in = reopen(src_fd, O_RDONLY);
	if (in < 0)
		return fail(c, in, "cannot read %s", c->where);
	/* O_EXCL: a name that reappeared since prepare_dst (a symlink planted
	 * meanwhile) makes the copy fail, it is never opened */
	int out = open2(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600, c->dst_walk);
	if (out < 0) {
		close(in);
		return fail(c, out, "cannot create %s", c->where);
	}
	rc = copy_data(in, out);
	if (rc < 0)
		fail(c, rc, "cannot copy the data of %s", c->where);
	else
		rc = set_meta(c, out, st);
	close(in);
	close(out);
	return rc;
}

/* A symlink is copied as what it is: its text, never its target. */
static int copy_link(struct cp_ctx *c, int src_fd, const struct stat *st, int dst_dir, const char *name)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(src_fd, "", target, sizeof(target) - 1);
	if (n < 0)
		return fail(c, -errno, "cannot read the symlink %s", c->where);
	target[n] = '\0';
	int rc = prepare_dst(c, dst_dir, name, 0);
	if (rc < 0)
		return rc;
	if (symlinkat(target, dst_dir, name) < 0)
		return fail(c, -errno, "cannot create the symlink %s", c->where);
	const struct timespec times[2] = { st->st_atim, st->st_mtim };
	utimensat(dst_dir, name, times, AT_SYMLINK_NOFOLLOW); /* best effort, as cp -a */
	return 0;
}

/* Every entry of the open directory in, into the directory fd out. */
static int copy_children(struct cp_ctx *c, int in, int out)
{
	DIR *dir = fdopendir(in);
	if (!dir) {
		close(in);
		return fail(c, -errno, "cannot list %s", c->where);
	}
	struct dirent *e;
	int rc = 0;
	while (!rc && (errno = 0, e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		size_t old = where_push(c, e->d_name);
		int fd = open2(dirfd(dir), e->d_name, O_PATH | O_NOFOLLOW, 0, c->src_walk);
		struct stat st;
		if (fd == -EXDEV)
			log_warn("skipped %s: a mount point (only the container's own files are copied)", c->where);
		else if (fd < 0)
			rc = fail(c, fd, "cannot open %s", c->where);
		else if (fstat(fd, &st) < 0)
			rc = fail(c, -errno, "cannot look at %s", c->where);
		else
			rc = copy_node(c, fd, &st, out, e->d_name);
		if (fd >= 0)
			close(fd);
		where_pop(c, old);
	}
	if (!rc && errno)
		rc = fail(c, -errno, "cannot list %s", c->where);
	closedir(dir);
	return rc;
}

static int copy_dir(struct cp_ctx *c, int src_fd, const struct stat *st, int dst_dir, const char *name)
{
	if (c->depth >= CP_MAX_DEPTH)
		return fail(c, -ELOOP, "%s is more than %d directories deep", c->where, CP_MAX_DEPTH);
	int rc = prepare_dst(c, dst_dir, name, 1);
	if (rc < 0)
		return rc;
	/* 0700 until it is filled: the source's mode may forbid writing */
	if (rc == 0 && mkdirat(dst_dir, name, 0700) < 0)
		return fail(c, -errno, "cannot create the directory %s", c->where);
	int out = open2(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0, c->dst_walk);
	if (out < 0)
		return fail(c, out, "cannot open the directory %s", c->where);
	int in = openat(src_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (in < 0) {
		close(out);
		return fail(c, -errno, "cannot read the directory %s", c->where);
	}
	c->depth++;
	rc = copy_children(c, in, out); /* it closes in */
	c->depth--;
	if (!rc)
		rc = set_meta(c, out, st);
	close(out);
	return rc;
}

static int copy_node(struct cp_ctx *c, int src_fd, const struct stat *st, int dst_dir, const char *name)
{
	switch (st->st_mode & S_IFMT) {
	case S_IFDIR:
		return copy_dir(c, src_fd, st, dst_dir, name);
	case S_IFREG:
		return copy_file(c, src_fd, st, dst_dir, name);
	case S_IFLNK:
		return copy_link(c, src_fd, st, dst_dir, name);
	default:
		/* a device node copied would be a door to the host's hardware */
		log_warn("skipped %s: a device, FIFO or socket is not copied", c->where);
		return 0;
	}
}

/* ---- the top: docker cp's rules ------------------------------------------- */

/* The name a source is copied under into a directory ("" for "/", "." or
 * "..": its content is copied, it has no name of its own). */
static const char *source_name(const char *path, char *buf, size_t size)
{
	char parent[PATH_MAX];
	if (cp_split(path, parent, sizeof(parent), buf, size) < 0 || !strcmp(buf, ".") ||
	    !strcmp(buf, ".."))
		buf[0] = '\0';
	return buf;
}

/* "dir/." (docker cp's "copy the content, not the directory") */
static int wants_content(const char *path)
{
	size_t len = strlen(path);
	return (len >= 2 && !strcmp(path + len - 2, "/.")) || !strcmp(path, ".");
}

/* Copy into the parent of dst's path, under its last name. */
static int copy_as(struct cp_ctx *c, int src_fd, const struct stat *st, const struct cp_end *dst)
{
	char parent[PATH_MAX], base[NAME_MAX + 1];
	if (cp_split(dst->path, parent, sizeof(parent), base, sizeof(base)) < 0)
		return fail(c, -ENAMETOOLONG, "the destination %s is too long", dst->label);
	if (!base[0] || !strcmp(base, ".") || !strcmp(base, ".."))
		return fail(c, -EINVAL, "the destination %s does not name a file", dst->label);
	int dir = open2(dst->root_fd, parent, O_PATH | O_DIRECTORY, 0, top_resolve(dst));
	if (dir == -ENOENT || dir == -ENOTDIR)
		return fail(c, dir, "the destination directory of %s does not exist", dst->label);
	if (dir < 0)
		return fail(c, dir, "cannot open the destination directory of %s", dst->label);
	where_push(c, dst->label);
	int rc = copy_node(c, src_fd, st, dir, base);
	close(dir);
	return rc;
}

/* Into the existing directory dir: the source itself, or its content. */
static int copy_into(struct cp_ctx *c, int src_fd, const struct stat *st, int dir, const struct cp_end *src,
		     const struct cp_end *dst)
{
	char name[NAME_MAX + 1];
	source_name(src->path, name, sizeof(name));
	where_push(c, dst->label);
	if (S_ISDIR(st->st_mode) && (wants_content(src->path) || !name[0])) {
		int in = openat(src_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (in < 0)
			return fail(c, -errno, "cannot read the directory %s", src->label);
		return copy_children(c, in, dir); /* it closes in */
	}
	if (!name[0])
		return fail(c, -EINVAL, "the source %s does not name a file", src->label);
	where_push(c, name);
	return copy_node(c, src_fd, st, dir, name);
}

/* dst, resolved: where the copy goes by docker cp's rules. */
static int copy_to(struct cp_ctx *c, int src_fd, const struct stat *st, const struct cp_end *src,
		   const struct cp_end *dst)
{
	size_t len = strlen(dst->path);
	int trailing_slash = len > 0 && dst->path[len - 1] == '/';
	int dir = open2(dst->root_fd, dst->path, O_PATH, 0, top_resolve(dst));
	struct stat dst_st;
	if (dir >= 0 && fstat(dir, &dst_st) == 0 && S_ISDIR(dst_st.st_mode)) {
		int rc = copy_into(c, src_fd, st, dir, src, dst);
		close(dir);
		return rc;
	}
	if (dir >= 0) {
		close(dir);
		if (S_ISDIR(st->st_mode))
			return fail(c, -ENOTDIR, "cannot copy a directory to %s, which is not a directory",
				    dst->label);
		return copy_as(c, src_fd, st, dst);
	}
	if (dir == -ENOENT && trailing_slash && !S_ISDIR(st->st_mode))
		return fail(c, dir, "the destination directory %s does not exist", dst->label);
	if (dir == -ENOENT)
		return copy_as(c, src_fd, st, dst);
	if (dir == -EXDEV)
		return fail(c, dir, "%s is not in the container's own files (a mount such as /proc, /sys or /dev)",
			    dst->label);
	return fail(c, dir, "cannot open the destination %s", dst->label);
}

int cp_copy(struct cp_ctx *c, const struct cp_end *src, const struct cp_end *dst)
{
	if (!src->path[0] || !dst->path[0])
		return fail(c, -EINVAL, "an empty path: name a file or directory");
	/* the source's last name is not followed: a symlink is copied as one */
	int src_fd = open2(src->root_fd, src->path, O_PATH | O_NOFOLLOW, 0, top_resolve(src));
	if (src_fd == -ENOENT || src_fd == -ENOTDIR)
		return fail(c, src_fd, "no such file or directory: %s", src->label);
	if (src_fd == -EXDEV)
		return fail(c, src_fd, "%s is not in the container's own files (a mount such as /proc, /sys or /dev)",
			    src->label);
	if (src_fd < 0)
		return fail(c, src_fd, "cannot open %s", src->label);
	struct stat st;
	int rc = fstat(src_fd, &st) < 0 ? fail(c, -errno, "cannot look at %s", src->label)
					 : copy_to(c, src_fd, &st, src, dst);
	close(src_fd);
	return rc;
}
