/* Fuzzes the threshold range parser against a small reference grammar, and
 * checks kc_range_alerts and kc_thresholds_check on the ranges it accepts.
 * The input is "WARNING\0CRITICAL"; without a NUL only the warning range is set. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* [+-]? ( D+ ( '.' D* )? | '.' D+ ) */
static bool ref_number(const char *s, size_t len, double *out)
{
	char buf[KC_RANGE_TEXT_MAX];
	size_t i = 0, int_digits = 0, frac_digits = 0;

	if(len && (s[0] == '+' || s[0] == '-'))
		i++;
	while(i < len && is_digit(s[i]))
		i++, int_digits++;
	if(i < len && s[i] == '.') {
		i++;
		while(i < len && is_digit(s[i]))
			i++, frac_digits++;
	}
	if(i != len || (!int_digits && !frac_digits) || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	*out = strtod(buf, NULL);
	return isfinite(*out);
}

/* ['@'] ( END | START ':' [END] ) with START '~', empty or a number; a bare
 * ':' is refused and START must not exceed END. */
static bool ref_parse(const char *text, struct kc_range *r)
{
	const char *body = text, *colon;
	size_t len = strlen(text);

	memset(r, 0, sizeof(*r));
	if(!len || len >= KC_RANGE_TEXT_MAX)
		return false;
	if(*body == '@')
		r->inside = true, body++;
	colon = strchr(body, ':');
	if(!colon) {
		if(!ref_number(body, strlen(body), &r->end))
			return false;
	} else {
		size_t left = (size_t)(colon - body), right = strlen(colon + 1);
		if(left == 1 && body[0] == '~')
			r->start_inf = true;
		else if(left && !ref_number(body, left, &r->start))
			return false;
		if(!right && !left)
			return false;
		if(!right)
			r->end_inf = true;
		else if(!ref_number(colon + 1, right, &r->end))
			return false;
	}
	return r->start_inf || r->end_inf || r->start <= r->end;
}

static void check_against_reference(const char *text, const struct kc_range *r, int rc,
                                    const struct kc_err *e)
{
	struct kc_range ref;
	bool ok = ref_parse(text, &ref);

	FUZZ_ASSERT((rc == 0) == ok);
	if(rc) {
		FUZZ_ASSERT(e->set && e->msg[0] && !r->set && !r->text[0]);
		return;
	}
	FUZZ_ASSERT(!e->set && r->set);
	FUZZ_ASSERT(!strcmp(r->text, text));
	FUZZ_ASSERT(r->inside == ref.inside && r->start_inf == ref.start_inf &&
	            r->end_inf == ref.end_inf);
	FUZZ_ASSERT(r->start_inf || r->start == ref.start);
	FUZZ_ASSERT(r->end_inf || r->end == ref.end);
	FUZZ_ASSERT(isfinite(r->start) && isfinite(r->end));
	FUZZ_ASSERT(r->start_inf || r->end_inf || r->start <= r->end);
}

/* The text kept for perfdata parses back to the same range. */
static void check_round_trip(const struct kc_range *r)
{
	struct kc_range again;
	struct kc_err e = { 0 };

	FUZZ_ASSERT(kc_range_parse(r->text, &again, &e) == 0);
	FUZZ_ASSERT(again.set && again.inside == r->inside && again.start_inf == r->start_inf &&
	            again.end_inf == r->end_inf && again.start == r->start && again.end == r->end &&
	            !strcmp(again.text, r->text));
}

static bool ref_alerts(const struct kc_range *r, double v)
{
	bool within = (r->start_inf || v >= r->start) && (r->end_inf || v <= r->end);

	return r->set && (r->inside ? within : !within);
}

static void check_alerts(const struct kc_range *r, const double *values, size_t n)
{
	for(size_t i = 0; i < n; i++)
		FUZZ_ASSERT(kc_range_alerts(r, values[i]) == ref_alerts(r, values[i]));
	if(!r->set)
		return;
	/* The bounds belong to the range; the next value out does not. */
	if(!r->start_inf) {
		FUZZ_ASSERT(kc_range_alerts(r, r->start) == r->inside);
		FUZZ_ASSERT(kc_range_alerts(r, nextafter(r->start, -INFINITY)) == !r->inside);
	}
	if(!r->end_inf) {
		FUZZ_ASSERT(kc_range_alerts(r, r->end) == r->inside);
		FUZZ_ASSERT(kc_range_alerts(r, nextafter(r->end, INFINITY)) == !r->inside);
	}
}

static size_t probe_values(const struct kc_thresholds *t, double *v)
{
	const struct kc_range *rs[] = { &t->warning, &t->critical };
	size_t n = 0;

	v[n++] = 0;
	v[n++] = 1e-6;
	v[n++] = 10;
	v[n++] = 3600;
	v[n++] = -DBL_MAX;
	v[n++] = DBL_MAX;
	for(size_t i = 0; i < 2; i++) {
		v[n++] = rs[i]->start;
		v[n++] = rs[i]->end;
		v[n++] = rs[i]->start - 1;
		v[n++] = rs[i]->end + 1;
		v[n++] = rs[i]->start / 2 + rs[i]->end / 2;
	}
	return n;
}

static int parse_part(const char *text, struct kc_range *r)
{
	struct kc_err e = { 0 };
	int rc = kc_range_parse(text, r, &e);

	check_against_reference(text, r, rc, &e);
	if(!rc)
		check_round_trip(r);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kc_thresholds t;
	double values[16];
	size_t n;
	char *copy;
	const char *crit;

	if(size > 256) /* two ranges of at most 47 bytes */
		return 0;
	copy = malloc(size + 2);
	if(!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = copy[size + 1] = '\0';
	crit = copy + strlen(copy) + 1;
	(void)parse_part(copy, &t.warning);
	if(crit <= copy + size)
		(void)parse_part(crit, &t.critical);
	else
		memset(&t.critical, 0, sizeof(t.critical));
	n = probe_values(&t, values);
	check_alerts(&t.warning, values, n);
	check_alerts(&t.critical, values, n);
	for(size_t i = 0; i < n; i++) {
		enum kc_state want = kc_range_alerts(&t.critical, values[i])  ? KC_CRITICAL
		                     : kc_range_alerts(&t.warning, values[i]) ? KC_WARNING
		                                                              : KC_OK;
		FUZZ_ASSERT(kc_thresholds_check(&t, values[i]) == want);
	}
	free(copy);
	return 0;
}
