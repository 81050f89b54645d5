/*
 * export.c — read and check a publisher export; store it through a catalogue writer.
 *
 * Everything here is hostile input from a CMS: every line is checked for UTF-8 before JSON,
 * every field for type and size, every path for escaping the export folder, every attachment
 * for its real type (by magic bytes, not by name). Problems are counted and printed with
 * file and line; the build fails if there is any, so a half-right export never ships.
 */
#include "kioskdb/export.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/utf8.h"
#include "kioskdb/bodyimport.h"
#include "text/layout.h"

extern char **environ;

#define MAX_LINE (4u << 20)
#define MAX_BODY (2u << 20)
#define MAX_TITLE 512
#define MAX_FIELD 256
#define MAX_URL 2048
#define MAX_ATTACHMENT (64u << 20)
#define MAX_PDF_PAGES 200
#define MAX_SECTIONS 100
#define MAX_TOPICS 32
#define MAX_ATTACHMENTS 64
#define MAX_SYNONYM_WORDS 64

/* A set of ids (open addressing, FNV-1a) remembering the line that used each first. */
struct idset_slot {
	char *id;
	int line;
};

struct idset {
	struct idset_slot *slots;
	size_t cap, n;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct idset_slot *idset_find(const struct idset *set, const char *id)
{
	size_t i;
	if (!set->cap)
		return NULL;
	for (i = fnv1a(id) & (set->cap - 1); set->slots[i].id; i = (i + 1) & (set->cap - 1))
		if (!strcmp(set->slots[i].id, id))
			return &set->slots[i];
	return &set->slots[i]; /* the empty slot where it would go */
}

/* Add id; returns 0, 1 if it was there already (*first = its line) or KK_ENOMEM. */
static int idset_add(struct idset *set, const char *id, int line, int *first)
{
	struct idset_slot *sl;
	if (set->n * 2 >= set->cap) {
		struct idset bigger = { calloc(set->cap ? set->cap * 2 : 1024, sizeof(struct idset_slot)),
					set->cap ? set->cap * 2 : 1024, 0 };
		if (!bigger.slots)
			return KK_ENOMEM;
		for (size_t i = 0; i < set->cap; i++)
			if (set->slots[i].id) {
				*idset_find(&bigger, set->slots[i].id) = set->slots[i];
				bigger.n++;
			}
		free(set->slots);
		*set = bigger;
	}
	sl = idset_find(set, id);
	if (sl->id) {
		*first = sl->line;
		return 1;
	}
	if (!(sl->id = kk_strdup(id)))
		return KK_ENOMEM;
	sl->line = line;
	set->n++;
	return 0;
}

static void idset_fini(struct idset *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->slots[i].id);
	free(set->slots);
	memset(set, 0, sizeof *set);
}

/* A link to check once every id is known. */
struct link {
	char *from_file;
	int line;
	const char *field;
	char *target;
};

struct media_ref {
	char *path;
	int64_t id;
};

struct ctx {
	const char *dir;
	struct kk_writer *w;
	FILE *out;
	struct kk_export_stats *st;
	const char *file; /* file being read, for messages */
	int line;
	struct idset ids;       /* document ids seen, with their lines */
	struct idset guide_ids; /* guide ids seen */
	int dirfd;              /* the export folder; every file is opened below it */
	struct link *links;
	size_t n_links, cap_links;
	struct media_ref *media;
	size_t n_media, cap_media;
};

static void report(struct ctx *c, int warning, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void report(struct ctx *c, int warning, const char *field, const char *fmt, ...)
{
	va_list ap;
	fprintf(c->out, "%s:%d: %s: %s", c->file, c->line, field ? field : "-",
		warning ? "warning: " : "");
	va_start(ap, fmt);
	vfprintf(c->out, fmt, ap);
	va_end(ap);
	fputc('\n', c->out);
	if (warning)
		c->st->warnings++;
	else
		c->st->problems++;
}

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *q;
	size_t nc;
	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 64;
	q = realloc(*p, nc * size);
	if (!q)
		return KK_ENOMEM;
	*p = q;
	*cap = nc;
	return 0;
}

/* ---- dates ----------------------------------------------------------------------------- */

int kk_date_normalise(const char *in, char out[11])
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = in;
	long y, m, d;
	char *end;

	if (!(*p >= '0' && *p <= '9'))
		return KK_EINVAL;
	y = strtol(p, &end, 10);
	if (end - p != 4)
		return KK_EINVAL;
	p = end;
	if (!strncmp(p, "年", 3))
		p += 3;
	else if (*p == '-' || *p == '/' || *p == '.')
		p++;
	else
		return KK_EINVAL;
	if (!(*p >= '0' && *p <= '9'))
		return KK_EINVAL;
	m = strtol(p, &end, 10);
	if (end - p > 2)
		return KK_EINVAL;
	p = end;
	if (!strncmp(p, "月", 3))
		p += 3;
	else if (*p == in[4] || (*p == '-' && in[4] == '-'))
		p++;
	else if (*p == '/' || *p == '.' || *p == '-')
		p++;
	else
		return KK_EINVAL;
	if (!(*p >= '0' && *p <= '9'))
		return KK_EINVAL;
	d = strtol(p, &end, 10);
	if (end - p > 2)
		return KK_EINVAL;
	p = end;
	if (!strncmp(p, "日", 3))
		p += 3;
	if (*p)
		return KK_EINVAL;
	if (y < 1949 || y > 2100 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return KK_EINVAL;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return KK_EINVAL;
	snprintf(out, 11, "%04d-%02d-%02d", (int)(y % 10000), (int)(m % 100), (int)(d % 100));
	return 0;
}

