/* init.h - PID 1 of a container.
 *
 * The first process of a PID namespace has duties no ordinary command
 * fulfils: orphans are re-parented to it, so it must reap them or they stay
 * zombies; the kernel drops signals it has no handler for, so `stop`'s
 * SIGTERM would be lost on a plain command; and when it dies the kernel
 * kills the whole namespace.  This tiny init (cf. tini, docker --init)
 * forks the command as PID 2, forwards signals to it, reaps every zombie,
 * and exits with the command's exit code once it ends.
 */
#ifndef DL_T3_INIT_H
#define DL_T3_INIT_H

#include <stdnoreturn.h>

noreturn void init_run(char **argv, char **envp);

#endif
