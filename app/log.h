/* log.h — one line per event to stderr (the journal under systemd), with a module tag.
 * Never pass a password, token, Authorization header or request body. */
#pragma once
#include <stdbool.h>

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void log_set_level(enum log_level level);
void log_msg(enum log_level level, const char *module, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Each .c file defines LOG_MODULE before including this header. */
#define log_error(...) log_msg(LOG_LEVEL_ERROR, LOG_MODULE, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LEVEL_WARN, LOG_MODULE, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, LOG_MODULE, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, LOG_MODULE, __VA_ARGS__)
