/* Unit tests for task 2's ELF dependency reader and chroot filler. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/limits.h>

#include "elfdeps.h"
#include "rootfs.h"
#include "scratch.h"

struct image {
	unsigned char *bytes;
	size_t size;
};

static struct image map_file(const char *path)
{
	struct image img = { 0 };
	struct stat st;
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	img.size = (size_t)st.st_size;
	img.bytes = mmap(NULL, img.size, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(img.bytes != MAP_FAILED);
	close(fd);
	return img;
}

static int needs(const struct elf_deps *d, const char *name)
{
	for (size_t i = 0; i < d->n_needed; i++)
		if (strcmp(d->needed[i], name) == 0)
			return 1;
	return 0;
}

static void dynamic_program_names_interpreter_and_libc(void **state)
{
	(void)state;
	struct image img = map_file("/bin/true");
	struct elf_deps d;
	assert_int_equal(elf_parse_deps(img.bytes, img.size, &d), 0);
	assert_true(strstr(d.interp, "ld-linux") != NULL);
	assert_true(needs(&d, "libc.so.6"));
	munmap(img.bytes, img.size);
}

static void static_program_needs_nothing(void **state)
{
	(void)state;
	struct image img = map_file("./static_hello");
	struct elf_deps d;
	assert_int_equal(elf_parse_deps(img.bytes, img.size, &d), 0);
	assert_string_equal(d.interp, "");
	assert_int_equal(d.n_needed, 0);
	munmap(img.bytes, img.size);
}

static void garbage_and_truncation_are_refused(void **state)
{
	(void)state;
	struct elf_deps d;
	unsigned char text[] = "#!/bin/sh\necho hi\n";
	assert_int_equal(elf_parse_deps(text, sizeof(text), &d), -ENOEXEC);
	assert_int_equal(elf_parse_deps(text, 0, &d), -ENOEXEC);

	/* every prefix of a real program is either refused or parsed safely */
	struct image img = map_file("/bin/true");
	unsigned char *copy = malloc(img.size);
	assert_non_null(copy);
	for (size_t cut = 0; cut < 4096 && cut < img.size; cut += 7) {
		memcpy(copy, img.bytes, cut);
		int rc = elf_parse_deps(copy, cut, &d);
		assert_true(rc == 0 || rc == -ENOEXEC);
	}
	/* a program header table pointing past the end */
	memcpy(copy, img.bytes, img.size);
	copy[0x20] = 0xff; /* e_phoff low byte */
	copy[0x27] = 0x7f; /* e_phoff high byte */
	assert_int_equal(elf_parse_deps(copy, img.size, &d), -ENOEXEC);
	free(copy);
	munmap(img.bytes, img.size);
}

static void search_dirs_put_runpath_first_and_expand_origin(void **state)
{
	(void)state;
	char dirs[16][4096];
	size_t n = rootfs_search_dirs("$ORIGIN/../lib:/opt/x", "/app/bin", dirs, 16);
	assert_true(n > 2);
	assert_string_equal(dirs[0], "/app/bin/../lib");
	assert_string_equal(dirs[1], "/opt/x");
	n = rootfs_search_dirs("", "/", dirs, 16);
	assert_true(strncmp(dirs[0], "/lib/", 5) == 0); /* multiarch dir first */
	assert_int_equal(rootfs_search_dirs(NULL, "/", dirs, 1), 1);
}

/* The root the prepare tests fill, made before each and removed after it
 * (scratch.h: also when the test fails). */
static char root[64];

static int make_root(void **state)
{
	(void)state;
	return scratch_make(root, sizeof(root), "dl-unit-root");
}

static int remove_root(void **state)
{
	(void)state;
	return scratch_remove(root);
}

static void prepare_copies_program_loader_and_libraries(void **state)
{
	(void)state;
	char path[PATH_MAX + 64], err[256];
	struct elf_deps d;
	assert_int_equal(rootfs_prepare(root, "/bin/true", err, sizeof(err)), 0);

	snprintf(path, sizeof(path), "%s/true", root);
	assert_int_equal(access(path, X_OK), 0);
	struct image img = map_file("/bin/true");
	assert_int_equal(elf_parse_deps(img.bytes, img.size, &d), 0);
	munmap(img.bytes, img.size);
	/* the loader sits where PT_INTERP says, as a file, not a symlink */
	struct stat st;
	snprintf(path, sizeof(path), "%s%s", root, d.interp);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));

	char cmd[512];
	snprintf(cmd, sizeof(cmd), "test -n \"$(find '%s' -name libc.so.6 -type f)\"", root);
	assert_int_equal(system(cmd), 0);
}

static void prepare_names_the_file_that_failed(void **state)
{
	(void)state;
	char err[256];
	assert_int_equal(rootfs_prepare(root, "/etc/hostname", err, sizeof(err)), -ENOEXEC);
	assert_string_equal(err, "/etc/hostname");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dynamic_program_names_interpreter_and_libc),
		cmocka_unit_test(static_program_needs_nothing),
		cmocka_unit_test(garbage_and_truncation_are_refused),
		cmocka_unit_test(search_dirs_put_runpath_first_and_expand_origin),
		cmocka_unit_test_setup_teardown(prepare_copies_program_loader_and_libraries, make_root,
						remove_root),
		cmocka_unit_test_setup_teardown(prepare_names_the_file_that_failed, make_root,
						remove_root),
	};
	return cmocka_run_group_tests_name("task2/elfdeps", tests, NULL, NULL);
}
