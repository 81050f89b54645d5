/* buf.c — see buf.h. */
#include "buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

void kk_buf_init(struct kk_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void kk_buf_fini(struct kk_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void kk_buf_reset(struct kk_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int buf_reserve(struct kk_buf *b, size_t n)
{
	size_t want, cap;
	char *p;

	if (n > b->max || b->len > b->max - n)
		return KK_E2BIG;
	want = b->len + n + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap = cap > ((size_t)-1) / 2 ? want : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return KK_ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int kk_buf_add(struct kk_buf *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int kk_buf_adds(struct kk_buf *b, const char *s)
{
	return kk_buf_add(b, s, strlen(s));
}

int kk_buf_addf(struct kk_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return KK_EINVAL;
	rc = buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

char *kk_buf_steal(struct kk_buf *b)
{
	char *p;
	if (!b->data && kk_buf_add(b, "", 0))
		return NULL;
	p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

int kk_buf_read_file(struct kk_buf *b, const char *path)
{
	char chunk[16384];
	FILE *f;
	size_t n;
	int rc = 0;

	f = fopen(path, "rb");
	if (!f)
		return errno == ENOENT ? KK_ENOENT : KK_EIO;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		rc = kk_buf_add(b, chunk, n);
		if (rc)
			goto out;
	}
	if (ferror(f))
		rc = KK_EIO;
	else if (!b->data)
		rc = kk_buf_add(b, "", 0);
out:
	fclose(f);
	return rc;
}

char *kk_strdup(const char *s)
{
	return s ? kk_strndup(s, strlen(s)) : NULL;
}

char *kk_strndup(const char *s, size_t n)
{
	char *p;
	if (!s)
		return NULL;
	p = malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
