/*
 * staff_panel.c — the staff panel for content updates from a USB stick (sync/service.h).
 *
 * When a stick carrying an update is in, the panel asks for the staff PIN on a large keypad
 * (the digits are shown as dots), then shows the copy with a progress bar, the percentage and
 * the time left, and finally the result in plain Chinese (applied with the new version and
 * counts; up to date; older than installed; signature invalid; damaged; not enough space) and
 * that the stick may be taken out. 好的 closes it; when new content was applied the kiosk
 * switches to it there and then (kk_ui_opts.reopen) and returns to the home screen.
 *
 * A stick carrying a signed site configuration (kiosk-setup/, sync/siteconf.h) gets the same
 * panel: the PIN when one is set, otherwise (a fresh image) an explicit 确认配置 button; then
 * "站点配置已更新：<site_name>（<kiosk_id>）" or the refusal with its reason. The kiosk reads
 * its configuration only at start, so 好的 after an applied configuration ends the UI loop and
 * the application exits with KK_APP_EXIT_RESTART (systemd's Restart=always starts it again on
 * the new kiosk.conf).
 *
 * A resident's print panel has priority: the staff panel waits until it is closed.
 */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "sync/service.h"
#include "ui/ui.h"
#include "ui_internal.h"

#define COL_GO 0x1E6B34FFu
#define COL_WARN 0xA3201AFFu

int ui_staff_open(struct ui *u)
{
	return u->sync && !u->print_open && u->sst.state != KK_SS_IDLE;
}

int ui_staff_busy(struct ui *u)
{
	return u->sync && (u->sst.state == KK_SS_CHECKING || u->sst.state == KK_SS_APPLYING);
}

int ui_staff_keypad(struct ui *u)
{
	return ui_staff_open(u) && u->sst.state == KK_SS_STICK && u->sst.has_pin;
}

/* Switch to the content an update installed; the screens start again from home. */
static void reload(struct ui *u)
{
	struct kk_catalog *cat = NULL;
	int err;
	if (!u->reopen)
		return;
	err = u->reopen(u->reopen_ctx, &cat);
	if (err || !cat) {
		kk_error("ui", "new content could not be opened (%s): keeping the old", kk_err_name(err));
		return;
	}
	ui_go_home(u);
	u->stack[0].kind = SCR_HOME; /* a kiosk that had no content gets its home screen */
	kk_catalog_info_fini(&u->info);
	u->cat = cat; /* the application closed the old one (it owns both) */
	u->cat_err = 0;
	if (kk_catalog_info(u->cat, &u->info))
		memset(&u->info, 0, sizeof u->info);
	u->dirty = 1;
	kk_info("ui", "showing the updated content %lld.%lld", (long long)u->info.epoch,
		(long long)u->info.seq);
}

int ui_staff_poll(struct ui *u)
{
	struct kk_sync_svc_status st;
	int changed;
	if (!u->sync)
		return 0;
	kk_sync_service_status(u->sync, &st);
	changed = st.state != u->sst.state || st.done != u->sst.done ||
		  st.locked_s != u->sst.locked_s || strcmp(st.message, u->sst.message) != 0;
	if (st.state == KK_SS_STICK && u->sst.state != KK_SS_STICK && u->sst.state != KK_SS_CHECKING)
		u->pin[0] = '\0'; /* a new stick: an empty PIN */
	if (st.state == KK_SS_STICK && u->sst.state == KK_SS_CHECKING)
		u->pin[0] = '\0'; /* a wrong PIN: type again */
	u->sst = st;
	/* an update applied in the background (network): switch when nobody is reading, that is
	 * on the home screen (the idle reset brings every visitor back there in the end) */
	if (st.applied != u->applied_seen && st.state == KK_SS_IDLE && u->depth == 1 &&
	    !u->print_open) {
		u->applied_seen = st.applied;
		reload(u);
		changed = 1;
	}
	if (changed)
		u->dirty = 1;
	return changed;
}

