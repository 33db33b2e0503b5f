/*
 * run.h: setkey's conversation with tunneld over one PF_KEY connection.
 *
 * The transport is a pair of function pointers so that tests can put an
 * in-process daemon behind it. Every message carries our pid and a fresh
 * seq; replies are matched on both and anything else (broadcasts, other
 * processes' traffic) is skipped.
 */
#ifndef SETKEY_RUN_H
#define SETKEY_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "parse.h"
#include "print.h"

#define RUN_WINDOW	32	/* undoable commands in flight at once */
#define RUN_TIMEOUT_MS	30000	/* longest wait for one reply */

struct run_io {
	void	*ctx;
	/* Sends one message; 0 or -errno. */
	int	(*send)(void *ctx, const uint8_t *buf, size_t len);
	/*
	 * Receives one message into buf; its length, or -ETIMEDOUT after
	 * timeout_ms (-1: wait forever), -ECONNRESET when the peer closed,
	 * -EMSGSIZE for a message longer than cap, or another -errno.
	 */
	ssize_t	(*recv)(void *ctx, uint8_t *buf, size_t cap, int timeout_ms);
};

struct run {
	struct run_io		 io;
	uint32_t		 pid;		/* sadb_msg_pid of everything we send */
	uint32_t		 seq;		/* last seq used */
	FILE			*out;		/* dumps, get, -v, -x */
	FILE			*err;		/* diagnostics */
	bool			 verbose;	/* -v: print every message */
	struct print_opts	 popts;
	int			 timeout_ms;
	bool			 dead;		/* connection lost: stop talking */
	uint8_t			*sbuf;		/* PFK_MSG_MAX each; wiped on free */
	uint8_t			*rbuf;
};

/* Prepares r (buffers, pid, timeout); release with run_free(). */
void run_init(struct run *r, const struct run_io *io, uint32_t pid, FILE *out, FILE *err);
void run_free(struct run *r);

/*
 * Applies a parsed script: REGISTER and a check of every add/update
 * algorithm and key length against the daemon's SUPPORTED lists (nothing
 * is sent if one fails), then each command in order, with a snapshot of
 * the SAD and SPD before the first destructive one (snapshot.h). On the
 * first refusal it stops, undoes what this run applied where an inverse
 * exists, restores from the snapshot what flush ... spdupdate removed or
 * changed, says what could not be undone, and returns 1. Returns 0 when
 * every command succeeded.
 */
int run_script(struct run *r, const struct setkey_cmds *cmds);

/*
 * setkey -D / -DP: dumps the SAD (satype filter) or the SPD with
 * print_sa/print_spd, "No SAD entries." / "No SPD entries." when empty.
 * Returns 0 or 1.
 */
int run_dump(struct run *r, bool spd, uint8_t satype);

/* setkey -F / -FP. Returns 0 or 1. */
int run_flush(struct run *r, bool spd);

/*
 * setkey -s (a project extension): the gateway's counters (PFK_X_STATUS)
 * under "global:", then for each SA of a DUMP its "src dst" line with
 * SPI, reqid and state and its counters, both as print_sa_stats prints
 * them. Returns 0, or 1 when tunneld refused or the connection failed.
 */
int run_status(struct run *r);

/*
 * Stamps m with our pid and the next seq, sends it and waits for the
 * reply of its type and seq into reply (which may be m). Returns false
 * when the connection is lost (r->dead is then set).
 */
bool run_request(struct run *r, struct pfk_msg *m, struct pfk_msg *reply);

/* Called by run_dump_each() for every entry of a dump. */
typedef void run_dump_fn(void *arg, const struct pfk_msg *m);

/*
 * Sends a DUMP (of satype) or X_SPDDUMP and calls fn for every entry up
 * to the one with seq 0. Returns 0, the errno of a refusal (ENOENT:
 * nothing to dump), or -1 when the connection is gone.
 */
int run_dump_each(struct run *r, uint8_t type, uint8_t satype, run_dump_fn *fn, void *arg);

/*
 * setkey -x: X_PROMISC, then every message with a local HH:MM:SS.uuuuuu
 * line before it, until the connection ends. Returns 1 then.
 */
int run_monitor(struct run *r);

#endif
