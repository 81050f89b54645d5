/* log.c — see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

static enum kk_log_level log_level = KK_LOG_INFO;

void kk_log_set_level(enum kk_log_level level)
{
	log_level = level;
}

enum kk_log_level kk_log_get_level(void)
{
	return log_level;
}

int kk_log_level_parse(const char *s, enum kk_log_level *out)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum kk_log_level)i;
			return 0;
		}
	}
	return KK_EINVAL;
}

void kk_log(enum kk_log_level level, const char *module, const char *fmt, ...)
{
	static const char *const tags[] = { "error", "warn", "info", "debug" };
	char line[1024];
	va_list ap;
	int n;

	if (level > log_level)
		return;
	n = snprintf(line, sizeof line, "kiosk[%s] %s: ", module, tags[level]);
	if (n < 0 || (size_t)n >= sizeof line - 2)
		return;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	/* One write per record so lines from worker threads never interleave. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
