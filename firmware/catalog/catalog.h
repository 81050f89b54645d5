/*
 * catalog.h — the content database: the only module that holds SQL.
 *
 * The kiosk opens a database read-only (kk_catalog_open) and asks for lists and records; the
 * publisher tool writes one (catalog_build.h). Records come back as plain structs that the caller
 * owns and frees with the matching *_free / *_fini function.
 *
 * Threads: a struct kk_catalog is used by one thread at a time (the UI thread in the kiosk).
 */
#ifndef KK_CATALOG_H
#define KK_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "base/body.h"

#define KK_SCHEMA_VERSION 2

enum kk_validity { KK_VALID = 1, KK_EXPIRED = 2, KK_REPEALED = 3, KK_AMENDED = 4 };

enum kk_series {
	KK_SERIES_REGULATION = 1,
	KK_SERIES_INTERPRETATION = 2,
	KK_SERIES_GUIDE = 3,
	KK_SERIES_ANNUAL_REPORT = 4,
	KK_SERIES_GAZETTE = 5,
	KK_SERIES_GENERAL = 6
};
#define KK_SERIES_COUNT 6

enum kk_book { KK_BOOK_HUIMIN = 1, KK_BOOK_HUIQI = 2 };

/* Names: "有效" "失效" "废止" "已修订"; series names as in schema.sql; "惠民" "惠企". Static strings. */
const char *kk_validity_name(int v);
const char *kk_series_name(int s);
const char *kk_series_code(int s);
const char *kk_book_name(int b);
/* Parse with the aliases of FORMAT.md; return the enum value or 0 if unknown. */
int kk_validity_parse(const char *s);
int kk_series_parse(const char *s);
int kk_book_parse(const char *s);

/* A reference to another document (replacement, interpretation). id 0 means none. */
struct kk_doc_ref {
	int64_t id;
	char *ext_id;
	char *title;
	int validity;
};

struct kk_attachment {
	int64_t id;
	char *title;
	char *file_name;
	char *mime;
	int pages;             /* page images available (0: title only) */
	int64_t *page_media;   /* pages entries: media ids, page 1 first */
};

/* A document of the 政府信息公开目录. All strings are owned; NULL when the field is absent. */
struct kk_doc {
	int64_t id;
	char *ext_id;
	char *title;
	char *index_no;        /* 索引号 */
	char *doc_no;          /* 文号 */
	char *publisher;       /* 发布机构 */
	char *written;         /* 成文日期 */
	char *published;       /* 公开日期 */
	int validity;          /* enum kk_validity */
	int series;            /* enum kk_series */
	char *genre;           /* 体裁 */
	char *form;            /* 解读形式 */
	char *url;
	char **topics;
	size_t n_topics;
	struct kk_doc_ref replaced_by;
	struct kk_doc_ref interprets;
	struct kk_doc_ref *interpretations; /* documents that interpret this one (read only) */
	size_t n_interpretations;
	struct kk_attachment *attachments;
	size_t n_attachments;
	struct kk_body *body;
};

void kk_doc_free(struct kk_doc *d);

/* One row of a document list. */
struct kk_doc_summary {
	int64_t id;
	char *title;
	char *doc_no;
	char *publisher;
	char *published;
	int validity;
	int series;
};

struct kk_doc_list {
	struct kk_doc_summary *items;
	size_t n;
	size_t total; /* rows matching the query before offset/limit */
};

void kk_doc_list_fini(struct kk_doc_list *l);

/* What to list. Zero-initialise, then set what you need. */
struct kk_doc_query {
	int series;            /* 0: every series */
	const char *publisher; /* exact 发布机构, or NULL */
	const char *topic;     /* exact 主题分类, or NULL */
	int year;              /* year of 公开日期, or 0 */
	const char *genre;     /* exact 体裁, or NULL */
	const char *title_like;/* words (space-separated, each plain text, not a pattern) that must
				* all appear in the title or the 文号; NULL for none */
	size_t offset;
	size_t limit;          /* 0: KK_LIST_MAX */
};
#define KK_LIST_MAX 2000
#define KK_QUERY_MAX_TERMS 8

/* Browsing the 目录 by a facet: the values present and how many documents carry each. */
enum kk_facet { KK_FACET_TOPIC = 1, KK_FACET_PUBLISHER, KK_FACET_GENRE, KK_FACET_YEAR };

