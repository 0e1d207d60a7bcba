/* relay.h - dl-run's copy of a foreground container's output.
 *
 * A foreground container whose output goes to a pipe or a file (a script,
 * a test, `| tee`) does not write there itself: its stdout and stderr are
 * pipes to dl-run, which writes each chunk where the caller pointed that
 * stream *and* appends it to the container's log, so `conductor.sh logs`
 * can show it later.  dl-run is outside the container, so a container
 * cannot tamper with its own log.
 *
 * Order: a pipe keeps the order of what is written into it, two pipes do
 * not (which of two readable pipes was written first is not knowable).
 * So when the caller's stdout and stderr are the same file (2>&1, one
 * pipe, one terminal) both streams share one pipe and the log keeps their
 * exact order; when they are different files each stream has its own
 * pipe, each still reaches its own file, and the log has them in the
 * order dl-run read them (chunks written within microseconds of each
 * other may swap, as with Docker's separate streams).
 */
#ifndef DL_T3_RELAY_H
#define DL_T3_RELAY_H

#include <stddef.h>
#include <sys/types.h>

#define RELAY_STREAMS 2

struct relay {
	int src[RELAY_STREAMS]; /* read ends of the command's stdout, stderr; -1: none */
	int dst[RELAY_STREAMS]; /* where each stream goes (the caller's 1 and 2) */
	int log_fd;             /* the copy, opened O_APPEND; -1: none */
	int pidfd;              /* the container's init: readable once it ended */
	int drain_ms;           /* after the init ended: give up after this much silence */
	/* -t (tty.h): src[0] is the pty's master */
	int in_fd;    /* the caller's stdin, copied to pty_fd (not logged); -1: none */
	int pty_fd;   /* the master, where input goes and whose size follows size_fd */
	int winch_fd; /* a signalfd of SIGWINCH; -1: none */
	int size_fd;  /* the caller's terminal (its window size); -1: none */
};

/* Pure: do fds a and b refer to the same file (so one pipe serves both)? */
int same_file(int a, int b);
/* Write all of buf to fd (through EINTR, short writes and O_NONBLOCK). */
int write_all(int fd, const char *buf, size_t len);
/* Move one chunk of stream i: read src, write dst and the log.  Returns the
 * bytes moved, 0 at end of stream, or -errno (-EPIPE: dst has no reader). */
ssize_t relay_pump(struct relay *r, int i);
/* The fields of a relay that does nothing yet (every fd -1). */
void relay_init(struct relay *r);
/* -t: relay the pty master (output to fd 1, and to log_fd if set), the
 * caller's stdin to it (tty_takes_input), its window size (SIGWINCH, now
 * blocked and read from a signalfd); the caller's terminal in raw mode
 * while input is relayed from it.  Returns 0 or -errno. */
int relay_tty(struct relay *r, int master, int interactive);
/* -d -t: only the pty's output, to fd 1 (the monitor's: the log).  Nobody
 * types to a detached container and no window is followed: the pty gets
 * a classic terminal's 24x80.  Returns 0 or -errno. */
int relay_tty_output(struct relay *r, int master);
/* Relay until the init has ended and every stream reached its end (or
 * stayed silent for drain_ms after the init ended).  Closes the src fds.
 * Returns 0 or -errno of a failed poll. */
int relay_run(struct relay *r);

#endif
