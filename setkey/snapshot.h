/*
 * snapshot.h: what a script's destructive commands (flush, spdflush,
 * delete, deleteall, spddelete, spdupdate) removed, put back when the
 * script fails.
 *
 * Right before the first such command is sent, setkey reads the whole
 * SAD (with keys) and SPD into memory. If tunneld later refuses a
 * command, run.c first undoes this run's adds and spdadds, newest first,
 * then snap_restore() reads the SAD and SPD again and puts back every SA
 * and policy of the snapshot that a destructive command of this run
 * removed or changed: ADD for a missing SA, X_SPDADD for a missing
 * policy, X_SPDUPDATE for one an spdupdate replaced; a policy that an
 * spdupdate created is deleted. Things that went away for other reasons
 * (expiry, another program) stay away.
 *
 * What cannot come back as it was, and is said so: larval SAs (a key
 * manager's GETSPI reservation); SAs whose counters, sequence numbers
 * and replay window restart at zero (an AEAD SA that had sent packets is
 * not restored at all: with its sequence numbers back at zero it would
 * repeat nonces under the same key); policy ids.
 *
 * Keys live in struct gw_key inside the snapshot, which is wiped when it
 * grows and when it is freed.
 */
#ifndef SETKEY_SNAPSHOT_H
#define SETKEY_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"
#include "pfkey.h"
#include "run.h"
#include "secmem.h"

/* One SA as DUMP showed it. */
struct snap_sa {
	uint8_t			satype;
	struct pfk_sa		sa;		/* SPI, state, algorithms, flags */
	struct pfk_sa2		sa2;		/* mode, sequence (last sent), reqid */
	struct gw_addr		src, dst;	/* with the NAT-T ports as given */
	struct pfk_lifetime	cur, hard, soft;
	bool			has_replay;
	struct pfk_replay	replay;
	bool			has_natt;
	uint8_t			natt_type;
	uint16_t		natt_sport, natt_dport;
	struct gw_addr		natt_oa;	/* af 0: none */
	struct gw_key		enc_key;	/* len 0: none */
	struct gw_key		auth_key;
};

/* One policy as X_SPDDUMP showed it. */
struct snap_sp {
	struct pfk_address	src, dst;
	struct pfk_policy	pol;
};

/* A command of this run that matters to the snapshot. */
struct snap_cmd {
	const struct setkey_cmd	*c;
	uint32_t		 spi;		/* getspi: the SPI tunneld chose */
	bool			 before;	/* a creation applied before the snapshot */
	size_t			 nsa, nsp;	/* restored because of it */
};

/* Zero-initialised means "no snapshot". */
struct snap {
	bool		 taken;
	unsigned	 line;		/* of the command it was taken before */
	struct snap_sa	*sa;
	size_t		 nsa, sacap;
	struct snap_sp	*sp;
	size_t		 nsp, spcap;
	struct snap_cmd	*cmd;
	size_t		 ncmd, cmdcap;
	size_t		 expect, got;	/* dump completeness: entries announced, read */
};

/* True for the commands that destroy state: flush ... spdupdate. */
bool snap_destroys(const struct setkey_cmd *c);

/*
 * Called before c is sent: when c destroys state and no snapshot exists
 * yet, takes one (DUMP of every satype, X_SPDDUMP). Returns false, having
 * said why on r->err ("file:line: ..."), when it could not be taken
 * completely: c must not be sent then.
 */
bool snap_before(struct snap *s, struct run *r, const char *file, const struct setkey_cmd *c);

/*
 * Records that c was applied (spi: the SA's SPI, which for getspi
 * tunneld chose). c is borrowed and must outlive s.
 */
void snap_note(struct snap *s, const struct setkey_cmd *c, uint32_t spi);

/* True if the snapshot answers for undoing c (c destroys, snapshot taken). */
bool snap_covers(const struct snap *s, const struct setkey_cmd *c);

/*
 * After the run's own undos: puts back what this run's destructive
 * commands removed or changed, and reports on r->err what was restored
 * and what could not be. Does nothing when no snapshot was taken or no
 * destructive command was applied.
 */
void snap_restore(struct snap *s, struct run *r, const char *file);

/* Overwrites every SA, key and policy held with zeros, in place. */
void snap_wipe(struct snap *s);
/* Wipes, then frees everything; s is "no snapshot" again. */
void snap_free(struct snap *s);

#endif
