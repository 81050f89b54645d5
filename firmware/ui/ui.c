/*
 * ui.c — SDL lifetime, the event loop, touch handling and the headless script runner.
 *
 * DESIGN: the loop owns a clock `now` in milliseconds. Interactively it follows SDL_GetTicks;
 * headless it is virtual and only moves when the script says (`wait`, `drag`, `tap`), so the
 * same script always produces the same frames and screenshots. Idle time is `now - last_input`
 * plus whatever `idle` commands added; past the configured timeout the kiosk returns home, so
 * the next resident never finds someone else's document.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <SDL_image.h>

#include "base/err.h"
#include "base/log.h"
#include "base/utf8.h"
#include "ui/ui.h"
#include "ui/keyboard.h"
#include "ui/ui_internal.h"

#define FRAME_MS 16
#define TAP_SLOP 12        /* px at scale 1 before a touch becomes a drag */
#define FLING_DECAY 0.996f /* per ms */
#define UI_COUNTDOWN_S 10  /* the idle warning shows this many seconds before the reset */

static void ui_set_size(struct ui *u, int w, int h)
{
	u->w = w;
	u->h = h;
	u->s = (float)(w < h ? w : h) / 1080.0f;
	u->dirty = 1;
}

static struct ui_screen *top_screen(struct ui *u)
{
	return &u->stack[u->depth - 1];
}

static int view_height(struct ui *u)
{
	struct ui_screen *sc = top_screen(u);
	int top = sc->content_top ? sc->content_top : ui_px(u, 144);
	return ui_content_bottom(u) - top;
}

static float scroll_max(struct ui *u)
{
	struct ui_screen *sc = top_screen(u);
	float max = (float)(sc->dl.height - view_height(u) + ui_px(u, 40));
	return max < 0 ? 0 : max;
}

static void clamp_scroll(struct ui *u)
{
	struct ui_screen *sc = top_screen(u);
	float max = scroll_max(u);
	if (sc->scroll > max) {
		sc->scroll = max;
		sc->vel = 0;
	}
	if (sc->scroll < 0) {
		sc->scroll = 0;
		sc->vel = 0;
	}
}

static void note_input(struct ui *u)
{
	u->last_input = u->now;
	u->idle_skew = 0;
	if (u->countdown) {
		u->countdown = 0;
		u->dirty = 1;
	}
}

static void touch_down(struct ui *u, int x, int y)
{
	note_input(u);
	u->writing = 0;
	if (u->kb && u->kb_shown && top_screen(u)->kind == SCR_SEARCH && kb_stroke_begin(u->kb, x, y)) {
		u->writing = 1; /* the finger writes a character: no scrolling, no tap */
		u->down = 1;
		u->dirty = 1;
		return;
	}
	u->down = 1;
	u->dragging = 0;
	u->down_x = x;
	u->down_y = y;
	u->last_x = x;
	u->last_y = y;
	u->hband = 0;
	u->last_move = u->now;
	u->track_vel = 0;
	top_screen(u)->vel = 0;
	/* feedback in the next frame: darken what the finger is on */
	u->pressed = 0;
	for (int i = u->n_hits - 1; i >= 0; i--) {
		SDL_Point p = { x, y };
		if (SDL_PointInRect(&p, &u->hits[i].r)) {
			u->pressed = 1;
			u->pressed_r = u->hits[i].r;
			u->dirty = 1;
			break;
		}
	}
}

