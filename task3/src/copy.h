/* copy.h - copy files and directories into or out of a container's root,
 * with docker cp's rules, without ever leaving that root.
 *
 * A container's files are the container's to shape: any path in it may be
 * a symlink ("/etc -> /", "../../..", "/etc/shadow"), and a process in it
 * may swap a directory for a symlink while we copy.  docker cp resolved such
 * paths on the host and read or wrote host files (CVE-2018-15664,
 * CVE-2019-14271).  So here:
 *   - a path in the container is resolved by the kernel inside its root:
 *     openat2(root_fd, path, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
 *     RESOLVE_NO_XDEV): "/" and ".." stop at the root, an absolute link
 *     starts again at the root, /proc magic links and mounts such as the
 *     container's /proc, /sys, /dev are refused;
 *   - below the top path, a tree is walked one name at a time with
 *     openat2(dirfd, name, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) and the
 *     *at() calls on the directory fds just opened: a symlink met on the
 *     way is copied as a symlink, never followed, and no path string is
 *     ever built and opened again (strings are kept for messages only).
 * Helpers return 0 or -errno and describe the failure in ctx->msg; they
 * never exit.
 */
#ifndef DL_T3_COPY_H
#define DL_T3_COPY_H

#include <fcntl.h>
#include <sys/types.h>

#define CP_MSG_MAX 512
#define CP_WHERE_MAX 4096
/* a tree deeper than this is refused: each level holds two fds */
#define CP_MAX_DEPTH 200

/* One end of a copy: a path on the host (root_fd == AT_FDCWD) or inside a
 * container's root (root_fd: an fd of that root directory).  label is how
 * messages show the path ("c1:/etc/motd"). */
struct cp_end {
	int root_fd;
	const char *path;
	const char *label;
};

struct cp_ctx {
	unsigned long long src_walk, dst_walk; /* RESOLVE_* flags of each side's walk */
	mode_t mode_mask;                      /* mode bits kept on what is made */
	int depth;
	char where[CP_WHERE_MAX]; /* the path below the top being copied (messages only) */
	size_t where_len;
	char msg[CP_MSG_MAX]; /* why the last call failed */
};

/* Prepare ctx for a copy from src to dst (see cp_end). */
void cp_ctx_init(struct cp_ctx *ctx, const struct cp_end *src, const struct cp_end *dst);
/* Copy src to dst with docker cp's rules (dst an existing directory: into
 * it; a source ending in "/." : its content; a missing dst: made, its
 * parent must exist).  Returns 0 or -errno with ctx->msg set. */
int cp_copy(struct cp_ctx *ctx, const struct cp_end *src, const struct cp_end *dst);
/* openat2() of path in the root fd as cp_copy resolves container paths
 * (flags | O_CLOEXEC).  Returns an fd or -errno. */
int cp_open_in_root(int root_fd, const char *path, int flags);
/* Is fd the root of a mount (a mounted container root, not the empty
 * directory under it)?  1, 0 or -errno. */
int cp_is_mount_root(int fd);
/* Pure: split path into its parent and last name ("a/b/" -> "a", "b";
 * "b" -> ".", "b"; "/b" -> "/", "b").  -ENAMETOOLONG if they do not fit. */
int cp_split(const char *path, char *parent, size_t psize, char *base, size_t bsize);

#endif
