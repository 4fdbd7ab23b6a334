/* Campaign state -> plugin result, from the expected list, --map and --unexpected.
 * An explicit --map entry wins over --expect; everything else is "unexpected". */
#include "verdict.h"

#include <strings.h>

/* The states Kore.ai documents, sorted for the reader. */
static const char *const known_states[] = {
	"Active", "Completed",   "Paused",    "Preparing",
	"Ready",  "Rescheduled", "Scheduled", "Stopped",
};

const char *kc_known_state(const char *name)
{
	for(size_t i = 0; i < sizeof(known_states) / sizeof(known_states[0]); i++)
		if(!strcasecmp(name, known_states[i]))
			return known_states[i];
	return NULL;
}

const char *kc_known_states_text(void)
{
	return "Active, Completed, Paused, Preparing, Ready, Rescheduled, Scheduled, Stopped";
}

enum kc_state kc_verdict(const struct kc_policy *p, const char *state, enum kc_reason *why)
{
	for(size_t i = 0; i < p->n_map; i++) {
		if(!strcasecmp(state, p->map[i].state)) {
			*why = KC_REASON_MAPPED;
			return p->map[i].result;
		}
	}
	for(size_t i = 0; i < p->n_expect; i++) {
		if(!strcasecmp(state, p->expect[i])) {
			*why = KC_REASON_EXPECTED;
			return KC_OK;
		}
	}
	*why = KC_REASON_UNEXPECTED;
	return p->unexpected;
}

bool kc_state_is_active(const char *state)
{
	return !strcasecmp(state, "Active");
}
