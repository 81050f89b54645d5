/*
 * ui_internal.h — state shared by the files of the UI module (not used outside firmware/ui/).
 *
 * DESIGN: one thread owns SDL. Fixed chrome (top bar, tiles, tabs) is drawn immediately each
 * frame and registers hit regions; scrollable content (lists, documents, guides) is laid out
 * once into a display list when a screen opens (or the size changes) and each frame only
 * draws the visible part, so scrolling never re-runs text layout.
 */
#ifndef KK_UI_INTERNAL_H
#define KK_UI_INTERNAL_H

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdint.h>

#include "base/config.h"
#include "catalog/catalog.h"
#include "print/job.h"
#include "sync/service.h"
#include "text/layout.h"

/* ---- fonts and the glyph atlas (font.c) ------------------------------------------------- */

#define UI_MAX_SIZES 12
#define UI_MAX_FALLBACK 4
#define UI_ATLAS_PAGES 8
#define UI_ATLAS_DIM 1024

struct ui_glyph {
	uint32_t key;     /* (size << 21) | cp; 0 = empty slot */
	int16_t page;     /* atlas page; -1 nothing to draw (space, placeholder); -2 not rasterised yet */
	int8_t font;      /* 0 main face, 1.. fallback k-1 */
	int16_t x, y, w, h;
	int16_t advance;
	int16_t dy;       /* baseline correction for a fallback font's cell */
	int8_t missing;   /* no font has it: draw a placeholder box */
};

struct ui_face {
	int size;
	int ascent, height;    /* of the main font at this size */
};

struct ui_fonts {
	SDL_Renderer *r;
	char path[512];
	int index;
	char fallback_paths[UI_MAX_FALLBACK][512];
	int n_fallback_paths;
	/* One open font per file, resized on demand (TTF_SetFontSize): a CJK face costs about
	 * 2.4 MB of tables, so a face per size and file would cost tens of MB. Fallbacks are opened
	 * at their first use. Slot 0 is the main font, slot k fallback k-1. */
	TTF_Font *font[1 + UI_MAX_FALLBACK];
	int font_size[1 + UI_MAX_FALLBACK];
	int font_failed[1 + UI_MAX_FALLBACK];
	struct ui_face faces[UI_MAX_SIZES];
	int n_faces;
	SDL_Texture *pages[UI_ATLAS_PAGES];
	int n_pages;
	int cur;                       /* the page being filled */
	struct ui_atlas_page {
		int shelf_x, shelf_y, shelf_h; /* packing cursor */
		uint32_t used;         /* tick of the last glyph looked up on it (LRU) */
	} pg[UI_ATLAS_PAGES];
	uint32_t tick;
	struct ui_glyph *table;        /* open addressing, power of two */
	uint32_t table_cap, table_n;
	uint32_t flushes;              /* pages evicted so far (least recently used first) */
};

int ui_fonts_init(struct ui_fonts *f, SDL_Renderer *r, const struct kk_config *cfg);
void ui_fonts_fini(struct ui_fonts *f);
struct ui_face *ui_face(struct ui_fonts *f, int size);
/* The main font set to size px (for the naive-text benchmark path only). */
TTF_Font *ui_font_main(struct ui_fonts *f, int size);
/* The cached glyph for cp at size, rasterised and uploaded on first use. Never NULL. The
 * pointer is valid only until the next ui_glyph / ui_metrics_advance call (the table may grow). */
const struct ui_glyph *ui_glyph(struct ui_fonts *f, int size, uint32_t cp);
/* Metrics callback for the layout engine (ctx: struct ui_metrics_ctx). */
struct ui_metrics_ctx {
	struct ui_fonts *f;
	int size;
};
int ui_metrics_advance(void *ctx, uint32_t cp);

/* ---- display lists (dl.c) --------------------------------------------------------------- */

enum dl_type { DL_GLYPH, DL_FILL, DL_FRAME, DL_IMAGE, DL_LINK, DL_EMPH };

struct dl_item {
	uint8_t type;
	int32_t x, y, w, h;
	uint32_t cp;      /* glyph */
	int32_t size;     /* glyph size */
	uint32_t color;   /* 0xRRGGBBAA */
	int64_t arg;      /* link: action argument; image: index into dl.images */
	int32_t action;   /* link */
	uint16_t band;    /* 1-based index into dl.bands: drawn shifted by the band's offset */
};

/* A band of a display list that scrolls sideways on its own: a table wider than the page.
 * Its items are drawn at x - off and clipped to [x, x + w) of the content. */
