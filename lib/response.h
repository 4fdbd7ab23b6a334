/* Response body -> campaign; the only file that includes json-c. */
#ifndef KC_RESPONSE_H
#define KC_RESPONSE_H

#include <stddef.h>

#include "error.h"

#define KC_STATE_MAX 64
#define KC_NAME_MAX 512

struct kc_campaign {
	char state[KC_STATE_MAX];
	char name[KC_NAME_MAX]; /* raw bytes from the server, unsanitised, possibly cut */
	size_t name_len;
};

enum kc_response {
	KC_RESPONSE_CAMPAIGN,  /* "status":"success" with a usable data.status */
	KC_RESPONSE_API_ERROR, /* "status":"failure": e holds errors[0].msg and code */
	KC_RESPONSE_INVALID    /* anything else: e says what is wrong */
};

enum kc_response kc_response_parse(const char *body, size_t len, struct kc_campaign *c,
                                   struct kc_err *e) __attribute__((warn_unused_result));

/* The API's own words for a failed HTTP call, errors[0].msg of any body (the
 * HTTP status already says what its code would); -1 when the body has none. */
int kc_response_error_text(const char *body, size_t len, char *out, size_t size)
        __attribute__((warn_unused_result));

#endif