/* ---- field access ---------------------------------------------------------------------- */

/*
 * Get a string field: NULL if absent (reported when required); the copy is whitespace-folded
 * and capped. *bad is set when the field exists but is wrong (reported).
 */
static char *get_str(struct ctx *c, json_t *obj, const char *key, size_t cap, int required,
		     int *bad)
{
	json_t *v = json_object_get(obj, key);
	const char *s;
	size_t len;
	char *copy;

	if (!v || json_is_null(v)) {
		if (required) {
			report(c, 0, key, "missing (required)");
			*bad = 1;
		}
		return NULL;
	}
	if (!json_is_string(v)) {
		report(c, 0, key, "expected a string");
		*bad = 1;
		return NULL;
	}
	s = json_string_value(v);
	len = json_string_length(v);
	if (memchr(s, '\0', len)) {
		report(c, 0, key, "contains a NUL character");
		*bad = 1;
		return NULL;
	}
	if (len > cap) {
		report(c, 0, key, "%zu bytes, over the cap of %zu", len, cap);
		*bad = 1;
		return NULL;
	}
	copy = kk_strndup(s, len);
	if (!copy)
		return NULL;
	len = kk_text_fold_space(copy, len);
	copy[len] = '\0';
	if (!len) {
		free(copy);
		if (required) {
			report(c, 0, key, "empty (required)");
			*bad = 1;
		}
		return NULL;
	}
	return copy;
}

static int valid_id(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '.' || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

static char *get_date(struct ctx *c, json_t *obj, const char *key, int required, int *bad)
{
	char *s = get_str(c, obj, key, 64, required, bad), norm[11];
	if (!s)
		return NULL;
	if (kk_date_normalise(s, norm)) {
		report(c, 0, key, "bad date \"%s\" (expected YYYY-MM-DD)", s);
		*bad = 1;
		free(s);
		return NULL;
	}
	free(s);
	return kk_strdup(norm);
}

static int add_link(struct ctx *c, const char *field, const char *target)
{
	struct link *l;
	if (grow((void **)&c->links, &c->cap_links, c->n_links, sizeof *c->links))
		return KK_ENOMEM;
	l = &c->links[c->n_links++];
	l->from_file = kk_strdup(c->file);
	l->line = c->line;
	l->field = field;
	l->target = kk_strdup(target);
	return l->from_file && l->target ? 0 : KK_ENOMEM;
}

/* ---- files inside the export ----------------------------------------------------------- */

/*
 * Open a file of the export by relative path, refusing anything that could leave the folder
 * or block: absolute paths, `..` or empty segments, backslashes, symlinks at ANY level (each
 * component is opened with O_NOFOLLOW relative to the previous one), and anything but a regular
 * file (a FIFO or /dev/zero would hang the build). Returns an fd or KK_ENOENT / KK_EINVAL.
 */
static int open_in_export(struct ctx *c, const char *rel)
{
	char part[256];
	const char *p = rel;
	int dir = c->dirfd, fd = -1;
	struct stat sb;

	if (!*rel || rel[0] == '/' || strchr(rel, '\\') || strlen(rel) > 255)
		return KK_EINVAL;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || (n == 2 && !strncmp(p, "..", 2)) || (n == 1 && *p == '.'))
			goto bad;
		memcpy(part, p, n);
		part[n] = '\0';
		fd = openat(dir, part,
			    (slash ? O_DIRECTORY | O_RDONLY : O_RDONLY | O_NONBLOCK) | O_NOFOLLOW |
				    O_CLOEXEC);
		if (dir != c->dirfd)
			close(dir);
		if (fd < 0)
			return errno == ENOENT ? KK_ENOENT : KK_EINVAL;
		if (!slash)
			break;
		dir = fd;
		p = slash + 1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return KK_EINVAL;
	}
	return fd;
bad:
	if (dir != c->dirfd)
		close(dir);
	return KK_EINVAL;
}

/* Open a top-level file of the export as a stream; NULL with errno set if absent or not plain. */
static FILE *fopen_in_export(struct ctx *c, const char *name)
{
	int fd = open_in_export(c, name);
	FILE *f;
	if (fd < 0) {
		errno = fd == KK_ENOENT ? ENOENT : EINVAL;
		return NULL;
	}
	f = fdopen(fd, "rb");
	if (!f)
		close(fd);
	return f;
}

/* Read all of an open fd into b (which keeps its cap); closes fd. */
static int read_fd(int fd, struct kk_buf *b)
{
	char chunk[65536];
	ssize_t n;
	int rc = 0;
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		if ((rc = kk_buf_add(b, chunk, (size_t)n)))
			break;
	if (n < 0 && !rc)
		rc = KK_EIO;
	if (!rc && !b->data)
		rc = kk_buf_add(b, "", 0);
	close(fd);
	return rc;
}

enum ftype { F_OTHER, F_PNG, F_JPEG, F_PDF };

