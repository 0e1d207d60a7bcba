/* counter-service - the internal service of task 4: a counter over HTTP.
 *   counter-service <port> [threads]
 *   GET /get_and_increment_counter  the value, then the counter goes up by 1
 *   GET /get_counter                the value
 *   GET /reset_counter              sets the counter back to 1 and returns 1
 * Bodies are text/plain decimal numbers followed by a newline. Another path
 * is a 404, another method a 405. One log line per request on stdout;
 * SIGTERM or SIGINT stops it cleanly (exit 0). */
#define _POSIX_C_SOURCE 200809L /* sigwait, strsignal under -std=c11 */
#include "counter.h"
#include "service.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_THREADS 4
#define MAX_THREADS 256

static const char usage[] = "usage: counter-service <port 1-65535> [threads 1-256]";

/* libmicrohttpd calls this for each request (several times: see
 * request_ready); the answer is all in counter_route. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct counter *counter = cls;
	struct reply reply;

	(void)version, (void)upload_data;
	if (!request_ready(req_cls, upload_data_size))
		return MHD_YES;
	counter_route(counter, method, url, &reply);
	return send_text(conn, method, url, reply.status, reply.body, NULL);
}

int main(int argc, char **argv)
{
	/* the one counter every server thread updates (atomically) */
	static struct counter counter;
	unsigned long port, threads = DEFAULT_THREADS;
	char banner[80];

	service_setup(argv[0]);
	if (argc < 2 || argc > 3)
		service_fatal("%s", usage);
	if (parse_uint_arg(argv[1], 1, 65535, &port) != 0)
		service_fatal("bad port '%s': want a number from 1 to 65535", argv[1]);
	if (argc == 3 && parse_uint_arg(argv[2], 1, MAX_THREADS, &threads) != 0)
		service_fatal("bad thread count '%s': want a number from 1 to %d", argv[2],
		    MAX_THREADS);

	counter_init(&counter);
	snprintf(banner, sizeof(banner), "listening on port %lu with %lu threads", port,
		 threads);
	serve_until_stopped(port, (unsigned)threads, on_request, &counter, banner);
	return 0;
}
