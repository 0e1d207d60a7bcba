/* external-service - the exposed service of task 4.
 *   external-service <port> <counter-url>
 *   GET /        asks <counter-url>/get_and_increment_counter and answers
 *                "Hello CS695 Explorers! You have sent request to this
 *                container <N> times." - or a one-line 502 when the counter
 *                cannot be reached or answers something else
 *   GET /health  "ok" without asking the counter (for readiness checks)
 * Bodies are text/plain lines. Another path is a 404, another method a
 * 405. One log line per request on stdout; SIGTERM or SIGINT stops it
 * cleanly (exit 0). */
#define _POSIX_C_SOURCE 200809L /* sigwait, strsignal under -std=c11 */
#include "external.h"
#include "service.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The counter is on the peer link next door: a few seconds is plenty, and
 * a client waiting for us should get a 502 soon rather than hang. */
#define CONNECT_TIMEOUT_MS 2000L
#define TOTAL_TIMEOUT_MS 5000L
/* The counter's answer is a number: anything longer is not one. */
#define BODY_MAX 32
#define URL_MAX 2048

static const char usage[] = "usage: external-service <port 1-65535> <counter-url>";

/* The counter's body as it arrives, cut at BODY_MAX. */
struct body {
	char data[BODY_MAX];
	size_t len;
	int truncated;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct body *b = userdata;
	size_t n = size * nmemb, room = sizeof(b->data) - b->len;

	/* keep reading (returning less would make curl report a write
	 * error, not "not a number"); just remember that it was too long */
	if (n > room)
		b->truncated = 1;
	memcpy(b->data + b->len, data, n < room ? n : room);
	b->len += n < room ? n : room;
	return n;
}

/* Asks the counter once. The result points into *b; `detail` gets curl's
 * own message (with the address) for our log. */
static void fetch_counter(const char *url, struct body *b, struct fetch *f,
			  char detail[CURL_ERROR_SIZE])
{
	CURL *curl = curl_easy_init();
	CURLcode rc;

	*f = (struct fetch){ .body = b->data };
	detail[0] = '\0';
	if (!curl) {
		f->error = "out of memory";
		return;
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85: the string form; the bit mask is deprecated */
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else /* Ubuntu 22.04's 7.81 knows only the bit mask */
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	/* signals cannot interrupt a DNS lookup in a thread: curl must not
	 * use alarm() for timeouts here */
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, TOTAL_TIMEOUT_MS);
	/* the counter is on the internal network: a proxy from the
	 * environment could only be in the way */
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);

	rc = curl_easy_perform(curl);
	if (rc != CURLE_OK) {
		f->error = curl_easy_strerror(rc); /* static text, no address */
		if (!detail[0])
			snprintf(detail, CURL_ERROR_SIZE, "%s", f->error);
	} else {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &f->http_status);
	}
	f->len = b->len;
	f->truncated = b->truncated;
	curl_easy_cleanup(curl);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	const char *counter_url = cls;
	char detail[CURL_ERROR_SIZE];
	struct body body = { .len = 0 };
	struct fetch fetch;
	struct reply reply;

	(void)version, (void)upload_data;
	if (!request_ready(req_cls, upload_data_size))
		return MHD_YES;
	if (external_route(method, url, &reply) == ROUTE_DONE)
		return send_text(conn, method, url, reply.status, reply.body, NULL);

	/* one thread per connection: blocking here holds up no one else */
	fetch_counter(counter_url, &body, &fetch, detail);
	external_answer(&fetch, &reply);
	if (reply.status == 200)
		return send_text(conn, method, url, reply.status, reply.body, NULL);
	/* the log says more than the client gets: curl's own message */
	if (!fetch.error)
		snprintf(detail, sizeof(detail), "counter answered HTTP %ld, %zu%s bytes",
			 fetch.http_status, fetch.len, fetch.truncated ? "+" : "");
	return send_text(conn, method, url, reply.status, reply.body, detail);
}

/* The counter URL must be http(s)://host[:port][/path]: say so at start-up
 * rather than answer every request with a 502. */
static void check_counter_url(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL;
	int ok;

	if (!u)
		service_fatal("out of memory");
	ok = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	     curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	     (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0);
	curl_free(scheme);
	curl_url_cleanup(u);
	if (!ok)
		service_fatal("bad counter URL '%s': want http://HOST:PORT", url);
}

int main(int argc, char **argv)
{
	static char counter_url[URL_MAX];
	char banner[URL_MAX + 64];
	unsigned long port;
	int err;

	service_setup(argv[0]);
	if (argc != 3)
		service_fatal("%s", usage);
	if (parse_uint_arg(argv[1], 1, 65535, &port) != 0)
		service_fatal("bad port '%s': want a number from 1 to 65535", argv[1]);
	/* before any thread: curl_global_init is not thread-safe */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		service_fatal("cannot initialise libcurl");
	check_counter_url(argv[2]);
	err = join_url(counter_url, sizeof(counter_url), argv[2], COUNTER_PATH);
	if (err)
		service_fatal("bad counter URL '%s': %s", argv[2], strerror(-err));

	snprintf(banner, sizeof(banner), "listening on port %lu, counter at %s", port,
		 counter_url);
	serve_until_stopped(port, 0, on_request, counter_url, banner);
	curl_global_cleanup();
	return 0;
}
