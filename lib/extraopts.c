/* --extra-opts=[section][@file]: the Monitoring Plugins ini convention on top of libinih.
 * The only file that includes <ini.h>. */
#include "extraopts.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_MAX (1024 * 1024) /* a shared plugins.ini is small; this only stops runaways */
#define SECTION_MAX 49         /* libinih keeps at most 49 bytes of a section name */
#define SHOWN_MAX 64           /* how much of an ini key an error message repeats */

struct loader;

struct key {
	const char *name;
	int (*add)(struct loader *l, const char *name, const char *value);
};

/* State of one parse: the file in memory, the reader position and the result. */
struct loader {
	const char *path;
	const char *section;
	char *buf;
	size_t len, pos;
	int line;
	bool section_found;
	int secret_line;
	int fail_line;
	char fail[400];
	struct kc_extraopts *out;
};

static const char *const search_path[] = {
	"/etc/nagios/plugins.ini",
	"/usr/local/nagios/etc/plugins.ini",
	"/usr/local/etc/nagios/plugins.ini",
	"/etc/opt/nagios/plugins.ini",
	"/etc/nagios-plugins.ini",
	"/usr/local/etc/nagios-plugins.ini",
	"/etc/opt/nagios-plugins.ini",
	"/etc/nagios/monitoring-plugins.ini",
	"/usr/local/nagios/etc/monitoring-plugins.ini",
	"/usr/local/etc/nagios/monitoring-plugins.ini",
	"/etc/opt/nagios/monitoring-plugins.ini",
	"/etc/monitoring-plugins.ini",
	"/usr/local/etc/monitoring-plugins.ini",
	"/etc/opt/monitoring-plugins.ini",
	"/etc/monitoring-plugins/monitoring-plugins.ini",
	"/usr/local/etc/monitoring-plugins/monitoring-plugins.ini",
	NULL,
};

