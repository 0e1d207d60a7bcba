/* service.h - the HTTP plumbing both task-4 services share: start-up,
 * errors, the listening socket, libmicrohttpd replies, request logs and a
 * clean stop on SIGTERM/SIGINT.
 *
 * Both services' Makefiles build it from here (../http-common), and both
 * Conductorfiles copy it into the image beside the service's own sources. */
#ifndef SERVICE_H
#define SERVICE_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stdio.h>

/* What a service's logic answers and the HTTP glue sends back: a status
 * and a short text/plain body (number bodies end with a newline so `curl
 * URL` prints cleanly). Both services' routes fill one in; their logic
 * needs no network code for it, so unit tests drive it directly. */
struct reply {
	unsigned status;
	char body[256];
};

/* Fills in a reply (a longer body is cut to fit). */
static inline void reply_set(struct reply *out, unsigned status, const char *body)
{
	out->status = status;
	snprintf(out->body, sizeof(out->body), "%s", body);
}

/* Call first in main, before any thread exists: names the program for
 * messages, makes stdout line-buffered (one log line is visible at once,
 * even in a file), ignores SIGPIPE and blocks SIGTERM/SIGINT so every
 * thread inherits the mask and only service_wait_for_stop() sees them. */
void service_setup(const char *argv0);

/* Prints "<program>: <message>" on stderr and exits 1: a service that
 * cannot start (bad arguments, no port). Not common/err.h's die(), whose
 * exit code 125 is docker-lite's own failure, not a service's. */
_Noreturn void service_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parses a decimal argument in [min, max]: digits only (strtoul would also
 * take a sign, spaces or hex). Returns 0, or -EINVAL/-ERANGE. */
int parse_uint_arg(const char *s, unsigned long min, unsigned long max,
		   unsigned long *out);

/* A listening TCP socket on every IPv4 address of the given port (the
 * container's peer and the host must reach it). Returns the fd or -errno. */
int listen_tcp(unsigned port);

/* Starts libmicrohttpd on the socket: with `threads` > 0 a pool of that
 * many threads, with 0 one thread per connection (for handlers that block
 * on another service). Returns NULL on failure (the reason is logged). */
struct MHD_Daemon *start_http(int fd, unsigned threads,
			      MHD_AccessHandlerCallback handler, void *cls);

/* libmicrohttpd calls the handler several times per request: with the
 * headers, with each piece of body, then once with nothing left. True on
 * that last call, the one to answer on (answering earlier would close the
 * connection); any body is read and dropped, as no route takes one. */
bool request_ready(void **req_cls, size_t *upload_data_size);

/* Queues a text/plain reply (with "Allow: GET" on a 405) and logs one line
 * "METHOD PATH STATUS[ NOTE]" on stdout. */
enum MHD_Result send_text(struct MHD_Connection *conn, const char *method,
			  const char *path, unsigned status, const char *body,
			  const char *note);

/* Waits for SIGTERM or SIGINT and returns its number. */
int service_wait_for_stop(void);

/* The life of a service: listen on `port`, serve with `handler` (threads
 * as for start_http), print "<program>: <banner>" once it serves, wait for
 * SIGTERM or SIGINT, then stop (requests under way are finished). Dies if
 * it cannot listen or start. */
void serve_until_stopped(unsigned long port, unsigned threads,
			 MHD_AccessHandlerCallback handler, void *cls,
			 const char *banner);

#endif
