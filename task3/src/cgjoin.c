#include "cgjoin.h"
#include "cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char group_prefix[] = "/" CG_GROUP "/";

/* One line "ID:CONTROLLERS:PATH" (no newline) -> path, 1 if it is ours. */
static int line_path(const char *line, size_t len, const char *root, int v2, char *out)
{
	char copy[PATH_MAX];
	if (len >= sizeof(copy))
		return -ENAMETOOLONG;
	memcpy(copy, line, len);
	copy[len] = '\0';
	char *controllers = strchr(copy, ':');
	char *path = controllers ? strchr(controllers + 1, ':') : NULL;
	if (!path)
		return -EINVAL;
	*controllers++ = '\0';
	*path++ = '\0';
	if (strncmp(path, group_prefix, strlen(group_prefix)) != 0 || strstr(path, ".."))
		return 0;
	int is_v2_line = strcmp(copy, "0") == 0 && controllers[0] == '\0';
	if (is_v2_line != !!v2)
		return 0;
	int n = is_v2_line ? snprintf(out, PATH_MAX, "%s%s/cgroup.procs", root, path)
			   : snprintf(out, PATH_MAX, "%s/%s%s/cgroup.procs", root, controllers, path);
	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 1;
}

int cgjoin_paths(const char *text, const char *root, int v2, char paths[][PATH_MAX], size_t max)
{
	size_t count = 0;
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		if (len) {
			if (count == max)
				return -E2BIG;
			int rc = line_path(line, len, root, v2, paths[count]);
			if (rc < 0)
				return rc;
			count += (size_t)rc;
		}
		line += len + (line[len] == '\n');
	}
	return (int)count;
}