static int fail(struct loader *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records the first problem with the line it is on; returns 0, libinih's "stop here". */
static int fail(struct loader *l, const char *fmt, ...)
{
	va_list ap;

	if(l->fail_line)
		return 0;
	va_start(ap, fmt);
	vsnprintf(l->fail, sizeof(l->fail), fmt, ap);
	va_end(ap);
	l->fail_line = l->line ? l->line : 1;
	return 0;
}

/* Copies text for an error message: cut short, and without bytes that would break the
 * status line ('|' starts perfdata) or a terminal. */
static const char *shown(char *dst, size_t size, const char *src)
{
	size_t i;

	for(i = 0; src[i] && i + 4 < size; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = (c < 0x20 || c >= 0x7f || c == '|') ? '?' : (char)c;
	}
	if(src[i])
		memcpy(dst + i, "...", 4);
	else
		dst[i] = '\0';
	return dst;
}

static int push(struct loader *l, char *arg)
{
	struct kc_extraopts *x = l->out;
	char **grown;

	if(!arg)
		return fail(l, "out of memory");
	grown = realloc(x->args, (size_t)(x->count + 1) * sizeof(*grown));
	if(!grown) {
		free(arg);
		return fail(l, "out of memory");
	}
	x->args = grown;
	x->args[x->count++] = arg;
	return 1;
}

/* "--name=value", or "--name" for a NULL value. */
static char *option(const char *name, const char *value)
{
	size_t size = strlen(name) + (value ? strlen(value) + 1 : 0) + 3;
	char *s = malloc(size);

	if(s && value)
		snprintf(s, size, "--%s=%s", name, value);
	else if(s)
		snprintf(s, size, "--%s", name);
	return s;
}

static int add_value(struct loader *l, const char *name, const char *value)
{
	if(!*value)
		return fail(l, "key '%s' needs a value", name);
	return push(l, option(name, value));
}

/* A flag repeated n times: "" and true words mean once, false words none, digits up to max. */
static int add_flag(struct loader *l, const char *name, const char *value, int max)
{
	static const struct {
		const char *word;
		int n;
	} words[] = { { "", 1 },      { "true", 1 }, { "yes", 1 }, { "on", 1 },
		      { "false", 0 }, { "no", 0 },   { "off", 0 } };
	int n = -1;

	for(size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if(!strcasecmp(value, words[i].word))
			n = words[i].n;
	if(value[0] >= '0' && value[0] <= '0' + max && !value[1])
		n = value[0] - '0';
	if(n < 0)
		return fail(l,
		            "key '%s' takes no value or one of true, false, yes, no, on, off, 0-%d",
		            name, max);
	while(n-- > 0)
		if(!push(l, option(name, NULL)))
			return 0;
	return 1;
}

static int add_switch(struct loader *l, const char *name, const char *value)
{
	return add_flag(l, name, value, 1);
}

static int add_verbose(struct loader *l, const char *name, const char *value)
{
	return add_flag(l, name, value, 3);
}

static int take_secret(struct loader *l, const char *name, const char *value)
{
	struct kc_extraopts *x = l->out;

	if(x->secret)
		return fail(l, "%s given more than once", name);
	if(!*value)
		return fail(l, "key '%s' needs a value", name);
	x->secret_len = strlen(value);
	x->secret = strdup(value);
	if(!x->secret)
		return fail(l, "out of memory");
	l->secret_line = l->line;
	return 1;
}

/* Sorted for bsearch. */
static const struct key keys[] = {
	{ "account-id", add_value },
	{ "api", add_value },
	{ "cacert", add_value },
	{ "campaign", add_value },
	{ "capath", add_value },
	{ "client-id", add_value },
	{ "client-secret", take_secret },
	{ "client-secret-file", add_value },
	{ "critical", add_value },
	{ "expect", add_value },
	{ "host", add_value },
	{ "iid", add_value },
	{ "insecure", add_switch },
	{ "ipv4", add_switch },
	{ "ipv6", add_switch },
	{ "jwt-alg", add_value },
	{ "jwt-sub", add_value },
	{ "jwt-ttl", add_value },
	{ "map", add_value },
	{ "on-error", add_value },
	{ "port", add_value },
	{ "proxy", add_value },
	{ "timeout", add_value },
	{ "timeout-result", add_value },
	{ "token-file", add_value },
	{ "unexpected", add_value },
	{ "verbose", add_verbose },
	{ "warning", add_value },
};

static int key_cmp(const void *name, const void *k)
{
	return strcmp(name, ((const struct key *)k)->name);
}

/* Leading and trailing blanks around a section name are not part of it, as in the
 * Monitoring Plugins' own parser. */
static bool is_section(const char *text, size_t len, const char *want)
{
	while(len && (*text == ' ' || *text == '\t')) {
		text++;
		len--;
	}
	while(len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	return len == strlen(want) && !memcmp(text, want, len);
}

static int on_pair(void *user, const char *section, const char *name, const char *value)
{
	struct loader *l = user;
	const struct key *k;
	char show[SHOWN_MAX + 4];

	if(!is_section(section, strlen(section), l->section))
		return 1;
	k = bsearch(name, keys, sizeof(keys) / sizeof(keys[0]), sizeof(keys[0]), key_cmp);
	if(!k)
		return fail(l, "unknown key '%s'", shown(show, sizeof(show), name));
	return k->add(l, k->name, value);
}

/* The handler only sees sections that hold keys; an empty one still exists. */
static void note_section(struct loader *l, const char *start, size_t len)
{
	const char *close = memchr(start, ']', len);

	if(len && *start == '[' && close &&
	   is_section(start + 1, (size_t)(close - start - 1), l->section))
		l->section_found = true;
}

/* libinih's line reader, fed from memory. Leading blanks are dropped so that an indented
 * line is never taken as the continuation of the previous value (Monitoring Plugins ini
 * files have no continuation lines). Counting here gives the handler its line number. */
static char *next_line(char *str, int num, void *stream)
{
	struct loader *l = stream;
	const char *start = l->buf + l->pos;
	const char *nl;
	size_t len;

	if(l->pos >= l->len || l->fail_line)
		return NULL;
	nl = memchr(start, '\n', l->len - l->pos);
	len = nl ? (size_t)(nl - start) : l->len - l->pos;
	l->pos += len + (nl ? 1 : 0);
	if(++l->line == 1 && len >= 3 && !memcmp(start, "\xef\xbb\xbf", 3)) {
		start += 3; /* a UTF-8 byte order mark */
		len -= 3;
	}
	while(len && (*start == ' ' || *start == '\t')) {
		start++;
		len--;
	}
	if(memchr(start, '\0', len))
		fail(l, "NUL byte in line");
	else if(len >= (size_t)num)
		fail(l, "line longer than %d characters", num - 1);
	if(l->fail_line)
		return NULL;
	note_section(l, start, len);
	memcpy(str, start, len);
	str[len] = '\0';
	return str;
}

/* The whole file in memory: the reader can count lines, and the bytes of a secret can be
 * wiped afterwards. O_NONBLOCK keeps a FIFO from hanging the plugin before it is refused. */
static int slurp(struct loader *l, mode_t *mode, const char *path, struct kc_err *e)
{
	struct stat st;
	size_t cap = 0;
	ssize_t n = 1;
	const char *why = NULL;
	int fd = open(l->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if(fd < 0 || fstat(fd, &st))
		why = strerror(errno);
	else if(!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if(st.st_size > FILE_MAX)
		why = "larger than 1 MiB";
	else if(!(l->buf = malloc((cap = (size_t)st.st_size + 1))))
		why = "out of memory";
	while(!why && n > 0 && l->len < cap) {
		n = read(fd, l->buf + l->len, cap - l->len);
		if(n < 0 && errno != EINTR)
			why = strerror(errno);
		else if(n > 0)
			l->len += (size_t)n;
	}
	if(!why && l->len == cap)
		why = "file changed while being read";
	if(!why)
		*mode = st.st_mode;
	if(fd >= 0)
		close(fd);
	return why ? kc_err_set(e, "extra-opts: %s: %s", path, why) : 0;
}

static int parse(struct loader *l, mode_t mode, const char *path, struct kc_err *e)
{
	char section[SECTION_MAX + 4];
	int rc = ini_parse_stream(next_line, l, on_pair, l);

	/* libinih reports the first bad line but not why; the handler's own complaint wins
	 * only when it came first. */
	if(rc > 0 && (!l->fail_line || rc < l->fail_line)) {
		l->fail_line = rc;
		snprintf(l->fail, sizeof(l->fail),
		         "malformed line (expected 'key = value', '[section]' or a comment)");
	}
	if(rc < 0 && !l->fail_line)
		return kc_err_set(e, "extra-opts: %s: out of memory", path);
	if(l->fail_line)
		return kc_err_set(e, "extra-opts: %s:%d: %s", path, l->fail_line, l->fail);
	if(!l->section_found)
		return kc_err_set(e, "extra-opts: %s: no section [%s]", path,
		                  shown(section, sizeof(section), l->section));
	if(l->out->secret && (mode & S_IROTH))
		return kc_err_set(
		        e,
		        "extra-opts: %s:%d: refusing client-secret from a file that others "
		        "can read (mode %04o); chmod o-r the file",
		        path, l->secret_line, (unsigned)(mode & 07777));
	return 0;
}

/* "[section][@file]": an empty section means the default, no '@' means the search path. */
static int parse_spec(const char *spec, const char *section_default, char *section,
                      const char **file, struct kc_err *e)
{
	const char *at = spec ? strchr(spec, '@') : NULL;
	size_t len = spec ? (at ? (size_t)(at - spec) : strlen(spec)) : 0;

	if(!len) {
		spec = section_default;
		len = strlen(spec);
	}
	if(len > SECTION_MAX)
		return kc_err_set(e, "extra-opts: section name longer than %d characters",
		                  SECTION_MAX);
	memcpy(section, spec, len);
	section[len] = '\0';
	*file = at ? at + 1 : NULL;
	if(at && !at[1])
		return kc_err_set(e, "extra-opts: no file name after '@'");
	return 0;
}

static int find_file(const char *const *search, const char **file, struct kc_err *e)
{
	const char *env = getenv("MP_CONFIG_FILE");
	struct stat st;

	if(env && *env) {
		*file = env;
		return 0;
	}
	for(; *search; search++)
		if(!stat(*search, &st)) {
			*file = *search;
			return 0;
		}
	return kc_err_set(e, "extra-opts: no configuration file found in the standard locations "
	                     "(see FILES in check_kore_campaign(1)); set MP_CONFIG_FILE or use "
	                     "--extra-opts=@FILE");
}

int kc_extraopts_load_search(const char *spec, const char *section_default,
                             const char *const *search, struct kc_extraopts *out, struct kc_err *e)
{
	char section[SECTION_MAX + 1];
	char path[204];
	struct loader l = { .section = section, .out = out };
	mode_t mode = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if(parse_spec(spec, section_default, section, &l.path, e))
		return -1;
	if(!l.path && find_file(search, &l.path, e))
		return -1;
	shown(path, sizeof(path), l.path);
	if(!slurp(&l, &mode, path, e))
		rc = parse(&l, mode, path, e);
	if(l.buf)
		explicit_bzero(l.buf, l.len);
	free(l.buf);
	if(rc)
		kc_extraopts_free(out);
	return rc;
}

int kc_extraopts_load(const char *spec, const char *section_default, struct kc_extraopts *out,
                      struct kc_err *e)
{
	return kc_extraopts_load_search(spec, section_default, search_path, out, e);
}

void kc_extraopts_free(struct kc_extraopts *x)
{
	for(int i = 0; i < x->count; i++)
		free(x->args[i]);
	free(x->args);
	if(x->secret)
		explicit_bzero(x->secret, x->secret_len);
	free(x->secret);
	memset(x, 0, sizeof(*x));
}

const char *kc_extraopts_key(size_t i)
{
	return i < sizeof(keys) / sizeof(keys[0]) ? keys[i].name : NULL;
}

const char *kc_extraopts_search_path(size_t i)
{
	return i < sizeof(search_path) / sizeof(search_path[0]) ? search_path[i] : NULL;
}
