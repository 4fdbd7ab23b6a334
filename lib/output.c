/* The status line and its performance data, built in one caller-owned buffer. */
#include "output.h"

#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* C0 and C1 controls, and the bidirectional overrides that can make a
 * console show text in another order than it was sent. */
static bool is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x200E ||
	       cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

size_t kc_sanitize(char *dst, size_t size, const char *src, size_t len, size_t max_chars)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t out = 0, chars = 0, i = 0;

	if(size < 4) { /* room for "..." and the terminator is assumed below */
		if(size)
			dst[0] = '\0';
		return 0;
	}
	while(i < len) {
		uint32_t cp;
		size_t n = kc_utf8_char(s + i, len - i, &cp);

		if(!n) { /* drop the invalid byte */
			i++;
			continue;
		}
		if(chars == max_chars || out + n + 4 > size) {
			memcpy(dst + out, "...", 3);
			out += 3;
			break;
		}
		if(is_control(cp))
			dst[out++] = ' ';
		else if(cp == '|')
			dst[out++] = '/';
		else {
			memcpy(dst + out, s + i, n);
			out += n;
		}
		chars++;
		i += n;
	}
	dst[out] = '\0';
	return out;
}

int kc_output_line(char *buf, size_t size, const struct kc_report *r)
{
	char text[KC_LINE_MAX / 2];
	int n;

	kc_sanitize(text, sizeof(text), r->text, strlen(r->text), sizeof(text) - 4);
	if(r->has_perf)
		n = snprintf(buf, size,
		             "CAMPAIGN %s - %s | time=%.6fs;%s;%s;0;%ld active=%d;;;0;1\n",
		             kc_state_name(r->state), text, r->seconds, r->warn, r->crit,
		             r->timeout, r->active ? 1 : 0);
	else
		n = snprintf(buf, size, "CAMPAIGN %s - %s\n", kc_state_name(r->state), text);
	return n < 0 || (size_t)n >= size ? -1 : n;
}

void kc_redact(char *buf, size_t len, const char *needle, size_t nlen)
{
	char *p = buf;

	if(!buf || !needle || nlen < 3)
		return;
	while((size_t)(p - buf) + nlen <= len &&
	      (p = memmem(p, len - (size_t)(p - buf), needle, nlen))) {
		memset(p, '*', nlen);
		p += nlen;
	}
}
