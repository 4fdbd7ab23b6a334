/* From request outcome to state and status text: every path, with a fixed configuration. */
#include <regex.h>
#include <string.h>

#include "report.h"
#include "tap.h"

#define CAMPAIGN(st, name)                                                                         \
	"{\"status\":\"success\",\"data\":{\"id\":\"c1\",\"status\":\"" st "\",\"name\":\"" name   \
	"\"}}"
#define FAILURE(msg) "{\"status\":\"failure\",\"errors\":[{\"msg\":\"" msg "\",\"code\":\"E1\"}]}"

struct report_case {
	const char *name;
	const char *args;
	struct kc_outcome o;
	enum kc_state state;
	const char *text; /* extended regex over the whole text */
};

static const struct report_case cases[] = {
	{ "active is OK",
	  "",
	  { .status = 200, .body = CAMPAIGN("Active", "Renewals"), .seconds = 0.1 },
	  KC_OK,
	  "^'Renewals' \\(c1\\) is Active$" },
	{ "stopped is WARNING",
	  "",
	  { .status = 200, .body = CAMPAIGN("Stopped", "R"), .seconds = 0.1 },
	  KC_WARNING,
	  "^'R' \\(c1\\) is Stopped, expected Active$" },
	{ "custom expect",
	  "-e Ready,Paused",
	  { .status = 200, .body = CAMPAIGN("Active", "R") },
	  KC_WARNING,
	  "is Active, expected Ready,Paused$" },
	{ "mapped state",
	  "--map Stopped=CRITICAL",
	  { .status = 200, .body = CAMPAIGN("stopped", "R") },
	  KC_CRITICAL,
	  "is stopped, mapped to CRITICAL$" },
	{ "unexpected result",
	  "--unexpected UNKNOWN",
	  { .status = 200, .body = CAMPAIGN("Paused", "R") },
	  KC_UNKNOWN,
	  "is Paused, expected Active$" },
	{ "no name",
	  "",
	  { .status = 200, .body = "{\"status\":\"success\",\"data\":{\"status\":\"Active\"}}" },
	  KC_OK,
	  "^campaign c1 is Active$" },
	{ "warning threshold",
	  "-w 1 -c 2",
	  { .status = 200, .body = CAMPAIGN("Active", "R"), .seconds = 1.5 },
	  KC_WARNING,
	  "is Active, response time 1.500s breaches warning threshold 1$" },
	{ "critical threshold",
	  "-w 1 -c 2",
	  { .status = 200, .body = CAMPAIGN("Active", "R"), .seconds = 2.5 },
	  KC_CRITICAL,
	  "breaches critical threshold 2$" },
	{ "worst of state and time",
	  "-w 1",
	  { .status = 200, .body = CAMPAIGN("Stopped", "R"), .seconds = 5 },
	  KC_WARNING,
	  "is Stopped, expected Active, response time 5.000s breaches warning threshold 1$" },
	{ "state CRITICAL beats time WARNING",
	  "-w 1 --map Stopped=2",
	  { .status = 200, .body = CAMPAIGN("Stopped", "R"), .seconds = 5 },
	  KC_CRITICAL,
	  "mapped to CRITICAL" },
	{ "name sanitised",
	  "",
	  { .status = 200, .body = CAMPAIGN("Active", "a|b\\nc\\u001b[0m") },
	  KC_OK,
	  "^'a/b c \\[0m' \\(c1\\) is Active$" },
	{ "API failure",
	  "",
	  { .status = 200, .body = FAILURE("Campaign is archived") },
	  KC_CRITICAL,
	  "^c1: API error: Campaign is archived \\(code E1\\)$" },
	{ "invalid body",
	  "--on-error WARNING",
	  { .status = 200, .body = "<html>" },
	  KC_WARNING,
	  "^c1: invalid response: body is not valid JSON" },
	{ "HTTP 401 with message",
	  "",
	  { .status = 401, .body = FAILURE("Invalid token") },
	  KC_CRITICAL,
	  "^c1: HTTP 401 Unauthorized: Invalid token$" },
	{ "HTTP 429 with Retry-After",
	  "",
	  { .status = 429, .body = FAILURE("Slow down"), .retry_after = "30" },
	  KC_CRITICAL,
	  "^c1: HTTP 429 Too Many Requests: Slow down, retry after 30s$" },
	{ "HTTP 503 without body",
	  "",
	  { .status = 503, .body = "" },
	  KC_CRITICAL,
	  "^c1: HTTP 503 Service Unavailable$" },
	{ "HTTP 599 unknown phrase",
	  "",
	  { .status = 599, .body = "" },
	  KC_CRITICAL,
	  "^c1: HTTP 599$" },
	{ "HTTP 204 is not a campaign",
	  "",
	  { .status = 204, .body = "" },
	  KC_CRITICAL,
	  "^c1: HTTP 204 No Content$" },
	{ "redirect",
	  "",
	  { .status = 302, .body = "" },
	  KC_CRITICAL,
	  "^c1: HTTP 302 Found, redirect not followed$" },
	{ "TLS",
	  "",
	  { .http = KC_HTTP_TLS, .error = "SSL certificate problem: certificate has expired" },
	  KC_CRITICAL,
	  "^c1: TLS error: SSL certificate problem: certificate has expired$" },
	{ "connection",
	  "--on-error UNKNOWN",
	  { .http = KC_HTTP_CONNECT, .error = "Connection refused" },
	  KC_UNKNOWN,
	  "^c1: connection failed: Connection refused$" },
	{ "too large",
	  "",
	  { .http = KC_HTTP_TOO_LARGE, .error = "response body exceeds 1048576 bytes" },
	  KC_CRITICAL,
	  "^c1: invalid response: response body exceeds" },
	{ "timeout",
	  "-t 7:WARNING",
	  { .http = KC_HTTP_TIMEOUT, .error = "x" },
	  KC_WARNING,
	  "^c1: timeout after 7s$" },
};

