/* The -v detail lines: what was asked, how long each step took, what came back. */
#ifndef KC_DETAIL_H
#define KC_DETAIL_H

#include <stddef.h>

#include "config.h"
#include "http.h"

#define KC_DETAIL_MAX (64 * 1024)

struct kc_detail {
	char text[KC_DETAIL_MAX];
	size_t len;
};

/* Appends one line, sanitised: a '|' would start perfdata in Nagios long
 * output.  Lines that do not fit are dropped. */
void kc_detail_add(struct kc_detail *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* -v: the request and its status; -vv: timings; -vvv: headers and body, with
 * the auth header never shown. */
void kc_detail_describe(struct kc_detail *v, const struct kc_config *cfg, const char *url,
                        const struct kc_http_response *res);

#endif