struct kk_facet_value {
	char *name;  /* topic, publisher, genre, or the year as "2024" */
	long count;
};

struct kk_facet_list {
	struct kk_facet_value *items;
	size_t n;
};
void kk_facet_list_fini(struct kk_facet_list *l);
/* Names of the facets for the screen: "主题分类" "发布机构" "体裁" "年份". */
const char *kk_facet_name(int facet);

struct kk_guide_group {
	int64_t id;
	int book;
	char *name;
	int n_guides;
};

struct kk_group_list {
	struct kk_guide_group *items;
	size_t n;
};
void kk_group_list_fini(struct kk_group_list *l);

struct kk_guide_summary {
	int64_t id;
	char *title;
};

struct kk_guide_list {
	struct kk_guide_summary *items;
	size_t n;
};
void kk_guide_list_fini(struct kk_guide_list *l);

struct kk_guide_section {
	char *label;
	struct kk_body *body;
};

struct kk_guide {
	int64_t id;
	char *ext_id;
	int book;
	char *group;
	char *title;
	char *url;
	char *updated;
	struct kk_guide_section *sections;
	size_t n_sections;
};
void kk_guide_free(struct kk_guide *g);

/* Content-wide facts shown on screen and by `kioskdb info`. */
struct kk_catalog_info {
	int64_t epoch, seq;
	char *publisher;
	char *region;
	char *build_date;
	char *contact_office, *contact_address, *contact_hours, *contact_phone;
	long n_documents;
	long n_series[KK_SERIES_COUNT + 1]; /* index by enum kk_series */
	long n_validity[5];                 /* index by enum kk_validity */
	long n_groups[3], n_guides[3];      /* index by enum kk_book */
	long n_sections;
	long n_attachments, n_media, n_topics, n_synonym_groups;
};
void kk_catalog_info_fini(struct kk_catalog_info *i);

struct kk_catalog;

/*
 * Open a content database read-only. Checks that it is a kiosk database of a schema version
 * this firmware reads (KK_EVERSION otherwise) and that SQLite can read it (KK_ECORRUPT).
 * Returns 0, KK_ENOENT, KK_ECORRUPT, KK_EVERSION, KK_EDB or KK_ENOMEM; the detail is logged.
 */
int kk_catalog_open(const char *path, struct kk_catalog **out);
void kk_catalog_close(struct kk_catalog *c);
/* Read every page (SQLite's quick_check): for where a database arrives, not for every start.
 * Returns 0 or KK_ECORRUPT; the detail is logged. */
int kk_catalog_verify(struct kk_catalog *c);
/* kk_catalog_verify reading through a memory map (faster, less system time). Only for a file on
 * the kiosk's own storage that nothing truncates while it runs (an update's staged copy): a
 * map of a file cut short kills the process with SIGBUS. Blocking; same returns. */
int kk_catalog_verify_local(struct kk_catalog *c);
/* The full PRAGMA integrity_check (indexes against tables too): slower than kk_catalog_verify;
 * for tests and staff diagnostics. Returns 0 or KK_ECORRUPT; the detail is logged. */
int kk_catalog_check_integrity(struct kk_catalog *c);

int kk_catalog_info(struct kk_catalog *c, struct kk_catalog_info *out);

int kk_catalog_list_docs(struct kk_catalog *c, const struct kk_doc_query *q, struct kk_doc_list *out);
/* Returns 0 and a full record, KK_ENOENT, or an error. */
int kk_catalog_get_doc(struct kk_catalog *c, int64_t id, struct kk_doc **out);
/* Looks up a document by its export id; KK_ENOENT if absent. */
int kk_catalog_find_doc(struct kk_catalog *c, const char *ext_id, int64_t *id);
/* The first document of a series (e.g. the 公开指南), newest first; KK_ENOENT if none. */
int kk_catalog_first_in_series(struct kk_catalog *c, int series, int64_t *id);

/* Values of a facet, most documents first (years newest first), at most KK_LIST_MAX. */
int kk_catalog_facets(struct kk_catalog *c, int facet, struct kk_facet_list *out);

/*
 * Words of the content's synonym table that share a character with text (each Han character
 * of text in turn, the shorter words first): the "nearby terms" offered when a search finds
 * nothing. Writes up to max distinct words of < 32 bytes into words; returns how many (0 on
 * any error, logged).
 */
