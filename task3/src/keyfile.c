#define _GNU_SOURCE
#include "keyfile.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int key_dropped(const char *line, size_t len, const char *const drop[])
{
	for (size_t i = 0; drop[i]; i++) {
		size_t k = strlen(drop[i]);
		if (len > k && strncmp(line, drop[i], k) == 0 && line[k] == '=')
			return 1;
	}
	return 0;
}

int keyfile_merge(const char *old, const char *const drop[], const char *add, char *out,
		  size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (const char *line = old; line && *line;) {
		size_t len = strcspn(line, "\n");
		if (len && !key_dropped(line, len, drop)) {
			if (used + len + 2 > size)
				return -E2BIG;
			memcpy(out + used, line, len);
			used += len;
			out[used++] = '\n';
		}
		line += len + (line[len] == '\n');
	}
	size_t alen = strlen(add);
	if (used + alen + 1 > size)
		return -E2BIG;
	memcpy(out + used, add, alen + 1);
	return 0;
}

int keyfile_has(const char *text, const char *key, const char *value)
{
	size_t k = strlen(key), v = strlen(value);
	for (const char *line = text; line && *line;) {
		size_t len = strcspn(line, "\n");
		if (len == k + 1 + v && strncmp(line, key, k) == 0 && line[k] == '=' &&
		    strncmp(line + k + 1, value, v) == 0)
			return 1;
		line += len + (line[len] == '\n');
	}
	return 0;
}

static int write_atomically(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = strlen(text);
	int rc = fchmod(fd, 0644) == 0 && write(fd, text, len) == (ssize_t)len ? 0 : -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

int keyfile_update(const char *path, const char *const drop[], const char *add, int create)
{
	static char old[KEYFILE_MAX], merged[KEYFILE_MAX];
	ssize_t n = read_file(path, old, sizeof(old));
	if (n == -ENOENT && create)
		old[0] = '\0';
	else if (n < 0)
		return (int)n;
	int rc = keyfile_merge(old, drop, add, merged, sizeof(merged));
	return rc ? rc : write_atomically(path, merged);
}

int lock_take(const char *path, int timeout_s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	/* poll: flock has no timeout of its own.  The pause grows from 1 ms to
	 * 50 ms (as lib/wait.sh's): a lock is mostly held for a few ms, and a
	 * fixed 50 ms pause made every short wait a 50 ms one */
	long waited_us = 0;
	for (long pause_us = 1000;; pause_us = pause_us >= 25000 ? 50000 : pause_us * 2) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK || waited_us >= timeout_s * 1000000L) {
			int err = errno == EWOULDBLOCK ? ETIMEDOUT : errno;
			close(fd);
			return -err;
		}
		nanosleep(&(struct timespec){ .tv_nsec = pause_us * 1000 }, NULL);
		waited_us += pause_us;
	}
}
