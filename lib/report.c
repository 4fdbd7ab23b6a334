/* What happened to the request -> the state and the words of the status line.
 * Everything the server said is sanitised before it reaches the text. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "response.h"
#include "verdict.h"

struct reason_phrase {
	long status;
	const char *text;
};

/* Sorted by status for bsearch. */
static const struct reason_phrase phrases[] = {
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 204, "No Content" },
	{ 300, "Multiple Choices" },
	{ 301, "Moved Permanently" },
	{ 302, "Found" },
	{ 303, "See Other" },
	{ 304, "Not Modified" },
	{ 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 413, "Content Too Large" },
	{ 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Content" },
	{ 429, "Too Many Requests" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
};

static int cmp_phrase(const void *key, const void *elem)
{
	long a = *(const long *)key, b = ((const struct reason_phrase *)elem)->status;

	return (a > b) - (a < b);
}

static const char *phrase(long status)
{
	const struct reason_phrase *p =
	        bsearch(&status, phrases, sizeof(phrases) / sizeof(phrases[0]), sizeof(phrases[0]),
	                cmp_phrase);
	return p ? p->text : "";
}

static void http_error(const struct kc_config *cfg, const struct kc_outcome *o, char *text,
                       size_t size)
{
	char msg[256], clean[256], wait[32], retry[48] = "";
	const char *sep = *phrase(o->status) ? " " : "";

	if(o->status >= 300 && o->status < 400) {
		snprintf(text, size, "%s: HTTP %ld%s%s, redirect not followed", cfg->campaign,
		         o->status, sep, phrase(o->status));
		return;
	}
	if(o->retry_after && *o->retry_after) {
		kc_sanitize(wait, sizeof(wait), o->retry_after, strlen(o->retry_after), 24);
		snprintf(retry, sizeof(retry), ", retry after %s%s", wait,
		         strspn(wait, "0123456789") == strlen(wait) ? "s" : "");
	}
	if(kc_response_error_text(o->body, o->len, msg, sizeof(msg)) == 0) {
		kc_sanitize(clean, sizeof(clean), msg, strlen(msg), 160);
		snprintf(text, size, "%s: HTTP %ld%s%s: %s%s", cfg->campaign, o->status, sep,
		         phrase(o->status), clean, retry);
	} else
		snprintf(text, size, "%s: HTTP %ld%s%s%s", cfg->campaign, o->status, sep,
		         phrase(o->status), retry);
}

/* "'Name' (id) is State[, why]" and the state that goes with it. */
static enum kc_state judge_campaign(const struct kc_config *cfg, const struct kc_campaign *c,
                                    double seconds, char *text, size_t size)
{
	char name[4 * KC_NAME_CHARS + 8], state[128], expected[256], why[320] = "";
	enum kc_reason reason;
	enum kc_state by_state = kc_verdict(&cfg->policy, c->state, &reason);
	enum kc_state by_time = kc_thresholds_check(&cfg->thresholds, seconds);
	int n;

	kc_sanitize(name, sizeof(name), c->name, c->name_len, KC_NAME_CHARS);
	kc_sanitize(state, sizeof(state), c->state, strlen(c->state), 32);
	if(by_state != KC_OK && reason == KC_REASON_UNEXPECTED) {
		kc_policy_expected(&cfg->policy, expected, sizeof(expected));
		snprintf(why, sizeof(why), ", expected %s", expected);
	} else if(by_state != KC_OK && reason == KC_REASON_MAPPED)
		snprintf(why, sizeof(why), ", mapped to %s", kc_state_name(by_state));
	if(by_time != KC_OK) {
		const struct kc_range *r = by_time == KC_CRITICAL ? &cfg->thresholds.critical
		                                                  : &cfg->thresholds.warning;
		n = (int)strlen(why);
		snprintf(why + n, sizeof(why) - (size_t)n,
		         ", response time %.3fs breaches %s threshold %s", seconds,
		         by_time == KC_CRITICAL ? "critical" : "warning", r->text);
	}
	if(*name)
		snprintf(text, size, "'%s' (%s) is %s%s", name, cfg->campaign, state, why);
	else
		snprintf(text, size, "campaign %s is %s%s", cfg->campaign, state, why);
	return kc_state_worst(by_state, by_time);
}

static enum kc_state judge_body(const struct kc_config *cfg, const struct kc_outcome *o,
                                struct kc_report *r, char *text, size_t size)
{
	struct kc_campaign c;
	struct kc_err e = { 0 };
	char clean[256];

	switch(kc_response_parse(o->body, o->len, &c, &e)) {
	case KC_RESPONSE_CAMPAIGN:
		r->active = kc_state_is_active(c.state);
		return judge_campaign(cfg, &c, o->seconds, text, size);
	case KC_RESPONSE_API_ERROR:
		kc_sanitize(clean, sizeof(clean), e.msg, strlen(e.msg), 160);
		snprintf(text, size, "%s: API error: %s", cfg->campaign, clean);
		return cfg->on_error;
	default:
		snprintf(text, size, "%s: invalid response: %s", cfg->campaign, e.msg);
		return cfg->on_error;
	}
}

/* Every run that attempted the request reports its time against the thresholds. */
static struct kc_report perf_report(const struct kc_config *cfg, double seconds,
                                    enum kc_state state, const char *text)
{
	return (struct kc_report){ .text = text,
		                   .has_perf = true,
		                   .seconds = seconds,
		                   .warn = cfg->thresholds.warning.text,
		                   .crit = cfg->thresholds.critical.text,
		                   .timeout = cfg->timeout,
		                   .state = state };
}

void kc_report_build(const struct kc_config *cfg, const struct kc_outcome *o, struct kc_report *r,
                     char *text, size_t size)
{
	static const char *const prefix[] = {
		[KC_HTTP_TLS] = "TLS error",
		[KC_HTTP_CONNECT] = "connection failed",
		[KC_HTTP_TOO_LARGE] = "invalid response",
	};

	*r = perf_report(cfg, o->seconds, cfg->on_error, text);
	if(o->http == KC_HTTP_TIMEOUT)
		kc_report_timeout(cfg, o->seconds, r, text, size);
	else if(o->http != KC_HTTP_DONE)
		snprintf(text, size, "%s: %s: %s", cfg->campaign, prefix[o->http], o->error);
	else if(o->status != 200)
		http_error(cfg, o, text, size);
	else
		r->state = judge_body(cfg, o, r, text, size);
}

void kc_report_timeout(const struct kc_config *cfg, double seconds, struct kc_report *r, char *text,
                       size_t size)
{
	*r = perf_report(cfg, seconds, cfg->timeout_result, text);
	snprintf(text, size, "%s: timeout after %lds", cfg->campaign, cfg->timeout);
}