int kk_catalog_related_words(struct kk_catalog *c, const char *text, char (*words)[32], int max);

int kk_catalog_list_groups(struct kk_catalog *c, int book, struct kk_group_list *out);
int kk_catalog_list_guides(struct kk_catalog *c, int64_t group_id, struct kk_guide_list *out);
int kk_catalog_get_guide(struct kk_catalog *c, int64_t id, struct kk_guide **out);

/* Media bytes (PNG/JPEG). *data is malloc'd, caller frees. mime is a static string. */
int kk_catalog_get_media(struct kk_catalog *c, int64_t id, void **data, size_t *len,
			 const char **mime);

/* ---- full-text search (schema version 2; search.c) -------------------------------------- */

enum kk_hit_kind { KK_HIT_DOCUMENT = 1, KK_HIT_GUIDE = 2, KK_HIT_INTERPRETATION = 3 };
#define KK_SEARCH_KIND(k) (1u << (k)) /* bits of kk_search_query.kinds */
#define KK_SEARCH_LIMIT 20            /* results when limit is 0 */
#define KK_SEARCH_LIMIT_MAX 100
#define KK_SEARCH_CANDIDATES 400      /* matches re-ranked at most (total is capped there) */
#define KK_SEARCH_TEXT_MAX 1024       /* bytes of the typed text that are read; more is ignored */
#define KK_SEARCH_MAX_TERMS 24        /* OR'ed terms of one query at most */

/* What to search. Zero-initialise, then set text and what you need. */
struct kk_search_query {
	const char *text;      /* what the resident typed: any bytes, NUL-terminated; NULL = "" */
	unsigned kinds;        /* KK_SEARCH_KIND(KK_HIT_...) bits; 0: every kind */
	const char *publisher; /* exact 发布机构 (documents only), or NULL */
	int year;              /* year of 公开日期 (guides: updated), or 0 */
	int validity;          /* enum kk_validity (guides count as valid), or 0 */
	size_t limit;          /* 0: KK_SEARCH_LIMIT; at most KK_SEARCH_LIMIT_MAX */
};

/* One result. Strings are owned; ref and date may be NULL. */
struct kk_search_hit {
	int kind;              /* enum kk_hit_kind */
	int64_t id;            /* document.id or guide.id (kk_catalog_get_doc / get_guide) */
	char *ext_id;          /* the export's id */
	char *title;
	char *ref;             /* 文号, or the 一本通 path "惠民 › 大项 › 小项" */
	char *date;            /* 公开日期 or a guide's updated date, YYYY-MM-DD */
	int validity;          /* enum kk_validity */
	double score;          /* higher is better; only for ordering */
	char *snippet;         /* plain text around the best match ("…" where cut) */
	struct kk_span *marks; /* byte ranges of snippet to highlight, in order */
	size_t n_marks;
};

struct kk_search_results {
	struct kk_search_hit *items; /* best first */
	size_t n;
	size_t total;     /* matching rows considered (at most KK_SEARCH_CANDIDATES) */
	int total_capped; /* 1: there may be more than total */
	int task;         /* 1: the query read as a task ("怎么办", "要带什么" …): guides boosted */
};
void kk_search_results_fini(struct kk_search_results *r);

/*
 * Search documents and guides. Any text is accepted (empty, only punctuation, FTS5 syntax,
 * invalid UTF-8, very long): it is cut into words and quoted here, never passed as query
 * syntax. Meaningful terms are OR'ed and ranked by bm25 with field weights (title, 文号,
 * 发布机构, guide sections, body, pinyin of the title), synonyms from the content's synonym
 * table, stop words dropped, guides boosted for task questions, valid and newer documents
 * first. Returns 0 with out->n == 0 for "没有找到" (the caller may log the query with
 * kk_qstats_miss); KK_EDB only if the database itself fails. Blocks for a few milliseconds;
 * the calling thread must own c.
 */
int kk_catalog_search(struct kk_catalog *c, const struct kk_search_query *q,
		      struct kk_search_results *out);

/*
 * The FTS5 expression kk_catalog_search would run for text (for `kioskdb search --explain`
 * and tests): malloc'd, caller frees; "" when the text has no searchable term. *task is set
 * as in kk_search_results. Returns 0, KK_ENOMEM or KK_EDB.
 */
int kk_catalog_search_expr(struct kk_catalog *c, const char *text, char **expr, int *task);

#endif
