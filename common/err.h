/* err.h - one error path for every docker-lite program.
 *
 * main() paths call die()/die_errno(): they print "<prog>: <message>" on
 * stderr and exit.  Helpers never exit: they return -errno and let the caller
 * decide, so they stay testable.
 */
#ifndef DL_ERR_H
#define DL_ERR_H

#include <stdnoreturn.h>

/* Exit code for failures of the tool itself (Docker uses 125 too), so a
 * container command's own exit codes (0-124, 126+) never collide with ours. */
#define DL_EXIT_FAILURE 125

void set_progname(const char *argv0);
const char *progname(void);

/* Print "<prog>: <fmt...>" and exit(DL_EXIT_FAILURE). */
noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like die(), appending ": <strerror(errno)>"; errno is saved first. */
noreturn void die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like die_errno() for a helper's negative errno return value. */
noreturn void die_err(int neg_errno, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
