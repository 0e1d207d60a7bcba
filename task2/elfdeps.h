/* elfdeps.h - what an ELF program needs from the dynamic loader: its
 * interpreter (PT_INTERP) and the libraries it names (DT_NEEDED).
 * Pure functions over a file's bytes, so they are unit-tested directly. */
#ifndef DL_ELFDEPS_H
#define DL_ELFDEPS_H

#include <linux/limits.h> /* PATH_MAX, also under strict -std=c11 */
#include <stddef.h>

#define ELFDEPS_MAX_NEEDED 64
#define ELFDEPS_NAME_MAX 256

struct elf_deps {
	char interp[PATH_MAX];  /* "" for a static binary */
	char runpath[PATH_MAX]; /* DT_RUNPATH, else DT_RPATH, else "" */
	size_t n_needed;
	char needed[ELFDEPS_MAX_NEEDED][ELFDEPS_NAME_MAX];
};

/* Parse a 64-bit ELF image. Returns 0, -ENOEXEC when it is not a 64-bit
 * ELF file or is malformed (every offset is bounds-checked), -E2BIG when it
 * needs more than ELFDEPS_MAX_NEEDED libraries. */
int elf_parse_deps(const unsigned char *image, size_t size, struct elf_deps *deps);

#endif
