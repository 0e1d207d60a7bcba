#define _GNU_SOURCE
#include "relay.h"
#include "err.h"
#include "tty.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define RELAY_BUF 65536

int same_file(int a, int b)
{
	struct stat sa, sb;
	if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0)
		return 0;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* A caller may have left its stdout non-blocking (a shared terminal or
 * pipe): wait until it takes more instead of dropping output. */
static int wait_writable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		int rc = 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			rc = wait_writable(fd);
		else if (n < 0)
			return -errno;
		if (rc)
			return rc;
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		}
	}
	return 0;
}

/* The log is a copy: when it cannot be written (disk full), say so once
 * and go on relaying, rather than fail the container's own output. */
static void copy_to_log(struct relay *r, const char *buf, size_t len)
{
	int rc = r->log_fd < 0 ? 0 : write_all(r->log_fd, buf, len);
	if (rc) {
		log_warn("cannot write the container's log (%s): not recording the rest", strerror(-rc));
		r->log_fd = -1;
	}
}

ssize_t relay_pump(struct relay *r, int i)
{
	static char buf[RELAY_BUF];
	ssize_t n;
	while ((n = read(r->src[i], buf, sizeof(buf))) < 0 && errno == EINTR)
		;
	if (n < 0)
		return errno == EIO ? 0 : -errno; /* EIO: a pty whose other side closed */
	if (n == 0)
		return 0;
	/* the log first: what the caller was shown is never missing from it */
	copy_to_log(r, buf, (size_t)n);
	int rc = write_all(r->dst[i], buf, (size_t)n);
	return rc ? rc : n;
}

/* Stream i has ended or its reader is gone.  Closing our read end makes
 * the command's next write fail with SIGPIPE/EPIPE, as it would have
 * without us in between (`run ... yes | head -1` ends). */
static void close_stream(struct relay *r, int i, ssize_t rc)
{
	if (rc < 0 && rc != -EPIPE)
		log_warn("cannot relay the container's output: %s", strerror((int)-rc));
	close(r->src[i]);
	r->src[i] = -1;
}

void relay_init(struct relay *r)
{
	*r = (struct relay){ .src = { -1, -1 }, .dst = { -1, -1 }, .log_fd = -1, .pidfd = -1,
			     .in_fd = -1, .pty_fd = -1, .winch_fd = -1, .size_fd = -1 };
}

/* -t: what the user typed, to the pty (no copy: the pty echoes what
 * should be seen).  At the end of a piped stdin the pty gets its
 * end-of-file character, as a user's Ctrl-D. */
static void relay_input(struct relay *r)
{
	char buf[4096];
	ssize_t n;
	while ((n = read(r->in_fd, buf, sizeof(buf))) < 0 && errno == EINTR)
		;
	if (n <= 0) {
		struct termios t;
		if (n == 0 && tcgetattr(r->pty_fd, &t) == 0)
			write_all(r->pty_fd, (const char *)&t.c_cc[VEOF], 1);
		r->in_fd = -1; /* not ours to close: our stdin */
		return;
	}
	/* EIO: the command's side is closed; the output side sees it too */
	if (write_all(r->pty_fd, buf, (size_t)n))
		r->in_fd = -1;
}

/* -t: the user's terminal changed size (SIGWINCH): so does the pty, and
 * the kernel sends the command's foreground job its own SIGWINCH. */
static void relay_winch(struct relay *r)
{
	struct signalfd_siginfo info;
	while (read(r->winch_fd, &info, sizeof(info)) < 0 && errno == EINTR)
		;
	pty_follow_size(r->size_fd, r->pty_fd);
}

static int streams_open(const struct relay *r)
{
	int open = 0;
	for (int i = 0; i < RELAY_STREAMS; i++)
		open += r->src[i] >= 0;
	return open;
}

/* The terminal whose size the pty follows: stdin's, or else stdout's. */
static int size_source(void)
{
	return isatty(0) ? 0 : isatty(1) ? 1 : -1;
}

int relay_tty(struct relay *r, int master, int interactive)
{
	sigset_t winch;
	int rc;
	r->src[0] = r->pty_fd = master;
	r->dst[0] = 1;
	r->size_fd = size_source();
	if ((rc = pty_follow_size(r->size_fd, master)))
		return rc;
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	if (r->size_fd >= 0 && (sigprocmask(SIG_BLOCK, &winch, NULL) < 0 ||
				(r->winch_fd = signalfd(-1, &winch, SFD_CLOEXEC)) < 0))
		return -errno;
	if (!tty_takes_input(interactive, 0))
		return 0;
	r->in_fd = 0;
	/* raw: each key as typed, Ctrl-C and Ctrl-Z included, goes to the
	 * pty, whose own line discipline does what a terminal does */
	return isatty(0) ? tty_raw(0) : 0;
}

int relay_tty_output(struct relay *r, int master)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	r->src[0] = r->pty_fd = master;
	r->dst[0] = 1;
	return ioctl(master, TIOCSWINSZ, &ws) < 0 ? -errno : 0;
}

enum { P_PID = RELAY_STREAMS, P_IN, P_WINCH, P_COUNT };

/* One poll over the open streams, the input, SIGWINCH and, until it
 * ended, the init (fd -1: ignored by poll).  Returns the poll's result
 * (0: drain_ms of silence after the end). */
static int poll_once(struct relay *r, int *ended)
{
	struct pollfd p[P_COUNT];
	for (int i = 0; i < RELAY_STREAMS; i++)
		p[i] = (struct pollfd){ .fd = r->src[i], .events = POLLIN };
	p[P_PID] = (struct pollfd){ .fd = *ended ? -1 : r->pidfd, .events = POLLIN };
	p[P_IN] = (struct pollfd){ .fd = *ended ? -1 : r->in_fd, .events = POLLIN };
	p[P_WINCH] = (struct pollfd){ .fd = *ended ? -1 : r->winch_fd, .events = POLLIN };
	int ready = poll(p, P_COUNT, *ended ? r->drain_ms : -1);
	if (ready < 0)
		return errno == EINTR ? 1 : -errno; /* EINTR: a signal we forwarded; go on */
	if (ready == 0)
		return 0;
	if (p[P_PID].revents)
		*ended = 1;
	if (p[P_IN].revents)
		relay_input(r);
	if (p[P_WINCH].revents)
		relay_winch(r);
	for (int i = 0; i < RELAY_STREAMS; i++) {
		if (!p[i].revents)
			continue;
		ssize_t rc = relay_pump(r, i);
		if (rc <= 0)
			close_stream(r, i, rc);
	}
	return ready;
}

int relay_run(struct relay *r)
{
	int ended = 0, rc = 0;
	/* After the init ended the kernel kills the rest of the container, and
	 * the last writer's exit ends each stream: read until then, so nothing
	 * printed just before the end is lost. */
	while (streams_open(r) && (rc = poll_once(r, &ended)) > 0)
		;
	for (int i = 0; i < RELAY_STREAMS; i++)
		if (r->src[i] >= 0)
			close_stream(r, i, 0);
	return rc < 0 ? rc : 0;
}
