#define _GNU_SOURCE
#include "elfdeps.h"

#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

static int in_bounds(size_t size, uint64_t offset, uint64_t length)
{
	return offset <= size && length <= size - offset;
}

/* Copy the NUL-terminated string at offset into dst, bounds-checked. */
static int copy_string(const unsigned char *image, size_t size, uint64_t offset, char *dst,
		       size_t dst_size)
{
	if (offset >= size)
		return -ENOEXEC;
	const char *src = (const char *)image + offset;
	size_t max = size - offset;
	size_t len = strnlen(src, max);
	if (len == max || len >= dst_size)
		return -ENOEXEC;
	memcpy(dst, src, len + 1);
	return 0;
}

/* DT_STRTAB holds a virtual address; the file offset is found through the
 * PT_LOAD segment that maps it. */
static int vaddr_to_offset(const Elf64_Phdr *ph, size_t n, uint64_t vaddr, uint64_t *offset)
{
	for (size_t i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (vaddr >= ph[i].p_vaddr && vaddr - ph[i].p_vaddr < ph[i].p_filesz) {
			*offset = vaddr - ph[i].p_vaddr + ph[i].p_offset;
			return 0;
		}
	}
	return -ENOEXEC;
}

static int read_dynamic(const unsigned char *image, size_t size, const Elf64_Phdr *ph, size_t n,
			const Elf64_Phdr *dyn_ph, struct elf_deps *deps)
{
	if (!in_bounds(size, dyn_ph->p_offset, dyn_ph->p_filesz))
		return -ENOEXEC;
	const Elf64_Dyn *dyn = (const Elf64_Dyn *)(image + dyn_ph->p_offset);
	size_t count = dyn_ph->p_filesz / sizeof(Elf64_Dyn);
	uint64_t strtab_vaddr = 0, strtab;
	int have_strtab = 0;

	for (size_t i = 0; i < count && dyn[i].d_tag != DT_NULL; i++)
		if (dyn[i].d_tag == DT_STRTAB) {
			strtab_vaddr = dyn[i].d_un.d_ptr;
			have_strtab = 1;
		}
	if (!have_strtab)
		return 0; /* nothing named */
	if (vaddr_to_offset(ph, n, strtab_vaddr, &strtab))
		return -ENOEXEC;

	for (size_t i = 0; i < count && dyn[i].d_tag != DT_NULL; i++) {
		uint64_t at = strtab + dyn[i].d_un.d_val;
		int rc = 0;
		if (dyn[i].d_tag == DT_NEEDED) {
			if (deps->n_needed == ELFDEPS_MAX_NEEDED)
				return -E2BIG;
			rc = copy_string(image, size, at, deps->needed[deps->n_needed++],
					 ELFDEPS_NAME_MAX);
		} else if (dyn[i].d_tag == DT_RUNPATH ||
			   (dyn[i].d_tag == DT_RPATH && !deps->runpath[0])) {
			/* DT_RUNPATH wins over the older DT_RPATH */
			rc = copy_string(image, size, at, deps->runpath, sizeof(deps->runpath));
		}
		if (rc)
			return rc;
	}
	return 0;
}

int elf_parse_deps(const unsigned char *image, size_t size, struct elf_deps *deps)
{
	memset(deps, 0, sizeof(*deps));
	if (size < sizeof(Elf64_Ehdr) || memcmp(image, ELFMAG, SELFMAG) != 0 ||
	    image[EI_CLASS] != ELFCLASS64)
		return -ENOEXEC;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;
	if (eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    !in_bounds(size, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
		return -ENOEXEC;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(image + eh->e_phoff);

	for (size_t i = 0; i < eh->e_phnum; i++) {
		int rc = 0;
		if (ph[i].p_type == PT_INTERP) {
			if (!in_bounds(size, ph[i].p_offset, ph[i].p_filesz))
				return -ENOEXEC;
			rc = copy_string(image, size, ph[i].p_offset, deps->interp,
					 sizeof(deps->interp));
		} else if (ph[i].p_type == PT_DYNAMIC) {
			rc = read_dynamic(image, size, ph, eh->e_phnum, &ph[i], deps);
		}
		if (rc)
			return rc;
	}
	return 0;
}
