/* key.c: the PF_KEY v2 engine: dispatch, replies, copies; see key.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "key_impl.h"
#include "log.h"
#include "samsg.h"

_Static_assert(GWSTAT_MAX <= PFK_MAX_STATS, "PFK_EXT_STATS holds every counter");

/* Changes state, or sees every message: root and the owner only. */
#define KEY_F_MUTATES	0x1

struct key_dispatch {
	uint64_t	 need;		/* PFK_BIT of each required extension */
	unsigned	 flags;
	key_handler	*fn;
};

static key_handler key_register, key_promisc_set, key_status;

#define ADDRS	(PFK_BIT(SADB_EXT_ADDRESS_SRC) | PFK_BIT(SADB_EXT_ADDRESS_DST))
#define SA	PFK_BIT(SADB_EXT_SA)
#define POL	PFK_BIT(SADB_X_EXT_POLICY)
#define MUT	KEY_F_MUTATES

/*
 * What clients may send. Types without a handler (ACQUIRE and EXPIRE come
 * from the kernel side, X_SPDSETIDX, X_MIGRATE...) are refused with
 * EOPNOTSUPP. pfk_decode lets only types up to PFK_TYPE_MAX through.
 */
static const struct key_dispatch key_table[PFK_TYPE_MAX + 1] = {
	[SADB_GETSPI] =		{ ADDRS,	MUT,	key_sa_getspi },
	[SADB_UPDATE] =		{ SA | ADDRS,	MUT,	key_sa_update },
	[SADB_ADD] =		{ SA | ADDRS,	MUT,	key_sa_add },
	[SADB_DELETE] =		{ ADDRS,	MUT,	key_sa_delete },
	[SADB_GET] =		{ SA | ADDRS,	0,	key_sa_get },
	[SADB_REGISTER] =	{ 0,		0,	key_register },
	[SADB_FLUSH] =		{ 0,		MUT,	key_sa_flush },
	[SADB_DUMP] =		{ 0,		0,	key_sa_dump },
	[SADB_X_PROMISC] =	{ 0,		MUT,	key_promisc_set },
	[SADB_X_SPDUPDATE] =	{ POL | ADDRS,	MUT,	key_spd_add },
	[SADB_X_SPDADD] =	{ POL | ADDRS,	MUT,	key_spd_add },
	[SADB_X_SPDDELETE] =	{ POL | ADDRS,	MUT,	key_spd_delete },
	[SADB_X_SPDGET] =	{ POL,		0,	key_spd_get },
	[SADB_X_SPDDUMP] =	{ 0,		0,	key_spd_dump },
	[SADB_X_SPDFLUSH] =	{ 0,		MUT,	key_spd_flush },
	[SADB_X_SPDDELETE2] =	{ POL,		MUT,	key_spd_delete2 },
	[PFK_X_STATUS] =	{ 0,		0,	key_status },
};

#undef ADDRS
#undef SA
#undef POL
#undef MUT

static void key_expire(void *arg, const struct sa *sa, enum sa_expire kind);
static void key_release(void *arg, struct sa *sa);

int
key_init(struct key *k, const struct key_io *io)
{
	uint32_t	seed[2];

	memset(k, 0, sizeof(*k));
	k->io = io;
	TAILQ_INIT(&k->clients);
	k->sink.expire = key_expire;
	k->sink.release = key_release;
	k->sink.arg = k;
	seed[0] = io->random(io->arg);
	seed[1] = io->random(io->arg);
	k->obuf = malloc(PFK_MSG_MAX);
	k->pbuf = malloc(PFK_MSG_MAX);
	if (k->obuf == NULL || k->pbuf == NULL)
		goto fail;
	if (sad_init(&k->sad, seed[0], &k->sink) == -1)
		goto fail;
	if (spd_init(&k->spd, seed[1]) == -1) {
		sad_free(&k->sad);
		goto fail;
	}
	return 0;
fail:
	free(k->obuf);
	free(k->pbuf);
	return -1;
}

