/* Unit tests for task 4's counter service logic (task4/counter-service):
 * the route table, the counter's semantics (returns the value, then
 * increments; starts and resets at 1), 404/405, no lost increments under
 * concurrent requests, and the argument parser (service.c). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "counter.h"
#include "service.h"

/* One request through the route table; returns the status. */
static unsigned route(struct counter *c, const char *method, const char *path,
		      struct reply *r)
{
	memset(r, 0xaa, sizeof(*r)); /* no stale body can pass for a new one */
	counter_route(c, method, path, r);
	return r->status;
}

/* ---- semantics ---------------------------------------------------------- */

static void get_and_increment_returns_then_increments_from_1(void **state)
{
	(void)state;
	struct counter c;
	struct reply r;

	counter_init(&c);
	assert_int_equal(route(&c, "GET", "/get_and_increment_counter", &r), 200);
	assert_string_equal(r.body, "1\n");
	assert_int_equal(route(&c, "GET", "/get_and_increment_counter", &r), 200);
	assert_string_equal(r.body, "2\n");
	assert_int_equal(route(&c, "GET", "/get_and_increment_counter", &r), 200);
	assert_string_equal(r.body, "3\n");
	/* the next one it would hand out */
	assert_int_equal(route(&c, "GET", "/get_counter", &r), 200);
	assert_string_equal(r.body, "4\n");
}

static void get_counter_reads_without_incrementing(void **state)
{
	(void)state;
	struct counter c;
	struct reply r;

	counter_init(&c);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(route(&c, "GET", "/get_counter", &r), 200);
		assert_string_equal(r.body, "1\n");
	}
	assert_int_equal(counter_get(&c), 1);
}

static void reset_sets_1_and_returns_1(void **state)
{
	(void)state;
	struct counter c;
	struct reply r;

	counter_init(&c);
	for (int i = 0; i < 5; i++)
		counter_get_and_increment(&c);
	assert_int_equal(counter_get(&c), 6);
	assert_int_equal(route(&c, "GET", "/reset_counter", &r), 200);
	assert_string_equal(r.body, "1\n");
	assert_int_equal(route(&c, "GET", "/get_and_increment_counter", &r), 200);
	assert_string_equal(r.body, "1\n");
	assert_int_equal(counter_reset(&c), 1);
	assert_int_equal(counter_get(&c), 1);
}

static void large_values_print_in_full(void **state)
{
	(void)state;
	struct counter c;
	struct reply r;

	atomic_init(&c.value, 18446744073709551615ULL);
	assert_int_equal(route(&c, "GET", "/get_counter", &r), 200);
	assert_string_equal(r.body, "18446744073709551615\n");
}

/* ---- routes ------------------------------------------------------------- */

static void unknown_paths_are_404_and_leave_the_counter_alone(void **state)
{
	(void)state;
	static const char *const paths[] = {
		"/", "/get_counter/", "/get_counterx", "/GET_COUNTER",
		"get_counter", "//get_counter", "/get_and_increment_counter/x", "",
	};
	struct counter c;
	struct reply r;

	counter_init(&c);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		assert_int_equal(route(&c, "GET", paths[i], &r), 404);
		assert_non_null(strstr(r.body, "404"));
	}
	/* an unknown path is a 404 whatever the method */
	assert_int_equal(route(&c, "POST", "/nope", &r), 404);
	assert_int_equal(counter_get(&c), 1);
}

static void other_methods_are_405_and_leave_the_counter_alone(void **state)
{
	(void)state;
	static const char *const methods[] = { "POST", "PUT", "DELETE", "HEAD", "get", "" };
	static const char *const paths[] = {
		"/get_and_increment_counter", "/get_counter", "/reset_counter",
	};
	struct counter c;
	struct reply r;

	counter_init(&c);
	counter_get_and_increment(&c); /* 2: a reset would show */
	for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++)
		for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
			assert_int_equal(route(&c, methods[m], paths[p], &r), 405);
			assert_non_null(strstr(r.body, "GET"));
		}
	assert_int_equal(counter_get(&c), 2);
}

static void every_body_is_one_line(void **state)
{
	(void)state;
	static const char *const reqs[][2] = {
		{ "GET", "/get_counter" }, { "GET", "/nope" }, { "POST", "/get_counter" },
	};
	struct counter c;
	struct reply r;

	counter_init(&c);
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		route(&c, reqs[i][0], reqs[i][1], &r);
		size_t len = strlen(r.body);
		assert_true(len > 1);
		assert_int_equal(r.body[len - 1], '\n');
		assert_null(memchr(r.body, '\n', len - 1));
	}
}

/* ---- concurrency -------------------------------------------------------- */

#define THREADS 8
#define PER_THREAD 10000

struct worker {
	struct counter *c;
	unsigned long long seen[PER_THREAD];
};

