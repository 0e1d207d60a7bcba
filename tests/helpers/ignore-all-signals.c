/* ignore-all-signals CMD [ARG]... - run CMD with every signal ignored,
 * glibc's own 32 and 33 included (its sigaction() refuses those, so the
 * kernel's rt_sigaction is called directly). An ignored signal stays
 * ignored across exec: the tests use this to check that a container's
 * command starts with none, whatever its caller ignored. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		unsigned long mask;
	} act = { .handler = SIG_IGN };
	if (argc < 2) {
		fputs("usage: ignore-all-signals CMD [ARG]...\n", stderr);
		return 2;
	}
	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &act, NULL, sizeof(act.mask));
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
