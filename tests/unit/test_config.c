/* Command-line parsing: defaults, every option, and what must be refused. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "options.h"
#include "tap.h"

#define REQ "-i i1 -a a1 -C c1 "

struct argv_case {
	const char *args;  /* split on single spaces; "\x01" stands for an empty argument */
	const char *error; /* NULL: must parse; else a substring of the message */
};

static const struct argv_case cases[] = {
	{ REQ, NULL },
	{ REQ "--api v2 --jwt-alg hs512 --jwt-ttl 3600 -t 30:UNKNOWN", NULL },
	{ REQ "-w 1 -c @2:3 -e active,READY --map stopped=2 --unexpected ok", NULL },
	{ REQ "-H [::1] -p 8443 -4 -6 -k -vvvv --proxy http://p:3128", NULL },
	{ REQ "--extra-opts=sect@file", "in full" },
	{ REQ "--extra=sect", "in full" },
	{ "-a a1 -C c1", "--iid" },
	{ "-i i1 -C c1", "--account-id" },
	{ "-i i1 -a a1", "--campaign" },
	{ REQ "--bogus", "unknown option '--bogus'" },
	{ REQ "-Z", "unknown option '-Z'" },
	{ REQ "extra", "unexpected argument" },
	{ REQ "-H", "needs a value" },
	{ REQ "--host", "--host needs a value" },
	{ REQ "-w 1:12%", "invalid range" },
	{ REQ "-c 5:1", "start is greater" },
	{ REQ "-w abc", "invalid range" },
	{ REQ "-w @", "invalid range" },
	{ REQ "-w ~", "invalid range" },
	{ REQ "-c 1e999", "invalid range" },
	{ REQ "--unexpected BAD", "invalid result" },
	{ REQ "--on-error 4", "invalid result" },
	{ REQ "--timeout-result crit", "invalid result" },
	{ REQ "--map Stopped", "STATE=RESULT" },
	{ REQ "--map Running=OK", NULL },
	{ REQ "--map Run!=OK", "STATE=RESULT" },
	{ REQ "--map Stopped=BAD", "invalid result" },
	{ REQ "-t 0", "--timeout" },
	{ REQ "-t -5", "--timeout" },
	{ REQ "-t 10:MAYBE", "invalid result" },
	{ REQ "-t 1.5", "--timeout" },
	{ REQ "-e \x01", "--expect" },
	{ REQ "-e Active,,Ready", "--expect" },
	{ REQ "-e Running", NULL },
	{ REQ "-e Active,Ru|n", "not a campaign state name" },
	{ REQ "-e Active,0123456789012345678901234567890123", "not a campaign state name" },
	{ REQ "-e Active,active", "listed twice" },
	{ REQ "-p 0", "--port" },
	{ REQ "-p 65536", "--port" },
	{ REQ "-p 12ab", "--port" },
	{ REQ "--api v3", "--api" },
	{ REQ "--jwt-alg RS256", "--jwt-alg" },
	{ REQ "--jwt-ttl 3601", "--jwt-ttl" },
	{ "-i a/b -a a1 -C c1", "--iid contains" },
	{ "-i i1 -a a?b -C c1", "--account-id contains" },
	{ "-i i1 -a a1 -C c#1", "--campaign contains" },
	{ "-i i1 -a a1 -C c%2F", "--campaign contains" },
	{ "-i i1 -a a1 -C \xc3\xa9", "--campaign contains" },
	{ "-i i1\r\nX: y -a a1 -C c1", "--iid contains" },
	{ "-i \x01 -a a1 -C c1", "--iid must be" },
	{ REQ "--client-id cs/1", "--client-id contains" },
	{ REQ "-H exa_mple.com", "invalid host" },
	{ REQ "-H \x01", "invalid host" },
	{ REQ "--client-secret s3cr3t", "never read from the command line" },
	{ REQ "--cacert /nonexistent/ca.pem", "--cacert" },
};

/* Splits on spaces into a fresh argv; the caller frees argv[1..] via the buffer. */
static int split(const char *args, char **argv, char *buf)
{
	int argc = 1;
	char *p = buf, *tok;

	strcpy(buf, args);
	argv[0] = "check_kore_campaign";
	while((tok = strsep(&p, " ")))
		if(*tok)
			argv[argc++] = strcmp(tok, "\x01") ? tok : tok + 1;
	argv[argc] = NULL;
	return argc;
}

