/* start.h - how each helper (dl-run, dl-exec, dl-cp) begins, written once.
 *
 * A helper is started by conductor.sh, a test or a user's shell, and takes
 * over whatever they left it: open descriptors (conductor.sh's lock, bats'
 * fd 3, a host directory that would lead out of a container's root: runc
 * CVE-2024-21626), ignored signals (with SIGCHLD ignored, our children
 * would be reaped behind our back and their exit codes lost), a closed
 * stdin, stdout or stderr (a file opened later would land on it and get
 * our output written into it).
 */
#ifndef DL_T3_START_H
#define DL_T3_START_H

/* Name the program for messages, close every fd above 2, reset every
 * signal to its default, and open /dev/null on a closed fd 0-2. Dies when
 * the descriptors cannot be closed. */
void helper_start(const char *argv0);

/* What main does with its parser's result rc (cli.h): > 0 (--help) prints
 * usage and gives 0; < 0 prints "<prog>: <err> (see <prog> --help)", one
 * line a script above can show as its own, and gives DL_EXIT_FAILURE;
 * 0 gives -1: go on. */
int parse_outcome(int rc, const char *usage, const char *err);

#endif
