/*
 * psk.h: pre-shared keys from a racoon psk.txt (specs/kame.md 5.2, 5.3).
 *
 * The whole file is checked (regular file, owned by the daemon's
 * effective uid, no group or other permission bits), read once into
 * guarded memory and parsed at load or reload; racoon rescanned it on
 * every lookup. Line semantics are racoon's: "#" in column 0 starts a
 * comment, the identifier runs from column 0 to the first whitespace, the
 * key is the rest of the line after the whitespace run up to the newline
 * (so inner and trailing blanks and a '\r' belong to a text key), "0x"
 * starts a hex key whose inner whitespace is ignored, a line without a key
 * is skipped, and the first line with a matching identifier wins.
 *
 * Diagnostics name the file and line and never contain key material.
 */
#ifndef IKD_PSK_H
#define IKD_PSK_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "addr.h"
#include "buf.h"

#define PSK_FILE_MAX	(1024 * 1024)	/* larger files are refused */
#define PSK_LINE_MAX	1022		/* racoon's fgets() buffer minus '\n' */
#define PSK_MSG_MAX	1024

/*
 * What a load found. Every error and warning is also logged (log_warnx)
 * as "path:line: message" or "path: message"; first_error and
 * first_warning keep the first of each for callers that report one line.
 */
struct psk_report {
	unsigned	errors;
	unsigned	warnings;
	char		first_error[PSK_MSG_MAX];
	char		first_warning[PSK_MSG_MAX];
};

struct psk_table;

/*
 * Checks, reads and parses path. Returns a table the caller releases with
 * psk_free(), or NULL when any error was found (rep->errors > 0): a file
 * that cannot be opened or is not secret, a syntax error (bad hex key, NUL
 * byte, overlong line), or no memory. Warnings do not fail the load.
 */
struct psk_table *psk_load(const char *path, struct psk_report *rep);
/*
 * The secrecy rule of specs/kame.md 5.3 for an fstat() result st of path:
 * a regular file owned by uid with no group/other permission bits. Adds
 * one error to rep per broken rule and returns 0 if none, -1 otherwise.
 * Shared with other secret files (ikd.conf).
 */
int psk_check_secrecy(const char *path, const struct stat *st, uid_t uid,
    struct psk_report *rep);
/*
 * Looks up the key of identifier id (idlen bytes, compared exactly): an
 * address as inet_ntop prints it, an FQDN or a user@FQDN. On success *key
 * is a borrowed view valid until psk_free(t) and 0 is returned; -1 if no
 * line matches.
 */
int psk_lookup(const struct psk_table *t, const char *id, size_t idlen, struct view *key);
/* The same with the numeric text form of address a. */
int psk_lookup_addr(const struct psk_table *t, const struct gw_addr *a, struct view *key);
/* Number of usable lines (identifier and key), duplicates included. */
size_t psk_count(const struct psk_table *t);
/* Wipes every key and frees t (NULL is fine). */
void psk_free(struct psk_table *t);

#endif