static int parse_config(const char *extra, struct kc_config *cfg)
{
	static char buf[256];
	char *argv[32], *p = buf, *tok;
	int argc = 0;
	struct kc_err e = { 0 };

	snprintf(buf, sizeof(buf), "prog -i i1 -a a1 -C c1 %s", extra);
	while((tok = strsep(&p, " ")))
		if(*tok)
			argv[argc++] = tok;
	argv[argc] = NULL;
	return kc_config_parse(cfg, argc, argv, &e);
}

static void check_case(const struct report_case *c)
{
	struct kc_config cfg;
	struct kc_outcome o = c->o;
	struct kc_report r;
	char text[512];
	regex_t re;
	int matched;

	if(!ok(parse_config(c->args, &cfg) == 0, "%s: configuration parses", c->name))
		return;
	if(o.body)
		o.len = strlen(o.body);
	kc_report_build(&cfg, &o, &r, text, sizeof(text));
	regcomp(&re, c->text, REG_EXTENDED | REG_NOSUB);
	matched = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	ok(r.state == c->state && matched && r.has_perf, "%s: %s %s", c->name,
	   kc_state_name(r.state), text);
}

int main(void)
{
	struct kc_config cfg;
	struct kc_outcome o = { .status = 200, .body = CAMPAIGN("Active", "R"), .seconds = 0.25 };
	struct kc_report r;
	char text[512];

	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
	o.len = strlen(o.body);
	if(parse_config("-w 1 -c @2:3 -t 9", &cfg) == 0) {
		kc_report_build(&cfg, &o, &r, text, sizeof(text));
		ok(r.active && r.seconds == 0.25 && !strcmp(r.warn, "1") &&
		           !strcmp(r.crit, "@2:3") && r.timeout == 9,
		   "perfdata fields carry time, thresholds, timeout and active");
	}
	return tap_done();
}
