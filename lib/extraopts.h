/* --extra-opts: plugin options read from a section of a Monitoring Plugins ini file.
 * The only module that knows the ini syntax; it turns keys into long options for the parser. */
#ifndef KC_EXTRAOPTS_H
#define KC_EXTRAOPTS_H

#include <stddef.h>

#include "error.h"

struct kc_extraopts {
	char **args; /* "--key=value" or "--flag" strings, in file order, each malloc'd */
	int count;
	char *secret; /* value of the ini-only key client-secret, or NULL */
	size_t secret_len;
};

/* spec is the text after "--extra-opts=": "[section][@file]", NULL or "" for the
 * default section in the first file of the search path (MP_CONFIG_FILE replaces
 * the search). On failure returns -1, fills e ("extra-opts: FILE:LINE: why") and
 * leaves out empty. Never prints, never exits. */
int kc_extraopts_load(const char *spec, const char *section_default, struct kc_extraopts *out,
                      struct kc_err *e) __attribute__((warn_unused_result));

/* The same with the search path injected (NULL-terminated), so that tests need not
 * touch /etc. */
int kc_extraopts_load_search(const char *spec, const char *section_default,
                             const char *const *search, struct kc_extraopts *out, struct kc_err *e)
        __attribute__((warn_unused_result));

/* Frees everything and wipes the secret; safe on a zeroed or already freed struct. */
void kc_extraopts_free(struct kc_extraopts *x);

/* The i-th accepted key in sorted order, NULL past the end: every long option except
 * help, version and extra-opts, plus client-secret. */
const char *kc_extraopts_key(size_t i);

/* The i-th file of the default search path, NULL past the end. */
const char *kc_extraopts_search_path(size_t i);

#endif
