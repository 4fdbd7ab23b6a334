/* Strict UTF-8 decoding, shared by the response checks and the output sanitiser. */
#include "utf8.h"

size_t kc_utf8_char(const unsigned char *s, size_t avail, uint32_t *cp)
{
	static const uint32_t min_cp[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n;
	uint32_t c;

	if(s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if((s[0] & 0xE0) == 0xC0)
		n = 2, c = s[0] & 0x1F;
	else if((s[0] & 0xF0) == 0xE0)
		n = 3, c = s[0] & 0x0F;
	else if((s[0] & 0xF8) == 0xF0)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	if(n > avail)
		return 0;
	for(size_t i = 1; i < n; i++) {
		if((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if(c < min_cp[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

bool kc_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;

	for(size_t i = 0, n; i < len; i += n)
		if(!(n = kc_utf8_char(p + i, len - i, &cp)))
			return false;
	return true;
}
