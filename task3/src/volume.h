/* volume.h - run -v HOST:CONTAINER[:ro]: a host file or directory bound
 * into the container.
 *
 * The mount is made in the container's own mount namespace, after the
 * tree was made private and before pivot_root (the host path is still
 * reachable then).  Two rules make it safe:
 *   - the container path is resolved inside the container's root
 *     (openat2 RESOLVE_IN_ROOT): an image's "/data -> /etc" or
 *     "../../.." is followed as if the root were "/", so the bind lands
 *     in the container, never on the host;
 *   - the mount is made through the resolved file descriptors
 *     (/proc/self/fd/N), so nothing can swap a path between the check and
 *     the mount.
 * A missing container path is made (directories 0755; an empty file for
 * a file).  The host path must exist, as with docker run --mount.  The bind
 * is not recursive: mounts under the host path are not taken along.  A
 * symlink on the way that leads where the image has nothing is an error.
 */
#ifndef DL_T3_VOLUME_H
#define DL_T3_VOLUME_H

#define VOLUME_MAX 16

struct volume {
	const char *spec; /* as given, for messages and inspect */
	char *host;       /* absolute */
	char *target;     /* absolute, normalized: no ".", "..", "//" */
	int readonly;     /* ":ro" */
};

/* Parse SPEC (HOST:CONTAINER[:ro|:rw]) into v.  Returns 0, or -EINVAL with
 * *why pointing at what a user must change. */
int volume_parse(const char *spec, struct volume *v, const char **why);
/* Bind v->host on v->target inside the tree at root_fd.  Returns 0 or
 * -errno, with *what naming the failed step. */
int volume_mount(int root_fd, const struct volume *v, const char **what);

#endif