static void touch_move(struct ui *u, int x, int y)
{
	struct ui_screen *sc = top_screen(u);
	uint32_t dt;
	if (!u->down)
		return;
	note_input(u);
	if (u->print_open || ui_staff_open(u))
		return; /* a panel does not scroll; only its buttons react */
	if (u->writing) {
		kb_stroke_point(u->kb, x, y);
		u->dirty = 1;
		return;
	}
	if (!u->dragging && (abs(y - u->down_y) > ui_px(u, TAP_SLOP) ||
			     abs(x - u->down_x) > ui_px(u, TAP_SLOP))) {
		u->dragging = 1;
		u->pressed = 0; /* a drag is not a press */
		/* mostly sideways on a wide table: the table moves, not the page */
		if (abs(x - u->down_x) > abs(y - u->down_y) && sc->kind != SCR_HOME)
			u->hband = dl_band_at(&sc->dl, u->down_x - ui_px(u, UI_MARGIN),
					      u->down_y - sc->content_top + (int)sc->scroll);
	}
	if (!u->dragging)
		return;
	if (u->hband) {
		if (dl_band_scroll(&sc->dl, u->hband, u->last_x - x))
			u->dirty = 1;
		u->last_x = x;
		u->last_move = u->now;
		return;
	}
	dt = u->now - u->last_move;
	{
		/* past either end the content follows the finger at a third of the speed (rubber
		 * band), so the resident feels the end instead of a dead stop */
		float dy = (float)(y - u->last_y), max = scroll_max(u);
		if ((sc->scroll < 0 && dy > 0) || (sc->scroll > max && dy < 0))
			dy /= 3;
		sc->scroll -= dy;
		if (sc->scroll < -(float)u->h / 4)
			sc->scroll = -(float)u->h / 4;
		if (sc->scroll > max + (float)u->h / 4)
			sc->scroll = max + (float)u->h / 4;
	}
	if (dt > 0)
		u->track_vel = 0.6f * u->track_vel + 0.4f * (float)(u->last_y - y) / (float)dt;
	u->last_y = y;
	u->last_move = u->now;
	u->dirty = 1;
}

static void touch_up(struct ui *u, int x, int y)
{
	if (!u->down)
		return;
	note_input(u);
	u->down = 0;
	if (u->writing) {
		struct kb_event ev;
		u->writing = 0;
		kb_stroke_end(u->kb, &ev);
		ui_keyboard_event(u, &ev);
		u->dirty = 1;
		return;
	}
	if (u->pressed) {
		u->pressed = 0;
		u->dirty = 1;
	}
	if (u->dragging && u->hband) {
		u->hband = 0;
		u->dragging = 0;
		return;
	}
	if (u->dragging) {
		/* a finger that stopped before lifting does not fling */
		struct ui_screen *sc = top_screen(u);
		sc->vel = u->now - u->last_move > 100 ? 0 : u->track_vel;
		if (sc->scroll < 0 || sc->scroll > scroll_max(u))
			sc->vel = 0; /* released past an end: the spring brings it back */
		u->dragging = 0;
		return;
	}
	for (int i = u->n_hits - 1; i >= 0; i--) {
		SDL_Point p = { x, y };
		if (SDL_PointInRect(&p, &u->hits[i].r)) {
			ui_do_action(u, u->hits[i].action, u->hits[i].arg);
			return;
		}
	}
}

static void scroll_by(struct ui *u, int dy)
{
	top_screen(u)->scroll += (float)dy;
	top_screen(u)->vel = 0;
	clamp_scroll(u);
	u->dirty = 1;
}

static void key_press(struct ui *u, int key)
{
	note_input(u);
	if (ui_staff_open(u)) { /* modal: Back closes it unless an update is running */
		if (key == KK_KEY_BACK && !ui_staff_busy(u))
			ui_do_action(u, ACT_STAFF_CLOSE, 0);
		else if (ui_staff_keypad(u) && key == KK_KEY_BACKSPACE)
			ui_do_action(u, ACT_PIN_DEL, 0);
		else if (ui_staff_keypad(u) && key == KK_KEY_RETURN)
			ui_do_action(u, ACT_PIN_OK, 0);
		return;
	}
	if (u->print_open) { /* the panel is modal: Back cancels it, other keys do nothing */
		if (key == KK_KEY_BACK)
			ui_do_action(u, u->pst.state == KK_PJ_READY ||
						u->pst.state == KK_PJ_PREPARING ||
						u->pst.state == KK_PJ_PRINTING
					? ACT_PRINT_CANCEL
					: ACT_PRINT_OK,
				     0);
		return;
	}
	switch (key) {
	case KK_KEY_BACK: ui_pop(u); break;
	case KK_KEY_HOME: ui_go_home(u); break;
	case KK_KEY_UP: scroll_by(u, -ui_px(u, 120)); break;
	case KK_KEY_DOWN: scroll_by(u, ui_px(u, 120)); break;
	case KK_KEY_PAGEUP: scroll_by(u, -(view_height(u) - ui_px(u, 100))); break;
	case KK_KEY_PAGEDOWN: scroll_by(u, view_height(u) - ui_px(u, 100)); break;
	case KK_KEY_BACKSPACE:
		if (top_screen(u)->kind == SCR_SEARCH && u->query[0]) {
			size_t n = strlen(u->query);
			while (n > 0 && ((unsigned char)u->query[n - 1] & 0xC0) == 0x80)
				n--;
			u->query[n > 0 ? n - 1 : 0] = '\0';
			ui_search_changed(u);
		}
		break;
	case KK_KEY_RETURN:
		/* Enter is 搜索: the keyboard steps aside for the results */
		if (top_screen(u)->kind == SCR_SEARCH) {
			u->kb_shown = 0;
			ui_search_changed(u);
			ui_search_count_miss(u);
		}
		break;
	}
	u->dirty = 1;
}

