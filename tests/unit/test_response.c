/* Response bodies: the documented shape is accepted, anything else is refused with a reason. */
#include <stdlib.h>
#include <string.h>

#include "response.h"
#include "tap.h"

struct body_case {
	const char *name;
	const char *body;
	size_t len; /* 0: strlen */
	enum kc_response kind;
	const char *expect; /* the state, or a substring of the error */
};

#define OKBODY(st)                                                                                 \
	"{\"status\":\"success\",\"data\":{\"id\":\"c1\",\"status\":\"" st "\",\"name\":\"N\"}}"

#define NULBODY "{\"status\":\"success\",\"data\":{\"status\":\"Active\0\"}}"

static const struct body_case cases[] = {
	{ "documented success", OKBODY("Active"), 0, KC_RESPONSE_CAMPAIGN, "Active" },
	{ "other state kept verbatim", OKBODY("Stopped"), 0, KC_RESPONSE_CAMPAIGN, "Stopped" },
	{ "extra members ignored",
	  "{\"status\":\"success\",\"data\":{\"status\":\"Paused\",\"x\":[1,{\"y\":null}]},\"z\":"
	  "1}",
	  0, KC_RESPONSE_CAMPAIGN, "Paused" },
	{ "whitespace allowed",
	  " {\n \"status\" : \"success\" , \"data\" : {\"status\":\"Ready\"} }\n", 0,
	  KC_RESPONSE_CAMPAIGN, "Ready" },
	{ "API failure with message and code",
	  "{\"status\":\"failure\",\"errors\":[{\"msg\":\"Campaign is "
	  "archived\",\"code\":\"4001\"}]}",
	  0, KC_RESPONSE_API_ERROR, "Campaign is archived (code 4001)" },
	{ "API failure with numeric code",
	  "{\"status\":\"failure\",\"errors\":[{\"msg\":\"Nope\",\"code\":404}]}", 0,
	  KC_RESPONSE_API_ERROR, "Nope (code 404)" },
	{ "API failure without errors", "{\"status\":\"failure\"}", 0, KC_RESPONSE_API_ERROR,
	  "API reported failure" },
	{ "empty body", "", 0, KC_RESPONSE_INVALID, "empty body" },
	{ "malformed JSON", "{\"status\":\"success\",", 0, KC_RESPONSE_INVALID, "truncated" },
	{ "HTML page", "<html><body>502 Bad Gateway</body></html>", 0, KC_RESPONSE_INVALID,
	  "not valid JSON" },
	{ "trailing garbage", OKBODY("Active") "x", 0, KC_RESPONSE_INVALID, "not valid JSON" },
	{ "two documents", OKBODY("Stopped") OKBODY("Active"), 0, KC_RESPONSE_INVALID,
	  "not valid JSON" },
	{ "top level array", "[" OKBODY("Active") "]", 0, KC_RESPONSE_INVALID,
	  "not a JSON object" },
	{ "data missing", "{\"status\":\"success\"}", 0, KC_RESPONSE_INVALID, "\"data\"" },
	{ "data is an array", "{\"status\":\"success\",\"data\":[]}", 0, KC_RESPONSE_INVALID,
	  "\"data\"" },
	{ "data is null", "{\"status\":\"success\",\"data\":null}", 0, KC_RESPONSE_INVALID,
	  "\"data\"" },
	{ "status is a number", "{\"status\":5,\"data\":{\"status\":\"Active\"}}", 0,
	  KC_RESPONSE_INVALID, "\"status\"" },
	{ "status is null", "{\"status\":null,\"data\":{\"status\":\"Active\"}}", 0,
	  KC_RESPONSE_INVALID, "\"status\"" },
	{ "status is another word", "{\"status\":\"ok\",\"data\":{\"status\":\"Active\"}}", 0,
	  KC_RESPONSE_INVALID, "\"status\"" },
	{ "state is a number", "{\"status\":\"success\",\"data\":{\"status\":7}}", 0,
	  KC_RESPONSE_INVALID, "not a string" },
	{ "state missing", "{\"status\":\"success\",\"data\":{\"name\":\"x\"}}", 0,
	  KC_RESPONSE_INVALID, "not a string" },
	{ "state empty", OKBODY(""), 0, KC_RESPONSE_INVALID, "empty" },
	{ "state with escaped NUL", OKBODY("Active\\u0000x"), 0, KC_RESPONSE_INVALID, "NUL" },
	{ "key with escaped NUL read as another key",
	  "{\"status\":\"success\",\"data\":{\"name\":\"n\",\"status\\u0000x\":\"Active\"}}", 0,
	  KC_RESPONSE_INVALID, "NUL" },
	{ "escaped backslash before u0000 is plain text",
	  "{\"status\":\"success\",\"data\":{\"status\":\"Active\",\"name\":\"a\\\\u0000\"}}", 0,
	  KC_RESPONSE_CAMPAIGN, "Active" },
	{ "raw NUL byte in body", NULBODY, sizeof(NULBODY) - 1, KC_RESPONSE_INVALID, "NUL" },
	{ "duplicate state key",
	  "{\"status\":\"success\",\"data\":{\"status\":\"Stopped\",\"status\":\"Active\"}}", 0,
	  KC_RESPONSE_INVALID, "duplicate" },
	{ "duplicate key spelled with an escape",
	  "{\"status\":\"success\",\"data\":{\"status\":\"Stopped\",\"st\\u0061tus\":\"Active\"}}",
	  0, KC_RESPONSE_INVALID, "duplicate" },
	{ "duplicate top-level status",
	  "{\"status\":\"failure\",\"status\":\"success\",\"data\":{\"status\":\"Active\"}}", 0,
	  KC_RESPONSE_INVALID, "duplicate" },
	{ "duplicate deep inside",
	  "{\"status\":\"success\",\"data\":{\"status\":\"Active\",\"x\":{\"a\":1,\"a\":2}}}", 0,
	  KC_RESPONSE_INVALID, "duplicate" },
	{ "colon inside strings is not a key",
	  "{\"status\":\"success\",\"data\":{\"status\":\"Active\",\"name\":\"a:b\\\":c\"}}", 0,
	  KC_RESPONSE_CAMPAIGN, "Active" },
	{ "invalid UTF-8",
	  "{\"status\":\"success\",\"data\":{\"status\":\"Active\",\"name\":\"\xff\xfe\"}}", 0,
	  KC_RESPONSE_INVALID, "not valid UTF-8" },
	{ "multi-byte UTF-8 accepted",
	  "{\"status\":\"success\",\"data\":{\"status\":\"Active\",\"name\":\"Caf\xc3\xa9 "
	  "\xf0\x9f\x93\x9e\"}}",
	  0, KC_RESPONSE_CAMPAIGN, "Active" },
	{ "overlong UTF-8 form",
	  "{\"status\":\"success\",\"data\":{\"status\":\"Active\",\"m\":\"\xc0\xaf\"}}", 0,
	  KC_RESPONSE_INVALID, "not valid UTF-8" },
	{ "UTF-16 surrogate encoded in UTF-8",
	  "{\"status\":\"success\",\"data\":{\"status\":\"Active\",\"m\":\"\xed\xa0\x80\"}}", 0,
	  KC_RESPONSE_INVALID, "not valid UTF-8" },
	{ "code point past U+10FFFF",
	  "{\"status\":\"success\",\"data\":{\"status\":\"Active\",\"m\":\"\xf4\x90\x80\x80\"}}", 0,
	  KC_RESPONSE_INVALID, "not valid UTF-8" },
	{ "API failure with a blank message",
	  "{\"status\":\"failure\",\"errors\":[{\"msg\":\" \",\"code\":7}]}", 0,
	  KC_RESPONSE_API_ERROR, "API reported failure" },
	{ "single quotes", "{'status':'success'}", 0, KC_RESPONSE_INVALID, "not valid JSON" },
	{ "comment", "/* x */" OKBODY("Active"), 0, KC_RESPONSE_INVALID, "not valid JSON" },
};

