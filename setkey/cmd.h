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
 * The last check before anything is sent: builds and encodes every
 * command, and finds what tunneld would refuse with EEXIST within the
 * script: an add (or getspi of one SPI) of an SA (satype, dst, SPI) that
 * an earlier command made and no delete, deleteall or flush removed since,
 * and an spdadd of a selector and direction that an earlier spdadd or
 * spdupdate set and no spddelete or spdflush removed since. Reports each
 * to err as "file:line:col: ..." (err may be NULL), e.g. "duplicate of
 * the SA added on line 3". Returns the number of failures.
 */
unsigned cmd_check(const struct setkey_cmds *cmds, FILE *err);

/*
 * Checks every add and update against tunneld's REGISTER reply reg: each
 * algorithm must be in its SUPPORTED list, and each key within the
 * minbits..maxbits that list gives. Reports to err (not NULL) as
 * "file:line:col: ..." at the algorithm name. Returns the number of
 * failures.
 */
unsigned cmd_check_supported(const struct setkey_cmds *cmds, const struct pfk_msg *reg,
    FILE *err);

/*
 * One-line description without keys, e.g. "add 10.0.0.1 10.0.0.2 esp
 * 0x1001" or "spdadd 10.0.0.0/24 10.0.1.0/24 any -P out". Returns buf.
 */
const char *cmd_describe(const struct setkey_cmd *c, char *buf, size_t len);

/* "SA 10.0.0.1 10.0.0.2 esp 0x1001", without keys. Returns buf. */
const char *cmd_describe_sa(uint8_t satype, const struct gw_addr *src, const struct gw_addr *dst,
    uint32_t spi, char *buf, size_t len);
/* "policy 10.0.0.0/24 10.0.1.0/24 any -P out". Returns buf. */
const char *cmd_describe_policy(const struct gw_addr *src, const struct gw_addr *dst,
    uint8_t ulproto, uint8_t dir, char *buf, size_t len);

#endif
