/* Command line -> struct kc_config, strictly validated.  Never prints, never exits. */
#ifndef KC_CONFIG_H
#define KC_CONFIG_H

#include <stdbool.h>

#include "error.h"
#include "http.h"
#include "range.h"
#include "state.h"
#include "token.h"
#include "verdict.h"

#define KC_ID_MAX 128

enum kc_action { KC_ACTION_CHECK, KC_ACTION_HELP, KC_ACTION_VERSION };

struct kc_config {
	enum kc_action action;
	char host[256];
	long port;
	enum kc_api api;
	const char *iid;
	const char *account_id;
	const char *campaign;
	const char *client_id;
	const char *secret_file;
	const char *token_file;
	const char *jwt_sub;
	long jwt_ttl;
	enum kc_alg jwt_alg;
	struct kc_policy policy;
	enum kc_state on_error;
	enum kc_state timeout_result;
	struct kc_thresholds thresholds;
	long timeout;
	const char *cacert;
	const char *capath;
	bool insecure;
	int ip_version;
	const char *proxy;
	int verbose;
};

/* Fills cfg from argv (argv[0] is the program name).  Strings in cfg point
 * into argv, which must outlive cfg.  main expands "--extra-opts" before
 * calling this, so here it is refused. */
int kc_config_parse(struct kc_config *cfg, int argc, char **argv, struct kc_err *e)
        __attribute__((warn_unused_result));

#endif
