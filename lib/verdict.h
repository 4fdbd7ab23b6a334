/* Campaign state -> plugin result, from the expected list, --map and --unexpected. */
#ifndef KC_VERDICT_H
#define KC_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "state.h"

#define KC_MAX_RULES 16
#define KC_STATE_NAME_MAX 32

struct kc_state_rule {
	char state[KC_STATE_NAME_MAX];
	enum kc_state result;
};

struct kc_policy {
	char expect[KC_MAX_RULES][KC_STATE_NAME_MAX];
	size_t n_expect;
	struct kc_state_rule map[KC_MAX_RULES];
	size_t n_map;
	enum kc_state unexpected;
};

enum kc_reason { KC_REASON_EXPECTED, KC_REASON_MAPPED, KC_REASON_UNEXPECTED };

/* The canonical name of a documented campaign state (any case), or NULL. */
const char *kc_known_state(const char *name);

/* Copies a state name given by the user, trimmed of surrounding blanks, in
 * the documented spelling when it is a documented state.  Names of states
 * Kore.ai may add later are kept as given: letters, digits, blanks, '_' and
 * '-', at most KC_STATE_NAME_MAX - 1 characters.  -1 if it is no such name. */
int kc_campaign_state(const char *text, size_t len, char out[KC_STATE_NAME_MAX])
        __attribute__((warn_unused_result));

/* The expected states as "A,B,C", for messages; cut to fit size. */
void kc_policy_expected(const struct kc_policy *p, char *buf, size_t size);

enum kc_state kc_verdict(const struct kc_policy *p, const char *state, enum kc_reason *why);

/* Whether the campaign is dialling, for the "active" metric. */
bool kc_state_is_active(const char *state);

#endif
