/* The status line and its performance data, built in one caller-owned buffer. */
#include "output.h"

#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Marks every place a window of cred occurs, searching the text as it was
 * before any masking, so overlapping slices are all found. */
static void mark_windows(const char *buf, size_t len, const char *cred, size_t clen,
                         unsigned char *hit)
{
	char window[KC_REDACT_WINDOW];

	for(size_t i = 0; i + sizeof(window) <= clen; i++) {
		memcpy(window, cred + i, sizeof(window));
		for(int pass = 0; pass < 2; pass++) {
			const char *p = buf;

			while((size_t)(p - buf) + sizeof(window) <= len &&
			      (p = memmem(p, len - (size_t)(p - buf), window, sizeof(window)))) {
				memset(hit + (p - buf), 1, sizeof(window));
				p++;
			}
			/* the same bytes in standard base64, as a server might re-encode them */
			for(size_t j = 0; j < sizeof(window); j++)
				window[j] = window[j] == '-'   ? '+'
				            : window[j] == '_' ? '/'
				                               : window[j];
		}
	}
	explicit_bzero(window, sizeof(window));
}

void kc_redact_credential(char *buf, size_t len, const char *cred, size_t clen)
{
	unsigned char *hit;

	if(!buf || !cred || !len)
		return;
	kc_redact(buf, len, cred, clen);
	if(clen < KC_REDACT_WINDOW)
		return;
	hit = calloc(len, 1);
	if(!hit) { /* fail closed */
		memset(buf, '*', len);
		return;
	}
	mark_windows(buf, len, cred, clen, hit);
	for(size_t i = 0; i < len; i++)
		if(hit[i])
			buf[i] = '*';
	free(hit);
}
