/* check_kore_campaign: is a Kore.ai campaign in the state it should be, and how
 * fast does the API answer?  main only wires the lib/ modules together:
 * parse -> credentials -> token -> fetch -> judge -> print. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include "config.h"
#include "credentials.h"
#include "detail.h"
#include "extraopts.h"
#include "http.h"
#include "options.h"
#include "output.h"
#include "report.h"
#include "token.h"

/* The line the timeout guard prints: formatted before the request starts,
 * because a signal handler may only write() and _exit(). */
static char guard_line[KC_LINE_MAX];
static size_t guard_len;
static int guard_code;
static volatile sig_atomic_t finishing; /* main is printing: the guard stands down */

static void on_alarm(int sig)
{
	(void)sig;
	if(finishing)
		return;
	if(write(STDOUT_FILENO, guard_line, guard_len) != (ssize_t)guard_len)
		_exit(KC_UNKNOWN); /* the line did not get out: say nothing more */
	_exit(guard_code);
}

static int finish(const struct kc_report *r, const char *verbose)
{
	char line[KC_LINE_MAX];

	finishing = 1;
	if(kc_output_line(line, sizeof(line), r) < 0) {
		fputs("CAMPAIGN UNKNOWN - internal error: status line too long\n", stdout);
		fflush(stdout);
		return KC_UNKNOWN;
	}
	fputs(line, stdout);
	if(verbose)
		fputs(verbose, stdout);
	fflush(stdout);
	return (int)r->state;
}

static int usage_error(const char *msg)
{
	struct kc_report r = { .state = KC_UNKNOWN, .text = msg };

	return finish(&r, NULL);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Cuts the run short half a second after curl's own deadline, should
 * anything (a stuck resolver, a slow TLS library) ignore it.  The signal goes
 * to this thread, never to curl's resolver thread, so the handler's line is
 * the only one ever printed. */
static timer_t guard_timer;
static bool guard_armed;

static void arm_guard(const struct kc_config *cfg)
{
	struct kc_report r;
	char text[256];
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGALRM };
	struct itimerspec t = { .it_value = { .tv_sec = cfg->timeout, .tv_nsec = 500000000L } };
	int n;

	kc_report_timeout(cfg, (double)cfg->timeout, &r, text, sizeof(text));
	n = kc_output_line(guard_line, sizeof(guard_line), &r);
	guard_len = n > 0 ? (size_t)n : 0;
	guard_code = (int)r.state;
	signal(SIGALRM, on_alarm);
	ev._sigev_un._tid = gettid(); /* glibc names it sigev_notify_thread_id only from 2.35 on */
	guard_armed = timer_create(CLOCK_MONOTONIC, &ev, &guard_timer) == 0 &&
	              timer_settime(guard_timer, 0, &t, NULL) == 0;
	if(!guard_armed) /* fall back to the process-wide timer */
		alarm((unsigned)cfg->timeout + 1);
}

static void disarm_guard(void)
{
	if(guard_armed)
		timer_delete(guard_timer);
	alarm(0);
}

static int mint(const struct kc_config *cfg, struct kc_credentials *cred, char **token,
                struct kc_err *e)
{
	struct kc_claims claims = { .app_id = cfg->client_id,
		                    .sub = cfg->jwt_sub,
		                    .now = time(NULL),
		                    .ttl = cfg->jwt_ttl };
	int rc;

	/* GRND_NONBLOCK: an unseeded pool at early boot is an error, not a hang */
	if(getrandom(claims.jti, sizeof(claims.jti), GRND_NONBLOCK) != (ssize_t)sizeof(claims.jti))
		return kc_err_set(e, "cannot read the system random source");
	rc = kc_token_mint(&claims, cfg->jwt_alg, (const unsigned char *)cred->value.data,
	                   cred->value.len, token, e);
	explicit_bzero(&claims, sizeof(claims));
	return rc;
}

