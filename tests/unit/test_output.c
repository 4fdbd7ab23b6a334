/* Sanitising server text, building the status line, and redacting credentials. */
#include <string.h>

#include "output.h"
#include "tap.h"

struct sanitize_case {
	const char *name;
	const char *in;
	size_t in_len; /* 0: strlen */
	size_t max_chars;
	const char *out;
};

static const struct sanitize_case cases[] = {
	{ "plain text kept", "Outbound Renewals", 0, 64, "Outbound Renewals" },
	{ "pipe replaced", "a|b", 0, 64, "a/b" },
	{ "newline and CR become spaces", "a\nb\rc", 0, 64, "a b c" },
	{ "escape sequence defused", "\x1b[31mred", 0, 64, " [31mred" },
	{ "C1 control (CSI) defused",
	  "x\xc2\x9b"
	  "1m",
	  0, 64, "x 1m" },
	{ "bidi override defused",
	  "a\xe2\x80\xae"
	  "b\xe2\x81\xa6"
	  "c",
	  0, 64, "a b c" },
	{ "DEL defused",
	  "a\x7f"
	  "b",
	  0, 64, "a b" },
	{ "valid UTF-8 kept", "Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9e", 0, 64,
	  "Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9e" },
	{ "invalid byte dropped",
	  "a\xff"
	  "b",
	  0, 64, "ab" },
	{ "truncated sequence dropped", "ab\xe2\x82", 0, 64, "ab" },
	{ "overlong encoding dropped",
	  "a\xc0\xaf"
	  "b",
	  0, 64, "ab" },
	{ "surrogate dropped",
	  "a\xed\xa0\x80"
	  "b",
	  0, 64, "ab" },
	{ "beyond U+10FFFF dropped",
	  "a\xf4\x90\x80\x80"
	  "b",
	  0, 64, "ab" },
	{ "cut at max characters", "abcdefghij", 0, 4, "abcd..." },
	{ "cut counts characters, not bytes", "\xc3\xa9\xc3\xa9\xc3\xa9", 0, 2,
	  "\xc3\xa9\xc3\xa9..." },
	{ "exactly max characters is not cut", "abcd", 0, 4, "abcd" },
	{ "embedded NUL becomes space", "a\0b", 3, 64, "a b" },
};

static void test_sanitize(void)
{
	char buf[256];

	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct sanitize_case *c = &cases[i];
		size_t len = c->in_len ? c->in_len : strlen(c->in);
		size_t n = kc_sanitize(buf, sizeof(buf), c->in, len, c->max_chars);
		ok(!strcmp(buf, c->out) && n == strlen(c->out), "%s", c->name);
	}
	memset(buf, 'x', sizeof(buf));
	kc_sanitize(buf, 8, "abcdefghijklmnop", 16, 100);
	ok(strlen(buf) < 8 && !strcmp(buf + strlen(buf) - 3, "..."),
	   "small buffer: cut and terminated");
	kc_sanitize(buf, 2, "abc", 3, 100);
	ok(buf[0] == '\0', "buffer too small for anything: empty string");
}

static void test_line(void)
{
	char line[KC_LINE_MAX];
	struct kc_report r = { .state = KC_WARNING,
		               .text = "'X' (c1) is Stopped, expected Active",
		               .has_perf = true,
		               .seconds = 0.084,
		               .warn = "1",
		               .crit = "2",
		               .timeout = 10,
		               .active = false };

	ok(kc_output_line(line, sizeof(line), &r) > 0 &&
	           !strcmp(line, "CAMPAIGN WARNING - 'X' (c1) is Stopped, expected Active | "
	                         "time=0.084000s;1;2;0;10 active=0;;;0;1\n"),
	   "status line with perfdata: %s", line);
	r = (struct kc_report){ .state = KC_UNKNOWN, .text = "bad | input\nsecond line" };
	ok(kc_output_line(line, sizeof(line), &r) > 0 &&
	           !strcmp(line, "CAMPAIGN UNKNOWN - bad / input second line\n"),
	   "usage line: no perfdata, text sanitised");
	r = (struct kc_report){ .state = KC_OK,
		                .text = "x",
		                .has_perf = true,
		                .warn = "",
		                .crit = "",
		                .timeout = 5,
		                .active = true };
	ok(kc_output_line(line, sizeof(line), &r) > 0 &&
	           !strcmp(line, "CAMPAIGN OK - x | time=0.000000s;;;0;5 active=1;;;0;1\n"),
	   "empty thresholds leave empty fields");
	ok(kc_output_line(line, 20, &r) == -1, "too small a buffer is reported");
}

static void test_redact(void)
{
	char buf[] = "token abc.def.SIGNATURE and SIGNATURE again";

	kc_redact(buf, strlen(buf), "SIGNATURE", 9);
	ok(!strstr(buf, "SIGNATURE") && strstr(buf, "abc.def.*********"),
	   "every occurrence redacted");
	kc_redact(buf, strlen(buf), "ab", 2);
	ok(strstr(buf, "abc") != NULL, "needles shorter than 3 bytes are left alone");
}

int main(void)
{
	test_sanitize();
	test_line();
	test_redact();
	return tap_done();
}
