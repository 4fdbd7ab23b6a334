/* The floor: the least a libcurl program can do to fetch the campaign status
 * over verified HTTPS.  The benchmark compares the plugin against it.
 *
 * usage: floor URL capath|cainfo PATH TOKEN IID ACCOUNT
 * Writes the body to stdout; exits 0 on HTTP 200, 2 otherwise.
 * Built with -DFLOOR_CALL_VERSION it also calls curl_version(), to show what
 * that one call costs. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

static struct curl_slist *header(struct curl_slist *list, const char *name, const char *value)
{
	char line[4096];

	snprintf(line, sizeof(line), "%s: %s", name, value);
	return curl_slist_append(list, line);
}

int main(int argc, char **argv)
{
	struct curl_slist *headers = NULL;
	long status = 0;
	CURLcode rc;
	CURL *h;
	int capath;

	if(argc != 7) {
		fputs("usage: floor URL capath|cainfo PATH TOKEN IID ACCOUNT\n", stderr);
		return 3;
	}
	capath = !strcmp(argv[2], "capath");
	h = curl_easy_init();
#ifdef FLOOR_CALL_VERSION
	fprintf(stderr, "%s\n", curl_version());
#endif
	if(!h)
		return 3;
	headers = header(headers, "auth", argv[4]);
	headers = header(headers, "iid", argv[5]);
	headers = header(headers, "accountId", argv[6]);
	headers = header(headers, "Content-Type", "application/json");
	headers = header(headers, "Accept", "application/json");
	curl_easy_setopt(h, CURLOPT_URL, argv[1]);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, "{}");
	curl_easy_setopt(h, CURLOPT_CAINFO, capath ? NULL : argv[3]);
	curl_easy_setopt(h, CURLOPT_CAPATH, capath ? argv[3] : NULL);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	curl_slist_free_all(headers);
	if(rc != CURLE_OK)
		fprintf(stderr, "floor: %s\n", curl_easy_strerror(rc));
	return rc == CURLE_OK && status == 200 ? 0 : 2;
}
