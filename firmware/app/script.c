/* script.c — see script.h. */
#include "app/script.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/utf8.h"

int kk_key_parse(const char *name)
{
	static const struct {
		const char *name;
		int key;
	} keys[] = { { "Escape", KK_KEY_BACK },	     { "Back", KK_KEY_BACK },
		     { "Return", KK_KEY_RETURN },    { "Enter", KK_KEY_RETURN },
		     { "Backspace", KK_KEY_BACKSPACE }, { "Home", KK_KEY_HOME },
		     { "Up", KK_KEY_UP },	     { "Down", KK_KEY_DOWN },
		     { "PageUp", KK_KEY_PAGEUP },    { "PageDown", KK_KEY_PAGEDOWN } };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!strcmp(name, keys[i].name))
			return keys[i].key;
	return 0;
}

void kk_script_fini(struct kk_script *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->cmds[i].text);
	free(s->cmds);
	s->cmds = NULL;
	s->n = 0;
}

/* Parse exactly n integers in [lo, hi] from args; returns 0 or -1. */
static int ints(char *args, int *out, int n, long lo, long hi)
{
	char *save = NULL, *tok;
	int k = 0;
	for (tok = strtok_r(args, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *end;
		long v;
		if (k == n)
			return -1;
		errno = 0;
		v = strtol(tok, &end, 10);
		if (errno || *end || v < lo || v > hi)
			return -1;
		out[k++] = (int)v;
	}
	return k == n ? 0 : -1;
}

static int valid_shot_name(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return 0;
	return 1;
}

int kk_script_parse(const char *name, const char *text, size_t len, struct kk_script *s, char *err,
		    size_t errsz)
{
	size_t pos = 0, cap = 0;
	int line = 0, rc = 0;

	memset(s, 0, sizeof *s);
	if (len > KK_SCRIPT_MAX_BYTES) {
		snprintf(err, errsz, "%s: script larger than %d bytes", name, KK_SCRIPT_MAX_BYTES);
		return KK_E2BIG;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text - pos) : len - pos;
		char buf[1024], *cmd, *args, *p;
		struct kk_cmd c = { 0 };
		const char *why = NULL;

		line++;
		if (n >= sizeof buf) {
			why = "line too long";
			goto bad;
		}
		memcpy(buf, text + pos, n);
		buf[n] = '\0';
		pos += n + 1;
		if (n && buf[n - 1] == '\r')
			buf[--n] = '\0';
		if (memchr(buf, '\0', n) || !kk_utf8_valid(buf, n, NULL)) {
			why = "not valid UTF-8 text";
			goto bad;
		}
		cmd = buf;
		while (*cmd == ' ' || *cmd == '\t')
			cmd++;
		if (!*cmd || *cmd == '#')
			continue;
		for (p = cmd; *p && *p != ' ' && *p != '\t'; p++)
			;
		args = p;
		if (*p) {
			*p = '\0';
			args = p + 1;
		}
		c.line = line;
		if (!strcmp(cmd, "tap")) {
			c.kind = KK_CMD_TAP;
			if (ints(args, c.a, 2, 0, 16384))
				why = "tap takes X Y (whole pixels)";
		} else if (!strcmp(cmd, "drag")) {
			c.kind = KK_CMD_DRAG;
			if (ints(args, c.a, 5, 0, 16384) || c.a[4] < 1 || c.a[4] > 10000)
				why = "drag takes X1 Y1 X2 Y2 MS (MS from 1 to 10000)";
		} else if (!strcmp(cmd, "wait")) {
			c.kind = KK_CMD_WAIT;
			if (ints(args, c.a, 1, 0, 600000))
				why = "wait takes MS (0 to 600000)";
		} else if (!strcmp(cmd, "idle")) {
			c.kind = KK_CMD_IDLE;
			if (ints(args, c.a, 1, 0, 864000))
				why = "idle takes SECONDS (0 to 864000)";
		} else if (!strcmp(cmd, "await")) {
			/* await staff|nostaff SECONDS: c.a[0] 1 for staff, c.a[1] the seconds */
			char what[16] = "";
			int secs = 0, used = 0;
			c.kind = KK_CMD_AWAIT;
			if (sscanf(args, " %15s %d %n", what, &secs, &used) < 2 || args[used] ||
			    (strcmp(what, "staff") && strcmp(what, "nostaff")) || secs < 1 || secs > 600)
				why = "await takes staff or nostaff and SECONDS (1 to 600)";
			c.a[0] = !strcmp(what, "staff");
			c.a[1] = secs;
		} else if (!strcmp(cmd, "key")) {
			c.kind = KK_CMD_KEY;
			while (*args == ' ')
				args++;
			if (!(c.a[0] = kk_key_parse(args)))
				why = "unknown key (Escape, Back, Return, Backspace, Home, Up, Down, PageUp, PageDown)";
		} else if (!strcmp(cmd, "type")) {
			c.kind = KK_CMD_TYPE;
			if (!*args)
				why = "type needs TEXT";
			else if (!(c.text = kk_strdup(args)))
				rc = KK_ENOMEM;
		} else if (!strcmp(cmd, "shot")) {
			c.kind = KK_CMD_SHOT;
			while (*args == ' ')
				args++;
			if (!valid_shot_name(args))
				why = "shot takes NAME (letters, digits, - and _)";
			else if (!(c.text = kk_strdup(args)))
				rc = KK_ENOMEM;
		} else {
			snprintf(err, errsz, "%s:%d: unknown command \"%s\"", name, line, cmd);
			rc = KK_EINVAL;
			goto out;
		}
		if (rc)
			goto out;
	bad:
		if (why) {
			free(c.text);
			snprintf(err, errsz, "%s:%d: %s", name, line, why);
			rc = KK_EINVAL;
			goto out;
		}
		if (s->n >= KK_SCRIPT_MAX_CMDS) {
			free(c.text);
			snprintf(err, errsz, "%s:%d: more than %d commands", name, line, KK_SCRIPT_MAX_CMDS);
			rc = KK_E2BIG;
			goto out;
		}
		if (s->n == cap) {
			struct kk_cmd *q = realloc(s->cmds, (cap ? cap * 2 : 32) * sizeof *q);
			if (!q) {
				free(c.text);
				rc = KK_ENOMEM;
				goto out;
			}
			s->cmds = q;
			cap = cap ? cap * 2 : 32;
		}
		s->cmds[s->n++] = c;
	}
out:
	if (rc)
		kk_script_fini(s);
	return rc;
}

int kk_script_load(const char *path, struct kk_script *s, char *err, size_t errsz)
{
	struct kk_buf b;
	int rc;
	kk_buf_init(&b, KK_SCRIPT_MAX_BYTES);
	rc = kk_buf_read_file(&b, path);
	if (rc) {
		snprintf(err, errsz, "%s: %s", path,
			 rc == KK_ENOENT ? "no such file" : rc == KK_E2BIG ? "script too large" : "cannot read");
		memset(s, 0, sizeof *s);
	} else {
		rc = kk_script_parse(path, b.data, b.len, s, err, errsz);
	}
	kk_buf_fini(&b);
	return rc;
}
