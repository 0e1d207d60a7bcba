/* counter.h - the counter service's logic, free of any network code so the
 * unit tests can drive it directly (tests/unit/test_counter_service.c). */
#ifndef COUNTER_H
#define COUNTER_H

#include <stdatomic.h>
#include <stddef.h>

#include "service.h" /* struct reply */

/* The counter starts at (and resets to) this value. */
#define COUNTER_START 1ULL

/* Shared by every server thread: all access goes through C11 atomics, so
 * concurrent requests never lose an increment and need no lock. */
struct counter {
	atomic_ullong value;
};


void counter_init(struct counter *c);
/* Returns the current value, then increments it (one atomic step). */
unsigned long long counter_get_and_increment(struct counter *c);
unsigned long long counter_get(struct counter *c);
/* Sets the value back to COUNTER_START and returns it. */
unsigned long long counter_reset(struct counter *c);

/* Answers one request: 200 and the number for GET on a known path, 405
 * for any other method on a known path, 404 for an unknown path (whatever
 * the method: there is nothing there to allow). */
void counter_route(struct counter *c, const char *method, const char *path,
		   struct reply *out);

#endif
