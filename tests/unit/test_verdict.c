/* State policy: --expect, --map and --unexpected, in that precedence. */
#include <string.h>

#include "tap.h"
#include "verdict.h"

struct verdict_case {
	const char *state;
	enum kc_state result;
	enum kc_reason reason;
};

int main(void)
{
	struct kc_policy p = { .expect = { "Active", "Ready" },
		               .n_expect = 2,
		               .map = { { "Stopped", KC_CRITICAL }, { "Active", KC_WARNING } },
		               .n_map = 0,
		               .unexpected = KC_WARNING };
	static const struct verdict_case defaults[] = {
		{ "Active", KC_OK, KC_REASON_EXPECTED },
		{ "active", KC_OK, KC_REASON_EXPECTED },
		{ "READY", KC_OK, KC_REASON_EXPECTED },
		{ "Stopped", KC_WARNING, KC_REASON_UNEXPECTED },
		{ "Archived", KC_WARNING, KC_REASON_UNEXPECTED },
		{ "Active ", KC_WARNING, KC_REASON_UNEXPECTED },
		{ "", KC_WARNING, KC_REASON_UNEXPECTED },
	};
	enum kc_reason why;

	for(size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		enum kc_state s = kc_verdict(&p, defaults[i].state, &why);
		ok(s == defaults[i].result && why == defaults[i].reason, "'%s' -> %s",
		   defaults[i].state, kc_state_name(defaults[i].result));
	}
	p.n_map = 1;
	ok(kc_verdict(&p, "stopped", &why) == KC_CRITICAL && why == KC_REASON_MAPPED,
	   "--map Stopped=CRITICAL applies, case-insensitively");
	p.n_map = 2;
	ok(kc_verdict(&p, "Active", &why) == KC_WARNING && why == KC_REASON_MAPPED,
	   "--map wins over --expect");
	p.unexpected = KC_CRITICAL;
	ok(kc_verdict(&p, "Paused", &why) == KC_CRITICAL, "--unexpected CRITICAL");

	ok(kc_known_state("rescheduled") && !strcmp(kc_known_state("rescheduled"), "Rescheduled"),
	   "known states are canonicalised");
	ok(kc_known_state("Running") == NULL, "undocumented state is not known");
	{
		static const struct {
			const char *in;
			int valid;
			const char *out;
		} names[] = {
			{ "active", 1, "Active" },
			{ " Ready ", 1, "Ready" },
			{ "Archived", 1, "Archived" },
			{ "In Review", 1, "In Review" },
			{ "on_hold-2", 1, "on_hold-2" },
			{ "", 0, NULL },
			{ "  ", 0, NULL },
			{ "Act|ve", 0, NULL },
			{ "Act\nve", 0, NULL },
			{ "0123456789012345678901234567890123", 0, NULL },
		};
		char out[KC_STATE_NAME_MAX];

		for(size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			int rc = kc_campaign_state(names[i].in, strlen(names[i].in), out);
			ok(names[i].valid ? rc == 0 && !strcmp(out, names[i].out) : rc == -1,
			   "state name '%s' %s", names[i].in,
			   names[i].valid ? "accepted" : "refused");
		}
	}
	{
		struct kc_policy two = { .expect = { "Ready", "Active" }, .n_expect = 2 };
		char buf[32];

		kc_policy_expected(&two, buf, sizeof(buf));
		ok(!strcmp(buf, "Ready,Active"), "expected states joined in order: %s", buf);
		kc_policy_expected(&two, buf, 8);
		ok(!strcmp(buf, "Ready,A"), "joined list cut to the buffer: %s", buf);
	}
	ok(kc_state_is_active("ACTIVE") && !kc_state_is_active("Ready"), "active metric");
	return tap_done();
}
