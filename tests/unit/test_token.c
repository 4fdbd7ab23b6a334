/* JWT minting with a fixed clock and fixed randomness, checked by decoding it. */
#include <jwt.h>
#include <string.h>

#include "tap.h"
#include "token.h"

#define TS_CONST 1700000000L

static const unsigned char secret[] = "test-secret-0123456789";

static void check_claims(enum kc_alg alg, jwt_alg_t expected)
{
	struct kc_claims c = { .app_id = "cs-123",
		               .sub = "monitor",
		               .now = TS_CONST,
		               .ttl = 300,
		               .jti = { 0x00, 0x01, 0xab, 0xff } };
	struct kc_err e = { 0 };
	char *token = NULL;
	jwt_t *jwt = NULL;

	ok(kc_token_mint(&c, alg, secret, sizeof(secret) - 1, &token, &e) == 0 && token,
	   "minted with %s", jwt_alg_str(expected));
	ok(token && jwt_decode(&jwt, token, secret, sizeof(secret) - 1) == 0,
	   "signature verifies with the client secret");
	if(jwt) {
		ok(jwt_get_alg(jwt) == expected, "alg is %s", jwt_alg_str(expected));
		ok(!strcmp(jwt_get_grant(jwt, "appId"), "cs-123"), "appId is the client ID");
		ok(!strcmp(jwt_get_grant(jwt, "sub"), "monitor"), "sub");
		ok(jwt_get_grant_int(jwt, "iat") == TS_CONST, "iat is the injected clock");
		ok(jwt_get_grant_int(jwt, "exp") == TS_CONST + 300, "exp is iat + ttl");
		ok(!strcmp(jwt_get_grant(jwt, "jti"), "0001abff000000000000000000000000"),
		   "jti is the injected randomness in hex");
		jwt_free(jwt);
	}
	jwt = NULL;
	ok(token && jwt_decode(&jwt, token, (const unsigned char *)"other", 5) != 0,
	   "another secret does not verify");
	jwt_free(jwt);
	kc_token_free(token);
}

int main(void)
{
	struct kc_claims c = { .app_id = "cs-1", .sub = "s", .now = TS_CONST, .ttl = 60 };
	struct kc_err e = { 0 };
	char *a = NULL, *b = NULL;

	check_claims(KC_HS256, JWT_ALG_HS256);
	check_claims(KC_HS512, JWT_ALG_HS512);

	ok(kc_token_mint(&c, KC_HS256, secret, 0, &a, &e) == -1 && !a && e.set,
	   "empty secret refused: %s", e.msg);
	ok(kc_token_mint(&c, KC_HS256, secret, 4, &a, &e) == 0, "first token");
	c.jti[0] = 1;
	ok(kc_token_mint(&c, KC_HS256, secret, 4, &b, &e) == 0, "second token");
	ok(a && b && strcmp(a, b), "a different jti gives a different token");
	kc_token_free(a);
	kc_token_free(b);
	return tap_done();
}
