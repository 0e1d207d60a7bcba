/* userns.h - rootless containers: a user namespace whose root is the user
 * who started the container (DESIGN §11).
 *
 * A process in a new user namespace has every capability *in it*, and no
 * id at all until a map says which outside ids its ids are.  The map is
 * written from outside, by the parent, once the child exists: the child
 * cannot name ids it does not have yet.  An ordinary user may map only
 * their own uid and gid (and must first give up setgroups, or a mapped
 * gid 0 could drop a group the user was denied by).  The image's other
 * users (_apt, nobody) need more ids: the ranges root granted the user in
 * /etc/subuid and /etc/subgid, written by the setuid helpers newuidmap and
 * newgidmap (Debian package uidmap), which check those files.
 *
 *   inside       outside
 *   0            the user's uid (gid)
 *   1..count     the user's first subordinate range, start..start+count-1
 */
#ifndef DL_T3_USERNS_H
#define DL_T3_USERNS_H

#include <sys/types.h>

struct id_range {
	unsigned long start, count; /* count 0: none */
};

struct userns_ids {
	uid_t uid;
	gid_t gid;
	char name[64];
	struct id_range subuid, subgid;
};

/* Pure: the first line of an /etc/subuid-style TEXT ("owner:start:count")
 * whose owner is NAME or the number ID.  0, or -ENOENT (no such line). */
int subid_find(const char *text, const char *name, unsigned long id, struct id_range *r);
/* The caller's uid, gid, name and subordinate ranges. */
int userns_ids_of_caller(struct userns_ids *ids);
/* Both ranges present: newuidmap/newgidmap write the maps. */
int userns_has_ranges(const struct userns_ids *ids);
/* Pure: the map lines for PID's uid_map (gid: 0 for uid_map, 1 for
 * gid_map) as newuidmap's arguments after the PID ("0 UID 1 1 START
 * COUNT") into buf.  Returns the words' count. */
int userns_map_words(const struct userns_ids *ids, int gid, char buf[][24], int max);
/* Write PID's uid and gid maps from outside.  Returns 0 or -errno. */
int userns_write_maps(pid_t pid, const struct userns_ids *ids);
/* Run ARGV in a new user namespace with those maps (root inside: it can
 * remove files the container's other users made); its exit code. */
int userns_run(const struct userns_ids *ids, char *const argv[]);
/* Rootless, the container's root is the user, who may own this very
 * binary: through /proc/1/exe a process inside could write it and so run
 * code as the user outside (runc's CVE-2019-5736, the rootless way).  So
 * dl-run runs from a sealed copy in memory (memfd_create + F_SEAL_WRITE,
 * fexecve), as crun and runc do.  Returns only on failure (-errno), or 0
 * when this already is the copy. */
int userns_seal_self(char **argv);
/* The one warning of a map without ranges: what will not work. */
void userns_warn_single(const struct userns_ids *ids);
/* Rootless limits (cgroup.h: cg_enter_delegated) need a cgroup delegated to
 * the user, and dl-exec's move of its command into a container's leaf
 * needs a cgroup of the user's above both.  When the user's systemd
 * manager runs, this process starts again (exec: the same PID, so its
 * caller still waits for it) in a new scope of that manager, which it
 * delegates to the user: `systemd-run --user --scope -p Delegate=yes --
 * ARGV` (podman asks for the same scope over D-Bus).  Returns only when it
 * cannot: no manager, no systemd-run, or this is the second start. */
void userns_rerun_in_user_scope(int argc, char **argv);

#endif