static enum ftype sniff(const unsigned char *b, size_t n)
{
	if (n >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8))
		return F_PNG;
	if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
		return F_JPEG;
	if (n >= 5 && !memcmp(b, "%PDF-", 5))
		return F_PDF;
	return F_OTHER;
}

static void png_size(const unsigned char *b, size_t n, int *w, int *h)
{
	*w = *h = 0;
	if (n >= 24 && !memcmp(b + 12, "IHDR", 4)) {
		unsigned long W = ((unsigned long)b[16] << 24) | ((unsigned long)b[17] << 16) | (b[18] << 8) | b[19];
		unsigned long H = ((unsigned long)b[20] << 24) | ((unsigned long)b[21] << 16) | (b[22] << 8) | b[23];
		if (W < 100000 && H < 100000) {
			*w = (int)W;
			*h = (int)H;
		}
	}
}

/* Store an image file once per export (bodies and attachments may share it). */
static int store_image(struct ctx *c, const char *path, const struct kk_buf *data, enum ftype t,
		       int64_t *id)
{
	int w = 0, h = 0, rc;
	for (size_t i = 0; i < c->n_media; i++)
		if (!strcmp(c->media[i].path, path)) {
			*id = c->media[i].id;
			return 0;
		}
	if (t == F_PNG)
		png_size((const unsigned char *)data->data, data->len, &w, &h);
	rc = kk_writer_add_media(c->w, path, t == F_PNG ? "image/png" : "image/jpeg", w, h,
				 data->data, data->len, id);
	if (rc)
		return rc;
	if (grow((void **)&c->media, &c->cap_media, c->n_media, sizeof *c->media))
		return KK_ENOMEM;
	c->media[c->n_media].path = kk_strdup(path);
	c->media[c->n_media++].id = *id;
	c->st->media++;
	return 0;
}

/* Read a file of the export (relative path) with the attachment cap; reports problems. */
static int read_export_file(struct ctx *c, const char *field, const char *rel, struct kk_buf *b)
{
	int fd = open_in_export(c, rel), rc;
	if (fd == KK_ENOENT) {
		report(c, 0, field, "file \"%s\" not found in the export", rel);
		return fd;
	}
	if (fd < 0) {
		report(c, 0, field, "path \"%s\" is not a plain file inside the export", rel);
		return fd;
	}
	rc = read_fd(fd, b);
	if (rc == KK_E2BIG)
		report(c, 0, field, "file \"%s\" is over the %u MiB cap", rel, MAX_ATTACHMENT >> 20);
	else if (rc)
		report(c, 0, field, "cannot read \"%s\"", rel);
	return rc;
}

/*
 * Run pdftoppm on pdf, writing prefix-N.png. Page images are scaled to at most 1600 px (a
 * hostile page size cannot exhaust memory) and the run is killed after PDF_DEADLINE_S seconds
 * (a crafted PDF cannot hang the build). Returns 0, KK_EIO (not installed) or KK_EINVAL.
 */
#define PDF_DEADLINE_S 120
static int run_pdftoppm(const char *pdf, const char *prefix)
{
	char *argv[] = { "pdftoppm", "-r", "110", "-scale-to", "1600", "-png", "-l", "200",
			 (char *)pdf, (char *)prefix, NULL };
	pid_t pid;
	int status = 0;
	struct timespec tick = { 0, 50 * 1000 * 1000 };
	if (posix_spawnp(&pid, "pdftoppm", NULL, NULL, argv, environ) != 0)
		return KK_EIO;
	for (int waited = 0;; waited++) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0)
			return KK_EIO;
		if (waited > PDF_DEADLINE_S * 20) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return KK_EINVAL;
		}
		nanosleep(&tick, NULL);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return KK_EIO;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : KK_EINVAL;
}

static int name_cmp(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t lx = strlen(x), ly = strlen(y);
	return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x, y); /* page-9 before page-10 */
}

/*
 * Render a PDF (its bytes, read once from the export) into page images and store them.
 * Every failure is reported with the file's name.
 */
