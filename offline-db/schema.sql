-- schema.sql — the kiosk's content database, schema version 2 (2 added the search index).
--
-- Written by `kioskdb build` (publisher side) and opened read-only by the kiosk. The version is
-- kept in PRAGMA user_version; firmware/catalog/ refuses a database newer than it knows and
-- upgrades an older one step by step (see offline-db/migrations/ and catalog_build.c).
--
-- Bodies are stored structurally (table `block`, `cell`), never as HTML: the kiosk lays them
-- out directly. Every text column holds valid UTF-8 (checked at import).

PRAGMA user_version = 2;

-- Content metadata: one row per key.
--   publisher, region, contact_office, contact_address, contact_hours, contact_phone,
--   contact_postcode, contact_email, version_epoch, version_seq, build_date, tool_version
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

-- Images and attachment pages, referenced by id.
CREATE TABLE media (
	id     INTEGER PRIMARY KEY,
	name   TEXT NOT NULL,             -- file name in the export, for logs
	mime   TEXT NOT NULL CHECK (mime IN ('image/png', 'image/jpeg')),
	width  INTEGER NOT NULL DEFAULT 0,
	height INTEGER NOT NULL DEFAULT 0,
	data   BLOB NOT NULL
);

-- A body is a list of blocks; documents and guide sections each own one.
CREATE TABLE body (
	id INTEGER PRIMARY KEY
);

CREATE TABLE block (
	body_id  INTEGER NOT NULL REFERENCES body(id) ON DELETE CASCADE,
	seq      INTEGER NOT NULL,        -- order in the body, from 0
	kind     INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 6), -- enum kk_block_kind
	level    INTEGER NOT NULL DEFAULT 0,
	marker   TEXT,                    -- list/heading marker: 一、 （一） 1. （1） •
	text     TEXT,
	emph     TEXT,                    -- emphasis byte ranges "start-end,start-end"
	rows     INTEGER NOT NULL DEFAULT 0,
	cols     INTEGER NOT NULL DEFAULT 0,
	media_id INTEGER REFERENCES media(id),
	PRIMARY KEY (body_id, seq)
) WITHOUT ROWID;

CREATE TABLE cell (
	body_id INTEGER NOT NULL,
	seq     INTEGER NOT NULL,         -- the table block
	row     INTEGER NOT NULL,
	col     INTEGER NOT NULL,
	rowspan INTEGER NOT NULL DEFAULT 1 CHECK (rowspan >= 1),
	colspan INTEGER NOT NULL DEFAULT 1 CHECK (colspan >= 1),
	head    INTEGER NOT NULL DEFAULT 0,
	text    TEXT NOT NULL,
	PRIMARY KEY (body_id, seq, row, col),
	FOREIGN KEY (body_id, seq) REFERENCES block(body_id, seq) ON DELETE CASCADE
) WITHOUT ROWID;

-- Series of the 政府信息公开目录.
CREATE TABLE series (
	id    INTEGER PRIMARY KEY,        -- enum kk_series
	code  TEXT NOT NULL UNIQUE,       -- regulation, interpretation, guide, annual_report, gazette, general
	name  TEXT NOT NULL UNIQUE        -- 行政规范性文件 …
);
INSERT INTO series (id, code, name) VALUES
	(1, 'regulation', '行政规范性文件'),
	(2, 'interpretation', '政策解读'),
	(3, 'guide', '政府信息公开指南'),
	(4, 'annual_report', '政府信息公开工作年度报告'),
	(5, 'gazette', '政府公报'),
	(6, 'general', '其他文件');

CREATE TABLE document (
	id          INTEGER PRIMARY KEY,
	ext_id      TEXT NOT NULL UNIQUE,  -- the export's id
	title       TEXT NOT NULL,
	index_no    TEXT,                  -- 索引号
	doc_no      TEXT,                  -- 文号
	publisher   TEXT NOT NULL,         -- 发布机构
	written     TEXT,                  -- 成文日期 YYYY-MM-DD
	published   TEXT NOT NULL,         -- 公开日期 YYYY-MM-DD
	validity    INTEGER NOT NULL DEFAULT 1 CHECK (validity BETWEEN 1 AND 4), -- 有效 失效 废止 已修订
	replaced_by INTEGER REFERENCES document(id),
	genre       TEXT,                  -- 体裁
	series_id   INTEGER NOT NULL REFERENCES series(id),
	interprets  INTEGER REFERENCES document(id), -- for 政策解读
	form        TEXT,                  -- 文字解读 / 简明问答 / 图表图解
	url         TEXT,
	body_id     INTEGER NOT NULL REFERENCES body(id)
);
CREATE INDEX document_series ON document(series_id, published DESC);
CREATE INDEX document_publisher ON document(publisher, published DESC);
CREATE INDEX document_published ON document(published DESC);
CREATE INDEX document_interprets ON document(interprets);

