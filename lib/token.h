/* The JWT for the Kore.ai public API; the only file that includes <jwt.h>. */
#ifndef KC_TOKEN_H
#define KC_TOKEN_H

#include <stddef.h>
#include <time.h>

#include "error.h"

enum kc_alg { KC_HS256, KC_HS512 };

#define KC_JTI_BYTES 16

struct kc_claims {
	const char *app_id; /* the client ID */
	const char *sub;
	time_t now; /* injected so that tests use a fixed clock */
	long ttl;
	unsigned char jti[KC_JTI_BYTES]; /* injected randomness */
};

/* Signs the claims with the client secret.  *token must be released with
 * kc_token_free, which wipes it. */
int kc_token_mint(const struct kc_claims *c, enum kc_alg alg, const unsigned char *secret,
                  size_t secret_len, char **token, struct kc_err *e)
        __attribute__((warn_unused_result));

void kc_token_free(char *token);

#endif
