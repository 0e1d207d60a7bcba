#include "cgjoin.h"
#include "cgroup.h"
#include "fsutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char group_prefix[] = "/" CG_GROUP "/";

/* One line "ID:CONTROLLERS:PATH" (no newline) -> path, 1 if it is ours. */
/* The group's place in PATH: at its start, or with CGJOIN_NESTED the last
 * "/docker-lite/" in it; NULL when there is none. */
static const char *group_in(const char *path, int flags)
{
	if (strncmp(path, group_prefix, strlen(group_prefix)) == 0)
		return path;
	const char *last = NULL;
	for (const char *p = path; flags & CGJOIN_NESTED && (p = strstr(p, group_prefix)); p++)
		last = p;
	return last;
}

static int line_path(const char *line, size_t len, const char *root, int flags, char *out)
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
	int is_v2_line = strcmp(copy, "0") == 0 && controllers[0] == '\0';
	const char *group_at = group_in(path, is_v2_line ? flags : 0);
	const char *leaf = group_at ? group_at + strlen(group_prefix) : NULL;
	if (!leaf || !cg_leaf_name_ok(leaf) || is_v2_line != !!(flags & CGJOIN_V2))
		return 0;
	char hierarchy[PATH_MAX], group[PATH_MAX], dir[PATH_MAX];
	int n = is_v2_line ? snprintf(hierarchy, sizeof(hierarchy), "%s%.*s", root, (int)(group_at - path), path)
			   : snprintf(hierarchy, sizeof(hierarchy), "%s/%s", root, controllers);
	if (n < 0 || (size_t)n >= sizeof(hierarchy))
		return -ENAMETOOLONG;
	int rc = cg_leaf_path(hierarchy, leaf, group, dir);
	if (!rc)
		rc = path_join(out, PATH_MAX, dir, "cgroup.procs");
	return rc ? rc : 1;
}

int cgjoin_paths(const char *text, const char *root, int flags, char paths[][PATH_MAX], size_t max)
{
	size_t count = 0;
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		if (len) {
			if (count == max)
				return -E2BIG;
			int rc = line_path(line, len, root, flags, paths[count]);
			if (rc < 0)
				return rc;
			count += (size_t)rc;
		}
		line += len + (line[len] == '\n');
	}
	return (int)count;
}