void ui_staff_action(struct ui *u, enum ui_action a, int64_t arg)
{
	size_t n = strlen(u->pin);
	if (!u->sync)
		return;
	switch (a) {
	case ACT_PIN_DIGIT:
		if (arg >= 0 && arg <= 9 && n < KK_SYNC_PIN_MAX) {
			u->pin[n] = (char)('0' + arg);
			u->pin[n + 1] = '\0';
		}
		break;
	case ACT_PIN_DEL:
		if (n)
			u->pin[n - 1] = '\0';
		break;
	case ACT_PIN_OK:
		if (n && kk_sync_service_unlock(u->sync, u->pin) == 0)
			memset(u->pin, 0, sizeof u->pin);
		break;
	case ACT_SITE_CONFIRM:
		kk_sync_service_confirm(u->sync);
		break;
	case ACT_STAFF_CLOSE:
		memset(u->pin, 0, sizeof u->pin);
		if (u->sst.state == KK_SS_RESULT && u->sst.kind == KK_STICK_SETUP &&
		    u->sst.site.outcome == KK_SITE_APPLIED) {
			kk_info("ui", "site configuration applied: ending the UI so the kiosk restarts");
			u->quit = 1; /* the application exits with KK_APP_EXIT_RESTART */
		}
		kk_sync_service_dismiss(u->sync);
		if (u->sst.state == KK_SS_RESULT && u->sst.applied != u->applied_seen) {
			u->applied_seen = u->sst.applied;
			reload(u);
		}
		ui_staff_poll(u);
		break;
	default:
		break;
	}
	u->dirty = 1;
}

static void keypad(struct ui *u, int x, int y, int w, int bh, int gap)
{
	static const char *labels[12] = { "1", "2", "3", "4", "5", "6", "7", "8", "9", "删除", "0",
					  "确定" };
	int kw = (w - 2 * gap) / 3;
	for (int i = 0; i < 12; i++) {
		int kx = x + (i % 3) * (kw + gap), ky = y + (i / 3) * (bh + gap);
		enum ui_action a = i == 9 ? ACT_PIN_DEL : i == 11 ? ACT_PIN_OK : ACT_PIN_DIGIT;
		int64_t arg = i == 10 ? 0 : i + 1;
		ui_button(u, kx, ky, kw, bh, labels[i], a, arg, i == 11 ? COL_GO : COL_CARD,
			  i == 11 ? 0xFFFFFFFFu : COL_TEXT);
		if (i != 11)
			ui_frame(u, kx, ky, kw, bh, 2, COL_LINE);
	}
}

static void mb(uint64_t b, char *out, size_t n)
{
	snprintf(out, n, "%.1f MB", (double)b / (1024.0 * 1024.0));
}

/* A site configuration on a kiosk without a staff PIN: confirm or cancel. */
static void draw_setup_confirm(struct ui *u, int cx, int cy, int cw, int ch, int y)
{
	const struct kk_sync_svc_status *st = &u->sst;
	int m = ui_px(u, 40), bh = ui_px(u, 100), gap = ui_px(u, 20), sz = ui_px(u, 34);
	int inner = cw - 2 * m, half = (inner - gap) / 2;

	if (st->state != KK_SS_STICK) {
		ui_text_line(u, sz, cx + m, y, inner, "正在核对签名并写入站点配置……", COL_TEXT, 0);
		return;
	}
	ui_text_line(u, sz, cx + m, y, inner, "检测到站点配置U盘。本机还没有设置工作人员密码。",
		     COL_TEXT, 0);
	y += sz + gap;
	ui_text_line(u, ui_fit_size(u, sz, ui_px(u, 22),
				    "确认后，本机的设置将换成U盘上签名的站点配置（签名不对不会写入）。",
				    inner),
		     cx + m, y, inner,
		     "确认后，本机的设置将换成U盘上签名的站点配置（签名不对不会写入）。", COL_MUTED, 0);
	ui_button(u, cx + m, cy + ch - m - bh, half, bh, "确认配置", ACT_SITE_CONFIRM, 0, COL_GO,
		  0xFFFFFFFFu);
	ui_button(u, cx + m + half + gap, cy + ch - m - bh, half, bh, "取消", ACT_STAFF_CLOSE, 0,
		  COL_CARD, COL_ACCENT);
	ui_frame(u, cx + m + half + gap, cy + ch - m - bh, half, bh, 2, COL_ACCENT);
}

