/* Unit tests for task 4's external service logic (task4/external-service):
 * routes, joining the counter's URL (with or without a trailing '/'),
 * reading the counter's answer, the greeting's exact text and the one-line
 * 502s. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "external.h"
#include "service.h"

static const char greeting_7[] =
	"Hello CS695 Explorers! You have sent request to this container 7 times.\n";

/* ---- routes ------------------------------------------------------------- */

static void get_root_asks_the_counter(void **state)
{
	(void)state;
	struct reply r = { .status = 999 };

	assert_int_equal(external_route("GET", "/", &r), ROUTE_GREETING);
	assert_int_equal(r.status, 999); /* left for external_answer */
}

static void health_answers_without_the_counter(void **state)
{
	(void)state;
	struct reply r;

	assert_int_equal(external_route("GET", "/health", &r), ROUTE_DONE);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "ok\n");
}

static void unknown_paths_are_404(void **state)
{
	(void)state;
	static const char *const paths[] = {
		"", "//", "/x", "/get_and_increment_counter", "/health/", "/favicon.ico",
	};
	struct reply r;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		assert_int_equal(external_route("GET", paths[i], &r), ROUTE_DONE);
		assert_int_equal(r.status, 404);
	}
	assert_int_equal(external_route("POST", "/x", &r), ROUTE_DONE);
	assert_int_equal(r.status, 404);
}

static void other_methods_are_405_and_never_ask_the_counter(void **state)
{
	(void)state;
	static const char *const methods[] = { "POST", "PUT", "DELETE", "HEAD", "get" };
	struct reply r;

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		assert_int_equal(external_route(methods[i], "/", &r), ROUTE_DONE);
		assert_int_equal(r.status, 405);
		assert_non_null(strstr(r.body, "GET"));
		assert_int_equal(external_route(methods[i], "/health", &r), ROUTE_DONE);
		assert_int_equal(r.status, 405);
	}
}

/* ---- the counter's URL -------------------------------------------------- */

static void join_url_puts_exactly_one_slash(void **state)
{
	(void)state;
	char buf[128];

	assert_int_equal(join_url(buf, sizeof(buf), "http://10.0.0.2:8080", COUNTER_PATH), 0);
	assert_string_equal(buf, "http://10.0.0.2:8080/get_and_increment_counter");
	assert_int_equal(join_url(buf, sizeof(buf), "http://10.0.0.2:8080/", COUNTER_PATH), 0);
	assert_string_equal(buf, "http://10.0.0.2:8080/get_and_increment_counter");
	assert_int_equal(join_url(buf, sizeof(buf), "http://cs:8080///", COUNTER_PATH), 0);
	assert_string_equal(buf, "http://cs:8080/get_and_increment_counter");
	/* a base path is kept */
	assert_int_equal(join_url(buf, sizeof(buf), "http://cs/api/", COUNTER_PATH), 0);
	assert_string_equal(buf, "http://cs/api/get_and_increment_counter");
}

static void join_url_refuses_empty_and_too_long(void **state)
{
	(void)state;
	char buf[32];
	const char *base = "http://0123456789";           /* 17 bytes */
	const char *path = "/abcdefghijklm";               /* 14 bytes: 31 + NUL fits */

	assert_int_equal(join_url(buf, sizeof(buf), "", COUNTER_PATH), -EINVAL);
	assert_int_equal(join_url(buf, sizeof(buf), "///", COUNTER_PATH), -EINVAL);
	assert_int_equal(join_url(buf, sizeof(buf), base, path), 0);
	assert_string_equal(buf, "http://0123456789/abcdefghijklm");
	assert_int_equal(join_url(buf, sizeof(buf), base, "/abcdefghijklmn"), -ENAMETOOLONG);
	assert_int_equal(join_url(buf, sizeof(buf), base, COUNTER_PATH), -ENAMETOOLONG);
}

/* ---- the counter's answer ----------------------------------------------- */

static int parse(const char *s, unsigned long long *v)
{
	return parse_counter_body(s, strlen(s), v);
}

