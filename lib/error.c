/* First-error-wins message carrier. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

int kc_err_set(struct kc_err *e, const char *fmt, ...)
{
	va_list ap;

	if(!e || e->set)
		return -1;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->set = true;
	return -1;
}
