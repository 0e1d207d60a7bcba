#define _GNU_SOURCE
#include "volume.h"
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Normalize the absolute path in p in place: "//", "." and ".." go ("/.."
 * is "/", as the kernel takes it). */
static void normalize(char *p)
{
	char *out = p, *in = p;
	while (*in) {
		while (*in == '/')
			in++;
		size_t len = strcspn(in, "/");
		if (len == 0 || (len == 1 && in[0] == '.')) {
			in += len;
		} else if (len == 2 && in[0] == '.' && in[1] == '.') {
			while (out > p && *--out != '/')
				;
			in += len;
		} else {
			*out++ = '/';
			memmove(out, in, len);
			out += len;
			in += len;
		}
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

/* The runtime mounts its own /proc, /sys and /dev over these. */
static int runtime_owned(const char *target)
{
	static const char *const owned[] = {"/proc", "/sys", "/dev"};
	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
		size_t n = strlen(owned[i]);
		if (!strncmp(target, owned[i], n) && (target[n] == '\0' || target[n] == '/'))
			return 1;
	}
	return 0;
}

static int invalid(const char **why, const char *reason)
{
	*why = reason;
	return -EINVAL;
}

int volume_parse(const char *spec, struct volume *v, const char **why)
{
	const char *colon = strchr(spec, ':');
	if (!colon || colon == spec || !colon[1])
		return invalid(why, "use HOST:CONTAINER[:ro], e.g. /srv/site:/var/www:ro");
	const char *mode = strchr(colon + 1, ':');
	if (mode && strcmp(mode, ":ro") && strcmp(mode, ":rw"))
		return invalid(why, "the mode after the container path is ro or rw");
	if (strchr(spec, '\n'))
		return invalid(why, "a path may not hold a newline");
	if (spec[0] != '/')
		return invalid(why, "the host path must be absolute, e.g. \"$PWD/data\"");
	if (colon[1] != '/')
		return invalid(why, "the container path must be absolute, e.g. /data");
	size_t tlen = mode ? (size_t)(mode - colon - 1) : strlen(colon + 1);
	if ((size_t)(colon - spec) >= PATH_MAX || tlen >= PATH_MAX)
		return invalid(why, "a path is too long");
	char *host = strndup(spec, (size_t)(colon - spec));
	char *target = strndup(colon + 1, tlen);
	if (!host || !target) {
		free(host);
		free(target);
		return invalid(why, "out of memory");
	}
	normalize(target);
	if (!strcmp(target, "/") || runtime_owned(target)) {
		free(host);
		free(target);
		return invalid(why, "the container path may not be /, nor in /proc, /sys or /dev (the runtime mounts those)");
	}
	*v = (struct volume){.spec = spec, .host = host, .target = target, .readonly = mode && !strcmp(mode, ":ro")};
	return 0;
}

/* path, resolved inside the root at root_fd: symlinks and ".." on the way
 * are followed as if root_fd were "/". */
static int open_in_root(int root_fd, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = sys_openat2(root_fd, path, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

/* Make the last component of path in the directory dir_fd: a directory,
 * or an empty file.  Neither mkdirat nor O_CREAT|O_EXCL follows a symlink
 * in the last component. */
static int make_entry(int dir_fd, const char *name, int directory)
{
	if (directory)
		return mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST ? -errno : 0;
	int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	close(fd);
	return 0;
}

/* target (normalized, absolute) inside the root, made when missing; an O_PATH
 * fd or -errno.  Each component is resolved from the root again, so every
 * directory made is made where the root-confined walk leads. */
static int make_in_root(int root_fd, const char *target, int directory)
{
	char prefix[PATH_MAX];
	int dir_fd = dup(root_fd);
	if (dir_fd < 0)
		return -errno;
	const char *p = target;
	while (*p) {
		const char *end = strchr(p + 1, '/');
		size_t n = end ? (size_t)(end - target) : strlen(target);
		memcpy(prefix, target, n);
		prefix[n] = '\0';
		int last = !end, fd = open_in_root(root_fd, prefix);
		if (fd == -ENOENT) {
			int rc = make_entry(dir_fd, strrchr(prefix, '/') + 1, !last || directory);
			fd = rc ? rc : open_in_root(root_fd, prefix);
		}
		close(dir_fd);
		if (fd < 0)
			return fd;
		dir_fd = fd;
		p = target + n;
	}
	return dir_fd;
}

/* The source and the mount point must both be directories or both not. */
static int same_kind(int src_fd, int dst_fd)
{
	struct stat s, d;
	if (fstat(src_fd, &s) < 0 || fstat(dst_fd, &d) < 0)
		return -errno;
	if (S_ISDIR(s.st_mode) != S_ISDIR(d.st_mode))
		return S_ISDIR(s.st_mode) ? -ENOTDIR : -EISDIR;
	return 0;
}

static void fd_path(int fd, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

/* The flags a read-only remount must keep: a remount sets all of them
 * anew, and dropping the host mount's nosuid/nodev/noexec would widen it. */
static unsigned long kept_flags(int fd)
{
	struct statvfs sv;
	if (fstatvfs(fd, &sv) < 0)
		return 0;
	return (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) | (sv.f_flag & ST_NODEV ? MS_NODEV : 0) |
	       (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0);
}

/* Bind src_fd on dst_fd; with readonly, make that new mount read-only. */
static int bind_volume(int root_fd, const struct volume *v, int src_fd, int dst_fd, const char **what)
{
	char from[32], to[32];
	fd_path(src_fd, from, sizeof(from));
	fd_path(dst_fd, to, sizeof(to));
	/* BEGIN SOLUTION: bind-mount from on to (MS_BIND); for v->readonly, reopen v->target in the root (it is the new mount's top now) and remount that bind read-only, keeping kept_flags() (man 2 mount: MS_REMOUNT|MS_BIND|MS_RDONLY) */
	*what = "bind it";
	if (sys_mount(from, to, NULL, MS_BIND, NULL) < 0)
		return -errno;
	if (!v->readonly)
		return 0;
	/* dst_fd names the directory under the new mount: reopened, the
	 * path crosses into the mount, whose top a remount must name */
	int top = open_in_root(root_fd, v->target);
	if (top < 0)
		return top;
	fd_path(top, to, sizeof(to));
	*what = "make it read-only";
	int rc = sys_mount(NULL, to, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | kept_flags(top), NULL) < 0 ? -errno : 0;
	close(top);
	return rc;
	/* END SOLUTION */
}

int volume_mount(int root_fd, const struct volume *v, const char **what)
{
	*what = "open the host path (it must exist)";
	int src = open(v->host, O_PATH | O_CLOEXEC);
	if (src < 0)
		return -errno;
	struct stat st;
	int rc = fstat(src, &st) < 0 ? -errno : 0, dst = -1;
	if (!rc) {
		*what = "make the mount point in the container";
		dst = make_in_root(root_fd, v->target, S_ISDIR(st.st_mode));
		rc = dst < 0 ? dst : 0;
	}
	if (!rc) {
		*what = S_ISDIR(st.st_mode) ? "mount a directory on what is not one in the container"
					    : "mount a file on a directory in the container";
		rc = same_kind(src, dst);
	}
	if (!rc)
		rc = bind_volume(root_fd, v, src, dst, what);
	if (dst >= 0)
		close(dst);
	close(src);
	return rc;
}