static void counter_body_good_numbers(void **state)
{
	(void)state;
	unsigned long long v = 0;

	assert_int_equal(parse("1\n", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(parse("42", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse("123\r\n", &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(parse("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse("18446744073709551615\n", &v), 0);
	assert_true(v == 18446744073709551615ULL);
	/* only len bytes count: the rest of the buffer is not ours */
	assert_int_equal(parse_counter_body("12xyz", 2, &v), 0);
	assert_int_equal(v, 12);
}

static void counter_body_garbage_empty_and_overflow(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "\n", "\r\n", "abc", "12abc", "-1", "+1", " 1", "1 ", "1\n\n",
		"1\n2", "0x10", "1.5", "<html>404</html>", "\n1",
	};
	unsigned long long v = 77;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i], &v) != -EINVAL)
			fail_msg("'%s' was not refused as -EINVAL", bad[i]);
	assert_int_equal(parse("18446744073709551616", &v), -ERANGE);
	assert_int_equal(parse("99999999999999999999999\n", &v), -ERANGE);
	assert_int_equal(parse_counter_body(NULL, 0, &v), -EINVAL);
	assert_int_equal(v, 77); /* untouched on error */
}

/* ---- replies ------------------------------------------------------------ */

static void greeting_text_is_exact(void **state)
{
	(void)state;
	struct reply r;

	format_greeting(&r, 7);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, greeting_7);
	format_greeting(&r, 18446744073709551615ULL);
	assert_string_equal(r.body, "Hello CS695 Explorers! You have sent request to this "
				    "container 18446744073709551615 times.\n");
}

static void a_good_counter_answer_gives_the_greeting(void **state)
{
	(void)state;
	struct fetch f = { .http_status = 200, .body = "7\n", .len = 2 };
	struct reply r;

	external_answer(&f, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, greeting_7);
}

/* A 502: one line, ending in a newline, that names the problem. */
static void assert_bad_gateway(const struct fetch *f, const char *says)
{
	struct reply r;
	size_t len;

	external_answer(f, &r);
	assert_int_equal(r.status, 502);
	len = strlen(r.body);
	assert_true(len > 0 && len < sizeof(r.body));
	assert_int_equal(r.body[len - 1], '\n');
	assert_null(memchr(r.body, '\n', len - 1));
	assert_null(memchr(r.body, '\r', len));
	assert_non_null(strstr(r.body, "502"));
	assert_non_null(strstr(r.body, "counter service"));
	if (!strstr(r.body, says))
		fail_msg("'%s' does not say '%s'", r.body, says);
}

static void an_unreachable_counter_is_a_502_with_the_reason(void **state)
{
	(void)state;
	struct fetch f = { .error = "Couldn't connect to server" };

	assert_bad_gateway(&f, "cannot be reached: Couldn't connect to server");
}

static void a_counter_error_status_is_a_502(void **state)
{
	(void)state;
	struct fetch f = { .http_status = 404, .body = "404 not found\n", .len = 14 };

	assert_bad_gateway(&f, "answered HTTP 404");
	f = (struct fetch){ .http_status = 500, .body = "7\n", .len = 2 };
	assert_bad_gateway(&f, "answered HTTP 500");
}

static void a_non_numeric_or_long_answer_is_a_502(void **state)
{
	(void)state;
	struct fetch f = { .http_status = 200, .body = "hello", .len = 5 };

	assert_bad_gateway(&f, "not a number");
	f = (struct fetch){ .http_status = 200, .body = "", .len = 0 };
	assert_bad_gateway(&f, "not a number");
	/* the digits we kept are fine, but there was more */
	f = (struct fetch){ .http_status = 200, .body = "123", .len = 3, .truncated = 1 };
	assert_bad_gateway(&f, "not a number");
}

static void a_502_stays_on_one_line_whatever_the_reason(void **state)
{
	(void)state;
	char longer[600];
	struct fetch f = { .error = "first line\nsecond line" };
	struct reply r;

	assert_bad_gateway(&f, "first line");
	external_answer(&f, &r);
	assert_null(strstr(r.body, "second"));

	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	f.error = longer;
	assert_bad_gateway(&f, "xxxx"); /* cut to fit, still one line */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(get_root_asks_the_counter),
		cmocka_unit_test(health_answers_without_the_counter),
		cmocka_unit_test(unknown_paths_are_404),
		cmocka_unit_test(other_methods_are_405_and_never_ask_the_counter),
		cmocka_unit_test(join_url_puts_exactly_one_slash),
		cmocka_unit_test(join_url_refuses_empty_and_too_long),
		cmocka_unit_test(counter_body_good_numbers),
		cmocka_unit_test(counter_body_garbage_empty_and_overflow),
		cmocka_unit_test(greeting_text_is_exact),
		cmocka_unit_test(a_good_counter_answer_gives_the_greeting),
		cmocka_unit_test(an_unreachable_counter_is_a_502_with_the_reason),
		cmocka_unit_test(a_counter_error_status_is_a_502),
		cmocka_unit_test(a_non_numeric_or_long_answer_is_a_502),
		cmocka_unit_test(a_502_stays_on_one_line_whatever_the_reason),
	};
	return cmocka_run_group_tests_name("task4 external service", tests, NULL, NULL);
}