static void text_input(struct ui *u, const char *text)
{
	size_t have = strlen(u->query), add = strlen(text);
	note_input(u);
	if (ui_staff_open(u)) {
		/* staff with a USB keyboard type the PIN: digits as on the keypad, the rest ignored */
		for (const char *c = text; ui_staff_keypad(u) && *c; c++)
			if (*c >= '0' && *c <= '9')
				ui_do_action(u, ACT_PIN_DIGIT, *c - '0');
		return;
	}
	if (top_screen(u)->kind != SCR_SEARCH)
		return;
	if (!kk_utf8_valid(text, add, NULL) || have + add >= sizeof u->query - 1)
		return;
	memcpy(u->query + have, text, add + 1);
	ui_search_changed(u);
}

/* Advance animations by dt ms. */
static void animate(struct ui *u, uint32_t dt)
{
	struct ui_screen *sc = top_screen(u);
	u->now += dt;
	if (sc->vel != 0 && !u->down) {
		sc->scroll += sc->vel * (float)dt;
		sc->vel *= powf(FLING_DECAY, (float)dt);
		if (fabsf(sc->vel) < 0.02f)
			sc->vel = 0;
		clamp_scroll(u);
		u->dirty = 1;
	}
	if (!u->down && (sc->scroll < 0 || sc->scroll > scroll_max(u))) {
		/* released past an end: spring back (about 150 ms), then rest exactly at the end */
		float target = sc->scroll < 0 ? 0 : scroll_max(u);
		sc->scroll = target + (sc->scroll - target) * powf(0.98f, (float)dt);
		if (fabsf(sc->scroll - target) < 0.5f)
			sc->scroll = target;
		sc->vel = 0;
		u->dirty = 1;
	}
	ui_print_poll(u);
	ui_staff_poll(u);
	if (ui_print_busy(u) || ui_staff_open(u))
		note_input(u); /* printing, or staff updating: nobody has walked away */
	if (u->cfg->idle_timeout > 0 && (u->depth > 1 || u->large || u->query[0] || u->print_open)) {
		uint64_t idle = (uint64_t)(u->now - u->last_input) + u->idle_skew;
		uint64_t limit = (uint64_t)u->cfg->idle_timeout * 1000;
		int left = idle >= limit ? 0 : (int)((limit - idle + 999) / 1000);
		if (!left) {
			/* the resident walked away: clear everything of theirs */
			kk_info("ui", "idle for %d s: back to the home screen", u->cfg->idle_timeout);
			ui_print_reset(u);
			ui_go_home(u);
			u->large = 0;
			u->countdown = 0;
			note_input(u);
			u->dirty = 1;
		} else if (left <= UI_COUNTDOWN_S && left != u->countdown) {
			u->countdown = left; /* a gentle warning first */
			u->dirty = 1;
		} else if (left > UI_COUNTDOWN_S && u->countdown) {
			u->countdown = 0;
			u->dirty = 1;
		}
	}
}

/*
 * For technicians diagnosing a black screen: with KK_FIRST_FRAME_PNG=FILE in the environment
 * the first frame is read back from the renderer, as drawn, and saved before it is presented.
 * What the file shows against what the display shows tells a drawing fault from a display one.
 */
static void save_first_frame(struct ui *u)
{
	const char *path = getenv("KK_FIRST_FRAME_PNG");
	SDL_Surface *shot;

	if (!path || !*path || u->presented || u->surface)
		return;
	shot = SDL_CreateRGBSurfaceWithFormat(0, u->w, u->h, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!shot || SDL_RenderReadPixels(u->r, NULL, SDL_PIXELFORMAT_ARGB8888, shot->pixels,
					  shot->pitch) != 0 || IMG_SavePNG(shot, path) != 0)
		kk_warn("ui", "first frame not saved to %s: %s", path, SDL_GetError());
	else
		kk_info("ui", "first frame saved to %s", path);
	SDL_FreeSurface(shot);
}