struct dl_band {
	int y0, y1;       /* content rows it covers */
	int x, w;         /* visible part, content coordinates */
	int content_w;    /* full width */
	int off;          /* 0 .. content_w - w */
};

struct dl {
	struct dl_item *items;
	size_t n, cap;
	int height;
	SDL_Texture **images;
	size_t n_images;
	struct dl_band *bands;
	size_t n_bands;
	uint32_t gen;          /* changes with every item added: tells a cached picture is stale */
	/* y index, made at the first draw after a change (see dl_index in draw.c) */
	int32_t *max_bottom;   /* max(y + h) of items 0..i: non-decreasing */
	int32_t *min_top;      /* min(y) of items i..n-1: non-decreasing */
	size_t idx_n;          /* items the index covers */
};

void dl_fini(struct dl *d);
void dl_add(struct dl *d, const struct dl_item *it);
/* Make items [first, d->n) a band that scrolls sideways; returns its 1-based id or 0. */
int dl_band_add(struct dl *d, size_t first, int x, int w, int content_w);
/* The band under content point (x, y), or 0. */
int dl_band_at(const struct dl *d, int x, int y);
/* Move band id sideways by dx px (clamped); returns 1 if it moved (the picture is stale). */
int dl_band_scroll(struct dl *d, int id, int dx);

/*
 * The scroll view's picture cache: a ring texture as large as the viewport. Content row y is
 * kept in ring row y mod h; scrolling by dy draws only the |dy| newly exposed rows and copies
 * the ring to the screen in two pieces. Any change to the display list, its position or the
 * viewport repaints it whole. NULL texture (a renderer without target textures): draw directly.
 */
struct ui_ring {
	SDL_Texture *tex;
	int w, h;
	const struct dl *dl;
	uint32_t gen;
	int x0;
	int scroll;            /* content row at the top of the viewport when last painted */
	int valid;
	int failed;            /* target textures unavailable: draw straight to the screen */
	int naive;             /* benchmark (KK_NAIVE_TEXT): no cache, each line through SDL_ttf */
};

/* ---- UI state --------------------------------------------------------------------------- */

enum ui_screen_kind { SCR_HOME = 1, SCR_DOCS, SCR_DOC, SCR_BOOK, SCR_GROUP, SCR_GUIDE, SCR_SEARCH,
		      SCR_ERROR, SCR_FACETS };

enum ui_action {
	ACT_NONE = 0, ACT_BACK, ACT_HOME, ACT_OPEN_DOCS, ACT_OPEN_DOC, ACT_OPEN_BOOK, ACT_OPEN_GROUP,
	ACT_OPEN_GUIDE, ACT_OPEN_SEARCH, ACT_OPEN_GUIDE_DOC, ACT_SERIES_FILTER, ACT_SEARCH_CLEAR,
	ACT_LARGE_PRINT, ACT_SCROLL_TO, ACT_OPEN_FACETS, ACT_FACET_PICK, ACT_KEYBOARD,
	ACT_SHOW_KEYBOARD, ACT_SEARCH_FILTER, ACT_SEARCH_SUGGEST,
	/* the print panel (print_panel.c) */
	ACT_PRINT, ACT_PRINT_MODE, ACT_PRINT_FROM, ACT_PRINT_TO, ACT_PRINT_COPIES, ACT_PRINT_SUMMARY,
	ACT_PRINT_GO, ACT_PRINT_CANCEL, ACT_PRINT_OK,
	/* the staff panel for updates from a USB stick (staff_panel.c) */
	ACT_PIN_DIGIT, ACT_PIN_DEL, ACT_PIN_OK, ACT_STAFF_CLOSE, ACT_SITE_CONFIRM
};

struct ui_screen {
	enum ui_screen_kind kind;
	int64_t arg;           /* doc id, book, group id, guide id, series */
	int series;            /* docs: series filter (0 = all) */
	int facet;             /* docs: enum kk_facet of the filter (0 = none); facets: which facet */
	char facet_value[256]; /* docs: the value filtered on */
	struct kk_facet_list facets; /* facets: the values listed (kept while covered) */
	char title[256];
	float scroll, vel;     /* content scroll offset (px) and fling velocity (px/ms) */
	struct dl dl;          /* scroll content */
	int content_top;       /* y where the scroll area starts */
	int dl_width;          /* width the dl was laid out for (0: rebuild before drawing) */
	int dl_large;          /* large-print state the dl was laid out for */
	float keep_frac;       /* after a rebuild, scroll to this fraction of the height (< 0: no) */
};

#define UI_MAX_DEPTH 16
#define UI_MAX_HITS 256

struct ui_hit {
	SDL_Rect r;
	enum ui_action action;
	int64_t arg;
	int clipped;      /* partly scrolled out of view: smaller than it is */
};

