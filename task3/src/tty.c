#define _GNU_SOURCE
#include "tty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

int pty_open(int *master, int *slave)
{
	int unlock = 0;
	/* /dev/ptmx is a symlink to it: the container's instance either way */
	*master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0)
		return -errno;
	if (ioctl(*master, TIOCSPTLCK, &unlock) < 0 ||
	    (*slave = ioctl(*master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		int err = errno;
		close(*master);
		return -err;
	}
	return 0;
}

int pty_attach(int slave)
{
	/* setsid: a new session, whose first terminal is the slave; the
	 * shell in it can then run job control (Ctrl-Z, fg, bg) */
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
		return -errno;
	for (int fd = 0; fd <= 2; fd++)
		if (dup2(slave, fd) < 0)
			return -errno;
	if (slave > 2)
		close(slave);
	return 0;
}

int fd_send(int sock, int fd)
{
	char byte = 'm', control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = sizeof(control) };
	memset(control, 0, sizeof(control));
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ssize_t n;
	while ((n = sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return n == 1 ? 0 : -errno;
}

int fd_recv(int sock)
{
	char byte, control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = sizeof(control) };
	ssize_t n;
	while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return -errno;
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (n == 0 || !c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EPROTO; /* the other side died, or sent no fd */
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

int pty_follow_size(int from, int pty)
{
	struct winsize ws;
	if (from < 0 || ioctl(from, TIOCGWINSZ, &ws) < 0)
		return 0; /* not a terminal: the pty keeps its size */
	return ioctl(pty, TIOCSWINSZ, &ws) < 0 ? -errno : 0;
}

int tty_takes_input(int interactive, int stdin_fd)
{
	return interactive || isatty(stdin_fd);
}

static struct termios saved;
static int saved_fd = -1;

int tty_raw(int fd)
{
	struct termios raw;
	if (tcgetattr(fd, &saved) < 0)
		return -errno;
	raw = saved;
	cfmakeraw(&raw);
	if (tcsetattr(fd, TCSADRAIN, &raw) < 0)
		return -errno;
	if (saved_fd < 0)
		atexit(tty_restore);
	saved_fd = fd;
	return 0;
}

void tty_restore(void)
{
	if (saved_fd < 0)
		return;
	/* TCSADRAIN: after what the relay wrote, not over it */
	tcsetattr(saved_fd, TCSADRAIN, &saved);
	saved_fd = -1;
}