static int store_pdf_pages(struct ctx *c, const struct kk_buf *pdf, const char *rel, int64_t att_id)
{
	char tmpl[] = "/tmp/kioskdb-pdf-XXXXXX", prefix[64], path[512];
	char *names[MAX_PDF_PAGES + 1];
	size_t n = 0;
	struct dirent *de;
	DIR *d = NULL;
	FILE *f;
	int rc = 0;

	if (!mkdtemp(tmpl)) {
		report(c, 0, "attachments", "PDF \"%s\": cannot create a temporary folder", rel);
		return KK_EIO;
	}
	snprintf(path, sizeof path, "%s/in.pdf", tmpl);
	snprintf(prefix, sizeof prefix, "%s/p", tmpl);
	f = fopen(path, "wb");
	if (!f || fwrite(pdf->data, 1, pdf->len, f) != pdf->len || fclose(f) != 0) {
		report(c, 0, "attachments", "PDF \"%s\": cannot write a temporary copy", rel);
		rc = KK_EIO;
		goto out;
	}
	rc = run_pdftoppm(path, prefix);
	unlink(path);
	if (rc) {
		report(c, 0, "attachments", "PDF \"%s\" could not be rendered (%s)", rel,
		       rc == KK_EIO ? "pdftoppm from poppler-utils is not installed"
				    : "damaged, hostile or too slow to render");
		goto out;
	}
	if (!(d = opendir(tmpl))) {
		rc = KK_EIO;
		goto out;
	}
	while ((de = readdir(d)) && n <= MAX_PDF_PAGES)
		if (de->d_name[0] == 'p' && (names[n] = kk_strdup(de->d_name)))
			n++;
	if (n)
		qsort(names, n, sizeof names[0], name_cmp);
	if (n >= MAX_PDF_PAGES)
		report(c, 1, "attachments", "PDF \"%s\": only the first %d pages are shown", rel,
		       MAX_PDF_PAGES);
	for (size_t i = 0; i < n && !rc; i++) {
		struct kk_buf b;
		int64_t media;
		char label[300];
		kk_buf_init(&b, MAX_ATTACHMENT);
		snprintf(path, sizeof path, "%s/%s", tmpl, names[i]);
		snprintf(label, sizeof label, "%s#%zu", rel, i + 1);
		rc = kk_buf_read_file(&b, path);
		if (rc)
			report(c, 0, "attachments", "PDF \"%s\": page %zu cannot be stored (%s)", rel,
			       i + 1, kk_err_name(rc));
		if (!rc)
			rc = store_image(c, label, &b, F_PNG, &media);
		if (!rc)
			rc = kk_writer_add_attachment_page(c->w, att_id, (int)i + 1, media);
		kk_buf_fini(&b);
	}
out:
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", tmpl, names[i]);
		unlink(path);
		free(names[i]);
	}
	if (d)
		closedir(d);
	rmdir(tmpl);
	return rc == KK_E2BIG ? KK_EINVAL : rc;
}

/* ---- bodies ---------------------------------------------------------------------------- */

static void note_cb(void *arg, const char *msg)
{
	struct ctx *c = arg;
	report(c, 1, "body_html", "%s", msg);
}

/* Resolve image blocks to stored media; an image that is missing is a problem. */
static int body_images(struct ctx *c, struct kk_body *b, const char *field)
{
	for (size_t i = 0; i < b->n; i++) {
		struct kk_block *blk = &b->blocks[i];
		struct kk_buf data;
		enum ftype t;
		int rc;

		if (blk->kind != KK_BLOCK_IMAGE || !blk->src)
			continue;
		kk_buf_init(&data, MAX_ATTACHMENT);
		rc = read_export_file(c, field, blk->src, &data);
		if (!rc) {
			t = sniff((const unsigned char *)data.data, data.len);
			if (t != F_PNG && t != F_JPEG)
				report(c, 0, field, "image \"%s\" is not a PNG or JPEG file", blk->src);
			else if (c->w && (rc = store_image(c, blk->src, &data, t, &blk->media_id))) {
				kk_buf_fini(&data);
				return rc;
			}
		}
		kk_buf_fini(&data);
	}
	return 0;
}

/* Build a body from body_html or body_text (or a section's html/text). */
static int get_body(struct ctx *c, json_t *obj, const char *html_key, const char *text_key,
		    int required, struct kk_body **out, int *bad)
{
	json_t *h = json_object_get(obj, html_key), *t = json_object_get(obj, text_key);
	json_t *v = h && json_is_string(h) ? h : t;
	const char *key = v == h ? html_key : text_key;
	int rc;

	*out = NULL;
	if ((h && !json_is_string(h) && !json_is_null(h)) || (t && !json_is_string(t) && !json_is_null(t))) {
		report(c, 0, key, "expected a string");
		*bad = 1;
		return 0;
	}
	if (!v || !json_is_string(v)) {
		if (required) {
			report(c, 0, html_key, "missing: give %s or %s", html_key, text_key);
			*bad = 1;
		}
		return 0;
	}
	if (json_string_length(v) > MAX_BODY) {
		report(c, 0, key, "%zu bytes, over the cap of %u", json_string_length(v), MAX_BODY);
		*bad = 1;
		return 0;
	}
	if (v == h)
		rc = kk_import_html(json_string_value(v), json_string_length(v), note_cb, c, out);
	else
		rc = kk_import_text(json_string_value(v), json_string_length(v), out);
	if (rc == KK_ENOMEM)
		return rc;
	if (rc) {
		report(c, 0, key, "cannot be imported (%s)", kk_err_name(rc));
		*bad = 1;
		return 0;
	}
	for (size_t i = 0; i < (*out)->n; i++)
		if ((*out)->blocks[i].text && strlen((*out)->blocks[i].text) > KK_TEXT_MAX_BYTES) {
			report(c, 0, key, "a paragraph of over %u bytes cannot be shown; split it",
			       KK_TEXT_MAX_BYTES);
			*bad = 1;
			return 0;
		}
	if ((rc = body_images(c, *out, key)))
		return rc;
	return 0;
}

/* ---- line reading ---------------------------------------------------------------------- */

/*
 * Read one line (without the newline) into b. Returns 1 for a line, 0 at the end, KK_E2BIG for
 * a line over the cap (the rest of the line is skipped), KK_EINVAL for a line holding a NUL
 * byte (it would hide text from every C string function), KK_EIO on a read error.
 */
