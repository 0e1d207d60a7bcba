#include "overlay.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* An absolute path without the characters overlayfs treats specially. */
static int path_ok(const char *path, size_t len, int colon_ok)
{
	if (len == 0 || path[0] != '/')
		return 0;
	for (size_t i = 0; i < len; i++)
		if (path[i] == ',' || path[i] == '\\' || path[i] == '\n' ||
		    (!colon_ok && path[i] == ':'))
			return 0;
	return 1;
}

int overlay_lower_count(const char *lower)
{
	int count = 0;
	const char *p = lower;
	for (;;) {
		size_t len = strcspn(p, ":");
		if (!path_ok(p, len, 1))
			return -EINVAL;
		count++;
		if (!p[len])
			return count;
		p += len + 1;
	}
}

int overlay_data(char *buf, size_t size, const char *lower, const char *upper, const char *work, int scratch)
{
	if (overlay_lower_count(lower) < 0 || !path_ok(upper, strlen(upper), 0) ||
	    !path_ok(work, strlen(work), 0))
		return -EINVAL;
	int n = snprintf(buf, size, "lowerdir=%s,upperdir=%s,workdir=%s%s", lower, upper, work,
			 scratch ? ",volatile" : "");
	if (n < 0 || (size_t)n >= size || n >= OVERLAY_DATA_MAX)
		return -E2BIG;
	return 0;
}
