/*
 * log.h — one-line log records to stderr (journald on a board picks them up).
 *
 * Thread-safe: each record is formatted into a local buffer and written with one write(2).
 */
#ifndef KK_BASE_LOG_H
#define KK_BASE_LOG_H

enum kk_log_level { KK_LOG_ERROR = 0, KK_LOG_WARN, KK_LOG_INFO, KK_LOG_DEBUG };

void kk_log_set_level(enum kk_log_level level);
/* The level set last (KK_LOG_INFO until then). */
enum kk_log_level kk_log_get_level(void);
/* Parses "error", "warn", "info", "debug"; returns 0 or KK_EINVAL. */
int kk_log_level_parse(const char *s, enum kk_log_level *out);
void kk_log(enum kk_log_level level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define kk_error(mod, ...) kk_log(KK_LOG_ERROR, mod, __VA_ARGS__)
#define kk_warn(mod, ...) kk_log(KK_LOG_WARN, mod, __VA_ARGS__)
#define kk_info(mod, ...) kk_log(KK_LOG_INFO, mod, __VA_ARGS__)
#define kk_debug(mod, ...) kk_log(KK_LOG_DEBUG, mod, __VA_ARGS__)

#endif
