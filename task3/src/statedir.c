#define _GNU_SOURCE
#include "statedir.h"
#include "fsutil.h"
#include "keyfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int layers_present(const char *lowers, const char **gone)
{
	static char layer[PATH_MAX];
	for (const char *p = lowers; p && *p;) {
		size_t len = strcspn(p, ":");
		if (len >= sizeof(layer))
			return -ENAMETOOLONG;
		memcpy(layer, p, len);
		layer[len] = '\0';
		struct stat st;
		if (len && (stat(layer, &st) < 0 || !S_ISDIR(st.st_mode))) {
			*gone = layer;
			return -ENOENT;
		}
		p += len + (p[len] == ':');
	}
	return 0;
}

int statedir_claim(const char *dir, const char *lowers, const char *record, const char **gone)
{
	static const char *const none[] = { NULL };
	char state[PATH_MAX];
	int rc = layers_present(lowers, gone);
	if (rc)
		return rc;
	if ((rc = path_join(state, sizeof(state), dir, "state")))
		return rc;
	if (mkdir(dir, 0755) < 0)
		return -errno;
	if ((rc = keyfile_update(state, none, record, 1)))
		rmdir(dir);
	return rc;
}

/* Copy the octal-escaped field at *p (up to a space) into out, decoded;
 * *p is left after it. */
static int field_decode(const char **p, char *out, size_t size)
{
	size_t n = 0;
	const char *s = *p;
	for (; *s && *s != ' ' && *s != '\n'; n++) {
		if (n + 1 >= size)
			return -ENAMETOOLONG;
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			out[n] = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			out[n] = *s++;
		}
	}
	out[n] = '\0';
	*p = s;
	return 0;
}

int mountinfo_line_under(const char *line, const char *dir)
{
	char mp[PATH_MAX];
	const char *p = line;
	/* fields: id, parent, major:minor, root, then the mount point */
	for (int field = 1; field < 5; field++) {
		p = strchr(p, ' ');
		if (!p)
			return 0;
		p++;
	}
	if (field_decode(&p, mp, sizeof(mp)))
		return 0;
	size_t len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	return strncmp(mp, dir, len) == 0 && (mp[len] == '\0' || mp[len] == '/');
}

/* The mount points at or under dir, in mountinfo's order (the order
 * they were made), into *list (malloc'd, *n of them, PATH_MAX apart).
 * Returns 0 or -errno. */
static int mounts_under(const char *dir, char **list, size_t *n)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	*list = NULL;
	*n = 0;
	while (!rc && getline(&line, &cap, f) > 0) {
		if (!mountinfo_line_under(line, dir))
			continue;
		char *grown = realloc(*list, (*n + 1) * PATH_MAX);
		if (!grown) {
			rc = -ENOMEM;
			break;
		}
		*list = grown;
		const char *p = line;
		for (int field = 1; field < 5; field++)
			p = strchr(p, ' ') + 1; /* mountinfo_line_under found 5 fields */
		field_decode(&p, *list + *n * PATH_MAX, PATH_MAX);
		(*n)++;
	}
	free(line);
	fclose(f);
	return rc;
}

static int mounted_under(const char *dir)
{
	char *list;
	size_t n;
	int rc = mounts_under(dir, &list, &n);
	free(list);
	return rc ? rc : n > 0;
}

int statedir_unmount(const char *dir)
{
	char *list;
	size_t n;
	int rc = mounts_under(dir, &list, &n);
	for (size_t i = n; !rc && i-- > 0;) {
		const char *mp = list + i * PATH_MAX;
		if (umount2(mp, UMOUNT_NOFOLLOW) < 0 && umount2(mp, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 &&
		    errno != EINVAL && errno != ENOENT)
			rc = -errno;
	}
	free(list);
	if (rc)
		return rc;
	rc = mounted_under(dir);
	return rc > 0 ? -EBUSY : rc;
}

/* Delete what the directory dfd holds; a directory on another file system
 * (a mount point: mounted_under missed it, or it came meanwhile) stops
 * the removal rather than being entered. */
static int remove_entries(int dfd, dev_t dev)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		int err = errno;
		close(dfd);
		return -err;
	}
	int rc = 0;
	struct dirent *e;
	while (!rc && (errno = 0, e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = errno == ENOENT ? 0 : -errno;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			rc = unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT ? -errno : 0;
			continue;
		}
		if (st.st_dev != dev) {
			rc = -EBUSY;
			continue;
		}
		int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		rc = sub < 0 ? -errno : remove_entries(sub, dev);
		if (!rc && unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) < 0)
			rc = -errno;
	}
	if (!rc && errno)
		rc = -errno;
	closedir(d);
	return rc;
}

int statedir_remove(const char *dir)
{
	int rc = mounted_under(dir);
	if (rc)
		return rc > 0 ? -EBUSY : rc;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -errno;
	struct stat st;
	if (fstat(dfd, &st) < 0) {
		rc = -errno;
		close(dfd);
		return rc;
	}
	if ((rc = remove_entries(dfd, st.st_dev)))
		return rc;
	return rmdir(dir) < 0 && errno != ENOENT ? -errno : 0;
}
