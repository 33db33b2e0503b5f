/*
 * fuzz_key.c: libFuzzer entry for the PF_KEY engine. The input is a
 * script of operations on one engine with two clients (root and an
 * unprivileged uid):
 *
 *   op & 7 == 0..2, 6, 7: a datagram (u16 little-endian length, bytes)
 *                         from root (0, 1, 6, 7) or from the user (2)
 *   op & 7 == 3:          the clock advances by the next byte, key_tick
 *   op & 7 == 4:          acquire_policy on the first outbound policy
 *   op & 7 == 5:          sad_account of next byte * 16 bytes on the first SA
 *
 * Oracles besides the sanitizers: every successful message the engine
 * sends decodes, and the SAD and SPD indexes agree with their lists.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acquire.h"
#include "key.h"
#include "log.h"
#include "pfkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t fz_clock = 1000;
static uint32_t fz_rnd = 1;

static int
fz_send(void *arg, struct key_client *c, const uint8_t *msg, size_t len, bool reply)
{
	struct pfk_msg	m;

	/* Error replies echo whatever header came in; X_PROMISC copies wrap. */
	if (len < 16 || msg[2] != 0 || (msg[1] == SADB_X_PROMISC && len > 16))
		return 0;
	if (pfk_decode(msg, len, &m) != 0)
		abort();
	return 0;
}

static uint64_t
fz_mono(void *arg)
{
	return fz_clock;
}

static uint64_t
fz_wall(void *arg)
{
	return 1700000000 + fz_clock;
}

static uint32_t
fz_random(void *arg)
{
	fz_rnd = fz_rnd * 1103515245u + 12345u;
	return fz_rnd;
}

static const struct key_io fz_io = {
	.send = fz_send, .mono = fz_mono, .wall = fz_wall, .random = fz_random,
};

static void
fz_check(const struct key *k)
{
	const struct policy	*p;
	const struct sa		*sa;
	size_t			 n = 0;
	uint8_t			 dir;

	for (sa = sad_first(&k->sad); sa != NULL; sa = sad_next(sa), n++)
		if (sad_find(&k->sad, sa->cfg.satype, &sa->cfg.dst, sa->cfg.spi) != sa)
			abort();
	if (n != sad_count(&k->sad, SADB_SATYPE_UNSPEC))
		abort();
	n = 0;
	for (dir = IPSEC_DIR_INBOUND; dir <= IPSEC_DIR_FWD; dir++)
		for (p = spd_first(&k->spd, dir); p != NULL; p = spd_next(p), n++)
			if (spd_get(&k->spd, p->id) != p || spd_find(&k->spd, dir, &p->sel) != p)
				abort();
	if (n != spd_count(&k->spd))
		abort();
}

static void
fz_acquire(struct key *k)
{
	struct policy	*p;
	struct gw_flow	 f;

	for (p = spd_first(&k->spd, IPSEC_DIR_OUTBOUND); p != NULL; p = spd_next(p)) {
		if (p->action != IPSEC_POLICY_IPSEC)
			continue;
		memset(&f, 0, sizeof(f));
		f.src = p->sel.src;
		f.dst = p->sel.dst;
		f.proto = p->sel.proto;
		if (spd_lookup(&k->spd, IPSEC_DIR_OUTBOUND, &f) == NULL)
			abort();
		acquire_policy(k, p, &f);
		return;
	}
}

/* Runs one operation; returns the bytes it consumed after the op byte. */
static size_t
fz_op(struct key *k, struct key_client *root, struct key_client *user, uint8_t op,
    const uint8_t *p, size_t left)
{
	struct sa	*sa;
	size_t		 len;

	switch (op & 7) {
	case 3:
		fz_clock += left > 0 ? p[0] : 1;
		key_tick(k);
		return left > 0;
	case 4:
		fz_acquire(k);
		return 0;
	case 5:
		if ((sa = sad_first(&k->sad)) != NULL && sa->state != SA_LARVAL)
			sad_account(&k->sad, sa, op & 8 ? SA_DIR_IN : SA_DIR_OUT,
			    left > 0 ? p[0] * 16u : 0, fz_clock);
		return left > 0;
	default:
		if (left < 2)
			return left;
		len = p[0] | (size_t)p[1] << 8;
		if (len > left - 2)
			len = left - 2;
		key_input(k, (op & 7) == 2 ? user : root, p + 2, len);
		return 2 + len;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool		 init;
	struct key		 k;
	struct key_client	 root, user;
	size_t			 off = 0;
	uint8_t			 op;

	if (!init) {
		/* FUZZ_KEY_DEBUG=1 shows what the engine did with a seed. */
		log_init(true, getenv("FUZZ_KEY_DEBUG") != NULL, "fuzz_key");
		init = true;
	}
	fz_clock = 1000;
	fz_rnd = 1;
	if (key_init(&k, &fz_io) != 0)
		abort();
	key_attach(&k, &root, 0, 1, true);
	key_attach(&k, &user, 1000, 2, false);
	while (off < size) {
		op = data[off++];
		off += fz_op(&k, &root, &user, op, data + off, size - off);
		fz_check(&k);
	}
	key_detach(&k, &root);
	key_detach(&k, &user);
	key_free(&k);
	return 0;
}
