/* Range syntax: every form, its boundaries, and the strings it must refuse. */
#include <math.h>
#include <string.h>

#include "range.h"
#include "tap.h"

struct alert_case {
	const char *range;
	double value;
	int alerts;
};

static const struct alert_case alert_cases[] = {
	{ "10", -0.001, 1 },      { "10", 0, 0 },           { "10", 10, 0 },
	{ "10", 10.001, 1 },      { "10:", 9.999, 1 },      { "10:", 10, 0 },
	{ "10:", 1e9, 0 },        { "~:10", -1e9, 0 },      { "~:10", 10, 0 },
	{ "~:10", 10.5, 1 },      { "10:20", 9.99, 1 },     { "10:20", 10, 0 },
	{ "10:20", 20, 0 },       { "10:20", 20.01, 1 },    { "@10:20", 9.99, 0 },
	{ "@10:20", 10, 1 },      { "@10:20", 15, 1 },      { "@10:20", 20, 1 },
	{ "@10:20", 20.01, 0 },   { "0.5", 0.5, 0 },        { "0.5", 0.5001, 1 },
	{ ":2", 2.5, 1 },         { ":2", 1, 0 },           { "-1:1", -1, 0 },
	{ "-1:1", -1.5, 1 },      { "~:", 1e12, 0 },        { "@~:", 3, 1 },
	{ "1.25:1.25", 1.25, 0 }, { "1.25:1.25", 1.26, 1 }, { "+3", 3, 0 },
	{ "@0", 0, 1 },           { "@0", 0.1, 0 },         { ".5", 0.6, 1 },
};

static const char *const invalid[] = {
	"",     "@",
	"~",    ":",
	"abc",  "1:12%",
	"5:1",  "1e999",
	"1e3",  "10s",
	"0x10", "inf",
	"nan",  "1:2:3",
	"@@1",  "1..2",
	"--1",  "1 ",
	" 1",   "~:~",
	"10:~", "1,5",
	"-",    ".",
	"@:",   "12345678901234567890123456789012345678901234567890",
};

int main(void)
{
	struct kc_range r;
	struct kc_thresholds t;
	struct kc_err e = { 0 };

	for(size_t i = 0; i < sizeof(alert_cases) / sizeof(alert_cases[0]); i++) {
		const struct alert_case *c = &alert_cases[i];
		if(ok(kc_range_parse(c->range, &r, &e) == 0, "'%s' parses", c->range))
			ok(kc_range_alerts(&r, c->value) == c->alerts, "'%s' with %g %s", c->range,
			   c->value, c->alerts ? "alerts" : "does not alert");
	}
	for(size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct kc_err err = { 0 };
		ok(kc_range_parse(invalid[i], &r, &err) == -1 && err.set, "'%s' is refused: %s",
		   invalid[i], err.msg);
	}
	ok(kc_range_parse("@1:2", &r, &e) == 0 && !strcmp(r.text, "@1:2"),
	   "text kept for perfdata");

	memset(&t, 0, sizeof(t));
	ok(kc_thresholds_check(&t, 1e9) == KC_OK, "no thresholds: always OK");
	ok(kc_range_parse("1", &t.warning, &e) == 0 && kc_range_parse("2", &t.critical, &e) == 0,
	   "warning 1, critical 2");
	ok(kc_thresholds_check(&t, 0.5) == KC_OK, "0.5s is OK");
	ok(kc_thresholds_check(&t, 1.5) == KC_WARNING, "1.5s is WARNING");
	ok(kc_thresholds_check(&t, 2.5) == KC_CRITICAL, "2.5s is CRITICAL");
	ok(kc_thresholds_check(&t, 2.0) == KC_WARNING, "2s is inside critical, outside warning");
	return tap_done();
}
