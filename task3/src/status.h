/* status.h - exit codes, the Docker way.
 *
 *   0-255     the command's own exit code, passed through
 *   128+N     the command was killed by signal N (what a shell reports)
 *   125       the tool itself failed (DL_EXIT_FAILURE in err.h)
 *   126       the command exists but cannot be executed
 *   127       the command was not found
 */
#ifndef DL_T3_STATUS_H
#define DL_T3_STATUS_H

#include <sys/types.h>

#define DL_EXIT_CANNOT_EXEC 126
#define DL_EXIT_NOT_FOUND 127

/* Pure: the exit code a wait status stands for. */
int exit_code_from_wait(int wait_status);
/* Pure: the exit code for an execvp() that failed with errno err. */
int exit_code_for_exec_errno(int err);
/* Wait for child pid (EINTR retried; dies if it cannot) and give the exit
 * code its status stands for. */
int wait_exit_code(pid_t pid);

#endif
