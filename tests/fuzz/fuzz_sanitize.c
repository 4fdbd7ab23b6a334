/* Fuzzes the sanitiser and the status line against a reference model.
 * Input: byte 0 picks the buffer size, byte 1 the character limit, byte 2 the
 * state and whether there is perfdata; the rest is the untrusted text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t pick_size(uint8_t b)
{
	static const size_t big[] = { 256, 4 * KC_NAME_CHARS + 8, 512, 1024, 4096, 8192 };

	return b < 250 ? b : big[b - 250];
}

static size_t pick_chars(uint8_t b)
{
	static const size_t big[] = { 32, KC_NAME_CHARS, 160, 508, 1000, SIZE_MAX };

	return b < 250 ? b : big[b - 250];
}

/* The whole input made printable, with no limit: what kc_sanitize keeps a
 * prefix of.  Returns the length; out has room for len + 1 bytes. */
static size_t reference(const char *src, size_t len, char *out)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0;
	uint32_t cp;

	for(size_t i = 0; i < len;) {
		size_t n = fuzz_utf8_seq(s + i, len - i, &cp);
		if(!n) {
			i++;
			continue;
		}
		if(cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x200E ||
		   cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
			out[o++] = ' '; /* controls, and bidi overrides */
		else if(cp == '|')
			out[o++] = '/';
		else
			memcpy(out + o, s + i, n), o += n;
		i += n;
	}
	out[o] = '\0';
	return o;
}

static void check_sanitize(const char *src, size_t len, size_t size, size_t max_chars)
{
	char *dst = malloc(size ? size : 1), *full = malloc(len + 1);
	size_t n, flen;
	long chars, fchars;
	bool same, cut;

	if(!dst || !full)
		goto out;
	n = kc_sanitize(size ? dst : NULL, size, src, len, max_chars);
	if(!size) {
		FUZZ_ASSERT(n == 0);
		goto out;
	}
	FUZZ_ASSERT(n < size && dst[n] == '\0' && strlen(dst) == n);
	FUZZ_ASSERT(fuzz_clean_text(dst, n, false));
	if(size < 4) { /* no room for "...": nothing is written */
		FUZZ_ASSERT(n == 0);
		goto out;
	}
	chars = fuzz_utf8_chars(dst, n);
	flen = reference(src, len, full);
	fchars = fuzz_utf8_chars(full, flen);
	same = n == flen && !memcmp(dst, full, n);
	/* Cut: a prefix of the clean text within the limit, then "...". */
	cut = n >= 3 && !memcmp(dst + n - 3, "...", 3) && n - 3 < flen &&
	      !memcmp(dst, full, n - 3) && (size_t)chars - 3 <= max_chars;
	FUZZ_ASSERT(same || cut);
	if(!cut)
		FUZZ_ASSERT((size_t)fchars <= max_chars);
	/* Nothing is cut when both the limit and the buffer leave room. */
	if(!same)
		FUZZ_ASSERT(!((size_t)fchars <= max_chars && len + 4 <= size));
out:
	free(dst);
	free(full);
}

static void check_line(const char *src, size_t len, uint8_t flags)
{
	struct kc_report r = { .state = (enum kc_state)(flags & 3),
		               .has_perf = flags & 4,
		               .seconds = (flags >> 3) * 0.125,
		               .warn = flags & 0x80 ? "1" : "",
		               .crit = flags & 0x80 ? "@2:5" : "",
		               .timeout = 10,
		               .active = flags & 1 };
	char *text = malloc(len + 1), line[KC_LINE_MAX], clean[KC_LINE_MAX / 2];
	const char *start;
	size_t clen;
	int n;

	if(!text)
		return;
	memcpy(text, src, len);
	text[len] = '\0';
	r.text = text;
	n = kc_output_line(line, sizeof(line), &r);
	fuzz_check_line(line, n, r.has_perf);
	clen = kc_sanitize(clean, sizeof(clean), text, strlen(text), sizeof(clean) - 4);
	start = strstr(line, " - ") + 3;
	FUZZ_ASSERT(!strncmp(start, clean, clen));
	FUZZ_ASSERT(r.has_perf ? !strncmp(start + clen, " | time=", 8)
	                       : !strcmp(start + clen, "\n"));
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *src;
	size_t len;

	if(size < 3)
		return 0;
	len = size - 3;
	src = malloc(len ? len : 1); /* exactly len bytes, no terminator: over-reads show */
	if(!src)
		return 0;
	memcpy(src, data + 3, len);
	check_sanitize(src, len, pick_size(data[0]), pick_chars(data[1]));
	check_sanitize(src, len, KC_LINE_MAX / 2, KC_NAME_CHARS);
	check_line(src, len, data[2]);
	free(src);
	return 0;
}
