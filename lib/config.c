/* Command line -> struct kc_config, strictly validated.  Never prints, never exits.
 * One table describes every option: getopt_long and --help are both built from it. */
#include "config.h"

#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- value parsers ------------------------------------------------------ */

static int parse_long(const char *text, long min, long max, long *out)
{
	char *end = NULL;
	long v;

	if(!text || text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	v = strtol(text, &end, 10);
	if(errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* IDs travel in the URL path and in headers: unreserved URL characters only. */
static int check_id(const char *what, const char *id, struct kc_err *e)
{
	size_t len = strlen(id);

	if(!len || len > KC_ID_MAX)
		return kc_err_set(e, "%s must be 1 to %d characters", what, KC_ID_MAX);
	if(id[0] == '-') /* most likely the next option, taken as this one's value */
		return kc_err_set(e, "%s needs a value, got the option '%s'", what, id);
	if(strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-") != len)
		return kc_err_set(
		        e, "%s contains characters other than letters, digits and . _ ~ -", what);
	return 0;
}

static int set_host(struct kc_config *cfg, const char *text, struct kc_err *e)
{
	size_t len = strlen(text);
	const char *chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-";

	if(len >= 2 && text[0] == '[' && text[len - 1] == ']') {
		text++;
		len -= 2;
	}
	if(!len || len >= sizeof(cfg->host))
		return kc_err_set(e, "invalid host: must be 1 to 253 characters");
	if(memchr(text, ':', len))
		chars = "0123456789abcdefABCDEF:.";
	if(strspn(text, chars) < len)
		return kc_err_set(e, "invalid host: use a host name or an IP address");
	memcpy(cfg->host, text, len);
	cfg->host[len] = '\0';
	return 0;
}

static int parse_result(const char *what, const char *text, enum kc_state *out, struct kc_err *e)
{
	if(kc_state_parse(text, out))
		return kc_err_set(
		        e, "%s: invalid result '%s' (use OK, WARNING, CRITICAL, UNKNOWN or 0-3)",
		        what, text);
	return 0;
}

static int parse_expect(struct kc_config *cfg, const char *text, struct kc_err *e)
{
	struct kc_policy *pol = &cfg->policy;
	const char *p = text;

	pol->n_expect = 0;
	for(;;) {
		size_t len = strcspn(p, ",");
		char *state = pol->expect[pol->n_expect];

		if(pol->n_expect == KC_MAX_RULES)
			return kc_err_set(e, "--expect: more than %d states", KC_MAX_RULES);
		if(kc_campaign_state(p, len, state))
			return kc_err_set(e, "--expect: '%.*s' is not a campaign state name",
			                  (int)(len > 40 ? 40 : len), p);
		for(size_t i = 0; i < pol->n_expect; i++)
			if(!strcasecmp(pol->expect[i], state))
				return kc_err_set(e, "--expect: '%s' is listed twice", state);
		pol->n_expect++;
		if(!p[len])
			return 0;
		p += len + 1;
	}
}

static int parse_map(struct kc_policy *pol, const char *text, struct kc_err *e)
{
	const char *eq = strchr(text, '=');
	struct kc_state_rule rule = { .result = KC_OK }; /* no stack bytes copied into the policy */
	size_t i;

	if(!eq || kc_campaign_state(text, (size_t)(eq - text), rule.state))
		return kc_err_set(e, "--map: expected STATE=RESULT, got '%s'", text);
	if(parse_result("--map", eq + 1, &rule.result, e))
		return -1;
	for(i = 0; i < pol->n_map && strcasecmp(pol->map[i].state, rule.state); i++)
		;
	if(i == KC_MAX_RULES)
		return kc_err_set(e, "--map: more than %d states", KC_MAX_RULES);
	pol->map[i] = rule;
	if(i == pol->n_map)
		pol->n_map++;
	return 0;
}

static int parse_timeout(struct kc_config *cfg, const char *text, struct kc_err *e)
{
	char secs[16];
	size_t len = strcspn(text, ":");

	if(len >= sizeof(secs))
		return kc_err_set(e, "--timeout: invalid value '%s'", text);
	memcpy(secs, text, len);
	secs[len] = '\0';
	if(parse_long(secs, 1, 3600, &cfg->timeout))
		return kc_err_set(
		        e, "--timeout: '%s' is not a whole number of seconds from 1 to 3600", secs);
	return text[len] ? parse_result("--timeout", text + len + 1, &cfg->timeout_result, e) : 0;
}

static int parse_choice(const char *what, const char *text, const char *a, const char *b, int *out,
                        struct kc_err *e)
{
	if(!strcasecmp(text, a))
		*out = 0;
	else if(!strcasecmp(text, b))
		*out = 1;
	else
		return kc_err_set(e, "%s: expected %s or %s, got '%s'", what, a, b, text);
	return 0;
}

static int check_text(const char *what, const char *text, struct kc_err *e)
{
	size_t len = strlen(text);

	if(!len || len > 1024)
		return kc_err_set(e, "%s must be 1 to 1024 characters", what);
	for(size_t i = 0; i < len; i++)
		if((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
			return kc_err_set(e, "%s contains control characters", what);
	return 0;
}

static int check_readable(const char *what, const char *path, struct kc_err *e)
{
	if(check_text(what, path, e))
		return -1;
	if(access(path, R_OK))
		return kc_err_set(e, "%s %s: %s", what, path, strerror(errno));
	return 0;
}

#define NOT_MINE 1

static int apply_target(struct kc_config *cfg, int id, const char *arg, struct kc_err *e)
{
	int v = 0;

	switch(id) {
	case 'H': return set_host(cfg, arg, e);
	case 'p':
		if(parse_long(arg, 1, 65535, &cfg->port))
			return kc_err_set(e, "--port: '%s' is not a port number (1-65535)", arg);
		return 0;
	case OPT_API:
		if(parse_choice("--api", arg, "v1", "v2", &v, e))
			return -1;
		cfg->api = v ? KC_API_V2 : KC_API_V1;
		return 0;
	case 'i': cfg->iid = arg; return check_id("--iid", arg, e);
	case 'a': cfg->account_id = arg; return check_id("--account-id", arg, e);
	case 'C': cfg->campaign = arg; return check_id("--campaign", arg, e);
	default: return NOT_MINE;
	}
}

static int apply_auth(struct kc_config *cfg, int id, const char *arg, struct kc_err *e)
{
	int v = 0;

	switch(id) {
	case OPT_CLIENT_ID: cfg->client_id = arg; return check_id("--client-id", arg, e);
	case OPT_SECRET_FILE:
		cfg->secret_file = arg;
		return check_text("--client-secret-file", arg, e);
	case OPT_TOKEN_FILE: cfg->token_file = arg; return check_text("--token-file", arg, e);
	case OPT_JWT_SUB: cfg->jwt_sub = arg; return check_text("--jwt-sub", arg, e);
	case OPT_JWT_TTL:
		if(parse_long(arg, 1, 3600, &cfg->jwt_ttl))
			return kc_err_set(
			        e,
			        "--jwt-ttl: '%s' is not a whole number of seconds from 1 to 3600",
			        arg);
		return 0;
	case OPT_JWT_ALG:
		if(parse_choice("--jwt-alg", arg, "HS256", "HS512", &v, e))
			return -1;
		cfg->jwt_alg = v ? KC_HS512 : KC_HS256;
		return 0;
	case OPT_SECRET_REFUSED:
		return kc_err_set(
		        e, "the client secret is never read from the command line: use "
		           "--client-secret-file, KORE_CLIENT_SECRET or an --extra-opts file");
	default: return NOT_MINE;
	}
}

static int apply_policy(struct kc_config *cfg, int id, const char *arg, struct kc_err *e)
{
	switch(id) {
	case 'e': return parse_expect(cfg, arg, e);
	case OPT_MAP: return parse_map(&cfg->policy, arg, e);
	case OPT_UNEXPECTED: return parse_result("--unexpected", arg, &cfg->policy.unexpected, e);
	case OPT_ON_ERROR: return parse_result("--on-error", arg, &cfg->on_error, e);
	case OPT_TIMEOUT_RESULT:
		return parse_result("--timeout-result", arg, &cfg->timeout_result, e);
	case 't': return parse_timeout(cfg, arg, e);
	case 'w': return kc_range_parse(arg, &cfg->thresholds.warning, e) ? -1 : 0;
	case 'c': return kc_range_parse(arg, &cfg->thresholds.critical, e) ? -1 : 0;
	default: return NOT_MINE;
	}
}

static int apply_transport(struct kc_config *cfg, int id, const char *arg, struct kc_err *e)
{
	switch(id) {
	case OPT_CACERT: cfg->cacert = arg; return check_readable("--cacert", arg, e);
	case OPT_CAPATH: cfg->capath = arg; return check_readable("--capath", arg, e);
	case OPT_PROXY: cfg->proxy = arg; return check_text("--proxy", arg, e);
	case 'k': cfg->insecure = true; return 0;
	case '4': cfg->ip_version = 4; return 0;
	case '6': cfg->ip_version = 6; return 0;
	case 'v': cfg->verbose += cfg->verbose < 3; return 0;
	case OPT_EXTRA_OPTS: /* main expands the exact spelling before parsing */
		return kc_err_set(e, "write --extra-opts in full, once, before any '--'");
	default: return NOT_MINE;
	}
}

static int apply_option(struct kc_config *cfg, int id, const char *arg, struct kc_err *e)
{
	int rc = apply_target(cfg, id, arg, e);

	if(rc == NOT_MINE)
		rc = apply_auth(cfg, id, arg, e);
	if(rc == NOT_MINE)
		rc = apply_policy(cfg, id, arg, e);
	if(rc == NOT_MINE)
		rc = apply_transport(cfg, id, arg, e);
	return rc == NOT_MINE ? kc_err_set(e, "internal error: unhandled option") : rc;
}

static void set_defaults(struct kc_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->action = KC_ACTION_CHECK;
	strcpy(cfg->host, "platform.kore.ai");
	cfg->port = 443;
	cfg->api = KC_API_V1;
	cfg->jwt_sub = "check_kore_campaign";
	cfg->jwt_ttl = 300;
	cfg->jwt_alg = KC_HS256;
	strcpy(cfg->policy.expect[0], "Active");
	cfg->policy.n_expect = 1;
	cfg->policy.unexpected = KC_WARNING;
	cfg->on_error = KC_CRITICAL;
	cfg->timeout_result = KC_CRITICAL;
	cfg->timeout = 10;
}

static int getopt_failure(int c, int argc, char **argv, struct kc_err *e)
{
	const struct kc_option *o = kc_option_find(optopt);
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";

	if(c == ':' && o)
		return kc_err_set(e, "option --%s needs a value", o->name);
	if(c == ':')
		return kc_err_set(e, "option '%s' needs a value", arg);
	if(optopt && optopt < 256)
		return kc_err_set(e, "unknown option '-%c' (see --help)", optopt);
	return kc_err_set(e, "unknown option '%s' (see --help)", arg);
}

static int check_required(const struct kc_config *cfg, struct kc_err *e)
{
	if(!cfg->iid || !cfg->account_id || !cfg->campaign)
		return kc_err_set(e, "missing %s (see --help)",
		                  !cfg->iid          ? "--iid"
		                  : !cfg->account_id ? "--account-id"
		                                     : "--campaign");
	return 0;
}

int kc_config_parse(struct kc_config *cfg, int argc, char **argv, struct kc_err *e)
{
	struct option longopts[KC_OPTIONS_MAX + 1];
	char shortopts[2 * KC_OPTIONS_MAX + 2];
	int c;

	set_defaults(cfg);
	kc_options_getopt(longopts, shortopts);
	opterr = 0;
	optind = 0; /* full re-initialisation, so the parser can run more than once */
	while((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if(c == 'h' || c == 'V') {
			cfg->action = c == 'h' ? KC_ACTION_HELP : KC_ACTION_VERSION;
			return 0;
		}
		if(c == '?' || c == ':')
			return getopt_failure(c, argc, argv, e);
		if(apply_option(cfg, c, optarg, e))
			return -1;
	}
	if(optind < argc)
		return kc_err_set(e, "unexpected argument '%s' (see --help)", argv[optind]);
	return check_required(cfg, e);
}