static void check_case(const struct body_case *c)
{
	struct kc_campaign camp;
	struct kc_err e = { 0 };
	size_t len = c->len ? c->len : strlen(c->body);
	enum kc_response kind = kc_response_parse(c->body, len, &camp, &e);

	if(c->kind == KC_RESPONSE_CAMPAIGN)
		ok(kind == c->kind && !strcmp(camp.state, c->expect), "%s", c->name);
	else
		ok(kind == c->kind && e.set && strstr(e.msg, c->expect), "%s: %s", c->name, e.msg);
}

static void test_deep_nesting(void)
{
	size_t depth = 100000, len = 2 * depth;
	char *body = malloc(len);
	struct kc_campaign camp;
	struct kc_err e = { 0 };

	memset(body, '[', depth);
	memset(body + depth, ']', depth);
	ok(kc_response_parse(body, len, &camp, &e) == KC_RESPONSE_INVALID &&
	           strstr(e.msg, "deeper"),
	   "100000 nested arrays refused without recursion: %s", e.msg);
	free(body);
}

static void test_name(void)
{
	const char *body =
	        "{\"status\":\"success\",\"data\":{\"status\":\"Active\",\"name\":\"A|B\\nC\"}}";
	struct kc_campaign camp;
	struct kc_err e = { 0 };

	ok(kc_response_parse(body, strlen(body), &camp, &e) == KC_RESPONSE_CAMPAIGN &&
	           camp.name_len == 5 && !memcmp(camp.name, "A|B\nC", 5),
	   "name returned raw for the output module to sanitise");
}

static void test_error_text(void)
{
	const char *body =
	        "{\"status\":\"failure\",\"errors\":[{\"msg\":\"Invalid token\",\"code\":401}]}";
	char out[128];

	ok(kc_response_error_text(body, strlen(body), out, sizeof(out)) == 0 &&
	           !strcmp(out, "Invalid token"),
	   "error text from an HTTP error body");
	ok(kc_response_error_text("<html>", 6, out, sizeof(out)) == -1, "no error text in HTML");
	ok(kc_response_error_text("{\"errors\":[]}", 13, out, sizeof(out)) == -1,
	   "no error text in an empty list");
}

int main(void)
{
	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
	test_deep_nesting();
	test_name();
	test_error_text();
	return tap_done();
}