static int read_line(FILE *f, struct kk_buf *b)
{
	char chunk[4096];
	size_t n = 0;
	int ch, too_long = 0, any = 0, nul = 0;
	kk_buf_reset(b);
	while ((ch = getc_unlocked(f)) != EOF) {
		any = 1;
		if (ch == '\n')
			break;
		if (ch == 0)
			nul = 1;
		chunk[n++] = (char)ch;
		if (n == sizeof chunk) {
			if (!too_long && kk_buf_add(b, chunk, n))
				too_long = 1;
			n = 0;
		}
	}
	if (!too_long && kk_buf_add(b, chunk, n))
		too_long = 1;
	if (ferror(f))
		return KK_EIO;
	if (!any)
		return 0;
	if (b->len && b->data[b->len - 1] == '\r')
		b->data[--b->len] = '\0';
	return too_long ? KK_E2BIG : nul ? KK_EINVAL : 1;
}

/*
 * Parse one JSON object line; reports UTF-8 and JSON errors. Returns NULL for skipped lines
 * (blank, comment) and for bad ones (*bad set).
 */
static json_t *parse_line(struct ctx *c, struct kk_buf *b, int *bad)
{
	size_t at, off = 0;
	json_error_t err;
	json_t *j;

	*bad = 0;
	if (c->line == 1 && b->len >= 3 && !memcmp(b->data, "\xEF\xBB\xBF", 3))
		off = 3;
	while (off < b->len && (b->data[off] == ' ' || b->data[off] == '\t'))
		off++;
	if (off == b->len || !strncmp(b->data + off, "//", 2))
		return NULL;
	if (!kk_utf8_valid(b->data + off, b->len - off, &at)) {
		report(c, 0, NULL, "invalid UTF-8 at byte %zu of the line", at + off + 1);
		*bad = 1;
		return NULL;
	}
	j = json_loadb(b->data + off, b->len - off, JSON_REJECT_DUPLICATES, &err);
	if (!j) {
		report(c, 0, NULL, "invalid JSON at column %d: %s", err.column, err.text);
		*bad = 1;
		return NULL;
	}
	if (!json_is_object(j)) {
		report(c, 0, NULL, "expected one JSON object per line");
		json_decref(j);
		*bad = 1;
		return NULL;
	}
	return j;
}

/* ---- site.json ------------------------------------------------------------------------- */

static int read_site(struct ctx *c)
{
	static const char *const contact_keys[] = { "office", "address", "hours", "phone",
						    "postcode", "email" };
	struct kk_buf b;
	json_error_t err;
	json_t *j = NULL, *ver, *contact;
	char *pub = NULL, *region = NULL, *date = NULL;
	int bad = 0, rc = 0;
	size_t at;

	c->file = "site.json";
	c->line = 1;
	kk_buf_init(&b, 1 << 20);
	rc = open_in_export(c, "site.json");
	if (rc >= 0)
		rc = read_fd(rc, &b);
	if (rc) {
		report(c, 0, NULL, "%s", rc == KK_ENOENT ? "missing (required)"
				       : rc == KK_E2BIG ? "larger than 1 MiB"
							: "not a plain file that can be read");
		rc = 0;
		goto out;
	}
	if (!kk_utf8_valid(b.data, b.len, &at)) {
		report(c, 0, NULL, "invalid UTF-8 at byte %zu", at + 1);
		goto out;
	}
	{
		size_t bom = b.len >= 3 && !memcmp(b.data, "\xEF\xBB\xBF", 3) ? 3 : 0;
		j = json_loadb(b.data + bom, b.len - bom, JSON_REJECT_DUPLICATES, &err);
	}
	if (!j || !json_is_object(j)) {
		c->line = j ? 1 : err.line;
		report(c, 0, NULL, "invalid JSON: %s", j ? "expected an object" : err.text);
		goto out;
	}
	pub = get_str(c, j, "publisher", MAX_FIELD, 1, &bad);
	region = get_str(c, j, "region", MAX_FIELD, 0, &bad);
	date = get_date(c, j, "date", 0, &bad);
	ver = json_object_get(j, "version");
	if (!json_is_object(ver) || !json_is_integer(json_object_get(ver, "epoch")) ||
	    !json_is_integer(json_object_get(ver, "seq")) ||
	    json_integer_value(json_object_get(ver, "epoch")) < 0 ||
	    json_integer_value(json_object_get(ver, "seq")) < 0) {
		report(c, 0, "version", "expected {\"epoch\": N, \"seq\": N} with whole numbers >= 0");
		bad = 1;
	}
	if (c->w && !bad) {
		char num[32];
		time_t now = time(NULL);
		const char *sde = getenv("SOURCE_DATE_EPOCH");
		struct tm tm;
		char today[16];
		if (sde && *sde)
			now = (time_t)strtoll(sde, NULL, 10);
		gmtime_r(&now, &tm);
		strftime(today, sizeof today, "%Y-%m-%d", &tm);
		if ((rc = kk_writer_set_meta(c->w, "publisher", pub)) ||
		    (region && (rc = kk_writer_set_meta(c->w, "region", region))) ||
		    (rc = kk_writer_set_meta(c->w, "build_date", date ? date : today)))
			goto out;
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(ver, "epoch")));
		if ((rc = kk_writer_set_meta(c->w, "version_epoch", num)))
			goto out;
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(ver, "seq")));
		if ((rc = kk_writer_set_meta(c->w, "version_seq", num)))
			goto out;
	}
	contact = json_object_get(j, "contact");
	if (contact && !json_is_object(contact)) {
		report(c, 0, "contact", "expected an object");
	} else if (contact) {
		for (size_t i = 0; i < sizeof contact_keys / sizeof contact_keys[0]; i++) {
			char key[32];
			char *v = get_str(c, contact, contact_keys[i], MAX_FIELD, 0, &bad);
			snprintf(key, sizeof key, "contact_%s", contact_keys[i]);
			if (v && c->w && !rc)
				rc = kk_writer_set_meta(c->w, key, v);
			free(v);
		}
	}