void
key_free(struct key *k)
{
	sad_free(&k->sad);
	spd_free(&k->spd);
	secure_free(k->obuf, PFK_MSG_MAX);
	secure_free(k->pbuf, PFK_MSG_MAX);
	k->obuf = k->pbuf = NULL;
}

void
key_set_dp(struct key *k, const struct key_dp *dp)
{
	k->dp = dp;
}

void
key_attach(struct key *k, struct key_client *c, uid_t uid, pid_t pid, bool priv)
{
	memset(c, 0, sizeof(*c));
	c->uid = uid;
	c->pid = pid;
	c->priv = priv;
	TAILQ_INSERT_TAIL(&k->clients, c, entry);
}

void
key_detach(struct key *k, struct key_client *c)
{
	if (c->promisc)
		k->npromisc--;
	TAILQ_REMOVE(&k->clients, c, entry);
}

/*
 * KAME's X_PROMISC copy: an outer sadb_msg of type X_PROMISC whose length
 * covers the inner message, which follows unchanged.
 */
static void
key_promisc(struct key *k, const uint8_t *buf, size_t len)
{
	struct key_client	*c;
	struct wr		 w;
	size_t			 at;

	if (k->npromisc == 0)
		return;
	w = wr_init(k->pbuf, PFK_MSG_MAX);
	wr_u8(&w, PF_KEY_V2);
	wr_u8(&w, SADB_X_PROMISC);
	wr_zero(&w, 2);				/* errno, satype */
	wr_reserve(&w, 2, &at);			/* length in 8-byte units */
	wr_zero(&w, 10);			/* reserved, seq, pid */
	wr_bytes(&w, buf, len);
	wr_align(&w, 8);
	wr_patch_u16he(&w, at, (uint16_t)(w.off / 8));
	if (w.err != 0 || w.off / 8 > UINT16_MAX) {
		log_debug_f("message of %zu bytes too large to copy", len);
		secure_wipe(k->pbuf, w.off);
		return;
	}
	TAILQ_FOREACH(c, &k->clients, entry)
		if (c->promisc && !c->dead)
			k->io->send(k->io->arg, c, k->pbuf, w.off, false);
	secure_wipe(k->pbuf, w.off);
}

static bool
key_wants(const struct key_client *c, uint8_t satype, unsigned to)
{
	if ((to & KEY_TO_LISTENERS) && c->registered != 0)
		return true;
	return (to & KEY_TO_SATYPE) && satype < 32 && (c->registered & (1u << satype)) != 0;
}

/* Sends one encoded message; see key_emit. */
static int
key_deliver(struct key *k, const uint8_t *buf, size_t len, uint8_t satype,
    struct key_client *sender, unsigned to)
{
	struct key_client	*c;
	int			 n = 0;

	if ((to & KEY_TO_SENDER) && sender != NULL && !sender->dead)
		k->io->send(k->io->arg, sender, buf, len, true);
	TAILQ_FOREACH(c, &k->clients, entry) {
		if (c == sender || c->dead || !key_wants(c, satype, to))
			continue;
		if (k->io->send(k->io->arg, c, buf, len, false) == 0)
			n++;
	}
	key_promisc(k, buf, len);
	return n;
}

int
key_emit(struct key *k, const struct pfk_msg *m, struct key_client *sender, unsigned to)
{
	struct wr	w = wr_init(k->obuf, PFK_MSG_MAX);
	int		n, rc;

	if ((rc = pfk_encode(m, &w)) != 0) {
		log_warnx_f("%s: cannot encode: %s", pfk_type_name(m->type), gw_strerror(rc));
		secure_wipe(k->obuf, w.off);
		return -1;
	}
	n = key_deliver(k, k->obuf, w.off, m->satype, sender, to);
	secure_wipe(k->obuf, w.off);
	return n;
}

