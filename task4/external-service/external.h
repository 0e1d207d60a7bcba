/* external.h - the external service's logic, free of any network code so
 * the unit tests can drive it directly (tests/unit/test_external_service.c):
 * which route a request takes, the counter's URL, reading the counter's
 * answer, and the texts we send back. */
#ifndef EXTERNAL_H
#define EXTERNAL_H

#include <stddef.h>

#include "service.h" /* struct reply */

/* The counter's path that returns the value and then increments it. */
#define COUNTER_PATH "/get_and_increment_counter"


/* What came back from asking the counter, as external-service.c saw it. */
struct fetch {
	const char *error;   /* NULL when an HTTP answer came back, else why not */
	long http_status;    /* the counter's status (when error is NULL) */
	const char *body;    /* the counter's body, not NUL-terminated */
	size_t len;
	int truncated;       /* the body was longer than we keep */
};

enum route {
	ROUTE_GREETING, /* GET /: ask the counter, then external_answer() */
	ROUTE_DONE,     /* the reply is filled in already */
};

/* GET / needs the counter; GET /health is a 200 "ok" that leaves the
 * counter alone (for readiness checks); another path is a 404, another
 * method on a known path a 405. */
enum route external_route(const char *method, const char *path,
			  struct reply *out);

/* base + path with exactly one '/' between them, whether or not base ends
 * in '/' (path starts with one). Returns 0, -EINVAL for an empty base, or
 * -ENAMETOOLONG when it does not fit in size bytes. */
int join_url(char *out, size_t size, const char *base, const char *path);

/* The counter's answer: decimal digits, then at most one "\n" or "\r\n".
 * Returns 0, -EINVAL (empty, a sign, spaces or other text) or -ERANGE
 * (more than an unsigned long long holds). */
int parse_counter_body(const char *body, size_t len, unsigned long long *out);

/* The greeting for the n-th request. */
void format_greeting(struct reply *out, unsigned long long n);

/* The reply to GET / once the counter has been asked: the greeting, or a
 * 502 that says what went wrong (unreachable, an HTTP error, not a number). */
void external_answer(const struct fetch *f, struct reply *out);

#endif
