#define _GNU_SOURCE
#include "safepath.h"
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

int check_mount_dir(int root_fd, const char *name, unsigned int mode)
{
	struct stat st;
	if (fstatat(root_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return -errno;
		/* mkdirat never follows a symlink in its last component */
		if (mkdirat(root_fd, name, mode) < 0 && errno != EEXIST)
			return -errno;
		if (fstatat(root_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
	}
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int check_beneath(int root_fd, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int fd = sys_openat2(root_fd, path, &how, sizeof(how));
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	close(fd);
	return 0;
}