/* A server that echoes a credential must not make us print it.  Whole
 * copies go before the body is read (a cut name could otherwise keep part of
 * one); any slice of one goes from whatever is printed. */
struct credentials_seen {
	const char *data[3];
	size_t len[3];
};

static struct credentials_seen seen(const char *token, const struct kc_secret *secret)
{
	const char *sig = token ? strrchr(token, '.') : NULL;

	return (struct credentials_seen){
		.data = { token, sig ? sig + 1 : NULL, secret->data },
		.len = { token ? strlen(token) : 0, sig ? strlen(sig + 1) : 0, secret->len },
	};
}

static void redact_response(struct kc_http_response *res, const struct credentials_seen *c)
{
	for(size_t i = 0; i < 3; i++) {
		kc_redact(res->body, res->len, c->data[i], c->len[i]);
		kc_redact(res->headers, res->headers_len, c->data[i], c->len[i]);
	}
}

static void redact_output(char *text, struct kc_detail *v, const struct credentials_seen *c)
{
	for(size_t i = 0; i < 3; i++) {
		kc_redact_credential(text, strlen(text), c->data[i], c->len[i]);
		kc_redact_credential(v->text, v->len, c->data[i], c->len[i]);
	}
}

static int fetch(const struct kc_config *cfg, const char *url, struct kc_credentials *cred,
                 char *token, struct kc_detail *v)
{
	struct kc_http_request req = { .url = url,
		                       .token = token,
		                       .iid = cfg->iid,
		                       .account_id = cfg->account_id,
		                       .cacert = cfg->cacert,
		                       .capath = cfg->capath,
		                       .insecure = cfg->insecure,
		                       .ip_version = cfg->ip_version,
		                       .proxy = cfg->proxy,
		                       .timeout_ms = cfg->timeout * 1000L,
		                       .keep_headers = cfg->verbose >= 3 };
	struct kc_http_response res;
	enum kc_http_result result;
	struct kc_outcome o;
	struct kc_report r;
	struct kc_err e = { 0 };
	char text[KC_LINE_MAX / 2];
	double started = now_seconds();
	struct credentials_seen creds = seen(token, &cred->value);

	arm_guard(cfg);
	result = kc_http_post(&req, &res, &e);
	disarm_guard();
	redact_response(&res, &creds);
	o = (struct kc_outcome){ .http = result,
		                 .error = e.msg,
		                 .status = res.status,
		                 .retry_after = res.retry_after,
		                 .body = res.body,
		                 .len = res.len,
		                 .seconds =
		                         res.seconds > 0 ? res.seconds : now_seconds() - started };
	kc_report_build(cfg, &o, &r, text, sizeof(text));
	kc_detail_describe(v, cfg, url, &res);
	redact_output(text, v, &creds);
	kc_http_response_free(&res);
	return finish(&r, cfg->verbose ? v->text : NULL);
}

static int check(const struct kc_config *cfg, const struct kc_extraopts *ini)
{
	static struct kc_detail v;
	struct kc_credential_sources src = { .client_id = cfg->client_id,
		                             .secret_file = cfg->secret_file,
		                             .token_file = cfg->token_file,
		                             .ini_secret = ini->secret,
		                             .ini_secret_len = ini->secret_len };
	struct kc_credentials cred;
	struct kc_err e = { 0 };
	char url[1024];
	char *token = NULL;
	int rc;

	if(kc_credentials_load(&src, &cred, &e))
		return usage_error(e.msg);
	if(kc_http_url(url, sizeof(url), cfg->api, cfg->host, cfg->port, cfg->iid, cfg->account_id,
	               cfg->campaign)) {
		kc_secret_wipe(&cred.value);
		return usage_error("the request URL is too long");
	}
	if(cred.kind == KC_AUTH_TOKEN) {
		token = cred.value.data; /* the token is its own credential */
		cred.value = (struct kc_secret){ NULL, 0 };
	} else if(mint(cfg, &cred, &token, &e)) {
		kc_secret_wipe(&cred.value);
		return usage_error(e.msg);
	}
	rc = fetch(cfg, url, &cred, token, &v);
	kc_secret_wipe(&cred.value);
	kc_token_free(token);
	return rc;
}

