/* rootfs.h - fill a chroot directory with one program and exactly the
 * shared objects the dynamic loader will look for. */
#ifndef DL_ROOTFS_H
#define DL_ROOTFS_H

#include <stddef.h>

/* Copy program to <root>/<basename> and, for a dynamic program, its ELF
 * interpreter and every library it needs, transitively, each at the path
 * where the loader inside the chroot will look (symlinks are resolved: the
 * file's content is copied, not the link).  Creates root if missing.
 * On failure, err (if not NULL) names the file that failed.
 * Returns 0 or -errno. */
int rootfs_prepare(const char *root, const char *program, char *err, size_t err_size);

/* Pure: the directories searched for a library, in the loader's order:
 * the program's RUNPATH (colon list, $ORIGIN replaced by origin_dir), then
 * the system defaults.  Returns how many were written to dirs. */
size_t rootfs_search_dirs(const char *runpath, const char *origin_dir, char dirs[][4096],
			  size_t max_dirs);

#endif
