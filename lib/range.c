/* Monitoring Plugins threshold ranges: strict parsing and checking.
 * Grammar: ['@'] ( END | START ':' [END] ), START is '~', empty (0) or a number. */
#include "range.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Plain decimals only: exponents, hex, inf and nan are refused outright. */
static int parse_number(const char *s, size_t len, double *out)
{
	char buf[KC_RANGE_TEXT_MAX];
	char *end = NULL;
	size_t digits = 0;

	if(len == 0 || len >= sizeof(buf))
		return -1;
	for(size_t i = 0; i < len; i++) {
		char c = s[i];
		if(c >= '0' && c <= '9')
			digits++;
		else if(!(c == '.' || ((c == '-' || c == '+') && i == 0)))
			return -1;
	}
	if(!digits)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*out = strtod(buf, &end);
	if(errno || end != buf + len || !isfinite(*out))
		return -1;
	return 0;
}

static int parse_bounds(const char *body, struct kc_range *r)
{
	const char *colon = strchr(body, ':');

	if(!colon)
		return parse_number(body, strlen(body), &r->end);
	if(colon == body)
		r->start = 0;
	else if(colon - body == 1 && body[0] == '~')
		r->start_inf = true;
	else if(parse_number(body, (size_t)(colon - body), &r->start))
		return -1;
	if(colon[1] == '\0') {
		r->end_inf = true;
		return colon == body ? -1 : 0; /* a lone ":" says nothing */
	}
	return parse_number(colon + 1, strlen(colon + 1), &r->end);
}

int kc_range_parse(const char *text, struct kc_range *r, struct kc_err *e)
{
	const char *body = text;

	memset(r, 0, sizeof(*r));
	if(!text || !*text)
		return kc_err_set(e, "empty range");
	if(strlen(text) >= sizeof(r->text))
		return kc_err_set(e, "range '%.20s...' is too long", text);
	if(*body == '@') {
		r->inside = true;
		body++;
	}
	if(parse_bounds(body, r))
		return kc_err_set(e, "invalid range '%s' (use N, N:, ~:N, N:M or @N:M)", text);
	if(!r->start_inf && !r->end_inf && r->start > r->end)
		return kc_err_set(e, "invalid range '%s': start is greater than end", text);
	strcpy(r->text, text);
	r->set = true;
	return 0;
}

bool kc_range_alerts(const struct kc_range *r, double value)
{
	bool within = (r->start_inf || value >= r->start) && (r->end_inf || value <= r->end);

	if(!r->set)
		return false;
	return r->inside ? within : !within;
}

enum kc_state kc_thresholds_check(const struct kc_thresholds *t, double value)
{
	if(kc_range_alerts(&t->critical, value))
		return KC_CRITICAL;
	if(kc_range_alerts(&t->warning, value))
		return KC_WARNING;
	return KC_OK;
}