/* Everything this program allocated is released by now.  Skipping the
 * libraries' exit handlers (OpenSSL's cleanup above all) saves about 1.5 M
 * instructions and the page faults that would raise the peak RSS, for memory
 * the kernel reclaims anyway.  Sanitizer builds still run the leak check. */
__attribute__((noreturn)) static void leave(int rc)
{
	fflush(stdout);
#ifdef __SANITIZE_ADDRESS__
	__lsan_do_leak_check();
#endif
	_exit(rc);
}

static bool is_extra_opts(const char *arg, const char **spec)
{
	if(!strcmp(arg, "--extra-opts")) {
		*spec = NULL;
		return true;
	}
	if(!strncmp(arg, "--extra-opts=", 13)) {
		*spec = arg + 13;
		return true;
	}
	return false;
}

/* Monitoring Plugins convention: the ini file's options come first, so that
 * the command line overrides them.  Returns the new argv, or NULL with e set. */
static char **expand_extra_opts(int argc, char **argv, struct kc_extraopts *ini, int *out_argc,
                                struct kc_err *e)
{
	char **out = NULL;
	const char *spec = NULL, *other = NULL;
	int n = 1, i;

	memset(ini, 0, sizeof(*ini));
	int found = 0;

	for(i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if(is_extra_opts(argv[i], found ? &other : &spec))
			found++;
	if(!found)
		return argv; /* nothing to expand */
	if(found > 1) {
		kc_err_set(e, "--extra-opts may be given only once");
		return NULL;
	}
	if(kc_extraopts_load(spec, PACKAGE_NAME, ini, e))
		return NULL;
	out = calloc((size_t)argc + (size_t)ini->count + 1, sizeof(*out));
	if(!out) {
		kc_err_set(e, "out of memory");
		return NULL;
	}
	out[0] = argv[0];
	for(i = 0; i < ini->count; i++)
		out[n++] = ini->args[i];
	for(i = 1; i < argc; i++)
		if(!is_extra_opts(argv[i], &spec))
			out[n++] = argv[i];
	out[n] = NULL;
	*out_argc = n;
	return out;
}

static int print_help(void)
{
	printf("%s %s - check the state of a Kore.ai contact-center campaign\n\n"
	       "Usage: %s -i IID -a ACCOUNT -C CAMPAIGN (--client-id ID | --token-file FILE) "
	       "[options]\n\nOptions:\n%s\nRESULT is OK, WARNING, CRITICAL, UNKNOWN or 0-3. "
	       "RANGE uses the Monitoring Plugins syntax (N, N:, ~:N, N:M, @N:M).\n"
	       "The client secret is never taken from the command line.\n",
	       PACKAGE_NAME, PACKAGE_VERSION, PACKAGE_NAME, kc_options_help());
	return KC_UNKNOWN;
}

int main(int argc, char **argv)
{
	struct kc_extraopts ini;
	struct kc_config cfg;
	struct kc_err e = { 0 };
	int rc, n = argc;
	char **args;

	/* a closed monitoring pipe must end the run with a status, not a signal */
	signal(SIGPIPE, SIG_IGN);
	args = expand_extra_opts(argc, argv, &ini, &n, &e);
	if(!args)
		rc = usage_error(e.msg);
	else if(kc_config_parse(&cfg, n, args, &e))
		rc = usage_error(e.msg);
	else if(cfg.action == KC_ACTION_HELP)
		rc = print_help();
	else if(cfg.action == KC_ACTION_VERSION) {
		printf("%s v%s\n", PACKAGE_NAME, PACKAGE_VERSION);
		rc = KC_UNKNOWN;
	} else
		rc = check(&cfg, &ini);
	if(args && args != argv)
		free(args);
	kc_extraopts_free(&ini);
	leave(rc);
}