/* The outcome of a site configuration: applied (the kiosk restarts on 好的) or why not. */
static void draw_setup_result(struct ui *u, int cx, int cy, int cw, int ch, int y)
{
	const struct kk_site_result *r = &u->sst.site;
	int m = ui_px(u, 40), bh = ui_px(u, 100), gap = ui_px(u, 20), sz = ui_px(u, 34);
	int inner = cw - 2 * m, ok = r->outcome == KK_SITE_APPLIED || r->outcome == KK_SITE_SAME;

	ui_text_line(u, ui_px(u, 48), cx + m, y, inner,
		     r->outcome == KK_SITE_APPLIED ? "站点配置已更新"
		     : ok			    ? "无需更新"
						    : "没有更新",
		     ok ? COL_GO : COL_WARN, 0);
	y += ui_px(u, 48) + gap * 2;
	ui_text_line(u, ui_fit_size(u, sz, ui_px(u, 22), r->message, inner), cx + m, y, inner,
		     r->message, COL_TEXT, 0);
	y += sz + gap;
	if (r->outcome == KK_SITE_APPLIED) {
		ui_text_line(u, sz, cx + m, y, inner, "点“好的”后本机重新启动，使用新的配置。",
			     COL_TEXT, 0);
		y += sz + gap;
	}
	ui_text_line(u, sz, cx + m, y, inner,
		     r->receipt_written ? "回执已写入U盘。现在可以拔出U盘。" : "现在可以拔出U盘。",
		     COL_MUTED, 0);
	ui_button(u, cx + (cw - ui_px(u, 360)) / 2, cy + ch - m - bh, ui_px(u, 360), bh, "好的",
		  ACT_STAFF_CLOSE, 0, COL_ACCENT, 0xFFFFFFFFu);
}

