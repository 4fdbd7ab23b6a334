/* Invariant checks shared by the fuzz harnesses: a violation aborts, so that
 * libFuzzer records the input as a crash. */
#ifndef KC_FUZZ_CHECK_H
#define KC_FUZZ_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Names the broken invariant before aborting: the stack alone does not say
 * which of several checks in one function failed. */
#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if(!(cond)) {                                                                      \
			fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__,     \
			        #cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while(0)

/* Length of the well-formed UTF-8 sequence at s, 0 if there is none.  Written
 * from RFC 3629 table 3 independently of lib/output.c, so that the two can
 * disagree. */
static inline size_t fuzz_utf8_seq(const unsigned char *s, size_t avail, uint32_t *cp)
{
	unsigned char b = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF;

	if(b < 0x80) {
		*cp = b;
		return 1;
	}
	if(b >= 0xC2 && b <= 0xDF)
		n = 2;
	else if(b >= 0xE0 && b <= 0xEF)
		n = 3;
	else if(b >= 0xF0 && b <= 0xF4)
		n = 4;
	else
		return 0;
	if(b == 0xE0)
		lo = 0xA0;
	else if(b == 0xED)
		hi = 0x9F;
	else if(b == 0xF0)
		lo = 0x90;
	else if(b == 0xF4)
		hi = 0x8F;
	if(avail < n || s[1] < lo || s[1] > hi)
		return 0;
	*cp = b & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
	for(size_t i = 1; i < n; i++) {
		if(i > 1 && (s[i] < 0x80 || s[i] > 0xBF))
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3F);
	}
	return n;
}

/* Number of characters in s[0..len) if it is valid UTF-8, else -1. */
static inline long fuzz_utf8_chars(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	long chars = 0;
	uint32_t cp;

	for(size_t i = 0; i < len; chars++) {
		size_t n = fuzz_utf8_seq(u + i, len - i, &cp);
		if(!n)
			return -1;
		i += n;
	}
	return chars;
}

/* Printable for a terminal and for the Nagios line: valid UTF-8 with no C0
 * or C1 control, no DEL and (unless allowed) no '|'. */
static inline bool fuzz_clean_text(const char *s, size_t len, bool pipe_ok)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;

	for(size_t i = 0; i < len;) {
		size_t n = fuzz_utf8_seq(u + i, len - i, &cp);
		if(!n || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
		   (cp == '|' && !pipe_ok))
			return false;
		i += n;
	}
	return true;
}

/* A status line as kc_output_line writes it: one clean line ending in exactly
 * one '\n', "CAMPAIGN <STATE> - ", and one '|' before the perfdata or none. */
static inline void fuzz_check_line(const char *line, int n, bool has_perf)
{
	static const char *const heads[] = { "CAMPAIGN OK - ", "CAMPAIGN WARNING - ",
		                             "CAMPAIGN CRITICAL - ", "CAMPAIGN UNKNOWN - " };
	size_t len = (size_t)n;
	const char *bar;
	bool head = false;

	FUZZ_ASSERT(n > 0 && strlen(line) == len);
	FUZZ_ASSERT(line[len - 1] == '\n');
	FUZZ_ASSERT(fuzz_clean_text(line, len - 1, true));
	for(size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		head = head || !strncmp(line, heads[i], strlen(heads[i]));
	FUZZ_ASSERT(head);
	bar = memchr(line, '|', len);
	if(has_perf) {
		FUZZ_ASSERT(bar && !memchr(bar + 1, '|', len - (size_t)(bar - line) - 1));
		FUZZ_ASSERT(!strncmp(bar, "| time=", 7));
		FUZZ_ASSERT(strstr(bar, " active=") != NULL);
	} else
		FUZZ_ASSERT(!bar);
}

#endif
