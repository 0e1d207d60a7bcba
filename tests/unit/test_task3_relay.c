/* Unit tests for task3/src/relay.c: dl-run's copy of a foreground
 * container's output.  Real pipes and a real child process (the relay is
 * all about what the kernel's pipes and pidfds do); no root needed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "relay.h"

/* Everything readable from fd now (it must be at its end or non-blocking). */
static size_t slurp(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;
	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	return got;
}

/* A relay of one stream (src: pipe in[0]) to pipe out and pipe log. */
struct rig {
	int in[2], out[2], log[2];
	struct relay r;
};

static void rig_open(struct rig *g)
{
	assert_int_equal(pipe2(g->in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(g->out, O_CLOEXEC | O_NONBLOCK), 0);
	assert_int_equal(pipe2(g->log, O_CLOEXEC | O_NONBLOCK), 0);
	relay_init(&g->r);
	g->r.src[0] = g->in[0];
	g->r.dst[0] = g->out[1];
	g->r.log_fd = g->log[1];
	g->r.drain_ms = 1000;
}

static void rig_close(struct rig *g)
{
	int fds[] = { g->in[1], g->out[0], g->out[1], g->log[0], g->log[1] };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static void same_file_tells_one_file_from_two(void **state)
{
	(void)state;
	int p[2], q[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(q), 0);
	int dup_of_p = dup(p[1]);
	assert_true(same_file(p[1], dup_of_p)); /* 2>&1 */
	assert_true(same_file(p[0], p[1]));     /* one pipe */
	assert_false(same_file(p[1], q[1]));    /* >out 2>err */
	assert_false(same_file(p[1], 1000));    /* not open */
	close(dup_of_p);
	for (int i = 0; i < 2; i++) {
		close(p[i]);
		close(q[i]);
	}
}

static void pump_copies_one_chunk_to_both(void **state)
{
	(void)state;
	struct rig g;
	char buf[64];
	rig_open(&g);
	assert_int_equal(write(g.in[1], "hello\n", 6), 6);
	assert_int_equal(relay_pump(&g.r, 0), 6);
	assert_int_equal(slurp(g.out[0], buf, sizeof(buf)), 6);
	assert_string_equal(buf, "hello\n");
	assert_int_equal(slurp(g.log[0], buf, sizeof(buf)), 6);
	assert_string_equal(buf, "hello\n");
	close(g.in[1]);
	g.in[1] = -1;
	assert_int_equal(relay_pump(&g.r, 0), 0); /* end of stream */
	close(g.in[0]);
	rig_close(&g);
}

static void pump_reports_a_reader_gone(void **state)
{
	(void)state;
	struct rig g;
	rig_open(&g);
	signal(SIGPIPE, SIG_IGN);
	close(g.out[0]);
	g.out[0] = -1;
	assert_int_equal(write(g.in[1], "x", 1), 1);
	assert_int_equal(relay_pump(&g.r, 0), -EPIPE);
	close(g.in[0]);
	rig_close(&g);
}

/* A log that cannot be written is dropped; the output still flows. */
static void pump_goes_on_without_a_broken_log(void **state)
{
	(void)state;
	struct rig g;
	char buf[16];
	rig_open(&g);
	g.r.log_fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	assert_true(g.r.log_fd >= 0);
	int full = g.r.log_fd;
	assert_int_equal(write(g.in[1], "ok", 2), 2);
	assert_int_equal(relay_pump(&g.r, 0), 2);
	assert_int_equal(g.r.log_fd, -1);
	assert_int_equal(slurp(g.out[0], buf, sizeof(buf)), 2);
	close(full);
	close(g.in[0]);
	rig_close(&g);
}

/* The child writes its last bytes and exits at once: relay_run must still
 * deliver them, and end (the pidfd and the end of the pipe). */
static void run_drains_after_the_writer_exits(void **state)
{
	(void)state;
	struct rig g;
	char buf[256];
	rig_open(&g);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		for (int i = 0; i < 10; i++)
			dprintf(g.in[1], "line %d\n", i);
		_exit(0);
	}
	close(g.in[1]);
	g.in[1] = -1;
	g.r.pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	assert_true(g.r.pidfd >= 0);
	assert_int_equal(relay_run(&g.r), 0);
	assert_int_equal(g.r.src[0], -1); /* closed */
	slurp(g.out[0], buf, sizeof(buf));
	assert_non_null(strstr(buf, "line 0\n"));
	assert_non_null(strstr(buf, "line 9\n"));
	waitpid(child, NULL, 0);
	close(g.r.pidfd);
	rig_close(&g);
}

/* A writer that outlives the init (it escaped the kill) does not hold the
 * relay forever: drain_ms of silence after the end, and it returns. */
static void run_gives_up_on_a_silent_leftover_writer(void **state)
{
	(void)state;
	struct rig g;
	rig_open(&g);
	g.r.drain_ms = 50;
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	g.r.pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	assert_true(g.r.pidfd >= 0);
	assert_int_equal(relay_run(&g.r), 0); /* g.in[1] is still open here */
	waitpid(child, NULL, 0);
	close(g.r.pidfd);
	rig_close(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_file_tells_one_file_from_two),
		cmocka_unit_test(pump_copies_one_chunk_to_both),
		cmocka_unit_test(pump_reports_a_reader_gone),
		cmocka_unit_test(pump_goes_on_without_a_broken_log),
		cmocka_unit_test(run_drains_after_the_writer_exits),
		cmocka_unit_test(run_gives_up_on_a_silent_leftover_writer),
	};
	return cmocka_run_group_tests_name("task3 relay", tests, NULL, NULL);
}