/* Header-only error reply, written by hand so any type can be echoed. */
static void
key_error_send(struct key *k, struct key_client *c, uint8_t type, uint8_t satype,
    uint32_t seq, uint32_t pid, int err)
{
	uint8_t		buf[sizeof(struct sadb_msg)];
	struct wr	w = wr_init(buf, sizeof(buf));

	wr_u8(&w, PF_KEY_V2);
	wr_u8(&w, type);
	wr_u8(&w, (uint8_t)err);
	wr_u8(&w, satype);
	wr_u16he(&w, sizeof(buf) / 8);
	wr_u16he(&w, 0);
	wr_u32he(&w, seq);
	wr_u32he(&w, pid);
	key_deliver(k, buf, w.off, satype, c, KEY_TO_SENDER);
}

/* Answers a message pfk_decode refused, echoing what its header says. */
static void
key_decode_error(struct key *k, struct key_client *c, const uint8_t *buf, size_t len,
    int err)
{
	struct rd	r = rd_init(buf, len);
	uint8_t		version = 0, type = 0, errnum = 0, satype = 0;
	uint16_t	units = 0, reserved = 0;
	uint32_t	seq = 0, pid = 0;

	if (len >= sizeof(struct sadb_msg)) {
		rd_u8(&r, &version);
		rd_u8(&r, &type);
		rd_u8(&r, &errnum);
		rd_u8(&r, &satype);
		rd_u16he(&r, &units);
		rd_u16he(&r, &reserved);
		rd_u32he(&r, &seq);
		rd_u32he(&r, &pid);
	}
	log_debug("uid %u pid %d: malformed message (%zu bytes, type %u): %s; closing",
	    (unsigned)c->uid, (int)c->pid, len, type, strerror(err));
	key_error_send(k, c, type, satype, seq, pid, err);
}

void
key_reply_init(const struct key_req *r, struct pfk_msg *out)
{
	memset(out, 0, sizeof(*out));
	out->type = r->m->type;
	out->satype = r->m->satype;
	out->seq = r->m->seq;
	out->pid = r->m->pid;
}

/* Finds the handler and checks the sender may use it. 0 or an errno. */
static int
key_check(const struct key_req *r, const struct key_dispatch **out)
{
	const struct pfk_msg	*m = r->m;
	const struct key_dispatch *d = &key_table[m->type];
	uint64_t		 missing;

	if (d->fn == NULL) {
		log_debug("%s: not accepted from clients", pfk_type_name(m->type));
		return EOPNOTSUPP;
	}
	if ((d->flags & KEY_F_MUTATES) && !r->c->priv) {
		log_debug("%s: uid %u may only read the SAD and SPD", pfk_type_name(m->type),
		    (unsigned)r->c->uid);
		return EPERM;
	}
	if (m->errnum != 0 || m->satype > SADB_SATYPE_MAX) {
		log_debug("%s: errno %u or satype %u set in a request", pfk_type_name(m->type),
		    m->errnum, m->satype);
		return EINVAL;
	}
	if ((missing = d->need & ~m->present) != 0) {
		log_debug("%s: extension %s required", pfk_type_name(m->type),
		    pfk_ext_name((unsigned)__builtin_ctzll(missing)));
		return EINVAL;
	}
	*out = d;
	return 0;
}

int
key_input(struct key *k, struct key_client *c, const uint8_t *buf, size_t len)
{
	const struct key_dispatch	*d;
	struct pfk_msg			 m;
	struct key_req			 r;
	int				 err;

	key_promisc(k, buf, len);
	if ((err = pfk_decode(buf, len, &m)) != 0) {
		key_decode_error(k, c, buf, len, -err);
		return -1;
	}
	r = (struct key_req){ .k = k, .c = c, .m = &m, .mono = k->io->mono(k->io->arg),
	    .wall = k->io->wall(k->io->arg) };
	log_debug("uid %u pid %d: %s seq %u satype %u", (unsigned)c->uid, (int)c->pid,
	    pfk_type_name(m.type), m.seq, m.satype);
	if ((err = key_check(&r, &d)) == 0)
		err = d->fn(&r);
	if (err != 0)
		key_error_send(k, c, m.type, m.satype, m.seq, m.pid, err);
	return 0;
}

