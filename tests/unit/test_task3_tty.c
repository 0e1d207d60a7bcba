/* Unit tests for task3/src/tty.c: what run -t / exec -t build on.  Real
 * ptys from /dev/ptmx (posix_openpt) and a real socketpair; no root. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <cmocka.h>

#include "tty.h"

/* A host pty: master and slave. */
static void host_pty(int *master, int *slave)
{
	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(*master >= 0);
	assert_int_equal(grantpt(*master), 0);
	assert_int_equal(unlockpt(*master), 0);
	*slave = open(ptsname(*master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(*slave >= 0);
}

static void an_fd_crosses_a_unix_socket(void **state)
{
	(void)state;
	int sp[2], p[2];
	char buf[8] = "";
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(fd_send(sp[0], p[1]), 0);
	int got = fd_recv(sp[1]);
	assert_true(got >= 0 && got != p[1]);
	assert_true(fcntl(got, F_GETFD) & FD_CLOEXEC); /* never leaks into an exec */
	close(p[1]);
	assert_int_equal(write(got, "via", 3), 3); /* the same pipe */
	assert_int_equal(read(p[0], buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "via", 3);
	close(got);
	close(p[0]);
	close(sp[0]);
	assert_int_equal(fd_recv(sp[1]), -EPROTO); /* the sender gone: no fd */
	close(sp[1]);
}

static void raw_mode_and_back(void **state)
{
	(void)state;
	int master, slave;
	struct termios before, during, after;
	host_pty(&master, &slave);
	memset(&before, 0, sizeof(before)); /* the padding compares equal too */
	memset(&after, 0, sizeof(after));
	assert_int_equal(tcgetattr(slave, &before), 0);
	assert_true(before.c_lflag & ICANON);
	assert_int_equal(tty_raw(slave), 0);
	assert_int_equal(tcgetattr(slave, &during), 0);
	assert_false(during.c_lflag & (ICANON | ECHO | ISIG)); /* Ctrl-C is a byte now */
	tty_restore();
	assert_int_equal(tcgetattr(slave, &after), 0);
	assert_memory_equal(&before, &after, sizeof(before));
	tty_restore(); /* twice: harmless */
	int null = open("/dev/null", O_RDONLY);
	assert_int_equal(tty_raw(null), -ENOTTY);
	close(null);
	close(slave);
	close(master);
}

static void the_pty_follows_a_terminal_size(void **state)
{
	(void)state;
	int m1, s1, m2, s2;
	struct winsize ws = { .ws_row = 33, .ws_col = 111 }, got;
	host_pty(&m1, &s1);
	host_pty(&m2, &s2);
	assert_int_equal(ioctl(s1, TIOCSWINSZ, &ws), 0);
	assert_int_equal(pty_follow_size(s1, m2), 0);
	assert_int_equal(ioctl(s2, TIOCGWINSZ, &got), 0);
	assert_int_equal(got.ws_row, 33);
	assert_int_equal(got.ws_col, 111);
	int null = open("/dev/null", O_RDONLY);
	assert_int_equal(pty_follow_size(null, m2), 0); /* not a terminal: unchanged */
	assert_int_equal(pty_follow_size(-1, m2), 0);
	close(null);
	for (int fd = m1; fd >= 0; fd = fd == m1 ? s1 : fd == s1 ? m2 : fd == m2 ? s2 : -1)
		close(fd);
}

/* The command's side: a session of its own, the slave as its controlling
 * terminal and stdio. */
static void attach_makes_the_slave_the_controlling_terminal(void **state)
{
	(void)state;
	int master, slave;
	host_pty(&master, &slave);
	const char *name = ptsname(master);
	char expect[64];
	strncpy(expect, name, sizeof(expect) - 1);
	expect[sizeof(expect) - 1] = '\0';
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		if (pty_attach(slave) != 0)
			_exit(1);
		char *tty = ttyname(0);
		if (!tty || strcmp(tty, expect) != 0 || getsid(0) != getpid())
			_exit(2);
		_exit(tcgetpgrp(0) == getpid() ? 0 : 3); /* its own foreground */
	}
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(slave);
	close(master);
}

static void input_only_when_asked_or_from_a_terminal(void **state)
{
	(void)state;
	int master, slave;
	host_pty(&master, &slave);
	int null = open("/dev/null", O_RDONLY);
	assert_true(tty_takes_input(1, null));
	assert_false(tty_takes_input(0, null));
	assert_true(tty_takes_input(0, slave));
	close(null);
	close(slave);
	close(master);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_fd_crosses_a_unix_socket),
		cmocka_unit_test(raw_mode_and_back),
		cmocka_unit_test(the_pty_follows_a_terminal_size),
		cmocka_unit_test(attach_makes_the_slave_the_controlling_terminal),
		cmocka_unit_test(input_only_when_asked_or_from_a_terminal),
	};
	return cmocka_run_group_tests_name("task3 tty", tests, NULL, NULL);
}