out:
	free(pub);
	free(region);
	free(date);
	json_decref(j);
	kk_buf_fini(&b);
	return rc;
}

/* ---- documents ------------------------------------------------------------------------- */

static int doc_attachments(struct ctx *c, json_t *arr, struct kk_doc *d, int store)
{
	size_t i;
	json_t *a;
	int rc = 0;

	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr)) {
		report(c, 0, "attachments", "expected an array");
		return 0;
	}
	if (json_array_size(arr) > MAX_ATTACHMENTS) {
		report(c, 0, "attachments", "more than %d attachments", MAX_ATTACHMENTS);
		return 0;
	}
	json_array_foreach(arr, i, a) {
		struct kk_attachment att = { 0 };
		struct kk_buf data;
		enum ftype t;
		int bad = 0;
		int64_t att_id, media;
		char *file, *title;

		if (!json_is_object(a)) {
			report(c, 0, "attachments", "item %zu: expected {\"file\": …, \"title\": …}", i + 1);
			continue;
		}
		file = get_str(c, a, "file", MAX_FIELD, 1, &bad);
		title = get_str(c, a, "title", MAX_TITLE, 0, &bad);
		kk_buf_init(&data, MAX_ATTACHMENT);
		if (!file || read_export_file(c, "attachments", file, &data))
			goto next;
		t = sniff((const unsigned char *)data.data, data.len);
		c->st->attachments++;
		if (!store)
			goto next;
		att.title = title ? title : file;
		att.file_name = file;
		att.mime = t == F_PDF ? "application/pdf" : t == F_PNG ? "image/png"
				     : t == F_JPEG ? "image/jpeg" : "application/octet-stream";
		if ((rc = kk_writer_add_attachment(c->w, d->id, (int)i, &att, &att_id)))
			goto next;
		if (t == F_PDF)
			rc = store_pdf_pages(c, &data, file, att_id);
		else if (t == F_PNG || t == F_JPEG) {
			if (!(rc = store_image(c, file, &data, t, &media)))
				rc = kk_writer_add_attachment_page(c->w, att_id, 1, media);
		} else
			report(c, 1, "attachments", "\"%s\" is neither PDF nor image: stored by title only",
			       file);
		if (rc == KK_EINVAL)
			rc = 0; /* reported */
next:
		kk_buf_fini(&data);
		free(file);
		free(title);
		if (rc)
			return rc;
	}
	return 0;
}

static int read_topics(struct ctx *c, json_t *arr, struct kk_doc *d)
{
	size_t i;
	json_t *t;
	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > MAX_TOPICS) {
		report(c, 0, "topics", "expected an array of at most %d strings", MAX_TOPICS);
		return 0;
	}
	d->topics = calloc(json_array_size(arr) + 1, sizeof *d->topics);
	if (!d->topics)
		return KK_ENOMEM;
	json_array_foreach(arr, i, t) {
		char *s;
		size_t n;
		if (!json_is_string(t) || json_string_length(t) > MAX_FIELD) {
			report(c, 0, "topics", "item %zu: expected a short string", i + 1);
			continue;
		}
		s = kk_strndup(json_string_value(t), json_string_length(t));
		if (!s)
			return KK_ENOMEM;
		n = kk_text_fold_space(s, strlen(s));
		s[n] = '\0';
		if (n)
			d->topics[d->n_topics++] = s;
		else
			free(s);
	}
	return 0;
}

