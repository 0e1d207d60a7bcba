#include "status.h"
#include "err.h"

#include <errno.h>
#include <sys/wait.h>

int exit_code_from_wait(int wait_status)
{
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return DL_EXIT_FAILURE; /* stopped/continued: never asked for */
}

int exit_code_for_exec_errno(int err)
{
	/* ENOTDIR: a path component of the command is not a directory */
	return err == ENOENT || err == ENOTDIR ? DL_EXIT_NOT_FOUND : DL_EXIT_CANNOT_EXEC;
}

int wait_exit_code(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("cannot wait for process %d", (int)pid);
	return exit_code_from_wait(status);
}