/* What a screenshot shows as text (`shot NAME` also writes NAME.txt): every glyph drawn in
 * the frame, with its place and size. Tests read it to check what a screen says. */
struct ui_capture_glyph {
	int32_t x, y, size;
	uint32_t cp;
	int emph;         /* emphasis or a search match: written between « and » */
};

struct ui_capture {
	struct ui_capture_glyph *g;
	size_t n, cap;
};

struct ui;
void ui_capture_glyph(struct ui *u, int size, uint32_t cp, int x, int y, int emph);
/* An opaque panel is drawn over (x, y, w, h): forget the text captured under it. */
void ui_capture_cover(struct ui *u, int x, int y, int w, int h);

struct kb;

struct ui {
	const struct kk_config *cfg;
	struct kb *kb;              /* the search screen's on-screen keyboard; NULL: none */
	int kb_shown;               /* shown under the search box (per visitor) */
	int presented;              /* the first frame went to the display (logged once) */
	int repeat, repeat_after;   /* frames still to present again; how many after a change */
	int kb_failed;              /* kb_new failed: not tried again */
	int writing;                /* a finger is writing on the handwriting pad */
	struct ui_capture *capture; /* non-NULL while a screenshot's frame is drawn */
	struct kk_catalog *cat;
	int cat_err;
	struct kk_catalog_info info;
	SDL_Window *win;
	SDL_Renderer *r;
	SDL_Surface *surface; /* headless target */
	int w, h;
	float s;              /* scale: 1.0 on a 1080-px short side */
	struct ui_fonts fonts;
	struct ui_ring ring;
	uint32_t now;         /* ms; virtual in headless mode */
	uint32_t last_input;  /* ms of the last touch or key */
	uint32_t idle_skew;   /* ms added by `idle` commands */
	struct ui_screen stack[UI_MAX_DEPTH];
	int depth;
	struct ui_hit hits[UI_MAX_HITS];
	int n_hits;
	/* touch */
	int down, dragging;
	int pressed;          /* a hit region is under the finger: shown darkened (touch feedback) */
	SDL_Rect pressed_r;
	int down_x, down_y, last_x, last_y;
	int hband;            /* a drag that moves a wide table sideways: its band id */
	uint32_t last_move;
	float track_vel;
	/* per-visitor state, cleared by the idle reset */
	int large;            /* 长者模式: large print */
	int countdown;        /* seconds left before the idle reset, shown when > 0 */
	char query[256];
	int search_kind;      /* 0 all, 1 documents, 2 guides, 3 interpretations */
	int search_valid;     /* 只看有效 */
	size_t search_hits;   /* results of the query on screen */
	int miss_counted;     /* this query's "nothing found" is already in the staff log */
	char suggest[4][32];  /* nearby terms offered when nothing was found */
	int n_suggest;
	/* printing (print_panel.c); print is NULL when the kiosk has no print service */
	struct kk_print_service *print;
	int print_open;            /* the print panel covers the screen */
	struct kk_print_status pst;/* the worker's status as last drawn */
	uint64_t print_inited;     /* the preview (by job generation) the choices below belong to */
	int print_mode;            /* 0 all pages, 1 the page being read, 2 a range */
	unsigned print_cur;        /* the page being read (0-based), from the scroll position */
	unsigned print_from, print_to, print_copies;
	int print_summary;         /* guides: 1 the one-page checklist, 0 in full */
	/* updates from a USB stick (staff_panel.c); sync is NULL without a sync service */
	struct kk_sync_service *sync;
	struct kk_sync_svc_status sst; /* the worker's status as last drawn */
	char pin[KK_SYNC_PIN_MAX + 1]; /* digits typed so far, wiped after use */
	unsigned applied_seen;         /* sst.applied when the content was last (re)opened */
	int (*reopen)(void *ctx, struct kk_catalog **cat);
	void *reopen_ctx;
	void (*heartbeat)(void *ctx); /* the watchdog keep-alive (kk_ui_opts) */
	void *heartbeat_ctx;
	int dirty;
	int quit;
};

/* print_panel.c */
int ui_print_available(struct ui *u);
void ui_print_action(struct ui *u, enum ui_action a, int64_t arg);
/* Poll the worker; returns 1 when what the panel shows changed. */
int ui_print_poll(struct ui *u);
void ui_print_draw(struct ui *u);
/* A new visitor: drop a preview, reset the page count of the session. */
void ui_print_reset(struct ui *u);
int ui_print_busy(struct ui *u);

