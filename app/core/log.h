/* log.h — one line per event to stderr (the journal under systemd), with a module tag.
 * Never pass a password, token, Authorization header or request body. */
#pragma once
#include <stdbool.h>

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* One line as a structured record, for a sink (platform/journal.h sends it to the journal). */
struct log_record {
	enum log_level level;
	int priority;         /* syslog: 3 error, 4 warning, 6 info, 7 debug */
	const char *module;   /* LOG_MODULE */
	const char *category; /* a calendar error's category (network, auth, …), else the module */
	const char *room;     /* [room] name, "" before log_set_room */
	const char *line;     /* the message, one line */
};
/* false: the sink could not take it and the line goes to stderr as usual. */
typedef bool (*log_sink_fn)(const struct log_record *record);

void log_set_level(enum log_level level);
/* Every line from here on goes to sink first (NULL: stderr only). Call before threads start. */
void log_set_sink(log_sink_fn sink);
/* The room every line is about (copied; NULL clears it). */
void log_set_room(const char *room);
void log_msg(enum log_level level, const char *module, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Like log_msg, for a line about a calendar error of category (source_category_name()). */
void log_msg_category(enum log_level level, const char *module, const char *category, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Each .c file defines LOG_MODULE before including this header. */
#define log_error(...)                   log_msg(LOG_LEVEL_ERROR, LOG_MODULE, __VA_ARGS__)
#define log_warn(...)                    log_msg(LOG_LEVEL_WARN, LOG_MODULE, __VA_ARGS__)
#define log_info(...)                    log_msg(LOG_LEVEL_INFO, LOG_MODULE, __VA_ARGS__)
#define log_debug(...)                   log_msg(LOG_LEVEL_DEBUG, LOG_MODULE, __VA_ARGS__)
#define log_warn_category(category, ...) log_msg_category(LOG_LEVEL_WARN, LOG_MODULE, category, __VA_ARGS__)
