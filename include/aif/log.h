/* log.h: leveled logging to stderr (or a callback). Formatting is skipped
 * when the level is disabled. The default level comes from AIF_LOG
 * (error|warn|info|debug) or the CLI's -v/-q; AIF_TRACE=http,rpc,... turns
 * on per-component detail checked with aif_log_trace("http").
 */
#ifndef AIF_LOG_H
#define AIF_LOG_H

typedef enum aif_log_level { AIF_LOG_ERROR, AIF_LOG_WARN, AIF_LOG_INFO, AIF_LOG_DEBUG } aif_log_level;

typedef void (*aif_log_fn)(void *ctx, aif_log_level level, const char *line);

void aif_log_set_level(aif_log_level level);
aif_log_level aif_log_get_level(void);
/* Read AIF_LOG and AIF_TRACE from the environment. */
void aif_log_init_from_env(void);
/* Route lines to fn (NULL restores stderr). */
void aif_log_set_callback(aif_log_fn fn, void *ctx);
int aif_log_trace(const char *component);
void aif_log_write(aif_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define aif_log(level, ...) \
    do { if ((level) <= aif_log_get_level()) aif_log_write((level), __VA_ARGS__); } while (0)

#endif
