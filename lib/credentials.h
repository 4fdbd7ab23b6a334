/* Where the secret or the ready-made token comes from, read safely and wiped after use. */
#ifndef KC_CREDENTIALS_H
#define KC_CREDENTIALS_H

#include <stddef.h>

#include "error.h"

#define KC_SECRET_FILE_MAX 65536

struct kc_secret {
	char *data;
	size_t len;
};

enum kc_auth {
	KC_AUTH_MINT, /* sign a fresh JWT with the client secret */
	KC_AUTH_TOKEN /* send the given JWT as is */
};

struct kc_credentials {
	enum kc_auth kind;
	struct kc_secret value; /* the client secret or the token */
};

struct kc_credential_sources {
	const char *client_id;
	const char *secret_file;
	const char *token_file;
	const char *ini_secret; /* client-secret from an extra-opts file, or NULL */
	size_t ini_secret_len;
};

/* First line of a private regular file: refuses missing, empty, non-regular
 * and world-readable files, and says why. */
int kc_secret_read_file(const char *path, const char *what, struct kc_secret *s, struct kc_err *e)
        __attribute__((warn_unused_result));

/* Picks the source (files first, then KORE_CLIENT_SECRET / KORE_JWT, then the
 * ini secret), and wipes the environment copy it used. */
int kc_credentials_load(const struct kc_credential_sources *src, struct kc_credentials *out,
                        struct kc_err *e) __attribute__((warn_unused_result));

void kc_secret_wipe(struct kc_secret *s);

#endif
