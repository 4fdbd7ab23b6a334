/* Plugin result states, their names and how two of them combine. */
#ifndef KC_STATE_H
#define KC_STATE_H

enum kc_state { KC_OK = 0, KC_WARNING = 1, KC_CRITICAL = 2, KC_UNKNOWN = 3 };

const char *kc_state_name(enum kc_state s);

/* Accepts OK, WARNING, CRITICAL, UNKNOWN (any case) or the digits 0-3. */
int kc_state_parse(const char *text, enum kc_state *out) __attribute__((warn_unused_result));

/* CRITICAL > WARNING > UNKNOWN > OK: a real problem outranks "cannot tell". */
enum kc_state kc_state_worst(enum kc_state a, enum kc_state b);

#endif