static void frame(struct ui *u)
{
	ui_draw(u);
	if (u->pressed)
		ui_fill(u, u->pressed_r.x, u->pressed_r.y, u->pressed_r.w, u->pressed_r.h, 0x00000040u);
	save_first_frame(u);
	if (!u->presented)
		SDL_ClearError(); /* what SDL reports after this present is about it */
	SDL_RenderPresent(u->r);
	u->dirty = 0;
}

/* ---- headless ---------------------------------------------------------------------------- */

static int cmp_capture(const void *a, const void *b)
{
	const struct ui_capture_glyph *x = a, *y = b;
	if (x->y != y->y)
		return x->y < y->y ? -1 : 1;
	return x->x < y->x ? -1 : x->x > y->x;
}

/*
 * The text of a screenshot, one line per row of glyphs sharing a top edge, left to right:
 * "Y SIZE<TAB>text". A gap wider than an em inside a row (table cells, a label and its value)
 * is written as " | ", emphasis and search matches as «…». Tests grep these files to check
 * what a screen says.
 */
static int write_capture(const struct ui_capture *c, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return KK_EIO;
	for (size_t i = 0; i < c->n;) {
		size_t j = i;
		fprintf(f, "%d %d\t", c->g[i].y, c->g[i].size);
		for (; j < c->n && c->g[j].y == c->g[i].y; j++) {
			char utf[5] = { 0 };
			int gap = j > i && c->g[j].x - c->g[j - 1].x > 2 * c->g[j - 1].size;
			int was = j > i && !gap && c->g[j - 1].emph;
			if (was && !c->g[j].emph)
				fputs("»", f);
			if (gap)
				fputs(j > i && c->g[j - 1].emph ? "» | " : " | ", f);
			if (c->g[j].emph && !was)
				fputs("«", f);
			kk_utf8_encode(c->g[j].cp, utf);
			fputs(utf, f);
		}
		if (c->g[j - 1].emph)
			fputs("»", f);
		fputc('\n', f);
		i = j;
	}
	return fclose(f) == 0 ? 0 : KK_EIO;
}

/* The touch targets of a screenshot (NAME.hits): "X Y W H ACTION", "clipped" appended for a
 * target partly scrolled out of view. Tests check their size. */
static int write_hits(struct ui *u, const char *dir, const char *name)
{
	char path[1024];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s.hits", dir, name);
	if (!(f = fopen(path, "w")))
		return KK_EIO;
	for (int i = 0; i < u->n_hits; i++)
		fprintf(f, "%d %d %d %d %d%s\n", u->hits[i].r.x, u->hits[i].r.y, u->hits[i].r.w,
			u->hits[i].r.h, (int)u->hits[i].action, u->hits[i].clipped ? " clipped" : "");
	return fclose(f) == 0 ? 0 : KK_EIO;
}

static int write_shot(struct ui *u, const char *dir, const char *name)
{
	char path[1024];
	struct ui_capture cap = { 0 };
	int rc = 0;
	u->capture = &cap;
	frame(u);
	u->capture = NULL;
	snprintf(path, sizeof path, "%s/%s.png", dir, name);
	if (IMG_SavePNG(u->surface, path) != 0) {
		kk_error("ui", "cannot write %s: %s", path, IMG_GetError());
		rc = KK_EIO;
		goto out;
	}
	qsort(cap.g, cap.n, sizeof *cap.g, cmp_capture);
	snprintf(path, sizeof path, "%s/%s.txt", dir, name);
	if (write_capture(&cap, path) || write_hits(u, dir, name)) {
		kk_error("ui", "cannot write %s", path);
		rc = KK_EIO;
	}
out:
	free(cap.g);
	return rc;
}

struct frame_stats;
static int run_script_stats(struct ui *u, const struct kk_script *s, const char *shots,
			    struct frame_stats *fs);

/*
 * Frame statistics for benchmarks (KK_FRAME_STATS=1 in the environment): in headless mode a
 * frame is then drawn at every 16 ms step of `drag` and `wait`, as the board would, and the
 * time each took is printed at the end (median and 99th percentile). Off by default, so tests
 * and screenshots are unaffected.
 */
