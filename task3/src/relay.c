#define _GNU_SOURCE
#include "relay.h"
#include "err.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
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

static int streams_open(const struct relay *r)
{
	int open = 0;
	for (int i = 0; i < RELAY_STREAMS; i++)
		open += r->src[i] >= 0;
	return open;
}

/* One poll over the open streams and, until it ended, the init.  Returns
 * the poll's result (0: drain_ms of silence after the end). */
static int poll_once(struct relay *r, int *ended)
{
	struct pollfd p[RELAY_STREAMS + 1];
	int n = 0;
	for (int i = 0; i < RELAY_STREAMS; i++)
		p[n++] = (struct pollfd){ .fd = r->src[i], .events = POLLIN }; /* fd -1: ignored */
	if (!*ended)
		p[n++] = (struct pollfd){ .fd = r->pidfd, .events = POLLIN };
	int ready = poll(p, (nfds_t)n, *ended ? r->drain_ms : -1);
	if (ready < 0)
		return errno == EINTR ? 1 : -errno; /* EINTR: a signal we forwarded; go on */
	if (ready == 0)
		return 0;
	if (!*ended && p[RELAY_STREAMS].revents)
		*ended = 1;
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
