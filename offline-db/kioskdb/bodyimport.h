/*
 * bodyimport.h — turn a CMS body (body_html or body_text of the export, FORMAT.md "Bodies")
 * into the kiosk's structured body (base/body.h). Runs in kioskdb at build time only: the kiosk
 * itself never parses HTML.
 *
 * Every byte given to these functions is hostile. Both importers validate UTF-8 first, cap the
 * input at KK_IMPORT_MAX_INPUT, never recurse over the input's structure, and return KK_E2BIG
 * rather than a silently shortened body when a cap is reached (FORMAT.md "Limits": over a cap is
 * an error, not a truncation).
 *
 * Threads: the functions keep no state between calls. kk_import_html uses libxml2, which must be
 * initialised once (xmlInitParser, done here on every call; kioskdb calls from one thread).
 * xmlCleanupParser is left to the end of the process.
 *
 * The exact rules (what becomes which block, the caps) are written in bodyimport.c's header.
 */
#ifndef KK_KIOSKDB_BODYIMPORT_H
#define KK_KIOSKDB_BODYIMPORT_H

#include <stddef.h>

#include "base/body.h"

/* Caps beyond those of body.h (KK_BODY_MAX_BLOCKS, KK_TABLE_MAX_CELLS, KK_TABLE_MAX_SPAN). */
#define KK_IMPORT_MAX_INPUT (2u << 20) /* bytes of body_html / body_text */
#define KK_IMPORT_MAX_ATTRS 512        /* attributes of one start tag (libxml2 is quadratic) */
#define KK_IMPORT_MAX_TABLE_COLS 4096  /* grid columns of one table while it is built */
#define KK_IMPORT_MAX_LIST_LEVEL 8     /* deeper lists are shown at this level */
#define KK_IMPORT_MAX_EMPH 1024        /* emphasis ranges of one block; more are dropped */
#define KK_IMPORT_MAX_NOTES 64         /* notes of one call; then one "further notes" note */
#define KK_IMPORT_HEADING_MAX_CHARS 60 /* a longer "一、…" line is a paragraph */

/*
 * A note about something dropped or repaired, reported to the caller (kioskdb prints them as
 * warnings with file:line). msg is a short English description, e.g. "dropped <script>",
 * "dropped remote image http://…"; valid only during the call.
 */
typedef void (*kk_import_note_fn)(void *ctx, const char *msg); /* the one allowed typedef */

/*
 * Sanitise CMS HTML into a body. Returns 0, KK_EINVAL (not parseable at all, or a NULL argument),
 * KK_EUTF8, KK_E2BIG (over caps: KK_IMPORT_MAX_INPUT, KK_BODY_MAX_BLOCKS, KK_TABLE_MAX_CELLS,
 * KK_IMPORT_MAX_TABLE_COLS, elements nested deeper than libxml2's 256 levels) or KK_ENOMEM.
 * A start tag with more than KK_IMPORT_MAX_ATTRS attributes is cut there (noted), not refused.
 * On success the caller owns *out (kk_body_free); on error *out is NULL. note may be NULL.
 * Blocks the calling thread for the parse (about a second at worst for 2 MiB).
 */
int kk_import_html(const char *html, size_t len, kk_import_note_fn note, void *ctx,
                   struct kk_body **out);

/*
 * Recognise structure in plain text (FORMAT.md "body_text" rules). Same returns and ownership
 * as kk_import_html.
 */
int kk_import_text(const char *text, size_t len, struct kk_body **out);

/*
 * Fold whitespace in place for a short field or a body text: runs of CR, LF, TAB, VT, FF, NEL,
 * NBSP, U+3000 and the other Unicode spaces become one ASCII space, or nothing between two CJK
 * characters; zero-width characters (U+200B..U+200D, U+2060, U+FEFF) vanish; both ends are
 * trimmed. Returns the new length; s is not NUL-terminated by this function. Input should be
 * valid UTF-8; invalid bytes are copied through unchanged.
 */
size_t kk_text_fold_space(char *s, size_t len);

#endif
