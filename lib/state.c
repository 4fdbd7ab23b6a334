/* Plugin result states, their names and how two of them combine. */
#include "state.h"

#include <stddef.h>
#include <strings.h>

static const char *const names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

/* Severity order used by kc_state_worst, indexed by state. */
static const int severity[] = { 0, 2, 3, 1 };

const char *kc_state_name(enum kc_state s)
{
	return (unsigned)s <= KC_UNKNOWN ? names[s] : "UNKNOWN";
}

int kc_state_parse(const char *text, enum kc_state *out)
{
	if(!text)
		return -1;
	if(text[0] >= '0' && text[0] <= '3' && text[1] == '\0') {
		*out = (enum kc_state)(text[0] - '0');
		return 0;
	}
	for(size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if(!strcasecmp(text, names[i])) {
			*out = (enum kc_state)i;
			return 0;
		}
	}
	return -1;
}

enum kc_state kc_state_worst(enum kc_state a, enum kc_state b)
{
	return severity[a & 3] >= severity[b & 3] ? a : b;
}