/* One SUPPORTED extension: the algorithms of kind the data path runs. */
static void
key_supported(struct pfk_supported *s, enum alg_kind kind)
{
	const struct alg	*a;
	size_t			 i;

	s->n = 0;
	for (i = 0; (a = alg_at(kind, i)) != NULL && s->n < PFK_MAX_SUPPORTED; i++) {
		if (!a->datapath)
			continue;
		s->alg[s->n].id = a->id;
		s->alg[s->n].ivlen = a->iv;
		s->alg[s->n].minbits = a->key_min;
		s->alg[s->n].maxbits = a->key_max;
		s->n++;
	}
}

/*
 * REGISTER: ESP registers the socket for ACQUIRE and EXPIRE; UNSPEC only
 * asks for the algorithm lists (setkey does that to check key lengths).
 */
static int
key_register(struct key_req *r)
{
	struct pfk_msg	out;
	int		err;

	if (r->m->satype != SADB_SATYPE_UNSPEC) {
		if ((err = samsg_satype(r->m)) != 0)
			return err;
		r->c->registered |= 1u << r->m->satype;
	}
	key_reply_init(r, &out);
	key_supported(&out.sup_auth, ALG_AUTH);
	key_supported(&out.sup_enc, ALG_ENC);
	pfk_set(&out, SADB_EXT_SUPPORTED_AUTH);
	pfk_set(&out, SADB_EXT_SUPPORTED_ENCRYPT);
	key_emit(r->k, &out, r->c, KEY_TO_SENDER);
	return 0;
}

/* X_PROMISC: satype 1 turns copies on, 0 off (KAME). */
static int
key_promisc_set(struct key_req *r)
{
	struct pfk_msg	out;
	bool		on = r->m->satype == 1;

	if (r->m->satype > 1) {
		log_debug("X_PROMISC: satype %u is neither 0 (off) nor 1 (on)", r->m->satype);
		return EINVAL;
	}
	if (on != r->c->promisc) {
		r->c->promisc = on;
		if (on)
			r->k->npromisc++;
		else
			r->k->npromisc--;
	}
	key_reply_init(r, &out);
	key_emit(r->k, &out, r->c, KEY_TO_SENDER);
	return 0;
}

/*
 * EXPIRE to the sockets registered for the SA's type: SA, SA2, addresses,
 * LIFETIME_CURRENT and the limit that was reached. sadb_msg_seq is the
 * one of the request that created the SA, as KAME does.
 */
static void
key_expire(void *arg, const struct sa *sa, enum sa_expire kind)
{
	struct key	*k = arg;
	struct pfk_msg	 m;
	uint64_t	 mono = k->io->mono(k->io->arg);

	memset(&m, 0, sizeof(m));
	m.type = SADB_EXPIRE;
	m.satype = sa->cfg.satype;
	m.seq = sa->msg_seq;
	samsg_fill(&m, sa, SAMSG_CURRENT | (kind == SA_EXPIRE_HARD ? SAMSG_HARD : SAMSG_SOFT),
	    mono, k->io->wall(k->io->arg));
	log_debug("spi 0x%08x: %s expire", sa->cfg.spi, kind == SA_EXPIRE_HARD ? "hard" : "soft");
	key_emit(k, &m, NULL, KEY_TO_SATYPE);
}

/* The SAD frees sa: its data path state goes with it. */
static void
key_release(void *arg, struct sa *sa)
{
	struct key	*k = arg;

	if (sa->dp != NULL && k->dp != NULL && k->dp->sa_free != NULL)
		k->dp->sa_free(k->dp->arg, sa->dp);
	sa->dp = NULL;
}

/* PFK_X_STATUS: the gateway's counters, for setkey -s. */
static int
key_status(struct key_req *r)
{
	struct pfk_msg	out;
	size_t		i;

	key_reply_init(r, &out);
	out.stats.n = GWSTAT_MAX;
	for (i = 0; i < GWSTAT_MAX; i++)
		out.stats.v[i] = r->k->stats[i];
	pfk_set(&out, PFK_EXT_STATS);
	key_emit(r->k, &out, r->c, KEY_TO_SENDER);
	return 0;
}

void
key_tick(struct key *k)
{
	sad_tick(&k->sad, k->io->mono(k->io->arg));
}
