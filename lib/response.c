/* Response body -> campaign; the only file that includes json-c.
 * json-c validates the syntax (strict mode, UTF-8, bounded depth); this file
 * checks the shape and refuses anything ambiguous. */
#include "response.h"

#include "utf8.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 16

/* json-c keeps the last of two equal keys.  In strict JSON a ':' outside a
 * string only ever separates a key from its value, so a document without
 * duplicates has exactly as many of them as the parsed tree has members.
 * json-c also cuts keys at an escaped NUL ("status\u0000x" would read as
 * "status"), so any \u0000 makes the document ambiguous: -1. */
static long count_separators(const char *s, size_t len)
{
	long n = 0;
	int in_string = 0;

	for(size_t i = 0; i < len; i++) {
		if(in_string) {
			if(s[i] == '\\') {
				if(len - i > 5 && !memcmp(s + i + 1, "u0000", 5))
					return -1;
				i++;
			} else if(s[i] == '"')
				in_string = 0;
		} else if(s[i] == '"')
			in_string = 1;
		else if(s[i] == ':')
			n++;
	}
	return n;
}

static long count_members(struct json_object *o)
{
	long n = 0;

	if(json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, val)
		{
			(void)key;
			n += 1 + count_members(val);
		}
	} else if(json_object_is_type(o, json_type_array)) {
		for(size_t i = 0; i < json_object_array_length(o); i++)
			n += count_members(json_object_array_get_idx(o, i));
	}
	return n;
}

static struct json_object *parse_document(const char *body, size_t len, struct kc_err *e)
{
	struct json_tokener *tok = json_tokener_new_ex(MAX_DEPTH);
	struct json_object *root = NULL;
	enum json_tokener_error jerr;
	long separators;

	if(!tok) {
		kc_err_set(e, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, body, (int)len);
	jerr = json_tokener_get_error(tok);
	if(!root || jerr != json_tokener_success || json_tokener_get_parse_end(tok) != len) {
		if(jerr == json_tokener_error_depth)
			kc_err_set(e, "JSON nested deeper than %d levels", MAX_DEPTH);
		else if(jerr == json_tokener_continue)
			kc_err_set(e, "body is truncated JSON");
		else
			kc_err_set(e, "body is not valid JSON (%s)",
			           jerr == json_tokener_success ? "trailing data"
			                                        : json_tokener_error_desc(jerr));
		json_object_put(root);
		root = NULL;
	} else if((separators = count_separators(body, len)) != count_members(root)) {
		kc_err_set(e, separators < 0 ? "body contains a NUL character (\\u0000)"
		                             : "body has duplicate keys");
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	return root;
}

/* A string member without embedded NUL bytes, or NULL. */
static const char *string_member(struct json_object *obj, const char *key, size_t *len)
{
	struct json_object *v = NULL;
	const char *s;

	if(!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	return strlen(s) == *len ? s : NULL;
}

static void error_text(struct json_object *root, bool with_code, char *out, size_t size)
{
	struct json_object *errors = NULL, *first, *code = NULL;
	const char *msg = NULL;
	size_t len = 0;

	snprintf(out, size, "API reported failure");
	if(!json_object_object_get_ex(root, "errors", &errors) ||
	   !json_object_is_type(errors, json_type_array) || !json_object_array_length(errors))
		return;
	first = json_object_array_get_idx(errors, 0);
	if(!json_object_is_type(first, json_type_object))
		return;
	msg = string_member(first, "msg", &len);
	if(!msg || strspn(msg, " \t\r\n") == len) /* an empty message says nothing */
		return;
	json_object_object_get_ex(first, "code", &code);
	if(with_code && (json_object_is_type(code, json_type_string) ||
	                 json_object_is_type(code, json_type_int)))
		snprintf(out, size, "%.*s (code %.32s)", (int)(len > 200 ? 200 : len), msg,
		         json_object_get_string(code));
	else
		snprintf(out, size, "%.*s", (int)(len > 200 ? 200 : len), msg);
}

static enum kc_response read_campaign(struct json_object *data, struct kc_campaign *c,
                                      struct kc_err *e)
{
	struct json_object *v = NULL;
	const char *state, *name;
	size_t len = 0;

	if(!json_object_is_type(data, json_type_object)) {
		kc_err_set(e, "\"data\" is missing or not an object");
		return KC_RESPONSE_INVALID;
	}
	state = string_member(data, "status", &len);
	if(!state) {
		json_object_object_get_ex(data, "status", &v);
		kc_err_set(e, json_object_is_type(v, json_type_string)
		                      ? "campaign state contains a NUL byte"
		                      : "campaign state is missing or not a string");
		return KC_RESPONSE_INVALID;
	}
	if(len == 0 || len >= sizeof(c->state)) {
		kc_err_set(e, "campaign state is empty or too long");
		return KC_RESPONSE_INVALID;
	}
	memcpy(c->state, state, len + 1);
	name = string_member(data, "name", &len);
	if(name) {
		c->name_len = len < sizeof(c->name) ? len : sizeof(c->name) - 1;
		memcpy(c->name, name, c->name_len);
	}
	c->name[c->name_len] = '\0';
	return KC_RESPONSE_CAMPAIGN;
}

enum kc_response kc_response_parse(const char *body, size_t len, struct kc_campaign *c,
                                   struct kc_err *e)
{
	struct json_object *root = NULL, *data = NULL;
	enum kc_response result = KC_RESPONSE_INVALID;
	const char *status;
	char text[256];
	size_t slen = 0;

	memset(c, 0, sizeof(*c));
	if(len == 0) {
		kc_err_set(e, "empty body");
		return KC_RESPONSE_INVALID;
	}
	if(memchr(body, '\0', len)) {
		kc_err_set(e, "body contains a NUL byte");
		return KC_RESPONSE_INVALID;
	}
	if(!kc_utf8_valid(body, len)) {
		kc_err_set(e, "body is not valid UTF-8");
		return KC_RESPONSE_INVALID;
	}
	root = parse_document(body, len, e);
	if(!root)
		goto out;
	if(!json_object_is_type(root, json_type_object)) {
		kc_err_set(e, "body is not a JSON object");
		goto out;
	}
	status = string_member(root, "status", &slen);
	if(status && !strcmp(status, "failure")) {
		error_text(root, true, text, sizeof(text));
		kc_err_set(e, "%s", text);
		result = KC_RESPONSE_API_ERROR;
	} else if(status && !strcmp(status, "success")) {
		json_object_object_get_ex(root, "data", &data);
		result = read_campaign(data, c, e);
	} else
		kc_err_set(e, "\"status\" is missing or not \"success\"/\"failure\"");
out:
	json_object_put(root);
	return result;
}

int kc_response_error_text(const char *body, size_t len, char *out, size_t size)
{
	struct kc_err ignored = { 0 };
	struct json_object *root;

	if(!len || memchr(body, '\0', len))
		return -1;
	root = parse_document(body, len, &ignored);
	if(!root)
		return -1;
	error_text(root, false, out, size);
	json_object_put(root);
	return strcmp(out, "API reported failure") ? 0 : -1;
}
