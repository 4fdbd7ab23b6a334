/* The status line and its performance data, built in one caller-owned buffer. */
#ifndef KC_OUTPUT_H
#define KC_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "state.h"

#define KC_LINE_MAX 1024
#define KC_NAME_CHARS 64

struct kc_report {
	enum kc_state state;
	const char *text;
	bool has_perf;    /* a request was sent */
	double seconds;   /* response time */
	const char *warn; /* range texts, "" when unset */
	const char *crit;
	long timeout;
	bool active;
};

/* Copies src into dst as one printable line: valid UTF-8 is kept, invalid
 * bytes are dropped, '|' becomes '/', control characters become spaces, and
 * anything past max_chars characters is replaced by "...".  Returns the
 * length written; dst is always terminated when size > 0. */
size_t kc_sanitize(char *dst, size_t size, const char *src, size_t len, size_t max_chars);

/* "CAMPAIGN <STATE> - <text>[ | perfdata]\n"; the text is sanitised again so
 * that nothing can break the line.  Returns the length, or -1 if buf is too small. */
int kc_output_line(char *buf, size_t size, const struct kc_report *r)
        __attribute__((warn_unused_result));

/* Overwrites every occurrence of needle in buf[0..len) with '*', so that a
 * server echoing a credential cannot make the plugin print it. */
void kc_redact(char *buf, size_t len, const char *needle, size_t nlen);

#define KC_REDACT_WINDOW 12

/* kc_redact for a credential and for every KC_REDACT_WINDOW-byte slice of it,
 * in base64url and standard base64, so that no recognisable part survives. */
void kc_redact_credential(char *buf, size_t len, const char *cred, size_t clen);

#endif