static int read_document(struct ctx *c, json_t *j)
{
	struct kk_doc *d = calloc(1, sizeof *d);
	char *validity = NULL, *series = NULL;
	int bad = 0, rc = 0;
	long before = c->st->problems;

	if (!d)
		return KK_ENOMEM;
	d->ext_id = get_str(c, j, "id", 64, 1, &bad);
	if (d->ext_id && !valid_id(d->ext_id)) {
		report(c, 0, "id", "\"%s\": use 1-64 of A-Z a-z 0-9 . _ -", d->ext_id);
		bad = 1;
	}
	if (d->ext_id) {
		int first = 0;
		rc = idset_add(&c->ids, d->ext_id, c->line, &first);
		if (rc < 0)
			goto out;
		if (rc == 1) {
			report(c, 0, "id", "\"%s\" is already used by line %d", d->ext_id, first);
			bad = 1;
		}
		rc = 0;
	}
	d->title = get_str(c, j, "title", MAX_TITLE, 1, &bad);
	d->index_no = get_str(c, j, "index_no", MAX_FIELD, 0, &bad);
	d->doc_no = get_str(c, j, "doc_no", MAX_FIELD, 0, &bad);
	d->publisher = get_str(c, j, "publisher", MAX_FIELD, 1, &bad);
	d->written = get_date(c, j, "written", 0, &bad);
	d->published = get_date(c, j, "published", 1, &bad);
	if (d->written && d->published && strcmp(d->written, d->published) > 0)
		report(c, 1, "written", "成文日期 %s is after 公开日期 %s", d->written, d->published);
	validity = get_str(c, j, "validity", MAX_FIELD, 0, &bad);
	d->validity = validity ? kk_validity_parse(validity) : KK_VALID;
	if (!d->validity) {
		report(c, 0, "validity", "unknown \"%s\" (有效, 失效, 废止 or 已修订)", validity);
		bad = 1;
	}
	series = get_str(c, j, "series", MAX_FIELD, 0, &bad);
	d->series = series ? kk_series_parse(series) : KK_SERIES_GENERAL;
	if (!d->series) {
		report(c, 0, "series", "unknown series \"%s\" (see FORMAT.md)", series);
		bad = 1;
	}
	d->genre = get_str(c, j, "genre", MAX_FIELD, 0, &bad);
	d->form = get_str(c, j, "form", MAX_FIELD, 0, &bad);
	d->url = get_str(c, j, "url", MAX_URL, 0, &bad);
	d->replaced_by.ext_id = get_str(c, j, "replaced_by", 64, 0, &bad);
	d->interprets.ext_id = get_str(c, j, "interprets", 64, 0, &bad);
	if (d->series == KK_SERIES_INTERPRETATION && !d->interprets.ext_id) {
		report(c, 0, "interprets", "missing: a 政策解读 must name the document it explains");
		bad = 1;
	}
	if (d->replaced_by.ext_id && (rc = add_link(c, "replaced_by", d->replaced_by.ext_id)))
		goto out;
	if (d->interprets.ext_id && (rc = add_link(c, "interprets", d->interprets.ext_id)))
		goto out;
	if (d->validity == KK_AMENDED && !d->replaced_by.ext_id)
		report(c, 1, "replaced_by", "已修订 document without replaced_by");
	if ((rc = read_topics(c, json_object_get(j, "topics"), d)))
		goto out;
	if ((rc = get_body(c, j, "body_html", "body_text", 1, &d->body, &bad)))
		goto out;
	if (!c->w || bad || c->st->problems > before) {
		/* validate attachments even when the record is bad, to list every problem */
		rc = doc_attachments(c, json_object_get(j, "attachments"), d, 0);
		goto out;
	}
	if ((rc = kk_writer_add_document(c->w, d)))
		goto out;
	rc = doc_attachments(c, json_object_get(j, "attachments"), d, 1);
out:
	if (!rc)
		c->st->documents++;
	free(validity);
	free(series);
	kk_doc_free(d);
	return rc;
}

/* ---- guides ---------------------------------------------------------------------------- */

static int read_guide(struct ctx *c, json_t *j)
{
	struct kk_guide *g = calloc(1, sizeof *g);
	json_t *secs, *s;
	char *book = NULL;
	int bad = 0, rc = 0;
	size_t i;
	long before = c->st->problems;

	if (!g)
		return KK_ENOMEM;
	g->ext_id = get_str(c, j, "id", 64, 1, &bad);
	if (g->ext_id && !valid_id(g->ext_id)) {
		report(c, 0, "id", "\"%s\": use 1-64 of A-Z a-z 0-9 . _ -", g->ext_id);
		bad = 1;
	}
	if (g->ext_id) {
		int first = 0;
		rc = idset_add(&c->guide_ids, g->ext_id, c->line, &first);
		if (rc < 0)
			goto out;
		if (rc == 1) {
			report(c, 0, "id", "\"%s\" is already used by line %d", g->ext_id, first);
			bad = 1;
		}
		rc = 0;
	}
	book = get_str(c, j, "book", MAX_FIELD, 1, &bad);
	g->book = book ? kk_book_parse(book) : 0;
	if (book && !g->book) {
		report(c, 0, "book", "unknown book \"%s\" (惠民 or 惠企)", book);
		bad = 1;
	}
	g->group = get_str(c, j, "group", MAX_FIELD, 1, &bad);
	g->title = get_str(c, j, "title", MAX_TITLE, 1, &bad);
	g->url = get_str(c, j, "url", MAX_URL, 0, &bad);
	g->updated = get_date(c, j, "updated", 0, &bad);
	secs = json_object_get(j, "sections");
	if (!json_is_array(secs) || json_array_size(secs) == 0 ||
	    json_array_size(secs) > MAX_SECTIONS) {
		report(c, 0, "sections", "expected an array of 1 to %d {label, text} objects",
		       MAX_SECTIONS);
		bad = 1;
		goto out;
	}
	g->sections = calloc(json_array_size(secs), sizeof *g->sections);
	if (!g->sections) {
		rc = KK_ENOMEM;
		goto out;
	}
	json_array_foreach(secs, i, s) {
		struct kk_guide_section *sec = &g->sections[g->n_sections];
		if (!json_is_object(s)) {
			report(c, 0, "sections", "item %zu: expected {\"label\": …, \"text\": …}", i + 1);
			bad = 1;
			continue;
		}
		g->n_sections++; /* owned from here: freed with the guide on any error */
		sec->label = get_str(c, s, "label", MAX_FIELD, 1, &bad);
		if ((rc = get_body(c, s, "html", "text", 1, &sec->body, &bad)))
			goto out;
	}
	if (c->w && !bad && c->st->problems == before)
		rc = kk_writer_add_guide(c->w, g);
out:
	if (!rc)
		c->st->guides++;
	free(book);
	kk_guide_free(g);
	return rc;
}

