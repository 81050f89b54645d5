/*
 * catalog_build.h — writing a content database (publisher side, `kioskdb build`).
 *
 * A writer creates the schema in a new file, takes records in one transaction, resolves the
 * links between documents at the end and checks the result. It never touches an existing
 * database: the caller writes to a temporary path and renames it into place after
 * kk_writer_finish() returned 0, so a failed build leaves no half-written output.
 */
#ifndef KK_CATALOG_BUILD_H
#define KK_CATALOG_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"

struct kk_writer;

/* Create a new database at path (which must not exist). Returns 0 or KK_EDB/KK_EIO/KK_ENOMEM. */
int kk_writer_open(const char *path, struct kk_writer **out);
/* Roll back and close; the file stays for the caller to remove. NULL is a no-op. */
void kk_writer_abort(struct kk_writer *w);
/* Resolve links, commit, check integrity and close (w is freed either way). */
int kk_writer_finish(struct kk_writer *w);

int kk_writer_set_meta(struct kk_writer *w, const char *key, const char *value);
int kk_writer_add_media(struct kk_writer *w, const char *name, const char *mime, int width,
			int height, const void *data, size_t len, int64_t *id);
/*
 * Add a document. Uses every field of d except id, interpretations and the attachments' ids and
 * page lists; the links replaced_by / interprets are given by ext_id and resolved in
 * kk_writer_finish (a dangling link is KK_ENOENT there, naming the id in the log).
 * Image blocks of the body must carry media_id already. Sets d->id.
 */
int kk_writer_add_document(struct kk_writer *w, struct kk_doc *d);
int kk_writer_add_attachment(struct kk_writer *w, int64_t doc_id, int seq,
			     const struct kk_attachment *a, int64_t *id);
int kk_writer_add_attachment_page(struct kk_writer *w, int64_t att_id, int page, int64_t media_id);
/* Add a guide; its group is created on first use, in order of appearance. Sets g->id. */
int kk_writer_add_guide(struct kk_writer *w, struct kk_guide *g);
int kk_writer_add_synonyms(struct kk_writer *w, char *const *words, size_t n);

/*
 * Upgrade a writable database in place from its schema version to KK_SCHEMA_VERSION, one
 * step at a time, each in its own transaction. Returns 0, KK_EVERSION (newer than this tool,
 * or not a kiosk database) or KK_EDB. *from receives the version found.
 */
int kk_catalog_migrate(const char *path, int *from);

#endif
