/* user.h - who the container's command runs as: USER and run/exec -u.
 *
 * SPEC is Docker's: name|uid[:group|gid].  It is resolved in the image's
 * own /etc/passwd and /etc/group, read as files after pivot_root (or
 * chroot, for dl-exec): never with getpwnam(), whose NSS modules would
 * be loaded from the container's root into this privileged process.
 *   - a name must be in passwd; its uid, primary gid and home come from
 *     there;
 *   - a uid not in passwd is allowed (Docker's rule): gid 0, HOME "/";
 *   - ":group" replaces the primary gid (a name must be in group);
 *   - the supplementary groups are those of /etc/group that list the user
 *     by name.
 */
#ifndef DL_T3_USER_H
#define DL_T3_USER_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define USER_GROUPS_MAX 64

struct user_id {
	uid_t uid;
	gid_t gid;
	gid_t groups[USER_GROUPS_MAX];
	size_t ngroups;
	char home[256];
	char home_env[5 + 256]; /* "HOME=" home, for the environment */
};

/* Pure: resolve spec against the contents of passwd and group (either may
 * be NULL: a missing file).  0, or -EINVAL/-ENOENT with a one-line reason
 * in err. */
int user_resolve(const char *spec, FILE *passwd, FILE *group, struct user_id *u, char *err,
		 size_t errsz);

/* Resolve spec in this root's /etc/passwd and /etc/group. */
int user_lookup(const char *spec, struct user_id *u, char *err, size_t errsz);

/* Become u: supplementary groups, gid, then uid.  0 or -errno. */
int user_switch(const struct user_id *u);

#endif