struct frame_stats {
	double *ms;
	size_t n, cap;
};

static void stats_frame(struct ui *u, struct frame_stats *fs)
{
	Uint64 t0;
	if (!fs || !u->dirty)
		return; /* nothing changed: the board would not draw this frame either */
	t0 = SDL_GetPerformanceCounter();
	frame(u);
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 1024;
		double *p = realloc(fs->ms, cap * sizeof *p);
		if (!p)
			return;
		fs->ms = p;
		fs->cap = cap;
	}
	fs->ms[fs->n++] = (double)(SDL_GetPerformanceCounter() - t0) * 1000.0 /
			  (double)SDL_GetPerformanceFrequency();
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void stats_print(struct ui *u, struct frame_stats *fs)
{
	if (!fs || !fs->n)
		return;
	qsort(fs->ms, fs->n, sizeof *fs->ms, cmp_double);
	printf("frames: %zu at %dx%d, median %.3f ms, p99 %.3f ms, max %.3f ms\n", fs->n, u->w, u->h,
	       fs->ms[fs->n / 2], fs->ms[fs->n * 99 / 100], fs->ms[fs->n - 1]);
	free(fs->ms);
}

static int run_script(struct ui *u, const struct kk_script *s, const char *shots)
{
	struct frame_stats stats_store = { 0 };
	struct frame_stats *fs = getenv("KK_FRAME_STATS") ? &stats_store : NULL;
	int rc = run_script_stats(u, s, shots, fs);
	stats_print(u, fs);
	return rc;
}

/* `await staff|nostaff S`: poll the sync worker in real time (every 5 ms) until the staff
 * panel is open or closed as asked; 0, or KK_EINVAL after S seconds. */
static int await_staff(struct ui *u, const struct kk_cmd *c)
{
	const char *what = c->a[0] ? "the staff panel to open" : "the staff panel to close";
	Uint64 t0 = SDL_GetTicks64();
	printf("await: waiting for %s (line %d)\n", what, c->line);
	fflush(stdout);
	for (;;) {
		Uint64 el = SDL_GetTicks64() - t0;
		ui_staff_poll(u);
		if (ui_staff_open(u) == (c->a[0] != 0)) {
			struct timespec wall;
			clock_gettime(CLOCK_REALTIME, &wall);
			printf("await: %s after %llu ms (wall clock %lld ms)\n",
			       c->a[0] ? "staff panel open" : "staff panel closed", (unsigned long long)el,
			       (long long)wall.tv_sec * 1000 + wall.tv_nsec / 1000000);
			fflush(stdout);
			break;
		}
		if (el > (Uint64)c->a[1] * 1000) {
			fprintf(stderr, "kiosk: script line %d: waited %d s for %s\n", c->line, c->a[1],
				what);
			return KK_EINVAL;
		}
		SDL_Delay(5);
	}
	animate(u, 0);
	return 0;
}

