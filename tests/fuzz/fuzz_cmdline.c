/* Fuzzes the command-line parser: the input, split on NUL bytes, is argv[1..].
 * Whatever it accepts must satisfy the documented limits; whatever it refuses
 * must give a clean usage line; and a second parse must agree with the first. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "fuzz_check.h"
#include "output.h"

#define MAX_ARGS 64

static const char id_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_id(const char *id, bool required)
{
	size_t len;

	if(!id) {
		FUZZ_ASSERT(!required);
		return;
	}
	len = strlen(id);
	FUZZ_ASSERT(len >= 1 && len <= KC_ID_MAX && strspn(id, id_chars) == len);
}

static void check_text(const char *text)
{
	size_t len;

	if(!text)
		return;
	len = strlen(text);
	FUZZ_ASSERT(len >= 1 && len <= 1024);
	for(size_t i = 0; i < len; i++)
		FUZZ_ASSERT((unsigned char)text[i] >= 0x20 && text[i] != 0x7f);
}

/* Every string in the config lies inside one of the arguments (or is a default). */
static void check_points_into(const char *p, char *const *args, int n)
{
	if(!p)
		return;
	for(int i = 0; i < n; i++) {
		size_t len = strlen(args[i]);
		if(p >= args[i] && p <= args[i] + len)
			return;
	}
	FUZZ_ASSERT(!strcmp(p, "check_kore_campaign")); /* the --jwt-sub default */
}

static void check_host(const char *host)
{
	size_t len = strnlen(host, 256);
	const char *chars = strchr(host, ':')
	                            ? "0123456789abcdefABCDEF:."
	                            : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                              "0123456789.-";

	FUZZ_ASSERT(len >= 1 && len < 256 && strspn(host, chars) == len);
}

/* A state name as the parser keeps it: 1-31 letters, digits, blanks, '_' or
 * '-', no blank at either end, and a documented state in its documented spelling. */
static bool canonical(const char *state)
{
	const char *known = kc_known_state(state);
	size_t len = strnlen(state, KC_STATE_NAME_MAX);

	if(!len || len >= KC_STATE_NAME_MAX || state[0] == ' ' || state[len - 1] == ' ')
		return false;
	for(size_t i = 0; i < len; i++)
		if(!isalnum((unsigned char)state[i]) && !strchr(" _-", state[i]))
			return false;
	return !known || !strcmp(known, state);
}

static void check_policy(const struct kc_config *cfg)
{
	const struct kc_policy *p = &cfg->policy;
	char joined[KC_MAX_RULES * KC_STATE_NAME_MAX] = "";

	FUZZ_ASSERT(p->n_expect >= 1 && p->n_expect <= KC_MAX_RULES);
	for(size_t i = 0; i < p->n_expect; i++) {
		FUZZ_ASSERT(p->expect[i] && canonical(p->expect[i]));
		if(i)
			strcat(joined, ",");
		strcat(joined, p->expect[i]);
	}
	{
		char text[sizeof(joined)];

		kc_policy_expected(p, text, sizeof(text));
		FUZZ_ASSERT(!strcmp(joined, text));
	}
	FUZZ_ASSERT(p->n_map <= KC_MAX_RULES);
	for(size_t i = 0; i < p->n_map; i++) {
		FUZZ_ASSERT(p->map[i].state && canonical(p->map[i].state));
		FUZZ_ASSERT((unsigned)p->map[i].result <= KC_UNKNOWN);
		for(size_t j = 0; j < i; j++)
			FUZZ_ASSERT(strcasecmp(p->map[j].state, p->map[i].state) != 0);
	}
	FUZZ_ASSERT((unsigned)p->unexpected <= KC_UNKNOWN);
}

static void check_range(const struct kc_range *r)
{
	struct kc_range again;
	struct kc_err e = { 0 };

	if(!r->set) {
		FUZZ_ASSERT(!r->text[0]);
		return;
	}
	FUZZ_ASSERT(strnlen(r->text, sizeof(r->text)) < sizeof(r->text));
	FUZZ_ASSERT(kc_range_parse(r->text, &again, &e) == 0);
	FUZZ_ASSERT(again.start == r->start && again.end == r->end && again.inside == r->inside &&
	            again.start_inf == r->start_inf && again.end_inf == r->end_inf);
}

