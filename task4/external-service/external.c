/* external.c - the external service's logic: routes, the counter's URL,
 * reading its answer and the texts we reply with. No network code (see
 * external-service.c). */
#include "external.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

enum route external_route(const char *method, const char *path,
			  struct reply *out)
{
	int greeting = strcmp(path, "/") == 0;

	if (!greeting && strcmp(path, "/health") != 0) {
		reply_set(out, 404, "404 not found: try /\n");
		return ROUTE_DONE;
	}
	/* GET only: a HEAD must not count as a visit */
	if (strcmp(method, "GET") != 0) {
		reply_set(out, 405, "405 method not allowed: use GET\n");
		return ROUTE_DONE;
	}
	if (greeting)
		return ROUTE_GREETING;
	reply_set(out, 200, "ok\n");
	return ROUTE_DONE;
}

int join_url(char *out, size_t size, const char *base, const char *path)
{
	size_t len = strlen(base);
	int n;

	/* "http://cs:8080/" + "/get..." must not give "//get...": some
	 * servers (ours included) treat "//get..." as another path */
	while (len > 0 && base[len - 1] == '/')
		len--;
	if (len == 0)
		return -EINVAL;
	if (len > INT_MAX)
		return -ENAMETOOLONG;
	n = snprintf(out, size, "%.*s%s", (int)len, base, path);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int parse_counter_body(const char *body, size_t len, unsigned long long *out)
{
	unsigned long long v = 0;

	/* the counter ends its number with a newline; allow CRLF too */
	if (len > 0 && body[len - 1] == '\n')
		len--;
	if (len > 0 && body[len - 1] == '\r')
		len--;
	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (body[i] < '0' || body[i] > '9')
			return -EINVAL;
		unsigned digit = (unsigned)(body[i] - '0');
		/* stop before the value can wrap around */
		if (v > (ULLONG_MAX - digit) / 10)
			return -ERANGE;
		v = v * 10 + digit;
	}
	*out = v;
	return 0;
}

void format_greeting(struct reply *out, unsigned long long n)
{
	out->status = 200;
	snprintf(out->body, sizeof(out->body),
		 "Hello CS695 Explorers! You have sent request to this "
		 "container %llu times.\n", n);
}

/* A 502 body: one line, whatever the reason says. */
static void bad_gateway(struct reply *out, const char *what, const char *why)
{
	size_t n;

	out->status = 502;
	snprintf(out->body, sizeof(out->body),
		 "502 Bad Gateway: the counter service %s%s\n", what, why);
	/* keep it on one line even if the reason was cut or had a newline */
	n = strcspn(out->body, "\r\n");
	if (n > sizeof(out->body) - 2)
		n = sizeof(out->body) - 2;
	out->body[n] = '\n';
	out->body[n + 1] = '\0';
}

void external_answer(const struct fetch *f, struct reply *out)
{
	unsigned long long n;
	char status[32];

	if (f->error) {
		bad_gateway(out, "cannot be reached: ", f->error);
		return;
	}
	if (f->http_status != 200) {
		snprintf(status, sizeof(status), "%ld", f->http_status);
		bad_gateway(out, "answered HTTP ", status);
		return;
	}
	if (f->truncated || parse_counter_body(f->body, f->len, &n) != 0) {
		bad_gateway(out, "answered something that is not a number", "");
		return;
	}
	format_greeting(out, n);
}
