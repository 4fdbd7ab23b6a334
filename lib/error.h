/* First-error-wins message carrier: library code fills it, only main prints it. */
#ifndef KC_ERROR_H
#define KC_ERROR_H

#include <stdbool.h>

struct kc_err {
	bool set;
	char msg[512];
};

/* Records the message unless an earlier one is already there; returns -1 so
 * that callers can write `return kc_err_set(e, ...);`. */
int kc_err_set(struct kc_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
