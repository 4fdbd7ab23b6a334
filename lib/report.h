/* What happened to the request -> the state and the words of the status line. */
#ifndef KC_REPORT_H
#define KC_REPORT_H

#include <stddef.h>

#include "config.h"
#include "http.h"
#include "output.h"

struct kc_outcome {
	enum kc_http_result http;
	const char *error; /* transport error text, for anything but KC_HTTP_DONE */
	long status;
	const char *retry_after;
	const char *body;
	size_t len;
	double seconds;
};

/* Fills r (text points into text[size]); pure: no I/O. */
void kc_report_build(const struct kc_config *cfg, const struct kc_outcome *o, struct kc_report *r,
                     char *text, size_t size);

/* The line printed when the run is cut short by the timeout guard. */
void kc_report_timeout(const struct kc_config *cfg, double seconds, struct kc_report *r, char *text,
                       size_t size);

#endif
