/* command.h - the last steps before a container command runs, shared by
 * dl-run's init and dl-exec. */
#ifndef DL_T3_COMMAND_H
#define DL_T3_COMMAND_H

#include <stdnoreturn.h>

/* Give the command a clean start and exec it:
 *   - every signal back to its default action and none blocked (the init
 *     blocks the ones it forwards, and a caller started with "cmd &" has
 *     SIGINT/SIGQUIT ignored: a command must not inherit either);
 *   - every fd above 2 closed;
 *   - umask 022;
 *   - envp as its whole environment (PATH for the lookup included);
 *   - execvp(argv[0], argv): argv exactly as given.
 * Never returns: on failure it prints why and exits 126 or 127. */
noreturn void exec_command(char **argv, char **envp);
/* -t: exec_command first makes slave (tty.h) the command's controlling
 * terminal and its stdin, stdout and stderr. */
void command_use_tty(int slave);
/* Signals back to SIG_DFL and an empty mask. */
void reset_signals(void);

#endif
