/* --extra-opts: every way an ini file is found, read, turned into options or refused. */
#include "extraopts.h"
#include "tap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/test_extraopts.XXXXXX";
static char ini[64];

/* One assertion comparing what the loader did with what the case wants. */
static void check(bool pass, const char *name, const char *got, const char *want)
{
	if(!ok(pass, "%s", name))
		printf("#   got:  %s\n#   want: %s\n", got, want);
}

/* want/ini/spec texts say FILE for the path of the case's ini file. */
static void expand(char *dst, size_t size, const char *pattern)
{
	const char *hit;
	size_t n = 0;

	while((hit = strstr(pattern, "FILE")) && n + (size_t)(hit - pattern) + strlen(ini) < size) {
		n += (size_t)snprintf(dst + n, size - n, "%.*s%s", (int)(hit - pattern), pattern,
		                      ini);
		pattern = hit + 4;
	}
	snprintf(dst + n, size - n, "%s", pattern);
}

static void write_file(const char *path, const char *text, size_t len, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if(!f || fwrite(text, 1, len, f) != len || fclose(f) || chmod(path, mode)) {
		printf("Bail out! cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* Arguments joined by spaces, "" for none; "!message" on failure. */
static void describe(char *dst, size_t size, int rc, const struct kc_extraopts *x,
                     const struct kc_err *e)
{
	size_t n = 0;

	dst[0] = '\0';
	if(rc) {
		snprintf(dst, size, "!%s", e->msg);
		return;
	}
	for(int i = 0; i < x->count && n < size; i++)
		n += (size_t)snprintf(dst + n, size - n, "%s%s", i ? " " : "", x->args[i]);
}

struct ini_case {
	const char *name;
	const char *ini;
	mode_t mode;      /* 0 means 0600 */
	const char *spec; /* NULL and "" leave the file to MP_CONFIG_FILE */
	const char *want; /* see describe() */
	const char *secret;
	size_t len; /* bytes of ini when it holds a NUL */
};

static const struct ini_case cases[] = {
	{ .name = "options come out in file order",
	  .ini = "[check_kore_campaign]\nhost = h.example\nport=8443\n"
	         "api = v2\niid = st-1\naccount-id = acc\ncampaign = cmp-active\n",
	  .spec = "@FILE",
	  .want = "--host=h.example --port=8443 --api=v2 --iid=st-1 --account-id=acc "
	          "--campaign=cmp-active" },
	{ .name = "a repeated key gives the option twice, '=' in the value is kept",
	  .ini = "[check_kore_campaign]\nmap = Stopped=CRITICAL\nmap=Paused=WARNING\n",
	  .spec = "@FILE",
	  .want = "--map=Stopped=CRITICAL --map=Paused=WARNING" },
	{ .name = "no spec: default section of MP_CONFIG_FILE",
	  .ini = "[check_kore_campaign]\nhost = a\n",
	  .spec = NULL,
	  .want = "--host=a" },
	{ .name = "empty spec: default section of MP_CONFIG_FILE",
	  .ini = "[check_kore_campaign]\nhost = a\n",
	  .spec = "",
	  .want = "--host=a" },
	{ .name = "section only: that section of MP_CONFIG_FILE",
	  .ini = "[check_kore_campaign]\nhost = a\n[prod]\nhost = b\n",
	  .spec = "prod",
	  .want = "--host=b" },
	{ .name = "section@file",
	  .ini = "[prod]\nhost = b\n[check_kore_campaign]\nhost = a\n",
	  .spec = "prod@FILE",
	  .want = "--host=b" },
	{ .name = "other sections and keys before any section are ignored",
	  .ini = "stray = 1\n[check_disk]\nwarning = 10%\nbogus = x\n[check_kore_campaign]\nhost = "
	         "a\n"
	         "[check_load]\ncritical = 5\n",
	  .spec = "@FILE",
	  .want = "--host=a" },
	{ .name = "a section given twice is merged in file order",
	  .ini = "[check_kore_campaign]\nhost = a\n[x]\n[check_kore_campaign]\nport = 1\n",
	  .spec = "@FILE",
	  .want = "--host=a --port=1" },
	{ .name = "blanks around the section name are ignored",
	  .ini = "[ check_kore_campaign ]\nhost = a\n",
	  .spec = "@FILE",
	  .want = "--host=a" },
	{ .name = "comments: whole-line ; and #, inline after ' ;'",
	  .ini = "; top\n[check_kore_campaign]\n# note\nhost = a ; inline\n  ; indented\n",
	  .spec = "@FILE",
	  .want = "--host=a" },
	{ .name = "CRLF line endings",
	  .ini = "[check_kore_campaign]\r\nhost = a\r\nport = 2\r\n",
	  .spec = "@FILE",
	  .want = "--host=a --port=2" },
	{ .name = "a UTF-8 byte order mark is skipped",
	  .ini = "\xef\xbb\xbf[check_kore_campaign]\nhost = a\n",
	  .spec = "@FILE",
	  .want = "--host=a" },
	{ .name = "an indented line is a key, not a continuation",
	  .ini = "[check_kore_campaign]\nexpect = Active\n    port = 5\n\tproxy = http://p:3128\n",
	  .spec = "@FILE",
	  .want = "--expect=Active --port=5 --proxy=http://p:3128" },
	{ .name = "name: value is accepted too",
	  .ini = "[check_kore_campaign]\nhost: a\n",
	  .spec = "@FILE",
	  .want = "--host=a" },
	{ .name = "inner blanks of a value are kept",
	  .ini = "[check_kore_campaign]\nexpect =  Active, Ready  \n",
	  .spec = "@FILE",
	  .want = "--expect=Active, Ready" },
	{ .name = "flag with an empty value is set once",
	  .ini = "[check_kore_campaign]\ninsecure =\nverbose=\n",
	  .spec = "@FILE",
	  .want = "--insecure --verbose" },
	{ .name = "flag true words set it",
	  .ini = "[check_kore_campaign]\ninsecure = yes\ninsecure = TRUE\n"
	         "insecure = on\ninsecure = 1\n",
	  .spec = "@FILE",
	  .want = "--insecure --insecure --insecure --insecure" },
	{ .name = "flag false words leave it out",
	  .ini = "[check_kore_campaign]\ninsecure = no\ninsecure = false\n"
	         "insecure = Off\ninsecure = 0\nverbose = 0\n",
	  .spec = "@FILE",
	  .want = "" },
	{ .name = "verbose = 3 gives three --verbose",
	  .ini = "[check_kore_campaign]\nverbose = 3\n",
	  .spec = "@FILE",
	  .want = "--verbose --verbose --verbose" },
	{ .name = "an empty section exists",
	  .ini = "[check_kore_campaign]\n; nothing yet\n[other]\nhost = x\n",
	  .spec = "@FILE",
	  .want = "" },
	{ .name = "client-secret is kept apart from the options",
	  .ini = "[check_kore_campaign]\nclient-id = cid\nclient-secret = s3c=ret ;x\n",
	  .mode = 0600,
	  .spec = "@FILE",
	  .want = "--client-id=cid",
	  .secret = "s3c=ret" },
	{ .name = "client-secret from a group-readable file",
	  .ini = "[check_kore_campaign]\nclient-secret = s\n",
	  .mode = 0640,
	  .spec = "@FILE",
	  .want = "",
	  .secret = "s" },
	{ .name = "client-secret in another section of a world-readable file is ignored",
	  .ini = "[other]\nclient-secret = s\n[check_kore_campaign]\nhost = a\n",
	  .mode = 0644,
	  .spec = "@FILE",
	  .want = "--host=a" },

	{ .name = "unknown key: file and line",
	  .ini = "[check_kore_campaign]\nhost = a\nfoo = 1\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:3: unknown key 'foo'" },
	{ .name = "unknown key is shown without '|' and control bytes",
	  .ini = "[check_kore_campaign]\nf|o\x1bo = 1\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:2: unknown key 'f?o?o'" },
	{ .name = "a short option name is not a key",
	  .ini = "[check_kore_campaign]\nw = 5\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:2: unknown key 'w'" },
	{ .name = "keys are lower case",
	  .ini = "[check_kore_campaign]\nHost = a\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:2: unknown key 'Host'" },
	{ .name = "help is not a key",
	  .ini = "[check_kore_campaign]\nhelp =\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:2: unknown key 'help'" },
	{ .name = "version is not a key",
	  .ini = "[check_kore_campaign]\nversion =\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:2: unknown key 'version'" },
	{ .name = "extra-opts is not a key",
	  .ini = "[check_kore_campaign]\nextra-opts = x@y\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:2: unknown key 'extra-opts'" },
	{ .name = "a line without '=' is malformed",
	  .ini = "[check_kore_campaign]\nhost = a\ninsecure\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:3: malformed line (expected 'key = value', '[section]' or a "
	          "comment)" },
	{ .name = "a section header without ']' is malformed",
	  .ini = "[check_kore_campaign\nhost = a\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:1: malformed line (expected 'key = value', '[section]' or a "
	          "comment)" },
	{ .name = "malformed line in another section is still an error",
	  .ini = "[other]\nbroken\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:2: malformed line (expected 'key = value', '[section]' or a "
	          "comment)" },
	{ .name = "the first error wins: malformed before unknown",
	  .ini = "[check_kore_campaign]\nbroken\nfoo = 1\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:2: malformed line (expected 'key = value', '[section]' or a "
	          "comment)" },
	{ .name = "the first error wins: unknown before malformed",
	  .ini = "[check_kore_campaign]\nfoo = 1\nbroken\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:2: unknown key 'foo'" },
	{ .name = "a key that takes a value has one",
	  .ini = "[check_kore_campaign]\nhost =\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:2: key 'host' needs a value" },
	{ .name = "a flag refuses other words",
	  .ini = "[check_kore_campaign]\ninsecure = maybe\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:2: key 'insecure' takes no value or one of true, false, yes, "
	          "no, on, off, "
	          "0-1" },
	{ .name = "insecure = 2 is refused",
	  .ini = "[check_kore_campaign]\ninsecure = 2\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:2: key 'insecure' takes no value or one of true, false, yes, "
	          "no, on, off, "
	          "0-1" },
	{ .name = "verbose = 4 is refused",
	  .ini = "[check_kore_campaign]\nverbose = 4\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:2: key 'verbose' takes no value or one of true, false, yes, "
	          "no, on, off, "
	          "0-3" },
	{ .name = "missing default section",
	  .ini = "[other]\nhost = a\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE: no section [check_kore_campaign]" },
	{ .name = "missing named section",
	  .ini = "[check_kore_campaign]\nhost = a\n",
	  .spec = "prod@FILE",
	  .want = "!extra-opts: FILE: no section [prod]" },
	{ .name = "a section named only in a comment is missing",
	  .ini = "# [check_kore_campaign]\n[x]\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE: no section [check_kore_campaign]" },
	{ .name = "client-secret in a world-readable file is refused",
	  .ini = "[check_kore_campaign]\nclient-secret = s\n",
	  .mode = 0644,
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:2: refusing client-secret from a file that others can read "
	          "(mode 0644); "
	          "chmod o-r the file" },
	{ .name = "client-secret in an other-readable file is refused",
	  .ini = "[check_kore_campaign]\nhost = a\nclient-secret = s\n",
	  .mode = 0604,
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:3: refusing client-secret from a file that others can read "
	          "(mode 0604); "
	          "chmod o-r the file" },
	{ .name = "client-secret given twice",
	  .ini = "[check_kore_campaign]\nclient-secret = a\nclient-secret = b\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:3: client-secret given more than once" },
	{ .name = "client-secret must not be empty",
	  .ini = "[check_kore_campaign]\nclient-secret =\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:2: key 'client-secret' needs a value" },
	{ .name = "a NUL byte is refused",
	  .ini = "[check_kore_campaign]\nhost = a\nport = 1\0 = 2\n",
	  .spec = "@FILE",
	  .want = "!extra-opts: FILE:3: NUL byte in line",
	  .len = 45 },
	{ .name = "'@' needs a file name",
	  .ini = "",
	  .spec = "prod@",
	  .want = "!extra-opts: no file name after '@'" },
	{ .name = "section names are limited to 49 characters",
	  .ini = "",
	  .spec = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@FILE",
	  .want = "!extra-opts: section name longer than 49 characters" },
	{ .name = "missing file",
	  .ini = "",
	  .spec = "@FILE.missing",
	  .want = "!extra-opts: FILE.missing: No such file or directory" },
	{ .name = "a directory is not an ini file",
	  .ini = "",
	  .spec = "@/tmp",
	  .want = "!extra-opts: /tmp: not a regular file" },
};

static void run_case(const struct ini_case *c)
{
	struct kc_extraopts x = { 0 };
	struct kc_err e = { 0 };
	char spec[256], want[512], got[2048];
	bool secret_ok;
	int rc;

	write_file(ini, c->ini, c->len ? c->len : strlen(c->ini), c->mode ? c->mode : 0600);
	if(c->spec && strchr(c->spec, '@'))
		unsetenv("MP_CONFIG_FILE");
	else
		setenv("MP_CONFIG_FILE", ini, 1);
	expand(spec, sizeof(spec), c->spec ? c->spec : "");
	expand(want, sizeof(want), c->want);
	rc = kc_extraopts_load(c->spec ? spec : NULL, "check_kore_campaign", &x, &e);
	describe(got, sizeof(got), rc, &x, &e);
	secret_ok = c->secret ? x.secret && !strcmp(x.secret, c->secret) &&
	                                x.secret_len == strlen(c->secret)
	                      : !x.secret;
	check(!strcmp(got, want) && secret_ok && (rc == 0 || (!x.args && !x.count)), c->name, got,
	      want);
	kc_extraopts_free(&x);
}

/* libinih reads lines of at most 199 characters; a longer one is refused, not cut. */
static void test_line_length(void)
{
	char text[512], want[512], got[1024], spec[96];
	struct kc_extraopts x = { 0 };
	struct kc_err e = { 0 };
	int rc;

	for(int len = 199; len <= 200; len++) {
		int n = snprintf(text, sizeof(text), "[check_kore_campaign]\nhost=");

		memset(text + n, 'x', (size_t)len - 5);
		snprintf(text + n + len - 5, sizeof(text) - (size_t)(n + len - 5), "\nport = 1\n");
		write_file(ini, text, strlen(text), 0600);
		snprintf(spec, sizeof(spec), "@%s", ini);
		e = (struct kc_err){ 0 };
		rc = kc_extraopts_load(spec, "check_kore_campaign", &x, &e);
		describe(got, sizeof(got), rc, &x, &e);
		if(len == 199)
			snprintf(want, sizeof(want), "--%.*s --port=1", len, text + n - 5);
		else
			snprintf(want, sizeof(want),
			         "!extra-opts: %s:2: line longer than 199 characters", ini);
		check(!strcmp(got, want),
		      len == 199 ? "a 199-character line is read whole"
		                 : "a 200-character line is refused",
		      got, want);
		kc_extraopts_free(&x);
	}
}

/* Each accepted key is a long option of --help, sorted; help, version and extra-opts are not
 * keys, client-secret is. */
static void test_key_table(void)
{
	const char *want =
	        "account-id api cacert campaign capath client-id client-secret "
	        "client-secret-file critical expect host iid insecure ipv4 ipv6 jwt-alg "
	        "jwt-sub jwt-ttl map on-error port proxy timeout timeout-result token-file "
	        "unexpected verbose warning";
	char got[1024] = "";
	bool sorted = true;
	const char *k;

	for(size_t i = 0; (k = kc_extraopts_key(i)); i++) {
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "", k);
		sorted = sorted && (!i || strcmp(kc_extraopts_key(i - 1), k) < 0);
	}
	check(!strcmp(got, want) && sorted, "the key table is the sorted list of long options", got,
	      want);
}

/* Every key of the table is accepted from a file (the table stays sorted for bsearch). */
static void test_every_key_accepted(void)
{
	char text[4096] = "[check_kore_campaign]\n", want[4096] = "", got[4096];
	struct kc_extraopts x = { 0 };
	struct kc_err e = { 0 };
	const char *k;
	int rc;

	for(size_t i = 0; (k = kc_extraopts_key(i)); i++) {
		bool flag = !strcmp(k, "insecure") || !strcmp(k, "ipv4") || !strcmp(k, "ipv6") ||
		            !strcmp(k, "verbose");
		size_t n = strlen(want);

		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s = %s\n", k,
		         flag ? "" : "v");
		if(strcmp(k, "client-secret"))
			snprintf(want + n, sizeof(want) - n, "%s--%s%s", n ? " " : "", k,
			         flag ? "" : "=v");
	}
	write_file(ini, text, strlen(text), 0600);
	unsetenv("MP_CONFIG_FILE");
	snprintf(got, sizeof(got), "@%s", ini);
	rc = kc_extraopts_load(got, "check_kore_campaign", &x, &e);
	describe(got, sizeof(got), rc, &x, &e);
	check(!strcmp(got, want) && x.secret && !strcmp(x.secret, "v"), "every key is accepted",
	      got, want);
	kc_extraopts_free(&x);
}

static void test_search(const char *name, const char *env, const char *const *search,
                        const char *want)
{
	struct kc_extraopts x = { 0 };
	struct kc_err e = { 0 };
	char got[1024];
	int rc;

	if(env)
		setenv("MP_CONFIG_FILE", env, 1);
	else
		unsetenv("MP_CONFIG_FILE");
	rc = kc_extraopts_load_search(NULL, "check_kore_campaign", search, &x, &e);
	describe(got, sizeof(got), rc, &x, &e);
	check(!strcmp(got, want), name, got, want);
	kc_extraopts_free(&x);
}

/* The search takes the first file that exists; MP_CONFIG_FILE replaces the search and an
 * explicit @file beats both. */
static void test_search_path(void)
{
	char a[96], b[96], missing[96], spec[128], got[1024];
	const char *first_missing[] = { missing, a, b, NULL };
	const char *b_first[] = { b, a, NULL };
	const char *none[] = { missing, NULL };
	struct kc_extraopts x = { 0 };
	struct kc_err e = { 0 };
	int rc;

	snprintf(a, sizeof(a), "%s/a.ini", dir);
	snprintf(b, sizeof(b), "%s/b.ini", dir);
	snprintf(missing, sizeof(missing), "%s/nowhere/plugins.ini", dir);
	write_file(a, "[check_kore_campaign]\nhost = a\n", 31, 0600);
	write_file(b, "[check_kore_campaign]\nhost = b\n", 31, 0600);
	test_search("the search skips missing files and takes the first one found", NULL,
	            first_missing, "--host=a");
	test_search("the search keeps its order", NULL, b_first, "--host=b");
	test_search("no file anywhere in the search", NULL, none,
	            "!extra-opts: no configuration file found in the standard locations (see FILES "
	            "in check_kore_campaign(1)); set MP_CONFIG_FILE or use --extra-opts=@FILE");
	test_search("MP_CONFIG_FILE replaces the search", b, first_missing, "--host=b");
	test_search("an empty MP_CONFIG_FILE is ignored", "", b_first, "--host=b");
	snprintf(got, sizeof(got), "!extra-opts: %s: No such file or directory", missing);
	test_search("MP_CONFIG_FILE naming a missing file", missing, b_first, got);
	setenv("MP_CONFIG_FILE", b, 1);
	snprintf(spec, sizeof(spec), "@%s", a);
	rc = kc_extraopts_load_search(spec, "check_kore_campaign", b_first, &x, &e);
	describe(got, sizeof(got), rc, &x, &e);
	check(!strcmp(got, "--host=a"), "an explicit @file beats MP_CONFIG_FILE", got, "--host=a");
	kc_extraopts_free(&x);
	unlink(a);
	unlink(b);
}

static void test_default_search_path(void)
{
	size_t n = 0;
	bool mp = false;

	while(kc_extraopts_search_path(n)) {
		mp = mp || strstr(kc_extraopts_search_path(n), "monitoring-plugins.ini");
		n++;
	}
	check(n == 16 && !strcmp(kc_extraopts_search_path(0), "/etc/nagios/plugins.ini") &&
	              !strcmp(kc_extraopts_search_path(6), "/etc/opt/nagios-plugins.ini") && mp,
	      "the default search starts at /etc/nagios/plugins.ini and covers "
	      "monitoring-plugins.ini",
	      kc_extraopts_search_path(0), "/etc/nagios/plugins.ini");
}

static void test_special_files(void)
{
	char fifo[96], big[96], want[256], got[1024];
	struct kc_extraopts x = { 0 };
	struct kc_err e = { 0 };
	char *blob = malloc(1024 * 1024 + 2);
	int rc;

	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(big, sizeof(big), "%s/big.ini", dir);
	if(!blob || mkfifo(fifo, 0600)) {
		printf("Bail out! setup: %s\n", strerror(errno));
		exit(1);
	}
	snprintf(got, sizeof(got), "@%s", fifo);
	alarm(10); /* opening a FIFO for reading waits for a writer unless told not to */
	rc = kc_extraopts_load(got, "check_kore_campaign", &x, &e);
	alarm(0);
	describe(got, sizeof(got), rc, &x, &e);
	snprintf(want, sizeof(want), "!extra-opts: %s: not a regular file", fifo);
	check(!strcmp(got, want), "a FIFO is refused without waiting for a writer", got, want);

	memset(blob, ';', 1024 * 1024 + 1);
	blob[1024 * 1024 + 1] = '\0';
	write_file(big, blob, 1024 * 1024 + 1, 0600);
	snprintf(got, sizeof(got), "@%s", big);
	e = (struct kc_err){ 0 };
	rc = kc_extraopts_load(got, "check_kore_campaign", &x, &e);
	describe(got, sizeof(got), rc, &x, &e);
	snprintf(want, sizeof(want), "!extra-opts: %s: larger than 1 MiB", big);
	check(!strcmp(got, want), "a file over 1 MiB is refused", got, want);
	free(blob);
	unlink(fifo);
	unlink(big);
}

static void test_free_is_idempotent(void)
{
	struct kc_extraopts x = { 0 };
	struct kc_err e = { 0 };
	int rc;

	write_file(ini, "[check_kore_campaign]\nhost = a\nclient-secret = s\n", 48, 0600);
	setenv("MP_CONFIG_FILE", ini, 1);
	rc = kc_extraopts_load(NULL, "check_kore_campaign", &x, &e);
	kc_extraopts_free(&x);
	kc_extraopts_free(&x);
	check(rc == 0 && !x.args && !x.count && !x.secret && !x.secret_len,
	      "free leaves an empty struct and may be called twice", e.msg, "");
}

static void test_unreadable(void)
{
	struct kc_extraopts x = { 0 };
	struct kc_err e = { 0 };
	char want[256], got[1024];
	int rc;

	if(geteuid() == 0) {
		printf("ok %d - an unreadable file names the reason # SKIP root reads any file\n",
		       ++tap_count);
		return;
	}
	write_file(ini, "[check_kore_campaign]\n", 22, 0);
	snprintf(got, sizeof(got), "@%s", ini);
	rc = kc_extraopts_load(got, "check_kore_campaign", &x, &e);
	describe(got, sizeof(got), rc, &x, &e);
	snprintf(want, sizeof(want), "!extra-opts: %s: Permission denied", ini);
	check(!strcmp(got, want), "an unreadable file names the reason", got, want);
}

int main(void)
{
	if(!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	snprintf(ini, sizeof(ini), "%s/plugins.ini", dir);
	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_line_length();
	test_key_table();
	test_every_key_accepted();
	test_search_path();
	test_default_search_path();
	test_special_files();
	test_free_is_idempotent();
	test_unreadable();
	unlink(ini);
	rmdir(dir);
	return tap_done();
}
