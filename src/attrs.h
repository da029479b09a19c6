/*
 * attrs.h -- the compiler attributes rcgc's sources use, in one place, each with its reason.
 * Included by internal.h (and by debug.h, which uses them). Every macro expands to nothing,
 * or to its plain argument, on a compiler without GNU C extensions, so no meaning rests on
 * them: they steer code layout and warnings only. No file of src/ spells __attribute__ or
 * __builtin_expect out; include/rcgc.h keeps its own two (RC_API, rc_strbuf_printf's
 * format), since a public header cannot include this one.
 */
#ifndef RCGC_ATTRS_H
#define RCGC_ATTRS_H

#if defined(__GNUC__)

/* Keeps a slow path out of line so that the fast path around it needs no stack frame. */
#define RCI_NOINLINE __attribute__((noinline))
/* A path taken rarely (failure, misuse): laid out away from the hot code. */
#define RCI_COLD __attribute__((cold))
/* A small helper of a hot loop that the compiler would otherwise leave as a call. */
#define RCI_ALWAYS_INLINE inline __attribute__((always_inline))
/* The branch's expected outcome; x is any scalar condition. */
#define RCI_LIKELY(x) __builtin_expect(!!(x), 1)
#define RCI_UNLIKELY(x) __builtin_expect(!!(x), 0)
/* The function takes a printf format as argument fmt_index, its values from first_arg on
 * (1-based): the compiler checks each call's arguments against the format. */
#define RCI_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))

#else

#define RCI_NOINLINE
#define RCI_COLD
#define RCI_ALWAYS_INLINE inline
#define RCI_LIKELY(x) (x)
#define RCI_UNLIKELY(x) (x)
#define RCI_PRINTF(fmt_index, first_arg)

#endif

#endif /* RCGC_ATTRS_H */
