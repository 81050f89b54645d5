/*
 * gen.h — synthetic publisher exports for benchmarks (`kioskdb gen`).
 *
 * Writes an export folder in the format of offline-db/FORMAT.md that looks like a real
 * county's 政府信息公开目录 and 办事一本通: varied titles, 文号 and 索引号, twenty-odd county
 * bodies, dates over 2010–2025, 失效/废止/已修订 documents pointing at their later
 * replacement, 政策解读 pointing at an earlier document, bodies of 300–3,000 characters in
 * body_text (with 一、（一）1. numbering and | tables) or body_html (<p>, <strong>, tables),
 * guides with the twelve usual section labels. Every record is a pure function of the seed
 * and its number, so the same options give the same bytes, and nothing but one record at a
 * time is held in memory (100,000 documents take a few seconds and ~400 MB of disk).
 */
#ifndef KK_KIOSKDB_GEN_H
#define KK_KIOSKDB_GEN_H

/* Caps keep dates and numbering arithmetic in range; bigger runs are KK_EINVAL. */
#define KK_GEN_MAX_DOCUMENTS 10000000L
#define KK_GEN_MAX_GUIDES 1000000L

struct kk_gen_opts {
	long documents; /* number of documents (0 .. KK_GEN_MAX_DOCUMENTS) */
	long guides; /* number of guides (0 .. KK_GEN_MAX_GUIDES), split between 惠民 and 惠企 */
	unsigned seed; /* PRNG seed: same seed, same output (byte for byte) */
};

/*
 * Write a complete export folder at dir (created, with missing parents, if absent; an existing
 * folder must be empty): site.json, documents.jsonl, guides.jsonl, synonyms.txt.
 * Ids are g-doc-000001 … and g-guide-00001 …, one JSON object per line.
 *
 * Returns 0, KK_EINVAL (bad options, dir not an empty folder), KK_EIO (create/write/close
 * failed; the files written so far are left for the caller to remove) or KK_ENOMEM. Logs the
 * cause with kk_error and, for runs of 10,000 records or more, progress every 10% with
 * kk_info. Blocks for the whole run; uses no global state, so any thread may call it.
 */
int kk_gen_export(const char *dir, const struct kk_gen_opts *o);

#endif
