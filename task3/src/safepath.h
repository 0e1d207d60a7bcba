/* safepath.h - refuse images whose paths would lead the tool outside them.
 *
 * An image can contain anything, including "/proc -> /etc" or
 * "/etc/resolv.conf -> /etc/resolv.conf" as symlinks.  A runtime that
 * follows such a link on the host while mounting or writing changes the
 * host (runc CVE-2019-19921, CVE-2023-27561).  Before anything is mounted
 * in the rootfs, dl-run checks the paths it (or later addnetwork) uses:
 *   - /proc, /sys, /dev must be real directories (created when missing),
 *     never symlinks;
 *   - /etc/resolv.conf, resolved from the rootfs, must not leave it
 *     (openat2 RESOLVE_BENEATH fails with EXDEV on absolute symlinks and
 *     on ".." above the start).
 */
#ifndef DL_T3_SAFEPATH_H
#define DL_T3_SAFEPATH_H

/* name is one component ("proc").  Returns 0 (a directory, created with
 * mode if it was missing), -ELOOP (a symlink), -ENOTDIR or -errno. */
int check_mount_dir(int root_fd, const char *name, unsigned int mode);
/* path is relative to root_fd ("etc/resolv.conf").  Returns 0 when it
 * resolves inside root_fd or does not exist, -EXDEV when a symlink on the
 * way leads outside, or -errno. */
int check_beneath(int root_fd, const char *path);

#endif
