/* Campaign state -> plugin result, from the expected list, --map and --unexpected.
 * An explicit --map entry wins over --expect; everything else is "unexpected". */
#include "verdict.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
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

int kc_campaign_state(const char *text, size_t len, char out[KC_STATE_NAME_MAX])
{
	const char *known;

	while(len && (*text == ' ' || *text == '\t'))
		text++, len--;
	while(len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	if(!len || len >= KC_STATE_NAME_MAX)
		return -1;
	for(size_t i = 0; i < len; i++)
		if(!isalnum((unsigned char)text[i]) && !strchr(" _-", text[i]))
			return -1;
	memcpy(out, text, len);
	out[len] = '\0';
	known = kc_known_state(out);
	if(known)
		strcpy(out, known);
	return 0;
}

void kc_policy_expected(const struct kc_policy *p, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for(size_t i = 0; i < p->n_expect && used < size; i++) {
		int n = snprintf(buf + used, size - used, "%s%s", i ? "," : "", p->expect[i]);

		if(n < 0)
			break;
		used += (size_t)n;
	}
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
