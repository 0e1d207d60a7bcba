#define _GNU_SOURCE
#include "fds.h"
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

/* close_range() closes [first, last] in one call; the gaps between the
 * kept fds, taken in increasing order, are such ranges. */
int close_fds_except(const int *keep, size_t n)
{
	unsigned int first = 3;
	for (;;) {
		/* the smallest kept fd >= first */
		long next = -1;
		for (size_t i = 0; i < n; i++)
			if (keep[i] >= (int)first && (next < 0 || keep[i] < next))
				next = keep[i];
		unsigned int last = next < 0 ? UINT_MAX : (unsigned int)next - 1;
		if (next != (long)first && sys_close_range(first, last, 0) < 0)
			return -errno;
		if (next < 0)
			return 0;
		first = (unsigned int)next + 1;
	}
}

void ensure_stdio(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return; /* nothing better to do: /dev/null itself is missing */
}

