/* syncpipe.c - one byte each way on a pipe (syncpipe.h). */
#include "syncpipe.h"

#include <errno.h>
#include <unistd.h>

int sync_send(int fd, enum sync_byte byte)
{
	char c = (char)byte;
	ssize_t n;
	while ((n = write(fd, &c, 1)) < 0 && errno == EINTR)
		;
	return n == 1 ? 0 : -errno;
}

int sync_wait(int fd, enum sync_byte byte)
{
	char got;
	ssize_t n;
	while ((n = read(fd, &got, 1)) < 0 && errno == EINTR)
		;
	return n == 1 && got == (char)byte;
}
