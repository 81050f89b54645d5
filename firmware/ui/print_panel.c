/*
 * print_panel.c — 打印: the button on a document or guide, the preview and confirm panel, the
 * progress of a job and its result, over the screen being read.
 *
 * The panel only talks to the print worker (print/job.h): it posts requests, which never
 * block, and draws the worker's status, which it polls each frame while open (the worker
 * also wakes the loop through kk_ui_wake). Everything a resident chooses (which pages,
 * copies, checklist or full guide) lives in struct ui until 开始打印; the worker checks the
 * limits again and says in Chinese why it refuses.
 *
 * For elderly residents: one panel, large buttons (at least UI_TARGET high), the choice
 * already made for them (all pages, one copy), the number of sheets and the time it takes in
 * words, and a single green 开始打印.
 */
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"
#include "print/job.h"
#include "print/lang.h"
#include "ui/ui.h"
#include "ui_internal.h"

#define COL_GO 0x1E6B34FFu    /* 开始打印 */
#define COL_WARN 0xA3201AFFu  /* a refusal or a printer problem */
#define COL_DIM 0x000000A0u

int ui_print_available(struct ui *u)
{
	return u->print != NULL;
}

int ui_print_busy(struct ui *u)
{
	return u->print_open &&
	       (u->pst.state == KK_PJ_PREPARING || u->pst.state == KK_PJ_PRINTING);
}

void kk_ui_wake(void *ctx)
{
	SDL_Event e;
	(void)ctx;
	memset(&e, 0, sizeof e);
	e.type = SDL_USEREVENT;
	SDL_PushEvent(&e); /* thread-safe; fails harmlessly before SDL starts */
}

/* The page being read, as a printed page: the same fraction of the document. */
static unsigned current_page(struct ui *u, unsigned pages)
{
	struct ui_screen *sc = &u->stack[u->depth - 1];
	float f = sc->dl.height > 0 ? sc->scroll / (float)sc->dl.height : 0;
	unsigned p;
	if (f < 0)
		f = 0;
	p = (unsigned)(f * (float)pages);
	return p >= pages ? pages - 1 : p;
}

static void prepare(struct ui *u)
{
	struct ui_screen *sc = &u->stack[u->depth - 1];
	struct kk_print_req req = { 0 };
	req.kind = sc->kind == SCR_GUIDE ? KK_PRINT_GUIDE : KK_PRINT_DOC;
	req.id = sc->arg;
	req.summary = req.kind == KK_PRINT_GUIDE && u->print_summary;
	snprintf(req.title, sizeof req.title, "%s", sc->title);
	if (kk_print_prepare(u->print, &req) == 0)
		u->print_open = 1;
	ui_print_poll(u);
}

static void selection(struct ui *u, unsigned *first, unsigned *last)
{
	switch (u->print_mode) {
	case 1: *first = *last = u->print_cur; break;
	case 2: *first = u->print_from; *last = u->print_to; break;
	default: *first = 0; *last = u->pst.pages ? u->pst.pages - 1 : 0; break;
	}
}

void ui_print_action(struct ui *u, enum ui_action a, int64_t arg)
{
	unsigned n = u->pst.pages, first, last;
	if (!u->print)
		return;
	switch (a) {
	case ACT_PRINT:
		u->print_summary = 0;
		prepare(u);
		break;
	case ACT_PRINT_SUMMARY:
		if (u->pst.state == KK_PJ_READY && u->print_summary != (arg != 0)) {
			u->print_summary = arg != 0;
			kk_print_cancel(u->print);
			kk_print_wait(u->print, 2000); /* the worker frees the old preview */
			prepare(u);
		}
		break;
	case ACT_PRINT_MODE:
		if (arg >= 0 && arg <= 2)
			u->print_mode = (int)arg;
		break;
	case ACT_PRINT_FROM:
		if (arg < 0 && u->print_from > 0)
			u->print_from--;
		else if (arg > 0 && u->print_from + 1 < n)
			u->print_from++;
		if (u->print_to < u->print_from)
			u->print_to = u->print_from;
		u->print_mode = 2;
		break;
	case ACT_PRINT_TO:
		if (arg < 0 && u->print_to > 0)
			u->print_to--;
		else if (arg > 0 && u->print_to + 1 < n)
			u->print_to++;
		if (u->print_from > u->print_to)
			u->print_from = u->print_to;
		u->print_mode = 2;
		break;
	case ACT_PRINT_COPIES:
		if (arg < 0 && u->print_copies > 1)
			u->print_copies--;
		else if (arg > 0 && u->print_copies < KK_PRINT_MAX_COPIES)
			u->print_copies++;
		break;
	case ACT_PRINT_GO:
		selection(u, &first, &last);
		kk_print_confirm(u->print, first, last, u->print_copies);
		break;
	case ACT_PRINT_CANCEL:
		kk_print_cancel(u->print);
		if (u->pst.state != KK_PJ_PRINTING)
			u->print_open = 0;
		break;
	case ACT_PRINT_OK:
		kk_print_dismiss(u->print);
		u->print_open = 0;
		break;
	default:
		break;
	}
	ui_print_poll(u);
}

