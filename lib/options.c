/* The option table: every command-line option once, with its help text.
 * getopt_long's tables and --help are both built from it. */
#include "options.h"

#include <stdio.h>
#include <string.h>

static const struct kc_option options[] = {
	{ "help", no_argument, 'h', NULL, "Print this help and exit (status 3)" },
	{ "version", no_argument, 'V', NULL, "Print the version and exit (status 3)" },
	{ "verbose", no_argument, 'v', NULL, "More detail on later lines; up to 3 times" },
	{ "extra-opts", optional_argument, OPT_EXTRA_OPTS, "[SECTION][@FILE]",
	  "Read options from an ini file (section default: check_kore_campaign)" },
	{ "host", required_argument, 'H', "HOST", "Kore.ai API host (default: platform.kore.ai)" },
	{ "port", required_argument, 'p', "PORT", "TCP port (default: 443)" },
	{ "api", required_argument, OPT_API, "v1|v2",
	  "API version of the status endpoint (default: v1)" },
	{ "iid", required_argument, 'i', "ID", "Instance (iid) of the contact center; required" },
	{ "account-id", required_argument, 'a', "ID", "Account ID; required" },
	{ "campaign", required_argument, 'C', "ID", "Campaign ID; required" },
	{ "client-id", required_argument, OPT_CLIENT_ID, "ID",
	  "Client ID of the app; mint a JWT signed with its client secret" },
	{ "client-secret-file", required_argument, OPT_SECRET_FILE, "FILE",
	  "Client secret: first line of FILE (default: env KORE_CLIENT_SECRET)" },
	{ "token-file", required_argument, OPT_TOKEN_FILE, "FILE",
	  "Send the ready-made JWT in FILE instead (default: env KORE_JWT)" },
	{ "jwt-sub", required_argument, OPT_JWT_SUB, "SUB",
	  "JWT sub claim (default: check_kore_campaign)" },
	{ "jwt-ttl", required_argument, OPT_JWT_TTL, "SECONDS",
	  "JWT lifetime, 1-3600 (default: 300)" },
	{ "jwt-alg", required_argument, OPT_JWT_ALG, "HS256|HS512",
	  "JWT algorithm (default: HS256)" },
	{ "expect", required_argument, 'e', "LIST",
	  "Comma-separated states that are OK (default: Active)" },
	{ "map", required_argument, OPT_MAP, "STATE=RESULT", "Result for one state; repeatable" },
	{ "unexpected", required_argument, OPT_UNEXPECTED, "RESULT",
	  "Result for any other state (default: WARNING)" },
	{ "on-error", required_argument, OPT_ON_ERROR, "RESULT",
	  "Result when no valid state could be had (default: CRITICAL)" },
	{ "warning", required_argument, 'w', "RANGE",
	  "Response time range in seconds for WARNING" },
	{ "critical", required_argument, 'c', "RANGE",
	  "Response time range in seconds for CRITICAL" },
	{ "timeout", required_argument, 't', "SECONDS[:RESULT]",
	  "Bound on the whole run, 1-3600 (default: 10, result CRITICAL)" },
	{ "timeout-result", required_argument, OPT_TIMEOUT_RESULT, "RESULT",
	  "Result when the timeout fires (default: CRITICAL)" },
	{ "cacert", required_argument, OPT_CACERT, "FILE",
	  "Trust the CA certificates in FILE only" },
	{ "capath", required_argument, OPT_CAPATH, "DIR",
	  "Trust the hashed CA directory DIR (default: " KC_DEFAULT_CAPATH ")" },
	{ "insecure", no_argument, 'k', NULL,
	  "Do not verify the server certificate (default: verify)" },
	{ "ipv4", no_argument, '4', NULL, "Connect over IPv4 only" },
	{ "ipv6", no_argument, '6', NULL, "Connect over IPv6 only" },
	{ "proxy", required_argument, OPT_PROXY, "URL",
	  "Use this proxy (default: the usual proxy environment variables)" },
	{ "client-secret", required_argument, OPT_SECRET_REFUSED, "SECRET", NULL },
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))
_Static_assert(N_OPTIONS <= KC_OPTIONS_MAX, "raise KC_OPTIONS_MAX");

const struct kc_option *kc_option_find(int id)
{
	for(size_t i = 0; i < N_OPTIONS; i++)
		if(options[i].id == id)
			return &options[i];
	return NULL;
}

void kc_options_getopt(struct option *longopts, char *shortopts)
{
	char *s = shortopts;

	*s++ = ':'; /* report a missing value as ':' */
	for(size_t i = 0; i < N_OPTIONS; i++) {
		longopts[i] =
		        (struct option){ options[i].name, options[i].has_arg, NULL, options[i].id };
		if(options[i].id < 256) {
			*s++ = (char)options[i].id;
			if(options[i].has_arg == required_argument)
				*s++ = ':';
		}
	}
	*s = '\0';
	longopts[N_OPTIONS] = (struct option){ NULL, 0, NULL, 0 };
}

const char *kc_options_help(void)
{
	static char text[4096];
	size_t used = 0;

	if(text[0])
		return text;
	for(size_t i = 0; i < N_OPTIONS && used < sizeof(text); i++) {
		const struct kc_option *o = &options[i];
		char flag[64];
		int n;

		if(!o->help)
			continue;
		snprintf(flag, sizeof(flag), "%s%c%s --%s%s%s", o->id < 256 ? "-" : " ",
		         o->id < 256 ? o->id : ' ', o->id < 256 ? "," : " ", o->name,
		         o->arg ? (o->has_arg == optional_argument ? "[=" : "=") : "",
		         o->arg ? o->arg : "");
		if(o->has_arg == optional_argument)
			strncat(flag, "]", sizeof(flag) - strlen(flag) - 1);
		n = snprintf(text + used, sizeof(text) - used, "  %s\n      %s\n", flag, o->help);
		if(n > 0)
			used += (size_t)n;
	}
	return text;
}
