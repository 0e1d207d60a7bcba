/* statedir.h - a container's directory under the state root
 * ($CONDUCTOR_ROOT/.containers/NAME: its state file, upper/, work/,
 * rootfs/, log), claimed and removed by dl-run.
 *
 * Claiming is how exactly one of two runs with one name gets the name:
 * mkdir either makes the directory or fails with EEXIST.  It is done under
 * the state lock, and so is the check that the image's layers are still
 * there: rmi and rmcache (conductor.sh) remove layers under the same lock,
 * keeping those a container's "lower=" names, so once the state is
 * written its layers stay.  The state file is written whole (keyfile.h).
 *
 * Removing is what stop and run --rm do last.  It never goes through a
 * mount: if anything is still mounted at or under the directory (a live
 * root that could not be unmounted, a bind left by a killed process), it
 * deletes nothing and says so, as conductor.sh's remove_tree does; the
 * original's "rm -rf" through a bind of /dev emptied the host's.
 */
#ifndef DL_T3_STATEDIR_H
#define DL_T3_STATEDIR_H

/* Under the lock already held: every directory of lowers (':'-separated,
 * as overlayfs takes them) exists, then mkdir dir (0755) and write its
 * "state" file with record (whole "key=value\n" lines).  Returns 0,
 * -EEXIST (the name is taken), -ENOENT with *gone set to the missing
 * layer (its image was removed meanwhile), or another -errno. */
int statedir_claim(const char *dir, const char *lowers, const char *record, const char **gone);
/* Delete dir and everything in it, staying on its file system.  -EBUSY
 * when something is mounted at or under it (nothing is deleted then). */
int statedir_remove(const char *dir);
/* Unmount everything mounted at or under dir, the newest first (a live
 * root is two mounts on one point: each umount takes the topmost); a mount
 * that is busy is detached (lazily).  Returns 0, or -EBUSY when something
 * is still mounted there afterwards. */
int statedir_unmount(const char *dir);
/* Pure: one line of /proc/self/mountinfo has its mount point (field 5,
 * octal-escaped there: \040 is a space) at or under dir. */
int mountinfo_line_under(const char *line, const char *dir);

#endif
