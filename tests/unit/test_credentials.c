/* Secret and token sources: file checks, precedence, and environment wiping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credentials.h"
#include "tap.h"

static char dir[] = "/tmp/kc-cred-XXXXXX";

static const char *write_file(const char *name, const char *content, mode_t mode)
{
	static char path[4][256];
	static int next;
	char *p = path[next++ % 4];
	FILE *f;

	snprintf(p, 256, "%s/%s", dir, name);
	f = fopen(p, "w");
	fputs(content, f);
	fclose(f);
	chmod(p, mode);
	return p;
}

static void expect_error(const struct kc_credential_sources *src, const char *what,
                         const char *name)
{
	struct kc_credentials c;
	struct kc_err e = { 0 };

	ok(kc_credentials_load(src, &c, &e) == -1 && strstr(e.msg, what) && !c.value.data, "%s: %s",
	   name, e.msg);
}

static void expect_value(const struct kc_credential_sources *src, enum kc_auth kind,
                         const char *value, const char *name)
{
	struct kc_credentials c;
	struct kc_err e = { 0 };
	int rc = kc_credentials_load(src, &c, &e);

	ok(rc == 0 && c.kind == kind && c.value.data && !strcmp(c.value.data, value), "%s%s%s",
	   name, e.set ? ": " : "", e.msg);
	kc_secret_wipe(&c.value);
	ok(c.value.data == NULL && c.value.len == 0, "%s: released", name);
}

static void test_files(void)
{
	struct kc_credential_sources s = { .client_id = "cs-1" };

	s.secret_file = write_file("good", "s3cret\nsecond line\n", 0600);
	expect_value(&s, KC_AUTH_MINT, "s3cret", "first line of a private file");
	s.secret_file = write_file("crlf", "s3cret\r\n", 0640);
	expect_value(&s, KC_AUTH_MINT, "s3cret", "CRLF stripped, group-readable allowed");
	s.secret_file = write_file("world", "s3cret\n", 0644);
	expect_error(&s, "readable by everyone", "world-readable file refused");
	s.secret_file = write_file("empty", "", 0600);
	expect_error(&s, "empty", "empty file refused");
	s.secret_file = write_file("blank", "\nsecret on line 2\n", 0600);
	expect_error(&s, "empty", "empty first line refused");
	s.secret_file = dir;
	expect_error(&s, "is a directory", "directory refused");
	s.secret_file = "/nonexistent/secret";
	expect_error(&s, "No such file", "missing file refused");
	s.secret_file = "/dev/null";
	expect_error(&s, "not a regular file", "device refused");
}

static void test_precedence(void)
{
	struct kc_credential_sources s = { .client_id = "cs-1" };
	const char *tok = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

	setenv("KORE_CLIENT_SECRET", "from-env", 1);
	s.secret_file = write_file("file", "from-file\n", 0600);
	expect_value(&s, KC_AUTH_MINT, "from-file", "file beats environment");
	ok(getenv("KORE_CLIENT_SECRET") == NULL, "unused environment secret removed too");
	setenv("KORE_CLIENT_SECRET", "from-env", 1);
	s.secret_file = NULL;
	expect_value(&s, KC_AUTH_MINT, "from-env", "environment secret");
	ok(getenv("KORE_CLIENT_SECRET") == NULL, "environment variable removed after use");
	s.ini_secret = "from-ini";
	s.ini_secret_len = 8;
	expect_value(&s, KC_AUTH_MINT, "from-ini", "ini secret when nothing else");
	s = (struct kc_credential_sources){ .client_id = "cs-1" };
	expect_error(&s, "no client secret", "client id without a secret");

	s = (struct kc_credential_sources){ .token_file = write_file("tok", tok, 0600) };
	expect_value(&s, KC_AUTH_TOKEN, tok, "token file");
	s.token_file = write_file("badtok", "abc.def\r\nX-Injected: 1.x\n", 0600);
	expect_error(&s, "not a JWT", "token with two parts refused");
	s.token_file = write_file("badchar", "a b.c.d\n", 0600);
	expect_error(&s, "not a JWT", "token with a space refused");
	s.token_file = NULL;
	setenv("KORE_JWT", tok, 1);
	expect_value(&s, KC_AUTH_TOKEN, tok, "KORE_JWT");
	expect_error(&s, "no credentials", "nothing given at all");
	s = (struct kc_credential_sources){ .client_id = "cs-1", .token_file = "/x" };
	expect_error(&s, "not both", "client id and token file together");
	s = (struct kc_credential_sources){ .secret_file = "/x" };
	expect_error(&s, "needs --client-id", "secret file without client id");
}

int main(void)
{
	char cmd[64];

	if(!mkdtemp(dir))
		return 99;
	unsetenv("KORE_CLIENT_SECRET");
	unsetenv("KORE_JWT");
	test_files();
	test_precedence();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if(system(cmd) == -1)
		return 99;
	return tap_done();
}
