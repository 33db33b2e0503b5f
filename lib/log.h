/*
 * log.h: one logging module for the three programs.
 *
 * Foreground programs log to stderr, daemons to syslog. errno is preserved
 * across every call. Messages read "func: subject: what"; the _f macros
 * add the function name so nobody types __func__ by hand. Key material is
 * never passed to these functions.
 */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#define GW_PRINTF(a, b) __attribute__((format(printf, a, b)))

/*
 * verbosity: -2 = warnings and errors only, -1 = notices too (SAs coming
 * and going), 0 = info and above, 1 = debug.
 */
void log_init(bool foreground, int verbosity, const char *ident);
void log_setverbose(int verbosity);
int log_getverbose(void);

void log_warn(const char *fmt, ...) GW_PRINTF(1, 2);	/* appends strerror(errno) */
void log_warnx(const char *fmt, ...) GW_PRINTF(1, 2);
void log_notice(const char *fmt, ...) GW_PRINTF(1, 2);
void log_info(const char *fmt, ...) GW_PRINTF(1, 2);
void log_debug(const char *fmt, ...) GW_PRINTF(1, 2);
_Noreturn void fatal(const char *fmt, ...) GW_PRINTF(1, 2);	/* with strerror(errno) */
_Noreturn void fatalx(const char *fmt, ...) GW_PRINTF(1, 2);

#define log_warn_f(fmt, ...)	log_warn("%s: " fmt, __func__, ##__VA_ARGS__)
#define log_warnx_f(fmt, ...)	log_warnx("%s: " fmt, __func__, ##__VA_ARGS__)
#define log_info_f(fmt, ...)	log_info("%s: " fmt, __func__, ##__VA_ARGS__)
#define log_debug_f(fmt, ...)	log_debug("%s: " fmt, __func__, ##__VA_ARGS__)
#define fatal_f(fmt, ...)	fatal("%s: " fmt, __func__, ##__VA_ARGS__)
#define fatalx_f(fmt, ...)	fatalx("%s: " fmt, __func__, ##__VA_ARGS__)

#endif