/* staff_panel.c */
int ui_staff_open(struct ui *u);
int ui_staff_busy(struct ui *u);
/* The panel shows its PIN keypad (a stick is waiting and a staff PIN is configured). */
int ui_staff_keypad(struct ui *u);
int ui_staff_poll(struct ui *u);
void ui_staff_action(struct ui *u, enum ui_action a, int64_t arg);
void ui_staff_draw(struct ui *u);

/* screens.c */
void ui_push(struct ui *u, enum ui_screen_kind kind, int64_t arg);
void ui_pop(struct ui *u);
void ui_go_home(struct ui *u);
void ui_draw(struct ui *u);
void ui_do_action(struct ui *u, enum ui_action a, int64_t arg);
void ui_screen_fini(struct ui_screen *sc);
void ui_search_changed(struct ui *u);
void ui_search_count_miss(struct ui *u);
/* The bottom of the scroll area of the top screen (above the footer, and the keyboard when
 * it is shown). */
int ui_content_bottom(struct ui *u);
/* Apply what the keyboard reported (struct kb_event) to the query. */
struct kb_event;
void ui_keyboard_event(struct ui *u, const struct kb_event *ev);

/* draw.c */
void ui_color(struct ui *u, uint32_t rgba);
void ui_fill(struct ui *u, int x, int y, int w, int h, uint32_t rgba);
void ui_frame(struct ui *u, int x, int y, int w, int h, int t, uint32_t rgba);
void ui_hit_add(struct ui *u, int x, int y, int w, int h, enum ui_action a, int64_t arg);
/* Width in px of a single line of text. */
int ui_text_width(struct ui *u, int size, const char *text);
/* Draw one line, clipped to max_w with "…"; align 0 left, 1 centre. Returns the width drawn. */
int ui_text_line(struct ui *u, int size, int x, int y, int max_w, const char *text, uint32_t rgba,
		 int align);
/* Lay out a paragraph into dl at (x, y) within width; returns the height used. */
int ui_dl_para(struct ui *u, struct dl *d, int size, int x, int y, int width, const char *text,
	       const struct kk_span *emph, size_t n_emph, uint32_t rgba, int first_indent,
	       int indent, int line_gap);
/* Draw the items of d that meet rows [clip_top, clip_bottom) when its origin is at (x0, y0). */
void ui_dl_draw(struct ui *u, struct dl *d, int x0, int y0, int clip_top, int clip_bottom);
/* Register the links of d visible in [clip_top, clip_bottom) as hit regions. */
void ui_dl_hits(struct ui *u, struct dl *d, int x0, int y0, int clip_top, int clip_bottom);
/* Show d scrolled by `scroll` px in the viewport rows [top, bottom) of the screen, through the
 * ring cache (struct ui_ring), and register its visible links. */
void ui_dl_view(struct ui *u, struct dl *d, int x0, int top, int bottom, int scroll);
void ui_ring_fini(struct ui_ring *g);
void ui_glyph_draw(struct ui *u, int size, uint32_t cp, int x, int y, uint32_t rgba);
int ui_px(struct ui *u, int v); /* v scaled by u->s */
/* A text size: v px at scale 1, half as large again in large-print mode (32 -> 48 on 1080p). */
int ui_sz(struct ui *u, int v);
/* The largest size from `size` down to `min` (in steps of 2) at which text fits in width. */
int ui_fit_size(struct ui *u, int size, int min, const char *text, int width);
/* The y at which one line of size-px text looks centred in [top, top + h). */
int ui_text_top(int top, int h, int size);
/* A filled button with a centred label that registers its hit region. */
void ui_button(struct ui *u, int x, int y, int w, int h, const char *label, enum ui_action a,
	       int64_t arg, uint32_t bg, uint32_t fg);

/* layout: the left and right margin of content at scale 1 */
#define UI_MARGIN 48
/* the smallest touch target at scale 1 (80 px on a 1080-px short side) */
#define UI_TARGET 80

/* theme */
#define COL_BG 0xF4F1EAFFu
#define COL_BAR 0xA3201AFFu      /* government red */
#define COL_BAR_TEXT 0xFFFFFFFFu
#define COL_TEXT 0x1A1A1AFFu
#define COL_MUTED 0x55524CFFu
#define COL_CARD 0xFFFFFFFFu
#define COL_LINE 0xC9C2B5FFu
#define COL_ACCENT 0x1F4E8CFFu
#define COL_VALID 0x1E6B34FFu
#define COL_EXPIRED 0x6B6B6BFFu
#define COL_REPEALED 0xA3201AFFu
#define COL_AMENDED 0x9A5B00FFu
#define COL_BUTTON 0xFFFFFFFFu

#endif
