#include "cgjoin.h"
#include "cgroup.h"
#include "fsutil.h"

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
	/* ours: a leaf right in docker-lite's group, which cg_leaf_path places */
	const char *leaf = path + strlen(group_prefix);
	if (strncmp(path, group_prefix, strlen(group_prefix)) != 0 || !cg_leaf_name_ok(leaf))
		return 0;
	int is_v2_line = strcmp(copy, "0") == 0 && controllers[0] == '\0';
	if (is_v2_line != !!v2)
		return 0;
	char hierarchy[PATH_MAX], group[PATH_MAX], dir[PATH_MAX];
	int n = is_v2_line ? snprintf(hierarchy, sizeof(hierarchy), "%s", root)
			   : snprintf(hierarchy, sizeof(hierarchy), "%s/%s", root, controllers);
	if (n < 0 || (size_t)n >= sizeof(hierarchy))
		return -ENAMETOOLONG;
	int rc = cg_leaf_path(hierarchy, leaf, group, dir);
	if (!rc)
		rc = path_join(out, PATH_MAX, dir, "cgroup.procs");
	return rc ? rc : 1;
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