static void check_accepted(const struct kc_config *cfg, char *const *args, int n)
{
	const char *strings[] = { cfg->iid,         cfg->account_id, cfg->campaign, cfg->client_id,
		                  cfg->secret_file, cfg->token_file, cfg->jwt_sub,  cfg->cacert,
		                  cfg->capath,      cfg->proxy };

	for(size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		check_points_into(strings[i], args, n);
	if(cfg->action != KC_ACTION_CHECK) {
		FUZZ_ASSERT(cfg->action == KC_ACTION_HELP || cfg->action == KC_ACTION_VERSION);
		return;
	}
	check_id(cfg->iid, true);
	check_id(cfg->account_id, true);
	check_id(cfg->campaign, true);
	check_id(cfg->client_id, false);
	check_text(cfg->secret_file);
	check_text(cfg->token_file);
	check_text(cfg->jwt_sub);
	check_text(cfg->cacert);
	check_text(cfg->capath);
	check_text(cfg->proxy);
	check_host(cfg->host);
	FUZZ_ASSERT(cfg->port >= 1 && cfg->port <= 65535);
	FUZZ_ASSERT(cfg->timeout >= 1 && cfg->timeout <= 3600);
	FUZZ_ASSERT(cfg->jwt_ttl >= 1 && cfg->jwt_ttl <= 3600);
	FUZZ_ASSERT(cfg->api == KC_API_V1 || cfg->api == KC_API_V2);
	FUZZ_ASSERT(cfg->jwt_alg == KC_HS256 || cfg->jwt_alg == KC_HS512);
	FUZZ_ASSERT((unsigned)cfg->on_error <= KC_UNKNOWN);
	FUZZ_ASSERT((unsigned)cfg->timeout_result <= KC_UNKNOWN);
	FUZZ_ASSERT(cfg->verbose >= 0 && cfg->verbose <= 3);
	FUZZ_ASSERT(cfg->ip_version == 0 || cfg->ip_version == 4 || cfg->ip_version == 6);
	check_policy(cfg);
	check_range(&cfg->thresholds.warning);
	check_range(&cfg->thresholds.critical);
}

/* main prints a refusal as "CAMPAIGN UNKNOWN - <msg>": it must stay one clean line. */
static void check_refused(const struct kc_err *e)
{
	struct kc_report r = { .state = KC_UNKNOWN, .text = e->msg };
	char line[KC_LINE_MAX];

	FUZZ_ASSERT(e->set && e->msg[0]);
	fuzz_check_line(line, kc_output_line(line, sizeof(line), &r), false);
}

static int split_args(char *buf, size_t size, char **args)
{
	int n = 0;

	args[n++] = "check_kore_campaign";
	for(size_t i = 0; i < size && n < MAX_ARGS; n++) {
		args[n] = buf + i;
		i += strlen(buf + i) + 1;
	}
	args[n] = NULL;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	char *args[MAX_ARGS + 1] = { 0 }, *again[MAX_ARGS + 1];
	struct kc_config cfg, cfg2;
	struct kc_err e = { 0 }, e2 = { 0 };
	int argc, rc, rc2;

	if(!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argc = split_args(buf, size, args);
	memcpy(again, args, sizeof(args));
	rc = kc_config_parse(&cfg, argc, args, &e);
	if(rc == 0)
		check_accepted(&cfg, again, argc);
	else
		check_refused(&e);
	/* getopt permutes argv; parse the original order again from a clean state. */
	memcpy(args, again, sizeof(args));
	rc2 = kc_config_parse(&cfg2, argc, args, &e2);
	FUZZ_ASSERT(rc2 == rc && !strcmp(e.msg, e2.msg) && cfg2.action == cfg.action);
	if(rc == 0 && cfg.action == KC_ACTION_CHECK)
		FUZZ_ASSERT(cfg2.iid == cfg.iid && cfg2.campaign == cfg.campaign &&
		            cfg2.timeout == cfg.timeout && cfg2.port == cfg.port &&
		            !memcmp(&cfg2.policy, &cfg.policy, sizeof(cfg.policy)));
	free(buf);
	return 0;
}
