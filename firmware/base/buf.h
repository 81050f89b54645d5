/*
 * buf.h — a growable byte buffer with a hard cap (after curl's dynbuf).
 *
 * Every buffer that holds bytes from outside (a file, a stick, the network) has a cap, so a
 * hostile input can make an operation fail with KK_E2BIG but never exhaust memory.
 * The data is always NUL-terminated for convenience (the NUL is not counted in len).
 */
#ifndef KK_BASE_BUF_H
#define KK_BASE_BUF_H

#include <stddef.h>

struct kk_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* hard cap on len */
};

void kk_buf_init(struct kk_buf *b, size_t max);
void kk_buf_fini(struct kk_buf *b);
void kk_buf_reset(struct kk_buf *b);
/* Append n bytes. Returns 0, KK_E2BIG when len would pass max, or KK_ENOMEM. */
int kk_buf_add(struct kk_buf *b, const void *p, size_t n);
int kk_buf_adds(struct kk_buf *b, const char *s);
int kk_buf_addf(struct kk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Detach the data (caller frees); the buffer is left empty. Never NULL on success. */
char *kk_buf_steal(struct kk_buf *b);

/* Read a whole file into b (which keeps its cap). Returns 0, KK_ENOENT, KK_EIO, KK_E2BIG. */
int kk_buf_read_file(struct kk_buf *b, const char *path);

/* strdup that returns NULL only when s is NULL or memory is out. */
char *kk_strdup(const char *s);
char *kk_strndup(const char *s, size_t n);

#endif
