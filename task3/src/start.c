/* start.c - how each helper begins (start.h). */
#include "start.h"

#include <stdio.h>

#include "command.h"
#include "err.h"
#include "fds.h"

void helper_start(const char *argv0)
{
	set_progname(argv0);
	if (close_fds_except(NULL, 0) < 0)
		die_errno("cannot close inherited file descriptors");
	reset_signals();
	ensure_stdio();
}

int parse_outcome(int rc, const char *usage, const char *err)
{
	if (rc > 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "%s: %s (see %s --help)\n", progname(), err, progname());
		return DL_EXIT_FAILURE;
	}
	return -1;
}