static int run_script_stats(struct ui *u, const struct kk_script *s, const char *shots,
			    struct frame_stats *fs)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct kk_cmd *c = &s->cmds[i];
		int rc;
		if ((c->kind == KK_CMD_TAP || c->kind == KK_CMD_DRAG) &&
		    (c->a[0] >= u->w || c->a[1] >= u->h ||
		     (c->kind == KK_CMD_DRAG && (c->a[2] >= u->w || c->a[3] >= u->h)))) {
			fprintf(stderr, "kiosk: script line %d: point outside the %dx%d screen\n", c->line,
				u->w, u->h);
			return KK_EINVAL;
		}
		if (u->dirty)
			frame(u); /* hit regions must match what is on screen */
		switch (c->kind) {
		case KK_CMD_TAP:
			touch_down(u, c->a[0], c->a[1]);
			animate(u, 50);
			touch_up(u, c->a[0], c->a[1]);
			break;
		case KK_CMD_DRAG: {
			int steps = c->a[4] / FRAME_MS > 0 ? c->a[4] / FRAME_MS : 1;
			touch_down(u, c->a[0], c->a[1]);
			for (int k = 1; k <= steps; k++) {
				animate(u, (uint32_t)(c->a[4] / steps));
				touch_move(u, c->a[0] + (c->a[2] - c->a[0]) * k / steps,
					   c->a[1] + (c->a[3] - c->a[1]) * k / steps);
				stats_frame(u, fs);
			}
			touch_up(u, c->a[2], c->a[3]);
			break;
		}
		case KK_CMD_TYPE: text_input(u, c->text); break;
		case KK_CMD_KEY: key_press(u, c->a[0]); break;
		case KK_CMD_WAIT:
			for (int left = c->a[0]; left > 0; left -= FRAME_MS) {
				animate(u, (uint32_t)(left < FRAME_MS ? left : FRAME_MS));
				stats_frame(u, fs);
			}
			break;
		case KK_CMD_IDLE:
			u->idle_skew += (uint32_t)c->a[0] * 1000u;
			animate(u, 0);
			break;
		case KK_CMD_AWAIT:
			if ((rc = await_staff(u, c)))
				return rc;
			break;
		case KK_CMD_SHOT:
			ui_print_poll(u);
			if (!shots) {
				fprintf(stderr, "kiosk: script line %d: shot needs --shots DIR\n", c->line);
				return KK_EINVAL;
			}
			if ((rc = write_shot(u, shots, c->text)))
				return rc;
			break;
		}
		/* the print worker runs in real time while the script's clock is virtual: wait for
		 * it here so the same script always shows the same frames */
		if (ui_print_busy(u) && kk_print_wait(u->print, 120000) == 0)
			ui_print_poll(u);
		/* the same for an update being checked and applied, or downloaded */
		for (int k = 0; k < 6000 && (ui_staff_poll(u), ui_staff_busy(u) || u->sst.net_busy);
		     k++)
			SDL_Delay(20);
	}
	return 0;
}

/* ---- interactive ------------------------------------------------------------------------- */

static int map_key(SDL_Keycode k)
{
	switch (k) {
	case SDLK_ESCAPE: case SDLK_AC_BACK: return KK_KEY_BACK;
	case SDLK_RETURN: case SDLK_KP_ENTER: return KK_KEY_RETURN;
	case SDLK_BACKSPACE: return KK_KEY_BACKSPACE;
	case SDLK_HOME: return KK_KEY_HOME;
	case SDLK_UP: return KK_KEY_UP;
	case SDLK_DOWN: return KK_KEY_DOWN;
	case SDLK_PAGEUP: return KK_KEY_PAGEUP;
	case SDLK_PAGEDOWN: return KK_KEY_PAGEDOWN;
	default: return 0;
	}
}

static void run_interactive(struct ui *u)
{
	SDL_StartTextInput();
	u->now = SDL_GetTicks();
	u->last_input = u->now;
	while (!u->quit) {
		SDL_Event e;
		int animating = top_screen(u)->vel != 0 || top_screen(u)->scroll < 0 ||
				top_screen(u)->scroll > scroll_max(u);
		if (SDL_WaitEventTimeout(&e, animating || u->repeat ? 1 : 250)) {
			do {
				u->now = SDL_GetTicks();
				switch (e.type) {
				case SDL_QUIT: u->quit = 1; break;
				case SDL_MOUSEBUTTONDOWN:
					if (e.button.button == SDL_BUTTON_LEFT)
						touch_down(u, e.button.x, e.button.y);
					break;
				case SDL_MOUSEMOTION: touch_move(u, e.motion.x, e.motion.y); break;
				case SDL_MOUSEBUTTONUP:
					if (e.button.button == SDL_BUTTON_LEFT)
						touch_up(u, e.button.x, e.button.y);
					break;
				case SDL_MOUSEWHEEL: scroll_by(u, -e.wheel.y * ui_px(u, 120)); break;
				case SDL_KEYDOWN:
					if (map_key(e.key.keysym.sym))
						key_press(u, map_key(e.key.keysym.sym));
					break;
				case SDL_TEXTINPUT: text_input(u, e.text.text); break;
				case SDL_USEREVENT:
					ui_print_poll(u);
					ui_staff_poll(u);
					break;
				case SDL_RENDER_TARGETS_RESET:
				case SDL_RENDER_DEVICE_RESET:
					u->ring.valid = 0; /* the cached picture is gone */
					u->dirty = 1;
					break;
				case SDL_WINDOWEVENT:
					if (e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED)
						ui_set_size(u, e.window.data1, e.window.data2);
					u->dirty = 1;
					break;
				}
			} while (SDL_PollEvent(&e));
		}
		{
			uint32_t t = SDL_GetTicks(), dt = t - u->now;
			u->now = t - dt; /* animate() adds dt back */
			animate(u, dt);
		}
		if (!u->dirty && u->repeat > 0) {
			u->repeat--;
			frame(u);
		}
		if (u->dirty) {
			frame(u);
			u->repeat = u->repeat_after;
			if (!u->presented) {
				const char *why = SDL_GetError();
				u->presented = 1;
				if (why && *why)
					kk_warn("ui", "first frame presented; SDL reports: %s", why);
				else
					kk_info("ui", "first frame presented");
			}
		}
		/* the loop turns at least every 250 ms (the wait above): a hung UI stops the
		 * keep-alives and systemd restarts the kiosk. The first call (READY=1) comes
		 * after the first frame was presented. */
		if (u->heartbeat)
			u->heartbeat(u->heartbeat_ctx);
	}
}

