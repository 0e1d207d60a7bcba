/* counter.c - the counter service's logic: the atomic counter, the route
 * table, and argument parsing. No network code (see counter-service.c). */
#include "counter.h"

#include <stdio.h>
#include <string.h>

void counter_init(struct counter *c)
{
	atomic_init(&c->value, COUNTER_START);
}

unsigned long long counter_get_and_increment(struct counter *c)
{
	/* fetch_add returns the old value: read and increment are one step,
	 * so two requests can never both see the same number. */
	return atomic_fetch_add(&c->value, 1);
}

unsigned long long counter_get(struct counter *c)
{
	return atomic_load(&c->value);
}

unsigned long long counter_reset(struct counter *c)
{
	atomic_store(&c->value, COUNTER_START);
	return COUNTER_START;
}

typedef unsigned long long (*counter_op)(struct counter *c);

static const struct route {
	const char *path;
	counter_op op;
} routes[] = {
	{ "/get_and_increment_counter", counter_get_and_increment },
	{ "/get_counter", counter_get },
	{ "/reset_counter", counter_reset },
};

void counter_route(struct counter *c, const char *method, const char *path,
		   struct reply *out)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(path, routes[i].path) != 0)
			continue;
		/* GET only, even for the reads: HEAD would look harmless but
		 * /get_and_increment_counter must not count a probe. */
		if (strcmp(method, "GET") != 0) {
			reply_set(out, 405, "405 method not allowed: use GET\n");
			return;
		}
		out->status = 200;
		snprintf(out->body, sizeof(out->body), "%llu\n", routes[i].op(c));
		return;
	}
	reply_set(out, 404, "404 not found: try /get_and_increment_counter, "
			    "/get_counter or /reset_counter\n");
}