int ui_print_poll(struct ui *u)
{
	struct kk_print_status st;
	int changed;
	if (!u->print || !u->print_open)
		return 0;
	kk_print_status_get(u->print, &st);
	changed = st.state != u->pst.state || st.done != u->pst.done ||
		  st.problems != u->pst.problems || strcmp(st.message, u->pst.message) != 0 ||
		  st.prepare_seq != u->pst.prepare_seq;
	u->pst = st;
	if (st.state == KK_PJ_READY && u->print_inited != st.prepare_seq) {
		/* a new preview: everything, one copy; the page being read is offered */
		u->print_inited = st.prepare_seq;
		u->print_mode = 0;
		u->print_cur = current_page(u, st.pages);
		u->print_from = 0;
		u->print_to = st.pages - 1;
		u->print_copies = 1;
	}
	if (st.state == KK_PJ_IDLE && u->print_open && changed)
		u->print_open = 0; /* cancelled elsewhere (idle reset) */
	if (changed)
		u->dirty = 1;
	return changed;
}

void ui_print_reset(struct ui *u)
{
	if (!u->print)
		return;
	if (u->print_open && u->pst.state != KK_PJ_PRINTING) {
		kk_print_cancel(u->print);
		kk_print_dismiss(u->print);
		u->print_open = 0;
	}
	kk_print_session_reset(u->print);
}

/* ---- drawing ---- */

static void text_centre(struct ui *u, int size, int x, int y, int w, const char *s, uint32_t c)
{
	ui_text_line(u, size, x, y, w, s, c, 1);
}

static void stepper(struct ui *u, int x, int y, int h, const char *label, unsigned value,
		    const char *unit, enum ui_action a)
{
	char buf[64];
	int bw = h, sz = ui_px(u, 34), lw = ui_text_width(u, sz, label) + ui_px(u, 16);
	ui_text_line(u, sz, x, ui_text_top(y, h, sz), lw, label, COL_TEXT, 0);
	x += lw;
	ui_button(u, x, y, bw, h, "－", a, -1, COL_CARD, COL_ACCENT);
	ui_frame(u, x, y, bw, h, 2, COL_ACCENT);
	snprintf(buf, sizeof buf, "%u %s", value, unit);
	text_centre(u, sz, x + bw, ui_text_top(y, h, sz), ui_px(u, 150), buf, COL_TEXT);
	ui_button(u, x + bw + ui_px(u, 150), y, bw, h, "＋", a, 1, COL_CARD, COL_ACCENT);
	ui_frame(u, x + bw + ui_px(u, 150), y, bw, h, 2, COL_ACCENT);
}

static void choice(struct ui *u, int x, int y, int w, int h, const char *label, int on,
		   enum ui_action a, int64_t arg)
{
	ui_button(u, x, y, w, h, label, a, arg, on ? COL_ACCENT : COL_CARD,
		  on ? 0xFFFFFFFFu : COL_ACCENT);
	ui_frame(u, x, y, w, h, 2, COL_ACCENT);
}

