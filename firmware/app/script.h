/*
 * script.h — headless input scripts (`kiosk --headless --script FILE`).
 *
 * One command per line; `#` starts a comment line:
 *   tap X Y                 touch down and up at (X, Y)
 *   drag X1 Y1 X2 Y2 MS     finger from (X1,Y1) to (X2,Y2) over MS milliseconds, then release
 *   type TEXT               text input (UTF-8, the rest of the line)
 *   key NAME                a key: Escape, Back, Return, Backspace, Home, Up, Down, PageUp, PageDown
 *   wait MS                 let MS milliseconds of (virtual) time pass
 *   idle SECONDS            advance the idle clock, as if nobody touched the screen
 *   shot NAME               write SHOTS/NAME.png (NAME: letters, digits, - and _)
 *   await staff|nostaff S   wait in REAL time, up to S seconds (1-600), until the staff panel
 *                           is open (staff) or closed (nostaff): a stick mounted or removed by
 *                           the test meanwhile. Prints "await: waiting for …" before and
 *                           "await: … after N ms (wall clock T ms)" after on stdout; a timeout
 *                           fails the script.
 * The parser is strict: an unknown command or a bad argument is an error naming the line.
 */
#ifndef KK_APP_SCRIPT_H
#define KK_APP_SCRIPT_H

#include <stddef.h>

enum kk_cmd_kind { KK_CMD_TAP, KK_CMD_DRAG, KK_CMD_TYPE, KK_CMD_KEY, KK_CMD_WAIT, KK_CMD_IDLE,
		   KK_CMD_SHOT, KK_CMD_AWAIT };

enum kk_key { KK_KEY_BACK = 1, KK_KEY_RETURN, KK_KEY_BACKSPACE, KK_KEY_HOME, KK_KEY_UP,
	      KK_KEY_DOWN, KK_KEY_PAGEUP, KK_KEY_PAGEDOWN };

struct kk_cmd {
	enum kk_cmd_kind kind;
	int line;      /* line number in the script, for messages */
	int a[5];      /* coordinates, milliseconds, seconds or enum kk_key */
	char *text;    /* type: the text; shot: the name */
};

struct kk_script {
	struct kk_cmd *cmds;
	size_t n;
};

#define KK_SCRIPT_MAX_BYTES (1 << 20)
#define KK_SCRIPT_MAX_CMDS 10000

/*
 * Parse a script. On error returns KK_EINVAL (or KK_E2BIG) and writes "NAME:LINE: message"
 * into err (errsz bytes). The caller owns s and frees it with kk_script_fini.
 */
int kk_script_parse(const char *name, const char *text, size_t len, struct kk_script *s, char *err,
		    size_t errsz);
int kk_script_load(const char *path, struct kk_script *s, char *err, size_t errsz);
void kk_script_fini(struct kk_script *s);
/* Key by name ("Escape", "Return", …); 0 if unknown. */
int kk_key_parse(const char *name);

#endif
