#define _GNU_SOURCE
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog = "docker-lite";

void set_progname(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	prog = slash ? slash + 1 : argv0;
}

const char *progname(void)
{
	return prog;
}

static void vreport(const char *fmt, va_list ap, int errnum)
{
	fflush(stdout); /* keep our stdout lines before the error, even in a pipe */
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(fmt, ap, 0);
	va_end(ap);
	exit(DL_EXIT_FAILURE);
}

void die_errno(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	vreport(fmt, ap, saved);
	va_end(ap);
	exit(DL_EXIT_FAILURE);
}

void die_err(int neg_errno, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(fmt, ap, -neg_errno);
	va_end(ap);
	exit(DL_EXIT_FAILURE);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: warning: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