/* SDL's own messages (SDL_Log*) go to our log: errors and warnings always, the video
 * driver's debug lines when log_level is debug. */
static void ui_sdl_log(void *ctx, int category, SDL_LogPriority pri, const char *msg)
{
	if (pri >= SDL_LOG_PRIORITY_ERROR)
		kk_error("sdl", "%s", msg);
	else if (pri == SDL_LOG_PRIORITY_WARN)
		kk_warn("sdl", "%s", msg);
	else if (pri == SDL_LOG_PRIORITY_INFO)
		kk_info("sdl", "%s", msg);
	else
		kk_debug("sdl", "%s", msg);
}

/* One line for technicians: which video driver, renderer and mode the kiosk got. */
static void ui_log_display(struct ui *u)
{
	SDL_RendererInfo ri;
	SDL_DisplayMode m;
	int idx = SDL_GetWindowDisplayIndex(u->win);

	if (SDL_GetRendererInfo(u->r, &ri) != 0)
		ri.name = "?", ri.flags = 0;
	if (idx < 0 || SDL_GetCurrentDisplayMode(idx, &m) != 0)
		memset(&m, 0, sizeof m);
	kk_info("ui", "display: video driver %s, renderer %s (%s%s), mode %dx%d@%dHz, drawing %dx%d",
		SDL_GetCurrentVideoDriver() ? SDL_GetCurrentVideoDriver() : "?", ri.name,
		(ri.flags & SDL_RENDERER_ACCELERATED) ? "accelerated" : "software",
		(ri.flags & SDL_RENDERER_PRESENTVSYNC) ? ", vsync" : "", m.w, m.h, m.refresh_rate,
		u->w, u->h);
}

