/* mounts.c — /proc/self/mountinfo parsing and the mount-table wait (mounts.h). */
#include "sync/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"

#define FIELDS_MAX 64 /* fields of one line, optional fields included */

int kk_mountinfo_unescape(const char *in, size_t len, char *out, size_t cap)
{
	size_t o = 0;

	if (!cap || len == 0 || in[0] != '/')
		return KK_EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c < 0x20 || c == 0x7f)
			return KK_EINVAL;
		if (c == '\\') {
			unsigned v = 0;
			if (len - i < 4)
				return KK_EINVAL;
			for (int k = 1; k <= 3; k++) {
				if (in[i + k] < '0' || in[i + k] > '7')
					return KK_EINVAL;
				v = v * 8 + (unsigned)(in[i + k] - '0');
			}
			/* a tab or newline in a mount point would forge log lines: refused like NUL */
			if (v < 0x20 || v == 0x7f || v > 255 || v == '/')
				return KK_EINVAL;
			c = (unsigned char)v;
			i += 3;
		}
		if (o + 1 >= cap)
			return KK_E2BIG;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (int)o;
}

int kk_mount_under(const char *point, const char *root)
{
	size_t n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n == 1 && root[0] == '/')
		return point[0] == '/';
	return !strncmp(point, root, n) && (point[n] == '\0' || point[n] == '/');
}

/* A decimal number of 1..10 digits into *v. */
static int field_uint(const char *p, size_t len, unsigned long *v)
{
	unsigned long x = 0;
	if (len == 0 || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		x = x * 10 + (unsigned long)(p[i] - '0');
	}
	*v = x;
	return 0;
}

/* Parse one line (no newline); 0 and *m filled, or -1 when malformed. */
static int parse_line(const char *line, size_t len, struct kk_mount *m)
{
	const char *f[FIELDS_MAX];
	size_t fl[FIELDS_MAX], nf = 0, sep = 0, i = 0;
	unsigned long v;
	const char *colon;

	while (i < len) { /* fields are separated by exactly one space */
		size_t s = i;
		while (i < len && line[i] != ' ')
			i++;
		if (i == s || nf == FIELDS_MAX)
			return -1;
		f[nf] = line + s;
		fl[nf++] = i - s;
		if (i < len && ++i == len)
			return -1; /* a trailing space */
	}
	for (size_t k = 6; k < nf; k++)
		if (fl[k] == 1 && f[k][0] == '-') {
			sep = k;
			break;
		}
	if (nf < 9 || sep == 0 || nf - sep < 3)
		return -1; /* six fields, the separator, then type, source and options */
	if (field_uint(f[0], fl[0], &v) || field_uint(f[1], fl[1], &v))
		return -1;
	colon = memchr(f[2], ':', fl[2]);
	if (!colon || field_uint(f[2], (size_t)(colon - f[2]), &v))
		return -1;
	m->major = (unsigned)v;
	if (field_uint(colon + 1, fl[2] - (size_t)(colon + 1 - f[2]), &v))
		return -1;
	m->minor = (unsigned)v;
	if (f[3][0] != '/' || kk_mountinfo_unescape(f[4], fl[4], m->point, sizeof m->point) < 0)
		return -1;
	if (fl[sep + 1] >= sizeof m->fstype)
		return -1;
	for (size_t k = 0; k < fl[sep + 1]; k++) {
		char c = f[sep + 1][k];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return -1;
	}
	memcpy(m->fstype, f[sep + 1], fl[sep + 1]);
	m->fstype[fl[sep + 1]] = '\0';
	return 0;
}

int kk_mounts_parse(const char *text, size_t len, const char *root, struct kk_mounts *out)
{
	size_t i = 0;

	memset(out, 0, sizeof *out);
	if (!root || root[0] != '/')
		return KK_EINVAL;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;
		struct kk_mount m;
		out->lines++;
		if (end - i > KK_MOUNTS_LINE_MAX || parse_line(text + i, end - i, &m) != 0) {
			out->skipped++;
		} else if (kk_mount_under(m.point, root)) {
			if (out->n < KK_MOUNTS_MAX)
				out->m[out->n++] = m;
			else
				out->dropped++;
		}
		i = end + 1;
	}
	return 0;
}

int kk_mounts_read(const char *path, const char *root, struct kk_mounts *out)
{
	struct kk_buf b;
	size_t len;
	int rc, truncated = 0;

	memset(out, 0, sizeof *out);
	kk_buf_init(&b, KK_MOUNTS_FILE_MAX);
	rc = kk_buf_read_file(&b, path ? path : KK_MOUNTINFO_PATH);
	if (rc == KK_E2BIG) { /* a huge table: the lines read so far, never a cut one */
		truncated = 1;
		rc = 0;
	}
	if (rc)
		goto out;
	len = b.len;
	if (truncated)
		while (len && b.data[len - 1] != '\n')
			len--;
	rc = kk_mounts_parse(b.data ? b.data : "", len, root, out);
	if (truncated)
		out->skipped++;
out:
	kk_buf_fini(&b);
	return rc;
}

int kk_mount_watch_open(struct kk_mount_watch *w, const char *path)
{
	w->fd = open(path ? path : KK_MOUNTINFO_PATH, O_RDONLY | O_CLOEXEC);
	if (w->fd < 0)
		return errno == ENOENT ? KK_ENOENT : KK_EIO;
	return 0;
}

void kk_mount_watch_close(struct kk_mount_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

int kk_mount_watch_wait(struct kk_mount_watch *w, int poke_fd, int timeout_ms)
{
	struct pollfd p[2];
	nfds_t n = 0;
	int mi = -1, pi = -1, r, rc = KK_MW_TIMEOUT;

	if (w && w->fd >= 0) {
		p[n].fd = w->fd;
		p[n].events = POLLPRI;
		mi = (int)n++;
	}
	if (poke_fd >= 0) {
		p[n].fd = poke_fd;
		p[n].events = POLLIN;
		pi = (int)n++;
	}
	r = poll(n ? p : NULL, n, timeout_ms);
	if (r < 0)
		return errno == EINTR ? KK_MW_TIMEOUT : KK_EIO;
	if (mi >= 0 && (p[mi].revents & (POLLPRI | POLLERR)))
		rc |= KK_MW_CHANGED;
	if (pi >= 0 && (p[pi].revents & (POLLIN | POLLERR | POLLHUP)))
		rc |= KK_MW_POKED;
	return rc;
}