static void estimate_text(unsigned s, char *out, size_t n)
{
	if (s < 60)
		snprintf(out, n, "约 %u 秒", s);
	else
		snprintf(out, n, "约 %u 分钟", (s + 59) / 60);
}

void ui_print_draw(struct ui *u)
{
	const struct kk_print_status *st = &u->pst;
	int m = ui_px(u, 40), bh = ui_px(u, 100), gap = ui_px(u, 24);
	int cw = u->w - 2 * ui_px(u, 48), tsz = ui_px(u, 44), sz = ui_px(u, 34);
	int cx, cy, ch, y, inner;
	char buf[512];

	if (!u->print_open)
		return;
	if (cw > ui_px(u, 1400))
		cw = ui_px(u, 1400);
	inner = cw - 2 * m;
	switch (st->state) {
	case KK_PJ_READY: ch = ui_px(u, st->req.kind == KK_PRINT_GUIDE ? 900 : 780); break;
	default: ch = ui_px(u, 520); break;
	}
	if (u->print_mode == 2 && st->state == KK_PJ_READY)
		ch += bh + gap;
	if (ch > u->h - ui_px(u, 40))
		ch = u->h - ui_px(u, 40);
	cx = (u->w - cw) / 2;
	cy = (u->h - ch) / 2;
	ui_fill(u, 0, 0, u->w, u->h, COL_DIM);
	ui_capture_cover(u, 0, 0, u->w, u->h);
	ui_hit_add(u, 0, 0, u->w, u->h, ACT_NONE, 0); /* nothing under the panel reacts */
	ui_fill(u, cx, cy, cw, ch, COL_CARD);
	ui_frame(u, cx, cy, cw, ch, 3, COL_ACCENT);
	y = cy + m;
	snprintf(buf, sizeof buf, "打印：%s", st->req.title);
	{ /* a long title is cut at a character, never in the middle of one */
		size_t bad;
		if (!kk_utf8_valid(buf, strlen(buf), &bad))
			buf[bad] = '\0';
	}
	ui_text_line(u, tsz, cx + m, y, inner, buf, COL_TEXT, 0);
	y += tsz + gap * 2;

	switch (st->state) {
	case KK_PJ_PREPARING:
	case KK_PJ_IDLE:
		text_centre(u, sz, cx + m, y + ui_px(u, 60), inner, "正在准备打印，请稍候……", COL_TEXT);
		ui_button(u, cx + (cw - ui_px(u, 360)) / 2, cy + ch - m - bh, ui_px(u, 360), bh,
			  "取消", ACT_PRINT_CANCEL, 0, COL_CARD, COL_ACCENT);
		ui_frame(u, cx + (cw - ui_px(u, 360)) / 2, cy + ch - m - bh, ui_px(u, 360), bh, 2,
			 COL_ACCENT);
		break;
	case KK_PJ_READY: {
		unsigned first, last, sheets;
		int w3 = (inner - 2 * gap) / 3;
		char est[64];
		snprintf(buf, sizeof buf, "共 %u 页 · 打印机：%s", st->pages, st->printer);
		ui_text_line(u, sz, cx + m, y, inner, buf, COL_MUTED, 0);
		y += sz + gap * 2;
		if (st->req.kind == KK_PRINT_GUIDE) {
			int w2 = (inner - gap) / 2;
			choice(u, cx + m, y, w2, bh, "要点清单（一页）", u->print_summary,
			       ACT_PRINT_SUMMARY, 1);
			choice(u, cx + m + w2 + gap, y, w2, bh, "全文", !u->print_summary,
			       ACT_PRINT_SUMMARY, 0);
			y += bh + gap;
		}
		if (st->pages > 1) { /* one page: nothing to choose */
			snprintf(buf, sizeof buf, "全部 %u 页", st->pages);
			choice(u, cx + m, y, w3, bh, buf, u->print_mode == 0, ACT_PRINT_MODE, 0);
			snprintf(buf, sizeof buf, "当前页（第 %u 页）", u->print_cur + 1);
			choice(u, cx + m + w3 + gap, y, w3, bh, buf, u->print_mode == 1,
			       ACT_PRINT_MODE, 1);
			choice(u, cx + m + 2 * (w3 + gap), y, w3, bh, "选择页码", u->print_mode == 2,
			       ACT_PRINT_MODE, 2);
			y += bh + gap;
		}
		if (u->print_mode == 2) {
			stepper(u, cx + m, y, bh, "从第", u->print_from + 1, "页", ACT_PRINT_FROM);
			stepper(u, cx + m + inner / 2, y, bh, "到第", u->print_to + 1, "页",
				ACT_PRINT_TO);
			y += bh + gap;
		}
		stepper(u, cx + m, y, bh, "份数", u->print_copies, "份", ACT_PRINT_COPIES);
		y += bh + gap;
		selection(u, &first, &last);
		sheets = (last - first + 1) * u->print_copies;
		estimate_text(kk_print_estimate(sheets, 0), est, sizeof est);
		snprintf(buf, sizeof buf, "将打印 %u 张纸，%s。", sheets, est);
		ui_text_line(u, sz, cx + m, y, inner, buf, COL_TEXT, 0);
		y += sz + gap;
		if (st->message[0])
			ui_text_line(u, ui_fit_size(u, sz, ui_px(u, 22), st->message, inner), cx + m,
				     y, inner, st->message, COL_WARN, 0);
		{
			int bw = (inner - gap) / 2, by = cy + ch - m - bh;
			ui_button(u, cx + m, by, bw, bh, "取消", ACT_PRINT_CANCEL, 0, COL_CARD, COL_ACCENT);
			ui_frame(u, cx + m, by, bw, bh, 2, COL_ACCENT);
			ui_button(u, cx + m + bw + gap, by, bw, bh, "开始打印", ACT_PRINT_GO, 0, COL_GO,
				  0xFFFFFFFFu);
		}
		break;
	}
	case KK_PJ_PRINTING: {
		int pw = inner, ph = ui_px(u, 40);
		unsigned total = st->total ? st->total : 1;
		snprintf(buf, sizeof buf, "正在打印：第 %u 张，共 %u 张",
			 st->done < total ? st->done + 1 : total, total);
		text_centre(u, sz, cx + m, y, inner, buf, COL_TEXT);
		y += sz + gap * 2;
		ui_fill(u, cx + m, y, pw, ph, 0xE6E0D4FFu);
		ui_fill(u, cx + m, y, (int)((long long)pw * st->done / total), ph, COL_GO);
		y += ph + gap * 2;
		if (st->message[0])
			text_centre(u, sz, cx + m, y, inner, st->message, COL_WARN);
		ui_button(u, cx + (cw - ui_px(u, 360)) / 2, cy + ch - m - bh, ui_px(u, 360), bh,
			  "取消打印", ACT_PRINT_CANCEL, 0, COL_CARD, COL_WARN);
		ui_frame(u, cx + (cw - ui_px(u, 360)) / 2, cy + ch - m - bh, ui_px(u, 360), bh, 2,
			 COL_WARN);
		break;
	}
	default: { /* DONE, FAILED, CANCELED, REFUSED */
		int ok = st->state == KK_PJ_DONE;
		text_centre(u, ui_px(u, 48), cx + m, y, inner, ok ? "打印完成" : "没有打印",
			    ok ? COL_GO : COL_WARN);
		y += ui_px(u, 48) + gap * 2;
		if (ok) {
			snprintf(buf, sizeof buf, "已打印 %u 张。%s", st->done, st->message);
			text_centre(u, ui_fit_size(u, sz, ui_px(u, 22), buf, inner), cx + m, y, inner,
				    buf, COL_TEXT);
		} else {
			text_centre(u, ui_fit_size(u, sz, ui_px(u, 22), st->message, inner), cx + m, y,
				    inner, st->message, COL_TEXT);
		}
		ui_button(u, cx + (cw - ui_px(u, 360)) / 2, cy + ch - m - bh, ui_px(u, 360), bh,
			  ok ? "好的" : "知道了", ACT_PRINT_OK, 0, COL_ACCENT, 0xFFFFFFFFu);
		break;
	}
	}
}
