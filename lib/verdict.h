/* Campaign state -> plugin result, from the expected list, --map and --unexpected. */
#ifndef KC_VERDICT_H
#define KC_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "state.h"

#define KC_MAX_RULES 16

struct kc_state_rule {
	const char *state; /* canonical spelling from the known-state table */
	enum kc_state result;
};

struct kc_policy {
	const char *expect[KC_MAX_RULES];
	size_t n_expect;
	struct kc_state_rule map[KC_MAX_RULES];
	size_t n_map;
	enum kc_state unexpected;
};

enum kc_reason { KC_REASON_EXPECTED, KC_REASON_MAPPED, KC_REASON_UNEXPECTED };

/* The canonical name of a documented campaign state (any case), or NULL. */
const char *kc_known_state(const char *name);

/* Comma-separated list of the documented states, for messages. */
const char *kc_known_states_text(void);

enum kc_state kc_verdict(const struct kc_policy *p, const char *state, enum kc_reason *why);

/* Whether the campaign is dialling, for the "active" metric. */
bool kc_state_is_active(const char *state);

#endif