int kk_ui_run(const struct kk_ui_opts *o)
{
	struct ui *u = calloc(1, sizeof *u);
	int rc = 0, headless = o->script != NULL;

	if (!u)
		return KK_ENOMEM;
	u->cfg = o->cfg;
	u->cat = o->cat;
	u->cat_err = o->cat_err;
	u->print = o->print;
	u->sync = o->sync;
	u->reopen = o->reopen;
	u->reopen_ctx = o->reopen_ctx;
	u->heartbeat = o->heartbeat;
	u->heartbeat_ctx = o->heartbeat_ctx;
	if (u->sync) {
		ui_staff_poll(u);
		u->applied_seen = u->sst.applied;
	}
	SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
	SDL_LogSetOutputFunction(ui_sdl_log, NULL);
	SDL_LogSetAllPriority(kk_log_get_level() >= KK_LOG_DEBUG ? SDL_LOG_PRIORITY_DEBUG
								  : SDL_LOG_PRIORITY_WARN);
	if (SDL_Init(headless ? SDL_INIT_EVENTS : SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
		kk_error("ui", "no display: %s (use --headless on a machine without one)", SDL_GetError());
		free(u);
		return KK_EDISPLAY;
	}
	if (TTF_Init() != 0) {
		kk_error("ui", "SDL_ttf: %s", TTF_GetError());
		rc = KK_EFONT;
		goto out;
	}
	IMG_Init(IMG_INIT_PNG | IMG_INIT_JPG);
	if (headless) {
		u->surface = SDL_CreateRGBSurfaceWithFormat(0, o->width, o->height, 32,
							    SDL_PIXELFORMAT_ARGB8888);
		if (!u->surface || !(u->r = SDL_CreateSoftwareRenderer(u->surface))) {
			kk_error("ui", "off-screen surface %dx%d: %s", o->width, o->height, SDL_GetError());
			rc = KK_EDISPLAY;
			goto out;
		}
		ui_set_size(u, o->width, o->height);
	} else {
		Uint32 flags = SDL_WINDOW_SHOWN | (o->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
		int w, h;
		u->win = SDL_CreateWindow(o->cfg->site_name, SDL_WINDOWPOS_CENTERED,
					  SDL_WINDOWPOS_CENTERED, o->width, o->height, flags);
		if (!u->win) {
			kk_error("ui", "cannot open a window: %s", SDL_GetError());
			rc = KK_EDISPLAY;
			goto out;
		}
		/* On KMSDRM (a board, no X or Wayland) EGL gives GLES contexts: SDL's desktop
		 * "opengl" renderer would load libGLESv2 without glBegin & co. and draw nothing
		 * (a black screen); "opengles2" is the renderer for them. SDL_RENDER_DRIVER in
		 * the environment still wins. */
		if (!getenv("SDL_RENDER_DRIVER") && SDL_GetCurrentVideoDriver() &&
		    strcmp(SDL_GetCurrentVideoDriver(), "KMSDRM") == 0)
			SDL_SetHint(SDL_HINT_RENDER_DRIVER, "opengles2");
		u->r = SDL_CreateRenderer(u->win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
		if (!u->r)
			u->r = SDL_CreateRenderer(u->win, -1, SDL_RENDERER_SOFTWARE);
		if (!u->r) {
			kk_error("ui", "no renderer: %s", SDL_GetError());
			rc = KK_EDISPLAY;
			goto out;
		}
		if (o->fullscreen)
			SDL_ShowCursor(SDL_DISABLE); /* a touch kiosk shows no mouse pointer */
		SDL_GetRendererOutputSize(u->r, &w, &h);
		ui_set_size(u, w, h);
		ui_log_display(u);
		/* KMSDRM without a GPU driver (Mesa's kms_swrast on virtio-gpu, bochs, simple
		 * framebuffers): the buffer a flip puts on screen may not hold the frame drawn
		 * into it yet, and a still screen would stay black or stale (seen in QEMU:
		 * the first frame, drawn right, never reached the display). Presenting the
		 * same picture twice more after each change costs a few ms and settles it. */
		if (SDL_GetCurrentVideoDriver() && strcmp(SDL_GetCurrentVideoDriver(), "KMSDRM") == 0)
			u->repeat_after = 2;
	}
	SDL_SetRenderDrawBlendMode(u->r, SDL_BLENDMODE_BLEND);
	/* for tests and benchmarks: draw every frame whole, without the scroll cache */
	u->kb_shown = 1;
	u->ring.failed = getenv("KK_NO_SCROLL_CACHE") != NULL;
	/* for the benchmark: the naive path a kiosk built on SDL_ttf's string renderers takes */
	u->ring.naive = getenv("KK_NAIVE_TEXT") != NULL;
	u->ring.failed |= u->ring.naive;
	if ((rc = ui_fonts_init(&u->fonts, u->r, o->cfg))) {
		fprintf(stderr, "kiosk: font not found or unusable: %s (face %d); set font_path in the "
				"config, or install Debian's fonts-noto-cjk\n",
			o->cfg->font_path, o->cfg->font_index);
		goto out;
	}
	if (u->cat && kk_catalog_info(u->cat, &u->info)) {
		u->cat = NULL; /* the caller still owns and closes it */
		u->cat_err = KK_EDB;
	}
	u->depth = 1;
	u->stack[0].kind = u->cat ? SCR_HOME : SCR_ERROR;
	u->dirty = 1;
	if (headless)
		rc = run_script(u, o->script, o->shots_dir);
	else
		run_interactive(u);
out:
	while (u->depth > 0)
		ui_screen_fini(&u->stack[--u->depth]);
	kk_catalog_info_fini(&u->info);
	kb_free(u->kb);
	ui_fonts_fini(&u->fonts);
	ui_ring_fini(&u->ring);
	if (u->r)
		SDL_DestroyRenderer(u->r);
	if (u->surface)
		SDL_FreeSurface(u->surface);
	if (u->win)
		SDL_DestroyWindow(u->win);
	IMG_Quit();
	if (TTF_WasInit())
		TTF_Quit();
	SDL_Quit();
	free(u);
	return rc;
}
