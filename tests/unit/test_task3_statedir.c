/* statedir.c: the claim of a container's directory (one of two claims of a
 * name wins; a missing layer refuses it), its removal in a real scratch
 * tree (symlinks not followed out of it), and which mountinfo lines are
 * under a directory. */
#define _GNU_SOURCE
#include "statedir.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static char scratch[64];

static int make_scratch(void **state)
{
	(void)state;
	snprintf(scratch, sizeof(scratch), "/tmp/dl-unit-statedir.XXXXXX");
	return mkdtemp(scratch) ? 0 : -1;
}

static int remove_scratch(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf -- %s", scratch);
	return system(cmd);
}

static void path(char *buf, const char *name)
{
	snprintf(buf, 256, "%s/%s", scratch, name);
}

static void touch(const char *name, const char *text)
{
	char p[256];
	path(p, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void slurp(const char *name, char *buf, size_t size)
{
	char p[256];
	path(p, name);
	int fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	ssize_t n = read(fd, buf, size - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
}

static void claim_once_per_name(void **state)
{
	(void)state;
	char c[256], l1[256], l2[256], text[256];
	const char *gone = "";
	path(c, "c");
	path(l1, "l1");
	path(l2, "l2");
	assert_int_equal(mkdir(l1, 0755), 0);
	assert_int_equal(mkdir(l2, 0755), 0);
	char lowers[520];
	snprintf(lowers, sizeof(lowers), "%s:%s", l2, l1);
	assert_int_equal(statedir_claim(c, lowers, "image=i\nstatus=created\n", &gone), 0);
	slurp("c/state", text, sizeof(text));
	assert_string_equal(text, "image=i\nstatus=created\n");
	/* the second claim of the name loses, and the first's record stays */
	assert_int_equal(statedir_claim(c, lowers, "image=j\n", &gone), -EEXIST);
	slurp("c/state", text, sizeof(text));
	assert_string_equal(text, "image=i\nstatus=created\n");
}

static void claim_refused_when_a_layer_is_gone(void **state)
{
	(void)state;
	char c[256], l1[256], lowers[600];
	const char *gone = "";
	path(c, "c");
	path(l1, "l1");
	assert_int_equal(mkdir(l1, 0755), 0);
	snprintf(lowers, sizeof(lowers), "%s/missing:%s", scratch, l1);
	assert_int_equal(statedir_claim(c, lowers, "a=1\n", &gone), -ENOENT);
	assert_non_null(strstr(gone, "/missing"));
	assert_int_equal(access(c, F_OK), -1); /* nothing made */
}

static void remove_deletes_the_tree_not_what_links_lead_to(void **state)
{
	(void)state;
	char c[256], p[256], outside[256];
	path(c, "c");
	assert_int_equal(mkdir(c, 0755), 0);
	touch("keep", "outside\n");
	path(outside, "keep");
	path(p, "c/upper");
	assert_int_equal(mkdir(p, 0755), 0);
	path(p, "c/upper/deep");
	assert_int_equal(mkdir(p, 0755), 0);
	touch("c/upper/deep/f", "x");
	touch("c/state", "a=1\n");
	path(p, "c/upper/link");
	assert_int_equal(symlink(outside, p), 0);
	path(p, "c/upper/dirlink");
	assert_int_equal(symlink(scratch, p), 0);
	path(p, "c/upper/deep");
	assert_int_equal(chmod(p, 0), 0); /* root removes it all the same */
	assert_int_equal(statedir_remove(c), 0);
	assert_int_equal(access(c, F_OK), -1);
	assert_int_equal(access(outside, F_OK), 0);
	/* gone already: nothing to do */
	assert_int_equal(statedir_remove(c), 0);
}

static void mountinfo_lines_under_a_directory(void **state)
{
	(void)state;
	const char *root = "36 35 98:0 / /tmp/r/.containers/a/rootfs rw,relatime - overlay overlay rw\n";
	const char *spaced = "37 35 98:0 / /tmp/my\\040root/c rw - tmpfs t rw\n";
	const char *sibling = "38 35 98:0 / /tmp/r/.containers/ab rw - tmpfs t rw\n";
	assert_true(mountinfo_line_under(root, "/tmp/r/.containers/a"));
	assert_true(mountinfo_line_under(root, "/tmp/r/.containers/a/"));
	assert_true(mountinfo_line_under(root, "/tmp/r/.containers/a/rootfs"));
	assert_false(mountinfo_line_under(sibling, "/tmp/r/.containers/a"));
	assert_true(mountinfo_line_under(spaced, "/tmp/my root"));
	assert_false(mountinfo_line_under(spaced, "/tmp/my"));
	assert_false(mountinfo_line_under("36 35 98:0", "/"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(claim_once_per_name, make_scratch, remove_scratch),
		cmocka_unit_test_setup_teardown(claim_refused_when_a_layer_is_gone, make_scratch, remove_scratch),
		cmocka_unit_test_setup_teardown(remove_deletes_the_tree_not_what_links_lead_to, make_scratch,
						remove_scratch),
		cmocka_unit_test(mountinfo_lines_under_a_directory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
