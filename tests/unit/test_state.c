/* Result names and how two results combine. */
#include <string.h>

#include "state.h"
#include "tap.h"

int main(void)
{
	static const struct {
		const char *text;
		int valid;
		enum kc_state state;
	} cases[] = {
		{ "OK", 1, KC_OK },
		{ "ok", 1, KC_OK },
		{ "Warning", 1, KC_WARNING },
		{ "CRITICAL", 1, KC_CRITICAL },
		{ "unknown", 1, KC_UNKNOWN },
		{ "0", 1, KC_OK },
		{ "1", 1, KC_WARNING },
		{ "2", 1, KC_CRITICAL },
		{ "3", 1, KC_UNKNOWN },
		{ "4", 0, KC_OK },
		{ "", 0, KC_OK },
		{ "CRIT", 0, KC_OK },
		{ "01", 0, KC_OK },
		{ "OK ", 0, KC_OK },
		{ "-1", 0, KC_OK },
	};
	enum kc_state s;

	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = kc_state_parse(cases[i].text, &s);
		ok(cases[i].valid ? rc == 0 && s == cases[i].state : rc == -1, "'%s' %s",
		   cases[i].text, cases[i].valid ? "parses" : "is refused");
	}
	ok(kc_state_worst(KC_OK, KC_WARNING) == KC_WARNING, "WARNING beats OK");
	ok(kc_state_worst(KC_CRITICAL, KC_WARNING) == KC_CRITICAL, "CRITICAL beats WARNING");
	ok(kc_state_worst(KC_UNKNOWN, KC_OK) == KC_UNKNOWN, "UNKNOWN beats OK");
	ok(kc_state_worst(KC_UNKNOWN, KC_WARNING) == KC_WARNING, "WARNING beats UNKNOWN");
	ok(kc_state_worst(KC_CRITICAL, KC_UNKNOWN) == KC_CRITICAL, "CRITICAL beats UNKNOWN");
	ok(!strcmp(kc_state_name(KC_CRITICAL), "CRITICAL"), "names");
	return tap_done();
}
