/* scratch.h - a scratch directory for the unit tests that need real files.
 * Made and removed from cmocka setup and teardown functions, which run even
 * when an assertion fails, so a failing test (the student edition's stubs
 * fail many) leaves nothing in /tmp. */
#ifndef DL_UNIT_SCRATCH_H
#define DL_UNIT_SCRATCH_H

#include <stdio.h>
#include <stdlib.h>

/* Make /tmp/NAME.XXXXXX into dir (at least 64 bytes). 0 or -1. */
static inline int scratch_make(char *dir, size_t size, const char *name)
{
	snprintf(dir, size, "/tmp/%s.XXXXXX", name);
	return mkdtemp(dir) ? 0 : -1;
}

/* Remove dir and all below it; a dir already gone is fine. 0 or -1. */
static inline int scratch_remove(const char *dir)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
