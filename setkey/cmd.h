/*
 * cmd.h: parsed setkey commands as PF_KEY messages (specs/kame.md 2.9).
 *
 * Pure functions: they fill a struct pfk_msg (header type and satype plus
 * extensions; seq and pid are the sender's business) from a struct
 * setkey_cmd, and describe commands for messages. Key views in the
 * message borrow the command's struct gw_key.
 */
#ifndef SETKEY_CMD_H
#define SETKEY_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "parse.h"
#include "pfkey.h"

/* What sending a command again in reverse takes. */
enum cmd_undo {
	CMD_UNDO_NONE,		/* reads only: get, dump, spddump */
	CMD_UNDO_INVERSE,	/* add, getspi -> delete; spdadd -> spddelete */
	CMD_UNDO_NEVER,		/* changes state for good: update, delete, flush ... */
};

/*
 * Builds the message for c into *m (zeroed first). deleteall builds the
 * DUMP that starts it (its DELETEs come from the dump). Returns false only
 * for a command that sends nothing by itself (none today).
 */
bool cmd_build(const struct setkey_cmd *c, struct pfk_msg *m);

/*
 * Builds the message that undoes c: DELETE for add and getspi (spi is the
 * SPI the daemon chose for getspi), X_SPDDELETE for spdadd. Returns false
 * when c has no inverse.
 */
bool cmd_build_undo(const struct setkey_cmd *c, uint32_t spi, struct pfk_msg *m);

/* How c can be undone. */
enum cmd_undo cmd_undo_kind(const struct setkey_cmd *c);

/*
 * Builds and encodes every command of cmds, as the last check before
 * anything is sent: a command the codec cannot encode is reported to err
 * as "file:line:col: ..." (err may be NULL). Returns the number of
 * failures.
 */
unsigned cmd_check(const struct setkey_cmds *cmds, FILE *err);

/*
 * One-line description without keys, e.g. "add 10.0.0.1 10.0.0.2 esp
 * 0x1001" or "spdadd 10.0.0.0/24 10.0.1.0/24 any -P out". Returns buf.
 */
const char *cmd_describe(const struct setkey_cmd *c, char *buf, size_t len);

#endif
