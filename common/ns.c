#define _GNU_SOURCE
#include "ns.h"
#include "sys.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const struct ns_kind ns_kinds[] = {
	{ "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "net", CLONE_NEWNET },
	{ "pid", CLONE_NEWPID }, { "cgroup", CLONE_NEWCGROUP }, { "mnt", CLONE_NEWNS },
};
const size_t ns_kinds_count = sizeof(ns_kinds) / sizeof(ns_kinds[0]);

int ns_flag_from_name(const char *name)
{
	for (size_t i = 0; i < ns_kinds_count; i++)
		if (strcmp(ns_kinds[i].name, name) == 0)
			return ns_kinds[i].flag;
	return 0;
}

const char *ns_name_from_flag(int flag)
{
	for (size_t i = 0; i < ns_kinds_count; i++)
		if (ns_kinds[i].flag == flag)
			return ns_kinds[i].name;
	return NULL;
}

int ns_flags_from_list(const char *list, int *flags)
{
	char word[16];
	int result = 0;

	while (*list) {
		size_t len = strcspn(list, ",");
		if (len == 0 || len >= sizeof(word))
			return -EINVAL;
		memcpy(word, list, len);
		word[len] = '\0';
		int flag = ns_flag_from_name(word);
		if (!flag)
			return -EINVAL;
		result |= flag;
		list += len;
		if (*list == ',' && *++list == '\0')
			return -EINVAL; /* trailing comma */
	}
	*flags = result;
	return 0;
}

int ns_flags_to_list(int flags, char *buf, size_t size)
{
	size_t used = 0;
	int known = 0;

	if (size == 0)
		return -ENOSPC;
	buf[0] = '\0';
	for (size_t i = 0; i < ns_kinds_count; i++) {
		if (!(flags & ns_kinds[i].flag))
			continue;
		known |= ns_kinds[i].flag;
		int n = snprintf(buf + used, size - used, "%s%s", used ? "," : "", ns_kinds[i].name);
		if (n < 0 || (size_t)n >= size - used)
			return -ENOSPC;
		used += (size_t)n;
	}
	return known == flags ? 0 : -EINVAL;
}

int ns_join_pid(pid_t pid, int flags)
{
	int fd = sys_pidfd_open(pid, 0);
	if (fd < 0)
		return -errno;
	int rc = sys_setns(fd, flags) < 0 ? -errno : 0;
	close(fd);
	return rc;
}
