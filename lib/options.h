/* The option table: every command-line option once, with its help text.
 * getopt_long's tables and --help are both built from it. */
#ifndef KC_OPTIONS_H
#define KC_OPTIONS_H

#include <getopt.h>
#include <stddef.h>

enum kc_option_id {
	OPT_API = 256,
	OPT_CLIENT_ID,
	OPT_SECRET_FILE,
	OPT_TOKEN_FILE,
	OPT_JWT_SUB,
	OPT_JWT_TTL,
	OPT_JWT_ALG,
	OPT_MAP,
	OPT_UNEXPECTED,
	OPT_ON_ERROR,
	OPT_TIMEOUT_RESULT,
	OPT_CACERT,
	OPT_CAPATH,
	OPT_PROXY,
	OPT_EXTRA_OPTS,
	OPT_SECRET_REFUSED
};

struct kc_option {
	const char *name;
	int has_arg;
	int id; /* short option character or enum kc_option_id */
	const char *arg;
	const char *help; /* NULL: accepted but not listed */
};

/* Room the callers of kc_options_getopt provide; the table is checked
 * against it at compile time. */
#define KC_OPTIONS_MAX 40

/* The entry for a short option character or a kc_option_id, or NULL. */
const struct kc_option *kc_option_find(int id);

/* Fills longopts[KC_OPTIONS_MAX + 1] and shortopts[2 * KC_OPTIONS_MAX + 2]. */
void kc_options_getopt(struct option *longopts, char *shortopts);

/* The --help text, one option per line with its default. */
const char *kc_options_help(void);

#endif
