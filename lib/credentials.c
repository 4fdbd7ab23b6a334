/* Where the secret or the ready-made token comes from, read safely and wiped after use. */
#include "credentials.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int check_file(int fd, const char *path, const char *what, struct kc_err *e)
{
	struct stat st;

	if(fstat(fd, &st))
		return kc_err_set(e, "cannot read %s %s: %s", what, path, strerror(errno));
	if(S_ISDIR(st.st_mode))
		return kc_err_set(e, "%s %s is a directory", what, path);
	if(!S_ISREG(st.st_mode))
		return kc_err_set(e, "%s %s is not a regular file", what, path);
	if(st.st_mode & S_IROTH)
		return kc_err_set(
		        e, "%s %s is readable by everyone (mode %04o): run chmod o-rwx on it", what,
		        path, (unsigned)(st.st_mode & 07777));
	if(st.st_size > KC_SECRET_FILE_MAX)
		return kc_err_set(e, "%s %s is larger than %d bytes", what, path,
		                  KC_SECRET_FILE_MAX);
	return 0;
}

/* Keeps the first line, without its line ending. */
static size_t first_line(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);
	size_t n = nl ? (size_t)(nl - buf) : len;

	if(n && buf[n - 1] == '\r')
		n--;
	return n;
}

int kc_secret_read_file(const char *path, const char *what, struct kc_secret *s, struct kc_err *e)
{
	char *buf = NULL;
	size_t len = 0, total;
	ssize_t got = 0;
	int result = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	s->data = NULL;
	s->len = 0;
	if(fd < 0)
		return kc_err_set(e, "cannot open %s %s: %s", what, path, strerror(errno));
	if(check_file(fd, path, what, e))
		goto out;
	buf = malloc(KC_SECRET_FILE_MAX + 1);
	if(!buf) {
		kc_err_set(e, "out of memory");
		goto out;
	}
	while(len < KC_SECRET_FILE_MAX && (got = read(fd, buf + len, KC_SECRET_FILE_MAX - len)) > 0)
		len += (size_t)got;
	if(got < 0) {
		kc_err_set(e, "cannot read %s %s: %s", what, path, strerror(errno));
		goto out;
	}
	total = len;
	len = first_line(buf, len);
	explicit_bzero(buf + len, total - len); /* later lines are never used */
	if(!len || memchr(buf, '\0', len)) {
		kc_err_set(e, "%s %s is empty or not text", what, path);
		goto out;
	}
	buf[len] = '\0';
	s->data = buf;
	s->len = len;
	buf = NULL;
	result = 0;
out:
	if(buf) {
		explicit_bzero(buf, KC_SECRET_FILE_MAX + 1);
		free(buf);
	}
	close(fd);
	return result;
}

static int copy_secret(const char *data, size_t len, struct kc_secret *s, struct kc_err *e)
{
	s->data = malloc(len + 1);
	if(!s->data)
		return kc_err_set(e, "out of memory");
	memcpy(s->data, data, len);
	s->data[len] = '\0';
	s->len = len;
	return 0;
}

/* A copy of the variable; kc_credentials_load wipes the original afterwards. */
static int take_env(const char *name, struct kc_secret *s, struct kc_err *e)
{
	const char *value = getenv(name);

	if(!value || !*value)
		return 1;
	return copy_secret(value, strlen(value), s, e);
}

/* Overwrites and removes a credential variable, used or not, so that it does
 * not stay readable in /proc/PID/environ for the rest of the run. */
static void scrub_env(const char *name)
{
	char *value = getenv(name);

	if(value) {
		explicit_bzero(value, strlen(value));
		unsetenv(name);
	}
}

static int load_secret(const struct kc_credential_sources *src, struct kc_secret *s,
                       struct kc_err *e)
{
	int rc;

	if(src->secret_file)
		return kc_secret_read_file(src->secret_file, "client secret file", s, e);
	rc = take_env("KORE_CLIENT_SECRET", s, e);
	if(rc <= 0)
		return rc;
	if(src->ini_secret && src->ini_secret_len)
		return copy_secret(src->ini_secret, src->ini_secret_len, s, e);
	return kc_err_set(e, "no client secret: use --client-secret-file FILE or the environment "
	                     "variable KORE_CLIENT_SECRET");
}

/* A JWT is three base64url parts; anything else could smuggle bytes into the header. */
static int check_token(const struct kc_secret *t, struct kc_err *e)
{
	size_t dots = 0;

	for(size_t i = 0; i < t->len; i++) {
		unsigned char c = (unsigned char)t->data[i];
		if(c == '.')
			dots++;
		else if(!(c == '-' || c == '_' || (c >= '0' && c <= '9') ||
		          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return kc_err_set(e, "the token is not a JWT (unexpected character)");
	}
	if(dots != 2)
		return kc_err_set(e, "the token is not a JWT (expected three dot-separated parts)");
	return 0;
}

static int load(const struct kc_credential_sources *src, struct kc_credentials *out,
                struct kc_err *e)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if(src->client_id && src->token_file)
		return kc_err_set(e, "use either --client-id or --token-file, not both");
	if(src->secret_file && !src->client_id)
		return kc_err_set(e, "--client-secret-file needs --client-id");
	if(src->client_id) {
		out->kind = KC_AUTH_MINT;
		return load_secret(src, &out->value, e);
	}
	out->kind = KC_AUTH_TOKEN;
	if(src->token_file)
		rc = kc_secret_read_file(src->token_file, "token file", &out->value, e);
	else
		rc = take_env("KORE_JWT", &out->value, e);
	if(rc > 0)
		return kc_err_set(e,
		                  "no credentials: give --client-id with --client-secret-file or "
		                  "KORE_CLIENT_SECRET, or --token-file or KORE_JWT");
	if(!rc && check_token(&out->value, e)) {
		kc_secret_wipe(&out->value);
		return -1;
	}
	return rc;
}

int kc_credentials_load(const struct kc_credential_sources *src, struct kc_credentials *out,
                        struct kc_err *e)
{
	int rc = load(src, out, e);

	scrub_env("KORE_CLIENT_SECRET");
	scrub_env("KORE_JWT");
	return rc;
}

void kc_secret_wipe(struct kc_secret *s)
{
	if(s->data) {
		explicit_bzero(s->data, s->len);
		free(s->data);
	}
	s->data = NULL;
	s->len = 0;
}