CREATE TABLE topic (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE          -- 主题分类
);
CREATE TABLE document_topic (
	document_id INTEGER NOT NULL REFERENCES document(id) ON DELETE CASCADE,
	topic_id    INTEGER NOT NULL REFERENCES topic(id),
	PRIMARY KEY (document_id, topic_id)
) WITHOUT ROWID;
CREATE INDEX document_topic_topic ON document_topic(topic_id);

CREATE TABLE attachment (
	id          INTEGER PRIMARY KEY,
	document_id INTEGER NOT NULL REFERENCES document(id) ON DELETE CASCADE,
	seq         INTEGER NOT NULL,
	title       TEXT NOT NULL,
	file_name   TEXT NOT NULL,
	mime        TEXT NOT NULL,
	pages       INTEGER NOT NULL DEFAULT 0  -- page images in attachment_page (0: not viewable)
);
CREATE INDEX attachment_document ON attachment(document_id, seq);

CREATE TABLE attachment_page (
	attachment_id INTEGER NOT NULL REFERENCES attachment(id) ON DELETE CASCADE,
	page          INTEGER NOT NULL,    -- from 1
	media_id      INTEGER NOT NULL REFERENCES media(id),
	PRIMARY KEY (attachment_id, page)
) WITHOUT ROWID;

-- 办事一本通: book (1 惠民, 2 惠企) → group (大项) → guide (小项) → sections.
CREATE TABLE guide_group (
	id    INTEGER PRIMARY KEY,
	book  INTEGER NOT NULL CHECK (book IN (1, 2)),
	seq   INTEGER NOT NULL,
	name  TEXT NOT NULL,
	UNIQUE (book, name)
);

CREATE TABLE guide (
	id       INTEGER PRIMARY KEY,
	ext_id   TEXT NOT NULL UNIQUE,
	group_id INTEGER NOT NULL REFERENCES guide_group(id),
	seq      INTEGER NOT NULL,
	title    TEXT NOT NULL,
	url      TEXT,
	updated  TEXT
);
CREATE INDEX guide_group_seq ON guide(group_id, seq);

CREATE TABLE guide_section (
	guide_id INTEGER NOT NULL REFERENCES guide(id) ON DELETE CASCADE,
	seq      INTEGER NOT NULL,
	label    TEXT NOT NULL,            -- 申请材料 …
	body_id  INTEGER NOT NULL REFERENCES body(id),
	PRIMARY KEY (guide_id, seq)
) WITHOUT ROWID;

-- Query-time synonym groups from synonyms.txt.
CREATE TABLE synonym (
	group_id INTEGER NOT NULL,
	word     TEXT NOT NULL,
	PRIMARY KEY (group_id, word)
) WITHOUT ROWID;
CREATE INDEX synonym_word ON synonym(word);

-- Full-text search (version 2), filled at the end of a build (and by migrate from version 1)
-- from the tables above; the tokenizer "kk" is firmware/text/tokenize.c (Han unigrams +
-- colocated bigrams, words, pinyin in column py). One row per document and per guide; rowids
-- are given in order of a prior (expired/repealed documents first, then valid ones by date,
-- guides last), so a capped scan in rowid DESC order keeps the likeliest candidates.
CREATE TABLE search_doc (
	id        INTEGER PRIMARY KEY,     -- the rowid in `search`
	kind      INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 3), -- 1 document, 2 guide, 3 政策解读
	ref_id    INTEGER NOT NULL,        -- document.id or guide.id
	validity  INTEGER NOT NULL,        -- enum kk_validity (1 for guides)
	year      INTEGER NOT NULL,        -- of 公开日期 (guides: updated), 0 if unknown
	publisher TEXT                     -- 发布机构 (documents)
);
-- Columns: title; 文号; 发布机构 (guides: 一本通 and 大项); guide section labels and text;
-- document body text; py = 0x1E + title (+ 大项): pinyin syllables and initials only.
CREATE VIRTUAL TABLE search USING fts5(title, doc_no, publisher, section, body, py,
	tokenize = 'kk');
