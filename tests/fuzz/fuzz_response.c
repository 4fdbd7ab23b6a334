/* Fuzzes the response parser and everything that turns a body into words:
 * kc_response_parse, kc_response_error_text, kc_report_build, kc_output_line. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "fuzz_check.h"
#include "report.h"
#include "response.h"

#define SECONDS 0.5 /* below the warning threshold of the fixed config */

static struct kc_config cfg;
static char *fixed_argv[] = { "check_kore_campaign",
	                      "-i",
	                      "iid-fuzz",
	                      "-a",
	                      "acct-fuzz",
	                      "-C",
	                      "cmp-fuzz",
	                      "-w",
	                      "1",
	                      "-c",
	                      "2",
	                      "--map",
	                      "Paused=CRITICAL",
	                      "--on-error",
	                      "UNKNOWN",
	                      NULL };

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct kc_err e = { 0 };

	(void)argc;
	(void)argv;
	if(kc_config_parse(&cfg, (int)(sizeof(fixed_argv) / sizeof(fixed_argv[0])) - 1, fixed_argv,
	                   &e)) {
		fprintf(stderr, "fuzz_response: fixed config rejected: %s\n", e.msg);
		__builtin_trap();
	}
	return 0;
}

static void check_parse(const char *body, size_t len, enum kc_response res,
                        const struct kc_campaign *c, const struct kc_err *e)
{
	size_t state_len = strnlen(c->state, sizeof(c->state));

	if(res != KC_RESPONSE_CAMPAIGN) {
		FUZZ_ASSERT(res == KC_RESPONSE_API_ERROR || res == KC_RESPONSE_INVALID);
		FUZZ_ASSERT(e->set && e->msg[0]);
		return;
	}
	FUZZ_ASSERT(!e->set);
	FUZZ_ASSERT(state_len > 0 && state_len < sizeof(c->state));
	FUZZ_ASSERT(c->name_len < sizeof(c->name) && c->name[c->name_len] == '\0');
	FUZZ_ASSERT(!memchr(c->name, '\0', c->name_len));
	/* Only a well-formed document can name a campaign. */
	FUZZ_ASSERT(!memchr(body, '\0', len));
	FUZZ_ASSERT(fuzz_utf8_chars(body, len) >= 0);
	FUZZ_ASSERT(memchr(body, '{', len) && memchr(body, '}', len));
}

static void check_error_text(const char *body, size_t len, enum kc_response res,
                             const struct kc_err *e)
{
	char out[256];

	if(kc_response_error_text(body, len, out, sizeof(out)))
		return;
	FUZZ_ASSERT(out[0] && strlen(out) < sizeof(out));
	FUZZ_ASSERT(strcmp(out, "API reported failure") != 0);
	if(res == KC_RESPONSE_API_ERROR) /* the API error adds " (code N)" */
		FUZZ_ASSERT(!strncmp(out, e->msg, strlen(out)));
}

/* The perfdata must survive whatever the body says. */
static void check_line(const struct kc_report *r, bool active)
{
	char line[KC_LINE_MAX], perf[128];
	int n = kc_output_line(line, sizeof(line), r);
	size_t plen;

	fuzz_check_line(line, n, true);
	plen = (size_t)snprintf(perf, sizeof(perf), " | time=%.6fs;1;2;0;10 active=%d;;;0;1\n",
	                        SECONDS, active ? 1 : 0);
	FUZZ_ASSERT((size_t)n > plen && !strcmp(line + (size_t)n - plen, perf));
}

static void check_report_200(const char *body, size_t len, enum kc_response res,
                             const struct kc_campaign *c)
{
	struct kc_outcome o = {
		.http = KC_HTTP_DONE, .status = 200, .body = body, .len = len, .seconds = SECONDS
	};
	struct kc_report r;
	char text[KC_LINE_MAX / 2];
	bool active = res == KC_RESPONSE_CAMPAIGN && !strcasecmp(c->state, "Active");

	kc_report_build(&cfg, &o, &r, text, sizeof(text));
	FUZZ_ASSERT(r.text == text && strlen(text) < sizeof(text));
	FUZZ_ASSERT(r.active == active);
	if(res != KC_RESPONSE_CAMPAIGN)
		FUZZ_ASSERT(r.state == cfg.on_error);
	else
		FUZZ_ASSERT((r.state == KC_OK) == active);
	if(res == KC_RESPONSE_CAMPAIGN && !strcasecmp(c->state, "Paused"))
		FUZZ_ASSERT(r.state == KC_CRITICAL);
	check_line(&r, active);
}

static void check_report_http(const char *body, size_t len)
{
	struct kc_outcome o = { .http = KC_HTTP_DONE,
		                .status = 503,
		                .retry_after = "30",
		                .body = body,
		                .len = len,
		                .seconds = SECONDS };
	static const char head[] = "cmp-fuzz: HTTP 503 Service Unavailable";
	static const char tail[] = ", retry after 30s";
	struct kc_report r;
	char text[KC_LINE_MAX / 2];
	size_t tlen;

	kc_report_build(&cfg, &o, &r, text, sizeof(text));
	tlen = strlen(text);
	FUZZ_ASSERT(r.state == cfg.on_error && !r.active);
	FUZZ_ASSERT(!strncmp(text, head, sizeof(head) - 1));
	/* The API's message is capped well below the buffer, so the tail always fits. */
	FUZZ_ASSERT(tlen >= sizeof(tail) - 1 && !strcmp(text + tlen - (sizeof(tail) - 1), tail));
	check_line(&r, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct kc_campaign c;
	struct kc_err e = { 0 };
	enum kc_response res = kc_response_parse(body, size, &c, &e);

	check_parse(body, size, res, &c, &e);
	check_error_text(body, size, res, &e);
	check_report_200(body, size, res, &c);
	check_report_http(body, size);
	return 0;
}
