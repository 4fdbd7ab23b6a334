/* The JWT for the Kore.ai public API; the only file that includes <jwt.h>.
 * libjwt 1.x does the encoding and signing; this file only chooses claims. */
#include "token.h"

#include <jwt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static void jti_hex(const unsigned char *bytes, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for(size_t i = 0; i < KC_JTI_BYTES; i++) {
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 15];
	}
	out[2 * KC_JTI_BYTES] = '\0';
}

static int add_claims(jwt_t *jwt, const struct kc_claims *c)
{
	char jti[2 * KC_JTI_BYTES + 1];

	jti_hex(c->jti, jti);
	if(jwt_add_grant(jwt, "appId", c->app_id) || jwt_add_grant(jwt, "sub", c->sub) ||
	   jwt_add_grant_int(jwt, "iat", (long)c->now) ||
	   jwt_add_grant_int(jwt, "exp", (long)c->now + c->ttl) || jwt_add_grant(jwt, "jti", jti))
		return -1;
	return 0;
}

int kc_token_mint(const struct kc_claims *c, enum kc_alg alg, const unsigned char *secret,
                  size_t secret_len, char **token, struct kc_err *e)
{
	jwt_t *jwt = NULL;
	int result = -1;

	*token = NULL;
	if(!secret_len || secret_len > INT_MAX)
		return kc_err_set(e, "client secret is empty");
	if(jwt_new(&jwt)) {
		kc_err_set(e, "cannot create JWT: out of memory");
		goto out;
	}
	if(jwt_set_alg(jwt, alg == KC_HS512 ? JWT_ALG_HS512 : JWT_ALG_HS256, secret,
	               (int)secret_len)) {
		kc_err_set(e, "cannot set the JWT signing key");
		goto out;
	}
	if(add_claims(jwt, c)) {
		kc_err_set(e, "cannot add JWT claims");
		goto out;
	}
	*token = jwt_encode_str(jwt);
	if(!*token) {
		kc_err_set(e, "cannot sign the JWT");
		goto out;
	}
	result = 0;
out:
	jwt_free(jwt); /* libjwt scrubs its copy of the key */
	return result;
}

void kc_token_free(char *token)
{
	if(token) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
}