static void check_case(const struct argv_case *c)
{
	char buf[512], *argv[64];
	int argc = split(c->args, argv, buf);
	struct kc_config cfg;
	struct kc_err e = { 0 };
	int rc = kc_config_parse(&cfg, argc, argv, &e);

	if(!c->error)
		ok(rc == 0, "'%s' parses%s%s", c->args, e.set ? ": " : "", e.msg);
	else
		ok(rc == -1 && strstr(e.msg, c->error), "'%s' refused: %s", c->args, e.msg);
}

static struct kc_config parse(const char *args)
{
	char buf[512], *argv[64];
	int argc = split(args, argv, buf);
	struct kc_config cfg;
	struct kc_err e = { 0 };

	if(kc_config_parse(&cfg, argc, argv, &e))
		cfg.action = (enum kc_action) - 1;
	return cfg;
}

static void test_values(void)
{
	struct kc_config d = parse(REQ);
	struct kc_config v = parse(REQ "--api v2 --jwt-alg hs512 -t 30:UNKNOWN -e ready,active "
	                               "--map Stopped=2 --map stopped=OK -w 1 -H [::1] -vvvv");

	ok(!strcmp(d.host, "platform.kore.ai") && d.port == 443 && d.api == KC_API_V1,
	   "default host, port, api");
	ok(d.timeout == 10 && d.timeout_result == KC_CRITICAL && d.on_error == KC_CRITICAL,
	   "default timeout and error results");
	ok(d.policy.n_expect == 1 && !strcmp(d.policy.expect[0], "Active") &&
	           d.policy.unexpected == KC_WARNING,
	   "default expect Active, unexpected WARNING");
	ok(!strcmp(d.jwt_sub, "check_kore_campaign") && d.jwt_ttl == 300 && d.jwt_alg == KC_HS256,
	   "default JWT claims");
	ok(v.api == KC_API_V2 && v.jwt_alg == KC_HS512, "--api v2, --jwt-alg HS512");
	ok(v.timeout == 30 && v.timeout_result == KC_UNKNOWN, "-t 30:UNKNOWN");
	ok(v.policy.n_expect == 2 && !strcmp(v.policy.expect[0], "Ready") &&
	           !strcmp(v.policy.expect[1], "Active"),
	   "--expect canonicalised, in order");
	ok(v.policy.n_map == 1 && v.policy.map[0].result == KC_OK,
	   "a later --map for a state wins");
	ok(v.thresholds.warning.set && !v.thresholds.critical.set, "-w set, -c unset");
	ok(!strcmp(v.host, "::1"), "bracketed IPv6 host unwrapped");
	ok(v.verbose == 3, "-v counted up to 3");
	ok(parse(REQ "-h --bogus").action == KC_ACTION_HELP, "-h wins over what follows");
	ok(parse("-V").action == KC_ACTION_VERSION, "-V needs no other option");
}

static void test_help(void)
{
	const char *help = kc_options_help();
	static const char *const listed[] = {
		"--host=HOST",
		"--port=PORT",
		"--api=v1|v2",
		"--iid=ID",
		"--account-id=ID",
		"--campaign=ID",
		"--client-id=ID",
		"--client-secret-file=FILE",
		"--token-file=FILE",
		"--jwt-sub",
		"--jwt-ttl",
		"--jwt-alg",
		"--expect=LIST",
		"--map=STATE=RESULT",
		"--unexpected",
		"--on-error",
		"--warning=RANGE",
		"--critical=RANGE",
		"--timeout=",
		"--timeout-result",
		"--cacert=FILE",
		"--capath=DIR",
		"--insecure",
		"--ipv4",
		"--ipv6",
		"--proxy=URL",
		"--verbose",
		"--help",
		"--version",
		"--extra-opts",
	};

	for(size_t i = 0; i < sizeof(listed) / sizeof(listed[0]); i++)
		ok(strstr(help, listed[i]) != NULL, "--help lists %s", listed[i]);
	ok(strstr(help, "--client-secret=") == NULL, "--help does not offer --client-secret");
}

int main(void)
{
	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
	test_values();
	test_help();
	return tap_done();
}