/* Requests like a server thread would, keeping every number handed out. */
static void *worker(void *arg)
{
	struct worker *w = arg;
	struct reply r;

	for (int i = 0; i < PER_THREAD; i++) {
		counter_route(w->c, "GET", "/get_and_increment_counter", &r);
		if (r.status != 200)
			return (void *)1;
		w->seen[i] = strtoull(r.body, NULL, 10);
	}
	return NULL;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;
	return (x > y) - (x < y);
}

static void concurrent_increments_are_never_lost_or_repeated(void **state)
{
	(void)state;
	enum { TOTAL = THREADS * PER_THREAD };
	struct worker *w = calloc(THREADS, sizeof(*w));
	unsigned long long *all = malloc(TOTAL * sizeof(*all));
	pthread_t tid[THREADS];
	struct counter c;
	void *ret;

	assert_non_null(w);
	assert_non_null(all);
	counter_init(&c);
	for (int t = 0; t < THREADS; t++) {
		w[t].c = &c;
		assert_int_equal(pthread_create(&tid[t], NULL, worker, &w[t]), 0);
	}
	for (int t = 0; t < THREADS; t++) {
		assert_int_equal(pthread_join(tid[t], &ret), 0);
		assert_null(ret);
		memcpy(all + (size_t)t * PER_THREAD, w[t].seen, sizeof(w[t].seen));
	}
	/* exactly 1..TOTAL, each once: none lost, none handed out twice */
	qsort(all, TOTAL, sizeof(*all), cmp_ull);
	for (unsigned long long i = 0; i < TOTAL; i++)
		if (all[i] != i + 1)
			fail_msg("sorted value %llu is %llu, want %llu", i, all[i], i + 1);
	assert_int_equal(counter_get(&c), TOTAL + 1);
	free(all);
	free(w);
}

/* ---- arguments (service.c) ---------------------------------------------- */

static void ports_are_plain_decimal_1_to_65535(void **state)
{
	(void)state;
	unsigned long v = 42;

	assert_int_equal(parse_uint_arg("1", 1, 65535, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(parse_uint_arg("8080", 1, 65535, &v), 0);
	assert_int_equal(v, 8080);
	assert_int_equal(parse_uint_arg("65535", 1, 65535, &v), 0);
	assert_int_equal(v, 65535);
	assert_int_equal(parse_uint_arg("08080", 1, 65535, &v), 0);
	assert_int_equal(v, 8080);

	v = 42;
	assert_int_equal(parse_uint_arg("0", 1, 65535, &v), -ERANGE);
	assert_int_equal(parse_uint_arg("65536", 1, 65535, &v), -ERANGE);
	assert_int_equal(parse_uint_arg("99999999999999999999999", 1, 65535, &v), -ERANGE);
	assert_int_equal(parse_uint_arg("", 1, 65535, &v), -EINVAL);
	assert_int_equal(parse_uint_arg("-1", 1, 65535, &v), -EINVAL);
	assert_int_equal(parse_uint_arg("+80", 1, 65535, &v), -EINVAL);
	assert_int_equal(parse_uint_arg(" 80", 1, 65535, &v), -EINVAL);
	assert_int_equal(parse_uint_arg("80 ", 1, 65535, &v), -EINVAL);
	assert_int_equal(parse_uint_arg("0x50", 1, 65535, &v), -EINVAL);
	assert_int_equal(parse_uint_arg("8o80", 1, 65535, &v), -EINVAL);
	assert_int_equal(v, 42); /* untouched on error */
}

static void request_ready_answers_once_the_body_is_read(void **state)
{
	(void)state;
	void *req = NULL;
	size_t upload = 0;

	/* first call: headers only, not yet */
	assert_false(request_ready(&req, &upload));
	assert_non_null(req);
	/* a piece of body: consumed and dropped, not yet */
	upload = 100;
	assert_false(request_ready(&req, &upload));
	assert_int_equal(upload, 0);
	/* nothing left: answer now */
	assert_true(request_ready(&req, &upload));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(get_and_increment_returns_then_increments_from_1),
		cmocka_unit_test(get_counter_reads_without_incrementing),
		cmocka_unit_test(reset_sets_1_and_returns_1),
		cmocka_unit_test(large_values_print_in_full),
		cmocka_unit_test(unknown_paths_are_404_and_leave_the_counter_alone),
		cmocka_unit_test(other_methods_are_405_and_leave_the_counter_alone),
		cmocka_unit_test(every_body_is_one_line),
		cmocka_unit_test(concurrent_increments_are_never_lost_or_repeated),
		cmocka_unit_test(ports_are_plain_decimal_1_to_65535),
		cmocka_unit_test(request_ready_answers_once_the_body_is_read),
	};
	return cmocka_run_group_tests_name("task4 counter service", tests, NULL, NULL);
}
