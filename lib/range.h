/* Monitoring Plugins threshold ranges: strict parsing and checking. */
#ifndef KC_RANGE_H
#define KC_RANGE_H

#include <stdbool.h>

#include "error.h"
#include "state.h"

#define KC_RANGE_TEXT_MAX 48

struct kc_range {
	bool set;
	bool start_inf; /* "~:" */
	bool end_inf;   /* "N:" */
	bool inside;    /* "@": alert when inside */
	double start;
	double end;
	char text[KC_RANGE_TEXT_MAX]; /* as given, for perfdata */
};

struct kc_thresholds {
	struct kc_range warning;
	struct kc_range critical;
};

int kc_range_parse(const char *text, struct kc_range *r, struct kc_err *e)
        __attribute__((warn_unused_result));

/* True when value lies where the range says to alert. */
bool kc_range_alerts(const struct kc_range *r, double value);

/* CRITICAL if the critical range alerts, else WARNING if the warning one does. */
enum kc_state kc_thresholds_check(const struct kc_thresholds *t, double value);

#endif
