/* Strict UTF-8: what json-c lets through must not pass here. */
#include <string.h>

#include "tap.h"
#include "utf8.h"

int main(void)
{
	static const struct {
		const char *name;
		const char *text;
		int valid;
	} cases[] = {
		{ "ASCII", "Active", 1 },
		{ "two bytes", "\xc3\xa9", 1 },
		{ "three bytes", "\xe2\x82\xac", 1 },
		{ "four bytes", "\xf0\x9f\x93\x9e", 1 },
		{ "highest code point", "\xf4\x8f\xbf\xbf", 1 },
		{ "lone continuation byte", "\x80", 0 },
		{ "truncated sequence", "\xe2\x82", 0 },
		{ "overlong slash", "\xc0\xaf", 0 },
		{ "overlong three-byte form", "\xe0\x80\xaf", 0 },
		{ "UTF-16 surrogate", "\xed\xa0\x80", 0 },
		{ "past U+10FFFF", "\xf4\x90\x80\x80", 0 },
		{ "F5 lead byte", "\xf5\x80\x80\x80", 0 },
		{ "FF byte", "\xff", 0 },
		{ "bad byte after good text", "Active\xfe", 0 },
	};
	uint32_t cp = 0;

	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok(kc_utf8_valid(cases[i].text, strlen(cases[i].text)) == cases[i].valid, "%s %s",
		   cases[i].name, cases[i].valid ? "accepted" : "refused");
	ok(kc_utf8_char((const unsigned char *)"\xe2\x82\xac", 3, &cp) == 3 && cp == 0x20AC,
	   "decodes the euro sign");
	ok(kc_utf8_char((const unsigned char *)"\xe2\x82\xac", 2, &cp) == 0,
	   "never reads past the bytes it is given");
	return tap_done();
}