/* ---- jsonl files ----------------------------------------------------------------------- */

static int read_jsonl(struct ctx *c, const char *name, int (*fn)(struct ctx *, json_t *))
{
	struct kk_buf b;
	FILE *f;
	int rc = 0, r;

	c->file = name;
	c->line = 0;
	f = fopen_in_export(c, name);
	if (!f) {
		report(c, 0, NULL, "%s", errno == ENOENT ? "missing (required; may be empty)"
							 : "not a plain file inside the export");
		return 0;
	}
	kk_buf_init(&b, MAX_LINE);
	while ((r = read_line(f, &b)) != 0) {
		json_t *j;
		int bad;
		c->line++;
		if (r == KK_EIO) {
			report(c, 0, NULL, "read error");
			break;
		}
		if (r == KK_E2BIG) {
			report(c, 0, NULL, "line longer than %u MiB", MAX_LINE >> 20);
			continue;
		}
		if (r == KK_EINVAL) {
			report(c, 0, NULL, "line contains a NUL byte");
			continue;
		}
		j = parse_line(c, &b, &bad);
		if (!j)
			continue;
		rc = fn(c, j);
		json_decref(j);
		if (rc)
			break;
	}
	kk_buf_fini(&b);
	fclose(f);
	return rc;
}

static int read_synonyms(struct ctx *c)
{
	struct kk_buf b;
	FILE *f;
	int rc = 0, r;

	c->file = "synonyms.txt";
	c->line = 0;
	if (!(f = fopen_in_export(c, "synonyms.txt"))) {
		if (errno != ENOENT)
			report(c, 0, NULL, "not a plain file inside the export");
		return 0; /* optional */
	}
	kk_buf_init(&b, 64 * 1024);
	while ((r = read_line(f, &b)) != 0) {
		char *words[MAX_SYNONYM_WORDS], *save = NULL, *tok, *hash;
		size_t n = 0, at;
		c->line++;
		if (r < 0) {
			report(c, 0, NULL, r == KK_E2BIG ? "line too long"
					   : r == KK_EINVAL ? "line contains a NUL byte" : "read error");
			if (r == KK_EIO)
				break;
			continue;
		}
		if (!kk_utf8_valid(b.data, b.len, &at)) {
			report(c, 0, NULL, "invalid UTF-8 at byte %zu of the line", at + 1);
			continue;
		}
		if (c->line == 1 && b.len >= 3 && !memcmp(b.data, "\xEF\xBB\xBF", 3))
			memset(b.data, ' ', 3); /* a BOM from a Windows editor */
		if ((hash = strchr(b.data, '#')))
			*hash = '\0';
		/* words are separated by spaces: split first (folding would join two CJK words) */
		for (char *ip = strstr(b.data, "\xE3\x80\x80"); ip; ip = strstr(ip, "\xE3\x80\x80"))
			memset(ip, ' ', 3); /* U+3000 */
		for (tok = strtok_r(b.data, " \t", &save); tok && n < MAX_SYNONYM_WORDS;
		     tok = strtok_r(NULL, " \t", &save))
			words[n++] = tok;
		if (n == 1)
			report(c, 1, NULL, "a group of one word does nothing");
		if (n < 2)
			continue;
		c->st->synonym_groups++;
		if (c->w && (rc = kk_writer_add_synonyms(c->w, words, n)))
			break;
	}
	kk_buf_fini(&b);
	fclose(f);
	return rc;
}

/* Dangling links, once all records are read (duplicates are reported as they are read). */
static void check_links(struct ctx *c)
{
	for (size_t i = 0; i < c->n_links; i++) {
		const struct idset_slot *sl = idset_find(&c->ids, c->links[i].target);
		if (!sl || !sl->id) {
			c->file = c->links[i].from_file;
			c->line = c->links[i].line;
			report(c, 0, c->links[i].field, "no document with id \"%s\"", c->links[i].target);
		}
	}
}

int kk_export_read(const char *dir, struct kk_writer *w, FILE *out, struct kk_export_stats *st)
{
	struct ctx c = { 0 };
	struct stat sb;
	int rc;

	memset(st, 0, sizeof *st);
	c.dir = dir;
	c.w = w;
	c.out = out;
	c.st = st;
	c.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c.dirfd < 0 || fstat(c.dirfd, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		fprintf(out, "%s: not a folder\n", dir);
		st->problems++;
		if (c.dirfd >= 0)
			close(c.dirfd);
		return KK_EINVAL;
	}
	if ((rc = read_site(&c)) || (rc = read_jsonl(&c, "documents.jsonl", read_document)) ||
	    (rc = read_jsonl(&c, "guides.jsonl", read_guide)) || (rc = read_synonyms(&c)))
		goto out;
	check_links(&c);
out:
	idset_fini(&c.ids);
	idset_fini(&c.guide_ids);
	if (c.dirfd >= 0)
		close(c.dirfd);
	for (size_t i = 0; i < c.n_links; i++) {
		free(c.links[i].from_file);
		free(c.links[i].target);
	}
	free(c.links);
	for (size_t i = 0; i < c.n_media; i++)
		free(c.media[i].path);
	free(c.media);
	if (rc)
		return rc;
	return st->problems ? KK_EINVAL : 0;
}
