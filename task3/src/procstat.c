#define _GNU_SOURCE
#include "procstat.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STARTTIME_FIELD 22

int proc_stat_parse(const char *text, struct proc_stat *st)
{
	const char *p = strrchr(text, ')');
	if (!p)
		return -EINVAL;
	p++;
	/* p now points just before field 3; walk fields 3..22 */
	for (int field = 3; field <= STARTTIME_FIELD; field++) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			return -EINVAL;
		if (field == 3)
			st->state = *p;
		if (field == STARTTIME_FIELD) {
			char *end;
			if (!isdigit((unsigned char)*p))
				return -EINVAL;
			errno = 0;
			st->starttime = strtoull(p, &end, 10);
			if (errno || (*end && *end != ' ' && *end != '\n'))
				return -EINVAL;
			return 0;
		}
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	return -EINVAL;
}

int proc_stat_read_at(int procdir_fd, struct proc_stat *st)
{
	char buf[1024];
	int fd = openat(procdir_fd, "stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	return proc_stat_parse(buf, st);
}

int proc_stat_read(pid_t pid, struct proc_stat *st)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -errno;
	int rc = proc_stat_read_at(dir, st);
	close(dir);
	return rc;
}

int proc_stat_is(const struct proc_stat *st, unsigned long long starttime)
{
	/* a zombie has finished: its namespaces are gone, it cannot be entered */
	return st->state != 'Z' && st->state != 'X' && st->starttime == starttime;
}

int parse_starttime(const char *text, unsigned long long *starttime)
{
	char *end;
	if (!isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	unsigned long long value = strtoull(text, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*starttime = value;
	return 0;
}
