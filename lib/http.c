/* The one HTTPS request; the only file that includes <curl/curl.h>.
 * HTTPS only, verification on, no redirects, bounded body and time. */
#include "http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct sink {
	struct kc_http_response *res;
	bool keep_headers;
	bool too_large;
};

int kc_http_url(char *buf, size_t size, enum kc_api api, const char *host, long port,
                const char *iid, const char *account_id, const char *campaign)
{
	const char *open = strchr(host, ':') ? "[" : "";
	const char *close = *open ? "]" : "";
	int n;

	if(api == KC_API_V2)
		n = snprintf(buf, size,
		             "https://%s%s%s:%ld/campaign/api/v2/public/%s/campaign/%s/status"
		             "?accountId=%s&view=status",
		             open, host, close, port, iid, campaign, account_id);
	else
		n = snprintf(buf, size,
		             "https://%s%s%s:%ld/agentassist/api/v1/public/%s/campaign/%s/status"
		             "?view=status",
		             open, host, close, port, iid, campaign);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Appends to a bounded buffer, checking for overflow before any arithmetic. */
static int append(char **buf, size_t *len, size_t cap, const char *data, size_t n)
{
	char *grown;

	if(n > cap || *len > cap - n)
		return -1;
	grown = realloc(*buf, *len + n + 1);
	if(!grown)
		return -1;
	memcpy(grown + *len, data, n);
	*len += n;
	grown[*len] = '\0';
	*buf = grown;
	return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct sink *s = userp;
	size_t n = size * nmemb;

	if(append(&s->res->body, &s->res->len, KC_BODY_MAX, data, n)) {
		s->too_large = true;
		return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userp)
{
	struct sink *s = userp;
	size_t n = size * nmemb;
	static const char name[] = "retry-after:";

	if(n > sizeof(name) && !strncasecmp(data, name, sizeof(name) - 1)) {
		const char *v = data + sizeof(name) - 1;
		size_t vlen = n - (sizeof(name) - 1);
		while(vlen && (*v == ' ' || *v == '\t'))
			v++, vlen--;
		while(vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
			vlen--;
		if(vlen >= sizeof(s->res->retry_after))
			vlen = sizeof(s->res->retry_after) - 1;
		memcpy(s->res->retry_after, v, vlen);
		s->res->retry_after[vlen] = '\0';
	}
	/* header overflow only loses verbose detail, never the check */
	if(s->keep_headers)
		(void)append(&s->res->headers, &s->res->headers_len, KC_HEADERS_MAX, data, n);
	return n;
}

static CURLcode set_target(CURL *h, const struct kc_http_request *req, struct sink *s, char *errbuf)
{
	CURLcode rc = curl_easy_setopt(h, CURLOPT_URL, req->url);

	if(!rc)
		rc = curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	if(!rc)
		rc = curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	if(!rc)
		rc = curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	if(!rc)
		rc = curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	if(!rc)
		rc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	if(!rc)
		rc = curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	if(!rc)
		rc = curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	if(!rc)
		rc = curl_easy_setopt(h, CURLOPT_HEADERDATA, s);
	if(!rc)
		rc = curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)KC_BODY_MAX);
	return rc;
}

static CURLcode set_request(CURL *h, struct curl_slist *headers)
{
	CURLcode rc = curl_easy_setopt(h, CURLOPT_POSTFIELDS, "{}");

	if(!rc)
		rc = curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 2L);
	if(!rc)
		rc = curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	if(!rc)
		rc = curl_easy_setopt(h, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	return rc;
}

/* Without --cacert, the hashed directory lets OpenSSL load only the issuer it
 * needs instead of parsing the whole system bundle on every run. */
static CURLcode set_tls(CURL *h, const struct kc_http_request *req)
{
	const char *capath = req->capath ? req->capath : (req->cacert ? NULL : KC_DEFAULT_CAPATH);
	CURLcode rc = curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);

	if(!rc)
		rc = curl_easy_setopt(h, CURLOPT_CAINFO, req->cacert);
	if(!rc)
		rc = curl_easy_setopt(h, CURLOPT_CAPATH, capath);
	if(!rc)
		rc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, req->insecure ? 0L : 1L);
	if(!rc)
		rc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, req->insecure ? 0L : 2L);
	return rc;
}

