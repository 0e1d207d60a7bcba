#define _GNU_SOURCE
#include "init.h"
#include "err.h"
#include "forward.h"
#include "command.h"
#include "status.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void never_called(int sig)
{
	(void)sig;
}

/* Block what we wait for, and give it a handler: the kernel queues a
 * blocked signal for a namespace init, but would drop one left at SIG_DFL
 * once unblocked.  sigwaitinfo() then takes them one by one. */
static void catch_signals(sigset_t *set)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = never_called;
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (int i = 0; i < forwarded_signals_count; i++)
		sigaddset(set, forwarded_signals[i]);
	sigprocmask(SIG_BLOCK, set, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(set, sig))
			sigaction(sig, &sa, NULL);
	/* job-control stops make no sense for an init */
	signal(SIGTSTP, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
}

/* Reap every child that has ended; exit when the command is among them
 * (the kernel then kills whatever else is left in the namespace). */
static void reap(pid_t command)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (pid == command)
			exit(exit_code_from_wait(status));
}

void init_run(char **argv, char **envp)
{
	sigset_t set;
	catch_signals(&set);
	/* BEGIN SOLUTION: fork the command (exec_command), then wait for signals (sigwaitinfo): reap on SIGCHLD, forward the others to the command */
	pid_t command = fork();
	if (command < 0)
		die_errno("cannot fork the container command");
	if (command == 0)
		exec_command(argv, envp); /* resets what catch_signals() set */
	for (;;) {
		siginfo_t info;
		int sig = sigwaitinfo(&set, &info);
		if (sig < 0) {
			if (errno != EINTR)
				die_errno("init: sigwaitinfo");
		} else if (sig == SIGCHLD) {
			reap(command);
		} else if (should_forward(info.si_code)) {
			kill(command, sig);
		}
	}
	/* END SOLUTION */
}
