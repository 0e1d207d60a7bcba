#define _GNU_SOURCE
#include "command.h"
#include "syscalls.h"
#include "err.h"
#include "fds.h"
#include "status.h"
#include "tty.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

void reset_signals(void)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* An ignored signal stays ignored across exec: whatever the caller
	 * ignored (a Bash "cmd &" ignores SIGINT and SIGQUIT, other tools
	 * ignore glibc's own 32 and 33) must not reach the command. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sys_signal_default(sig);
}

static int command_tty = -1;

void command_use_tty(int slave)
{
	command_tty = slave;
}

void exec_command(char **argv, char **envp)
{
	int rc;
	reset_signals();
	if (command_tty >= 0 && (rc = pty_attach(command_tty)))
		die_err(rc, "cannot give the command its terminal");
	if (close_fds_except(NULL, 0) < 0)
		die_errno("cannot close inherited file descriptors");
	umask(022);
	/* execvp searches the PATH of the current environment: the container's */
	environ = envp;
	execvp(argv[0], argv);
	int err = errno;
	if (exit_code_for_exec_errno(err) == DL_EXIT_NOT_FOUND)
		fprintf(stderr, "%s: %s: command not found in the container (%s)\n", progname(),
			argv[0], strerror(err));
	else
		fprintf(stderr, "%s: cannot run %s in the container: %s\n", progname(), argv[0],
			strerror(err));
	_exit(exit_code_for_exec_errno(err));
}