static CURLcode set_network(CURL *h, const struct kc_http_request *req)
{
	long resolve = req->ip_version == 4   ? CURL_IPRESOLVE_V4
	               : req->ip_version == 6 ? CURL_IPRESOLVE_V6
	                                      : CURL_IPRESOLVE_WHATEVER;
	CURLcode rc = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);

	if(!rc)
		rc = curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms);
	if(!rc)
		rc = curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, req->timeout_ms);
	if(!rc)
		rc = curl_easy_setopt(h, CURLOPT_IPRESOLVE, resolve);
	if(!rc && req->proxy)
		rc = curl_easy_setopt(h, CURLOPT_PROXY, req->proxy);
	return rc;
}

static struct curl_slist *add_header(struct curl_slist *list, const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 3;
	char *line = malloc(n);
	struct curl_slist *grown = NULL;

	if(line) {
		snprintf(line, n, "%s: %s", name, value);
		grown = curl_slist_append(list, line);
		explicit_bzero(line, n);
		free(line);
	}
	if(!grown)
		curl_slist_free_all(list);
	return grown;
}

/* curl keeps its own copy of every header; wipe the one carrying the token. */
static void free_headers(struct curl_slist *list)
{
	for(struct curl_slist *l = list; l; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(list);
}

static struct curl_slist *build_headers(const struct kc_http_request *req)
{
	struct curl_slist *list = add_header(NULL, "auth", req->token);

	if(list)
		list = add_header(list, "iid", req->iid);
	if(list)
		list = add_header(list, "accountId", req->account_id);
	if(list)
		list = add_header(list, "Content-Type", "application/json");
	if(list)
		list = add_header(list, "Accept", "application/json");
	return list;
}

static bool is_tls_error(CURLcode rc)
{
	switch(rc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_USE_SSL_FAILED: return true;
	default: return false;
	}
}

static enum kc_http_result classify(CURLcode rc, const struct sink *s, const char *errbuf,
                                    struct kc_err *e)
{
	const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);

	if(s->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
		kc_err_set(e, "response body exceeds %d bytes", KC_BODY_MAX);
		return KC_HTTP_TOO_LARGE;
	}
	if(rc == CURLE_OPERATION_TIMEDOUT) {
		kc_err_set(e, "%s", detail);
		return KC_HTTP_TIMEOUT;
	}
	kc_err_set(e, "%s", detail);
	return is_tls_error(rc) ? KC_HTTP_TLS : KC_HTTP_CONNECT;
}

static double seconds_of(CURL *h, CURLINFO what)
{
	curl_off_t us = 0;

	return curl_easy_getinfo(h, what, &us) ? 0.0 : (double)us / 1e6;
}

static void collect(CURL *h, struct kc_http_response *res)
{
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
	res->seconds = seconds_of(h, CURLINFO_TOTAL_TIME_T);
	res->t_dns = seconds_of(h, CURLINFO_NAMELOOKUP_TIME_T);
	res->t_connect = seconds_of(h, CURLINFO_CONNECT_TIME_T);
	res->t_tls = seconds_of(h, CURLINFO_APPCONNECT_TIME_T);
	res->t_first_byte = seconds_of(h, CURLINFO_STARTTRANSFER_TIME_T);
}

enum kc_http_result kc_http_post(const struct kc_http_request *req, struct kc_http_response *res,
                                 struct kc_err *e)
{
	struct sink sink = { .res = res, .keep_headers = req->keep_headers };
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = NULL;
	enum kc_http_result result = KC_HTTP_CONNECT;
	CURL *h = NULL;
	CURLcode rc = CURLE_FAILED_INIT;

	memset(res, 0, sizeof(*res));
	if(curl_global_init(CURL_GLOBAL_DEFAULT)) {
		kc_err_set(e, "cannot initialise libcurl");
		return KC_HTTP_CONNECT;
	}
	h = curl_easy_init();
	headers = build_headers(req);
	if(h && headers) {
		rc = set_target(h, req, &sink, errbuf);
		if(!rc)
			rc = set_request(h, headers);
		if(!rc)
			rc = set_tls(h, req);
		if(!rc)
			rc = set_network(h, req);
		if(!rc)
			rc = curl_easy_perform(h);
		collect(h, res);
	}
	if(rc == CURLE_OK)
		result = KC_HTTP_DONE;
	else if(!h || !headers)
		kc_err_set(e, "cannot set up the request: out of memory");
	else
		result = classify(rc, &sink, errbuf, e);
	free_headers(headers);
	curl_easy_cleanup(h);
	curl_global_cleanup();
	return result;
}

void kc_http_response_free(struct kc_http_response *res)
{
	free(res->body);
	free(res->headers);
	res->body = res->headers = NULL;
	res->len = res->headers_len = 0;
}