void ui_staff_draw(struct ui *u)
{
	const struct kk_sync_svc_status *st = &u->sst;
	int m = ui_px(u, 40), bh = ui_px(u, 100), gap = ui_px(u, 20), sz = ui_px(u, 34);
	int tsz = ui_px(u, 44), cw = u->w - 2 * ui_px(u, 48), ch, cx, cy, y, inner;
	char buf[512];

	if (!ui_staff_open(u))
		return;
	if (cw > ui_px(u, 1100))
		cw = ui_px(u, 1100);
	inner = cw - 2 * m;
	ch = (st->state == KK_SS_STICK || st->state == KK_SS_CHECKING) && st->has_pin ? ui_px(u, 1040)
	     : st->kind == KK_STICK_SETUP						  ? ui_px(u, 640)
											  : ui_px(u, 560);
	if (ch > u->h - ui_px(u, 20))
		ch = u->h - ui_px(u, 20);
	cx = (u->w - cw) / 2;
	cy = (u->h - ch) / 2;
	ui_fill(u, 0, 0, u->w, u->h, 0x000000A0u);
	ui_capture_cover(u, 0, 0, u->w, u->h);
	ui_hit_add(u, 0, 0, u->w, u->h, ACT_NONE, 0);
	ui_fill(u, cx, cy, cw, ch, COL_CARD);
	ui_frame(u, cx, cy, cw, ch, 3, COL_ACCENT);
	y = cy + m;
	ui_text_line(u, tsz, cx + m, y, inner,
		     st->kind == KK_STICK_SETUP ? "站点配置（工作人员）" : "内容更新（工作人员）",
		     COL_TEXT, 0);
	y += tsz + gap * 2;

	if (st->kind == KK_STICK_SETUP && st->state != KK_SS_RESULT && !st->has_pin) {
		draw_setup_confirm(u, cx, cy, cw, ch, y);
		return;
	}
	if (st->kind == KK_STICK_SETUP && st->state == KK_SS_RESULT) {
		draw_setup_result(u, cx, cy, cw, ch, y);
		return;
	}
	switch (st->state) {
	case KK_SS_STICK:
	case KK_SS_CHECKING:
		if (!st->has_pin) {
			ui_text_line(u, sz, cx + m, y, inner, "检测到内容更新U盘。", COL_TEXT, 0);
			ui_text_line(u, sz, cx + m, y + sz + gap, inner,
				     "本机没有设置工作人员密码，不能在这里更新。请联系技术人员。",
				     COL_WARN, 0);
			ui_button(u, cx + (cw - ui_px(u, 360)) / 2, cy + ch - m - bh, ui_px(u, 360), bh,
				  "知道了", ACT_STAFF_CLOSE, 0, COL_ACCENT, 0xFFFFFFFFu);
			break;
		}
		ui_text_line(u, sz, cx + m, y, inner,
			     st->kind == KK_STICK_SETUP ? "检测到站点配置U盘，请工作人员输入密码。"
							: "检测到内容更新U盘，请工作人员输入密码。",
			     COL_TEXT, 0);
		y += sz + gap;
		{ /* the PIN as dots, never as digits */
			char dots[3 * KK_SYNC_PIN_MAX + 1] = "";
			size_t n = strlen(u->pin);
			for (size_t i = 0; i < n; i++)
				memcpy(dots + 3 * i, "●", 4);
			ui_fill(u, cx + m, y, inner, bh, 0xF4F1EAFFu);
			ui_frame(u, cx + m, y, inner, bh, 2, COL_ACCENT);
			ui_text_line(u, sz, cx + m, ui_text_top(y, bh, sz), inner,
				     st->state == KK_SS_CHECKING ? "正在核对密码……" : dots, COL_TEXT, 1);
		}
		y += bh + gap;
		if (st->locked_s) {
			snprintf(buf, sizeof buf, "密码错误次数过多，请 %u 分钟后再试。",
				 (st->locked_s + 59) / 60);
			ui_text_line(u, sz, cx + m, y, inner, buf, COL_WARN, 0);
		} else if (st->message[0]) {
			ui_text_line(u, sz, cx + m, y, inner, st->message, COL_WARN, 0);
		}
		y += sz + gap;
		keypad(u, cx + m, y, inner, bh, gap);
		ui_button(u, cx + m, cy + ch - m - bh, inner, bh, "取消，不更新", ACT_STAFF_CLOSE, 0,
			  COL_CARD, COL_ACCENT);
		ui_frame(u, cx + m, cy + ch - m - bh, inner, bh, 2, COL_ACCENT);
		break;
	case KK_SS_APPLYING: {
		char a[32], b[32];
		int pw = inner, ph = ui_px(u, 40);
		unsigned pct = st->total ? (unsigned)(st->done * 100 / st->total) : 0;
		if (st->kind == KK_STICK_SETUP) {
			ui_text_line(u, sz, cx + m, y, inner, "正在核对并写入站点配置，请不要关闭电源。",
				     COL_TEXT, 0);
			break;
		}
		ui_text_line(u, sz, cx + m, y, inner, "正在更新内容，请不要关闭电源。", COL_TEXT, 0);
		y += sz + gap * 2;
		ui_fill(u, cx + m, y, pw, ph, 0xE6E0D4FFu);
		ui_fill(u, cx + m, y, (int)((long long)pw * pct / 100), ph, COL_GO);
		y += ph + gap;
		mb(st->done, a, sizeof a);
		mb(st->total, b, sizeof b);
		if (st->eta_s > 0)
			snprintf(buf, sizeof buf, "%u%% · 已复制 %s / %s · 还需约 %.0f 秒", pct, a, b,
				 st->eta_s + 0.5);
		else
			snprintf(buf, sizeof buf, "%u%% · 已复制 %s / %s", pct, a, b);
		ui_text_line(u, sz, cx + m, y, inner, buf, COL_TEXT, 0);
		break;
	}
	case KK_SS_RESULT: {
		int ok = st->result.outcome == KK_SYNC_APPLIED ||
			 st->result.outcome == KK_SYNC_UP_TO_DATE;
		ui_text_line(u, ui_px(u, 48), cx + m, y, inner,
			     st->result.outcome == KK_SYNC_APPLIED ? "更新完成"
			     : ok				    ? "无需更新"
								    : "没有更新",
			     ok ? COL_GO : COL_WARN, 0);
		y += ui_px(u, 48) + gap * 2;
		ui_text_line(u, ui_fit_size(u, sz, ui_px(u, 22), st->result.message, inner), cx + m, y,
			     inner, st->result.message, COL_TEXT, 0);
		y += sz + gap;
		ui_text_line(u, sz, cx + m, y, inner,
			     st->result.receipt_written ? "回执已写入U盘。现在可以拔出U盘。"
							: "现在可以拔出U盘。",
			     COL_MUTED, 0);
		ui_button(u, cx + (cw - ui_px(u, 360)) / 2, cy + ch - m - bh, ui_px(u, 360), bh, "好的",
			  ACT_STAFF_CLOSE, 0, COL_ACCENT, 0xFFFFFFFFu);
		break;
	}
	default:
		break;
	}
}
