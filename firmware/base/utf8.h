/*
 * utf8.h — strict UTF-8 decoding and validation.
 *
 * Strict means: no overlong forms, no surrogates, nothing above U+10FFFF. Text from an export or
 * a bundle is validated once at the boundary; code past it may assume valid UTF-8.
 */
#ifndef KK_BASE_UTF8_H
#define KK_BASE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode one code point at s[*i] (len bytes in all) and advance *i past it.
 * Returns the code point, or -1 for an invalid or truncated sequence (then *i advances by one
 * byte so a caller can resynchronise).
 */
int32_t kk_utf8_next(const char *s, size_t len, size_t *i);

/* Encode cp into out (4 bytes room); returns the byte count (0 for an invalid cp). */
size_t kk_utf8_encode(uint32_t cp, char out[4]);

/* Returns 1 if s[0..len) is valid UTF-8; else 0 and, if bad is not NULL, the first bad offset. */
int kk_utf8_valid(const char *s, size_t len, size_t *bad);

/* Number of code points in valid UTF-8 text. */
size_t kk_utf8_count(const char *s, size_t len);

#endif
