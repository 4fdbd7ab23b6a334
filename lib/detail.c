/* The -v detail lines: what was asked, how long each step took, what came back.
 * Built in a buffer, sanitised line by line; main prints it after the status line. */
#include "detail.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "output.h"

void kc_detail_add(struct kc_detail *v, const char *fmt, ...)
{
	char raw[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if(n < 0 || v->len + 2 >= sizeof(v->text))
		return;
	v->len += kc_sanitize(v->text + v->len, sizeof(v->text) - v->len - 1, raw, strlen(raw),
	                      sizeof(raw));
	v->text[v->len++] = '\n';
	v->text[v->len] = '\0';
}

static void detail_block(struct kc_detail *v, const char *label, const char *data, size_t len)
{
	while(len) {
		const char *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) : len;

		size_t shown = n && data[n - 1] == '\r' ? n - 1 : n;

		if(shown)
			kc_detail_add(v, "%s%.*s", label, (int)shown, data);
		n += nl != NULL;
		data += n;
		len -= n;
	}
}

void kc_detail_describe(struct kc_detail *v, const struct kc_config *cfg, const char *url,
                        const struct kc_http_response *res)
{
	if(cfg->verbose >= 1)
		kc_detail_add(v, "request: POST %s -> HTTP %ld, %zu bytes in %.6fs", url,
		              res->status, res->len, res->seconds);
	if(cfg->verbose >= 2)
		kc_detail_add(
		        v,
		        "timings: dns %.6fs, connect %.6fs, tls %.6fs, first byte %.6fs, total "
		        "%.6fs",
		        res->t_dns, res->t_connect, res->t_tls, res->t_first_byte, res->seconds);
	if(cfg->verbose >= 3) {
		kc_detail_add(v, "> auth: [redacted]");
		kc_detail_add(v, "> iid: %s", cfg->iid);
		kc_detail_add(v, "> accountId: %s", cfg->account_id);
		detail_block(v, "< ", res->headers, res->headers_len);
		detail_block(v, "body: ", res->body, res->len > 4096 ? 4096 : res->len);
	}
}
