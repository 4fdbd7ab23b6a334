/* The one HTTPS request; the only file that includes <curl/curl.h>. */
#ifndef KC_HTTP_H
#define KC_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define KC_BODY_MAX (1024 * 1024)
#define KC_HEADERS_MAX (16 * 1024)

enum kc_api { KC_API_V1, KC_API_V2 };

struct kc_http_request {
	const char *url;
	const char *token;
	const char *iid;
	const char *account_id;
	const char *cacert; /* NULL: use capath */
	const char *capath; /* NULL with cacert set: the file alone */
	bool insecure;
	int ip_version; /* 0 (any), 4 or 6 */
	const char *proxy;
	long timeout_ms;
	bool keep_headers; /* collect response headers for -vvv */
};

enum kc_http_result {
	KC_HTTP_DONE, /* a complete response arrived, whatever its status */
	KC_HTTP_TIMEOUT,
	KC_HTTP_TLS,      /* handshake or certificate */
	KC_HTTP_CONNECT,  /* DNS, connection, protocol */
	KC_HTTP_TOO_LARGE /* body over KC_BODY_MAX */
};

struct kc_http_response {
	long status;
	char *body;
	size_t len;
	char retry_after[32];
	char *headers; /* only with keep_headers */
	size_t headers_len;
	double seconds; /* total, also on failure */
	double t_dns, t_connect, t_tls, t_first_byte;
};

/* Writes the endpoint URL for the API version; -1 if it does not fit. */
int kc_http_url(char *buf, size_t size, enum kc_api api, const char *host, long port,
                const char *iid, const char *account_id, const char *campaign)
        __attribute__((warn_unused_result));

/* Sends the POST.  On anything but KC_HTTP_DONE, e says what went wrong. */
enum kc_http_result kc_http_post(const struct kc_http_request *req, struct kc_http_response *res,
                                 struct kc_err *e) __attribute__((warn_unused_result));

void kc_http_response_free(struct kc_http_response *res);

#endif
