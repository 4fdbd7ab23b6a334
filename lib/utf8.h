/* Strict UTF-8 decoding, shared by the response checks and the output sanitiser. */
#ifndef KC_UTF8_H
#define KC_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at s (at most avail bytes, avail > 0) and
 * its code point, or 0 if invalid: overlong forms, surrogates and code points
 * past U+10FFFF are invalid. */
size_t kc_utf8_char(const unsigned char *s, size_t avail, uint32_t *cp);

/* Whether all of s is strict UTF-8 (json-c's own check lets overlong forms,
 * surrogates and code points past U+10FFFF through). */
bool kc_utf8_valid(const char *s, size_t len);

#endif
