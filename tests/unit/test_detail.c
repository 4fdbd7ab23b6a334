/* The -v detail lines: what each verbosity shows, and that lines stay clean. */
#include <string.h>

#include "detail.h"
#include "tap.h"

static struct kc_detail d;

static void reset(void)
{
	d.len = 0;
	d.text[0] = '\0';
}

static int describe_at(int verbose, const struct kc_http_response *res)
{
	struct kc_config cfg = { .verbose = verbose, .iid = "i1", .account_id = "a1" };

	reset();
	kc_detail_describe(&d, &cfg, "https://h:443/x?view=status", res);
	return verbose;
}

int main(void)
{
	char headers[] = "HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\n";
	char body[] = "{\"status\":\"success\"}";
	struct kc_http_response res = { .status = 200,
		                        .body = body,
		                        .len = sizeof(body) - 1,
		                        .headers = headers,
		                        .headers_len = sizeof(headers) - 1,
		                        .seconds = 0.25 };

	reset();
	kc_detail_add(&d, "a|b\x1b[0m %d", 7);
	ok(!strcmp(d.text, "a/b [0m 7\n"), "a line is sanitised and ended: %s", d.text);

	describe_at(0, &res);
	ok(d.len == 0, "-v not given: nothing");
	describe_at(1, &res);
	ok(strstr(d.text, "request: POST https://h:443/x?view=status -> HTTP 200, 20 bytes in "
	                  "0.250000s\n") &&
	           !strstr(d.text, "timings:"),
	   "-v: the request line only");
	describe_at(2, &res);
	ok(strstr(d.text, "\ntimings: dns ") && !strstr(d.text, "body:"), "-vv: timings, no body");
	describe_at(3, &res);
	ok(strstr(d.text, "> auth: [redacted]\n") && strstr(d.text, "< HTTP/1.1 200 OK\n") &&
	           strstr(d.text, "< X-A: 1\n") &&
	           strstr(d.text, "body: {\"status\":\"success\"}\n"),
	   "-vvv: request headers, response headers and body");
	ok(!strstr(d.text, "\r") && !strstr(d.text, "< \n"), "-vvv: no CR, no empty header line");

	reset();
	for(int i = 0; i < 5000; i++)
		kc_detail_add(&d, "line %d with some padding to fill the buffer up", i);
	ok(d.len < sizeof(d.text) && d.text[d.len] == '\0' && d.text[d.len - 1] == '\n',
	   "a full buffer drops further lines and stays terminated");
	return tap_done();
}
