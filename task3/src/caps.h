/* caps.h - the hardening applied to every container process by default.
 *
 * Root in a container is still root on the host for everything namespaces
 * do not cover: loading kernel modules, raw I/O, mounting (and so
 * unmounting the masks over /proc), tracing other processes, setting the
 * clock, rebooting.  Like Docker, keep only a short list of capabilities a
 * normal program needs, remove the others from the bounding set (so no
 * exec, setuid binary included, can get them back), and set no_new_privs.
 */
#ifndef DL_T3_CAPS_H
#define DL_T3_CAPS_H

#include <stdint.h>

/* Pure: is cap in the kept set (Docker's default set, moby's
 * oci/caps/defaults.go, less MKNOD: see caps.c)? */
int cap_is_kept(int cap);
/* Pure: the kept set as a 64-bit mask (bit n = capability n). */
uint64_t cap_kept_mask(void);
/* Drop every other capability from the bounding, inheritable, permitted,
 * effective and ambient sets, then set no_new_privs.  Returns 0 or -errno;
 * *what names the step that failed. */
int caps_harden(const char **what);

#endif
