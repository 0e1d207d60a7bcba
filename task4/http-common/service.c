/* service.c - HTTP plumbing shared by both task-4 services (see service.h:
 * kept identical in both service directories). */
#define _POSIX_C_SOURCE 200809L /* sigwait, strsignal under -std=c11 */
#include "service.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Idle keep-alive connections are dropped after this many seconds, so a
 * silent client cannot hold a thread for ever. */
#define IDLE_TIMEOUT_S 30
/* With one thread per connection, at most this many at once. */
#define MAX_CONNECTIONS 256
/* Longest path written to the log; longer ones are cut. */
#define LOG_PATH_MAX 200

static const char *prog = "service";

static sigset_t stop_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	return set;
}

void service_setup(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	sigset_t set = stop_signals();

	prog = slash ? slash + 1 : argv0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* a client that hangs up mid-reply must not kill the server */
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		service_fatal("cannot block SIGTERM/SIGINT: %s", strerror(errno));
}

void service_fatal(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout); /* our log lines first, then the error */
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

int parse_uint_arg(const char *s, unsigned long min, unsigned long max,
		   unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		unsigned long digit = (unsigned long)(*s - '0');
		/* stop before the value can wrap around */
		if (v > (ULONG_MAX - digit) / 10)
			return -ERANGE;
		v = v * 10 + digit;
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int listen_tcp(unsigned port)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons((unsigned short)port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int one = 1, err;
	/* non-blocking: the pool's threads all accept on this one socket */
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	/* a restarted service can take its port back at once, even while
	 * the last run's connections linger in TIME_WAIT */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    listen(fd, SOMAXCONN) != 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* libmicrohttpd's own messages, with our program name in front. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
}

struct MHD_Daemon *start_http(int fd, unsigned threads,
			      MHD_AccessHandlerCallback handler, void *cls)
{
	/* MHD_USE_AUTO: epoll for the pool, poll per connection (select
	 * would cap the number of file descriptors) */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
			 MHD_USE_ERROR_LOG;

	if (threads == 0)
		return MHD_start_daemon(flags | MHD_USE_THREAD_PER_CONNECTION, 0,
					NULL, NULL, handler, cls,
					MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
					MHD_OPTION_LISTEN_SOCKET, fd,
					MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
					MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
					MHD_OPTION_END);
	return MHD_start_daemon(flags, 0, NULL, NULL, handler, cls,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
				MHD_OPTION_THREAD_POOL_SIZE, threads,
				MHD_OPTION_END);
}

bool request_ready(void **req_cls, size_t *upload_data_size)
{
	static char seen; /* its address marks a request whose headers we have */

	if (!*req_cls) {
		*req_cls = &seen;
		return false;
	}
	if (*upload_data_size) {
		*upload_data_size = 0;
		return false;
	}
	return true;
}

/* The path as the log shows it: libmicrohttpd has already decoded %XX, so
 * a request could smuggle a newline (a fake log line) or escape codes. */
static void printable_path(const char *path, char *out, size_t size)
{
	size_t i;

	for (i = 0; path[i] && i + 1 < size; i++)
		out[i] = (path[i] > 0x20 && path[i] < 0x7f) ? path[i] : '?';
	out[i] = '\0';
}

enum MHD_Result send_text(struct MHD_Connection *conn, const char *method,
			  const char *path, unsigned status, const char *body,
			  const char *note)
{
	char shown[LOG_PATH_MAX + 1], shown_method[16];
	struct MHD_Response *resp;
	enum MHD_Result ret;

	printable_path(path, shown, sizeof(shown));
	printable_path(method, shown_method, sizeof(shown_method));
	printf("%s %s %u%s%s\n", shown_method, shown, status, note ? " " : "",
	       note ? note : "");

	resp = MHD_create_response_from_buffer(strlen(body), (void *)body,
					       MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO; /* out of memory: MHD closes the connection */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

int service_wait_for_stop(void)
{
	sigset_t set = stop_signals();
	int sig;

	while (sigwait(&set, &sig) != 0)
		;
	return sig;
}

void serve_until_stopped(unsigned long port, unsigned threads,
			 MHD_AccessHandlerCallback handler, void *cls,
			 const char *banner)
{
	int fd = listen_tcp((unsigned)port);
	if (fd < 0)
		service_fatal("cannot listen on port %lu: %s", port, strerror(-fd));
	struct MHD_Daemon *daemon = start_http(fd, threads, handler, cls);
	if (!daemon)
		service_fatal("cannot start the HTTP server on port %lu", port);
	printf("%s: %s\n", prog, banner);
	int sig = service_wait_for_stop();
	printf("%s: %s, stopping\n", prog, strsignal(sig));
	MHD_stop_daemon(daemon);
}
