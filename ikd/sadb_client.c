/*
 * sadb_client.c: ikd's PF_KEY client to tunneld; see sadb_client.h.
 *
 * Replies are told from broadcasts by sadb_msg_pid (ours), the message
 * type and sadb_msg_seq, which tunneld echoes; X_SPDDUMP answers count
 * their seq down to 0 instead, so a dump in progress takes every
 * X_SPDDUMP carrying our pid. The dump fills a staging list that replaces
 * the mirror when its last message arrives: SPD broadcasts seen before it
 * are older than the dump, and tunneld sends none between its messages.
 *
 * The SAs this client installed or reserved are kept in the order they
 * came, for the DELETEs at stop, and indexed by (SPI, destination), the
 * name PF_KEY gives an SA, in a chained hash table that doubles as it
 * fills: GETSPI, UPDATE, ADD, DELETE, EXPIRE and another client's DELETE
 * find theirs without a walk. A peer picks the SPIs of our outbound SAs,
 * so the index is keyed with SipHash under a random key.
 */
#include <linux/udp.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "ctlsock.h"
#include "err.h"
#include "log.h"
#include "sadb_client.h"

#define SC_SEND_WAIT_MS	1000	/* how long a full socket buffer may block a send */
#define SC_BUCKETS_MIN	64	/* first size of the installed SA index */

/* An SA as PF_KEY names it: SPI and destination; the rest for messages. */
struct sc_ident {
	uint32_t	spi;
	struct gw_addr	src;
	struct gw_addr	dst;
};

struct sc_pending {
	TAILQ_ENTRY(sc_pending)	 entry;
	uint32_t		 seq;
	uint8_t			 type;
	sadbc_done_fn		*done;
	void			*arg;
	struct sc_ident		 id;	/* UPDATE, ADD, DELETE: the SA concerned */
};

struct sc_installed {
	TAILQ_ENTRY(sc_installed) entry;	/* in the order they were tracked */
	LIST_ENTRY(sc_installed) hentry;	/* chain of its bucket */
	struct sc_ident		 id;
};

LIST_HEAD(sc_bucket, sc_installed);

struct sc_spd {
	struct sadbc_policy	*p;
	size_t			 n;
	size_t			 cap;
};

struct sadb_client {
	int				 fd;
	uint32_t			 pid;
	uint32_t			 seq;		/* last one used */
	struct sadbc_events		 ev;
	TAILQ_HEAD(, sc_pending)	 pending;
	size_t				 npending;
	TAILQ_HEAD(, sc_installed)	 installed;
	size_t				 ninstalled;
	struct sc_bucket		*buckets;	/* installed, by (SPI, destination) */
	size_t				 nbuckets;	/* a power of two */
	uint8_t				 hash_key[crypto_shorthash_KEYBYTES];
	struct sc_spd			 spd;		/* the mirror */
	struct sc_spd			 stage;		/* a dump being received */
	uint32_t			 dump_seq;	/* 0: no dump running */
	bool				 dump_drain;	/* a cancelled dump's answers still come */
	struct pfk_supported		 sup_enc;
	struct pfk_supported		 sup_auth;
	uint8_t				*rbuf;		/* PFK_MSG_MAX, one message received */
	uint8_t				*wbuf;		/* PFK_MSG_MAX, one message sent */
};

/* n empty buckets, or NULL without memory. */
static struct sc_bucket *
sc_buckets(size_t n)
{
	struct sc_bucket *b = calloc(n, sizeof(*b));
	size_t i;

	for (i = 0; b != NULL && i < n; i++)
		LIST_INIT(&b[i]);
	return b;
}

struct sadb_client *
sadb_client_new(const struct sadbc_events *ev, uint32_t pid)
{
	struct sadb_client *c;

	if (sodium_init() < 0 || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->rbuf = malloc(PFK_MSG_MAX);
	c->wbuf = malloc(PFK_MSG_MAX);
	c->buckets = sc_buckets(SC_BUCKETS_MIN);
	if (c->rbuf == NULL || c->wbuf == NULL || c->buckets == NULL) {
		free(c->rbuf);
		free(c->wbuf);
		free(c->buckets);
		free(c);
		return NULL;
	}
	c->nbuckets = SC_BUCKETS_MIN;
	randombytes_buf(c->hash_key, sizeof(c->hash_key));
	c->fd = -1;
	c->pid = pid;
	if (ev != NULL)
		c->ev = *ev;
	TAILQ_INIT(&c->pending);
	TAILQ_INIT(&c->installed);
	return c;
}

static void
sc_untrack_all(struct sadb_client *c)
{
	struct sc_installed *s;

	while ((s = TAILQ_FIRST(&c->installed)) != NULL) {
		TAILQ_REMOVE(&c->installed, s, entry);
		LIST_REMOVE(s, hentry);
		free(s);
	}
	c->ninstalled = 0;
}

void
sadb_client_free(struct sadb_client *c)
{
	struct sc_pending *p;

	if (c == NULL)
		return;
	if (c->fd != -1)
		close(c->fd);
	while ((p = TAILQ_FIRST(&c->pending)) != NULL) {
		TAILQ_REMOVE(&c->pending, p, entry);
		free(p);
	}
	sc_untrack_all(c);
	free(c->buckets);
	free(c->spd.p);
	free(c->stage.p);
	/* Replies to UPDATE and ADD carry no key, but GET-like traffic could. */
	secure_free(c->rbuf, PFK_MSG_MAX);
	secure_free(c->wbuf, PFK_MSG_MAX);
	free(c);
}

/* ---------------------------------------------------------- connection */

/* Fails every pending request with ENOTCONN; done may start new ones. */
static void
sc_fail_pending(struct sadb_client *c)
{
	TAILQ_HEAD(, sc_pending) dead = TAILQ_HEAD_INITIALIZER(dead);
	struct sadbc_reply r;
	struct sc_pending *p;

	TAILQ_CONCAT(&dead, &c->pending, entry);
	c->npending = 0;
	c->dump_seq = 0;
	c->dump_drain = false;
	c->stage.n = 0;
	while ((p = TAILQ_FIRST(&dead)) != NULL) {
		TAILQ_REMOVE(&dead, p, entry);
		r = (struct sadbc_reply){ .type = p->type, .seq = p->seq, .err = ENOTCONN };
		if (p->done != NULL)
			p->done(p->arg, &r);
		free(p);
	}
}

static void
sc_close(struct sadb_client *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	sc_fail_pending(c);
}

/* tunneld went away (err 0: end of file). */
static void
sc_lose(struct sadb_client *c, int err)
{
	if (err != 0)
		log_warnx("tunneld connection lost: %s", strerror(err));
	else
		log_warnx("tunneld closed the connection");
	sc_close(c);
	if (c->ev.lost != NULL)
		c->ev.lost(c->ev.arg, err);
}

void
sadb_client_attach(struct sadb_client *c, int fd)
{
	int fl;

	sc_close(c);
	if ((fl = fcntl(fd, F_GETFL)) != -1)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	c->fd = fd;
}

int
sadb_client_connect(struct sadb_client *c, const char *path)
{
	const char *p = ctlsock_path(path);
	int fd;

	if ((fd = ctlsock_connect(p)) == -1) {
		log_warn("tunneld socket %s", p);
		return -1;
	}
	sadb_client_attach(c, fd);
	return 0;
}

int
sadb_client_fd(const struct sadb_client *c)
{
	return c->fd;
}

/* Sends len bytes of wbuf as one datagram. 0 or -1 with errno. */
static int
sc_write(struct sadb_client *c, size_t len)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
	ssize_t n;
	bool waited = false;

	for (;;) {
		n = send(c->fd, c->wbuf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == (ssize_t)len)
			return 0;
		if (n >= 0) {
			errno = EMSGSIZE;
			return -1;
		}
		if (errno == EINTR)
			continue;
		/* tunneld is slow to read: wait a little, once. */
		if ((errno == EAGAIN || errno == EWOULDBLOCK) && !waited &&
		    poll(&pfd, 1, SC_SEND_WAIT_MS) == 1) {
			waited = true;
			continue;
		}
		return -1;
	}
}

/*
 * Encodes m under a new seq, sends it and records the request. Returns
 * the seq, or 0 with a log line. The encoded copy is wiped either way.
 */
static uint32_t
sc_request(struct sadb_client *c, struct pfk_msg *m, sadbc_done_fn *done, void *arg,
    const struct sc_ident *id)
{
	struct sc_pending *p;
	struct wr w;
	int rc = 0;

	if (c->fd == -1 || c->npending >= SADB_CLIENT_PENDING_MAX) {
		log_warnx("%s: %s", pfk_type_name(m->type), c->fd == -1 ?
		    "not connected to tunneld" : "too many requests pending");
		return 0;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		log_warnx("%s: out of memory", pfk_type_name(m->type));
		return 0;
	}
	if (++c->seq == 0)
		c->seq = 1;
	m->seq = c->seq;
	m->pid = c->pid;
	w = wr_init(c->wbuf, PFK_MSG_MAX);
	if ((rc = pfk_encode(m, &w)) != 0)
		log_warnx("%s: cannot encode: %s", pfk_type_name(m->type), gw_strerror(rc));
	else if ((rc = sc_write(c, w.off)) != 0)
		log_warn("%s: send to tunneld", pfk_type_name(m->type));
	secure_wipe(c->wbuf, w.off);
	if (rc != 0) {
		free(p);
		return 0;
	}
	p->seq = m->seq;
	p->type = m->type;
	p->done = done;
	p->arg = arg;
	if (id != NULL)
		p->id = *id;
	TAILQ_INSERT_TAIL(&c->pending, p, entry);
	c->npending++;
	return p->seq;
}

/* ------------------------------------------------------------ requests */

static void
sc_msg_init(struct pfk_msg *m, uint8_t type, uint8_t satype)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->satype = satype;
}

/* An SA endpoint: the whole address, any upper-layer protocol, no port. */
static void
sc_endpoint(struct pfk_address *out, const struct gw_addr *a)
{
	out->proto = IPSEC_ULPROTO_ANY;
	out->addr = *a;
	out->addr.plen = (uint8_t)addr_maxplen(a->af);
	out->addr.port = 0;
}

static void
sc_endpoints(struct pfk_msg *m, const struct gw_addr *src, const struct gw_addr *dst)
{
	sc_endpoint(&m->src, src);
	sc_endpoint(&m->dst, dst);
	pfk_set(m, SADB_EXT_ADDRESS_SRC);
	pfk_set(m, SADB_EXT_ADDRESS_DST);
}

uint32_t
sadb_client_register(struct sadb_client *c, sadbc_done_fn *done, void *arg)
{
	struct pfk_msg m;

	sc_msg_init(&m, SADB_REGISTER, SADB_SATYPE_ESP);
	return sc_request(c, &m, done, arg, NULL);
}

uint32_t
sadb_client_getspi(struct sadb_client *c, const struct gw_addr *src, const struct gw_addr *dst,
    uint32_t reqid, uint32_t min, uint32_t max, sadbc_done_fn *done, void *arg)
{
	struct sc_ident id = { .src = *src, .dst = *dst };
	struct pfk_msg m;

	sc_msg_init(&m, SADB_GETSPI, SADB_SATYPE_ESP);
	sc_endpoints(&m, src, dst);
	m.sa2.mode = IPSEC_MODE_TUNNEL;
	m.sa2.reqid = reqid;
	pfk_set(&m, SADB_X_EXT_SA2);
	if (min != 0 || max != 0) {
		m.spirange.min = min;
		m.spirange.max = max;
		pfk_set(&m, SADB_EXT_SPIRANGE);
	}
	return sc_request(c, &m, done, arg, &id);
}

static void
sc_lifetime(struct pfk_msg *m, unsigned ext, uint64_t bytes, uint64_t addtime)
{
	struct pfk_lifetime *lt = ext == SADB_EXT_LIFETIME_HARD ? &m->lt_hard : &m->lt_soft;

	if (bytes == 0 && addtime == 0)
		return;
	lt->bytes = bytes;
	lt->addtime = addtime;
	pfk_set(m, ext);
}

static void
sc_key(struct pfk_key *k, const struct gw_key *key)
{
	k->bits = (uint16_t)(key->len * 8u);
	k->data = key->b;
	k->len = key->len;
}

/* UPDATE or ADD of sa; its keys are wiped once encoded. */
static uint32_t
sc_install(struct sadb_client *c, uint8_t type, struct sadbc_sa *sa, sadbc_done_fn *done,
    void *arg)
{
	struct sc_ident id = { .spi = sa->spi, .src = sa->src, .dst = sa->dst };
	struct pfk_msg m;
	uint32_t seq;

	sc_msg_init(&m, type, SADB_SATYPE_ESP);
	m.sa.spi = sa->spi;
	/* Old readers see the window in bytes of bitmap (pfkey.h). */
	m.sa.replay = (uint8_t)(sa->replay / 8 > 255 ? 255 : sa->replay / 8);
	m.sa.state = SADB_SASTATE_MATURE;
	m.sa.encrypt = sa->enc;
	m.sa.auth = sa->auth;
	pfk_set(&m, SADB_EXT_SA);
	m.sa2.mode = IPSEC_MODE_TUNNEL;
	m.sa2.reqid = sa->reqid;
	pfk_set(&m, SADB_X_EXT_SA2);
	sc_endpoints(&m, &sa->src, &sa->dst);
	sc_lifetime(&m, SADB_EXT_LIFETIME_HARD, sa->hard_bytes, sa->hard_addtime);
	sc_lifetime(&m, SADB_EXT_LIFETIME_SOFT, sa->soft_bytes, sa->soft_addtime);
	if (sa->enc_key.len > 0) {
		sc_key(&m.key_enc, &sa->enc_key);
		pfk_set(&m, SADB_EXT_KEY_ENCRYPT);
	}
	if (sa->auth_key.len > 0) {
		sc_key(&m.key_auth, &sa->auth_key);
		pfk_set(&m, SADB_EXT_KEY_AUTH);
	}
	m.replay.window = sa->replay;
	m.replay.flags = sa->esn ? PFK_REPLAY_ESN : 0;
	pfk_set(&m, PFK_EXT_REPLAY);
	if (sa->natt_sport != 0 && sa->natt_dport != 0) {
		m.natt_type = UDP_ENCAP_ESPINUDP;
		m.natt_sport = sa->natt_sport;
		m.natt_dport = sa->natt_dport;
		pfk_set(&m, SADB_X_EXT_NAT_T_TYPE);
		pfk_set(&m, SADB_X_EXT_NAT_T_SPORT);
		pfk_set(&m, SADB_X_EXT_NAT_T_DPORT);
	}
	seq = sc_request(c, &m, done, arg, &id);
	gw_key_clear(&sa->enc_key);
	gw_key_clear(&sa->auth_key);
	return seq;
}

uint32_t
sadb_client_update(struct sadb_client *c, struct sadbc_sa *sa, sadbc_done_fn *done, void *arg)
{
	return sc_install(c, SADB_UPDATE, sa, done, arg);
}

uint32_t
sadb_client_add(struct sadb_client *c, struct sadbc_sa *sa, sadbc_done_fn *done, void *arg)
{
	return sc_install(c, SADB_ADD, sa, done, arg);
}

uint32_t
sadb_client_delete(struct sadb_client *c, uint32_t spi, const struct gw_addr *src,
    const struct gw_addr *dst, sadbc_done_fn *done, void *arg)
{
	struct sc_ident id = { .spi = spi, .src = *src, .dst = *dst };
	struct pfk_msg m;

	sc_msg_init(&m, SADB_DELETE, SADB_SATYPE_ESP);
	m.sa.spi = spi;
	pfk_set(&m, SADB_EXT_SA);
	sc_endpoints(&m, src, dst);
	return sc_request(c, &m, done, arg, &id);
}

uint32_t
sadb_client_spddump(struct sadb_client *c, sadbc_done_fn *done, void *arg)
{
	struct pfk_msg m;

	if (c->dump_seq != 0) {
		log_warnx("X_SPDDUMP: a dump is already running");
		return 0;
	}
	sc_msg_init(&m, SADB_X_SPDDUMP, SADB_SATYPE_UNSPEC);
	c->stage.n = 0;
	c->dump_seq = sc_request(c, &m, done, arg, NULL);
	return c->dump_seq;
}

size_t
sadb_client_delete_installed(struct sadb_client *c, sadbc_done_fn *done, void *arg)
{
	struct sc_installed *s;
	size_t n = 0;

	TAILQ_FOREACH(s, &c->installed, entry)
		if (sadb_client_delete(c, s->id.spi, &s->id.src, &s->id.dst, done, arg) != 0)
			n++;
	return n;
}

void
sadb_client_cancel(struct sadb_client *c, uint32_t seq)
{
	struct sc_pending *p;

	TAILQ_FOREACH(p, &c->pending, entry)
		if (p->seq == seq) {
			TAILQ_REMOVE(&c->pending, p, entry);
			c->npending--;
			if (c->dump_seq == seq) {
				c->dump_seq = 0;
				c->dump_drain = true;
			}
			free(p);
			return;
		}
}

bool
sadb_client_pending(const struct sadb_client *c, uint32_t seq)
{
	const struct sc_pending *p;

	TAILQ_FOREACH(p, &c->pending, entry)
		if (p->seq == seq)
			return true;
	return false;
}

/* ------------------------------------------------------- installed SAs */

/* The bucket of (spi, dst): SipHash of SPI, family and address (what addr_eq() compares). */
static struct sc_bucket *
sc_bucket_of(const struct sadb_client *c, uint32_t spi, const struct gw_addr *dst)
{
	uint8_t in[4 + 1 + 16], h[crypto_shorthash_BYTES];
	uint64_t v = 0;
	size_t i;

	memset(in, 0, sizeof(in));
	for (i = 0; i < 4; i++)
		in[i] = (uint8_t)(spi >> (24 - 8 * i));
	in[4] = (uint8_t)dst->af;
	memcpy(in + 5, dst->u.b, addr_len(dst->af));
	crypto_shorthash(h, in, sizeof(in), c->hash_key);
	for (i = 0; i < sizeof(h); i++)
		v = v << 8 | h[i];
	return &c->buckets[(size_t)v & (c->nbuckets - 1)];
}

static struct sc_installed *
sc_find(const struct sadb_client *c, uint32_t spi, const struct gw_addr *dst)
{
	struct sc_installed *s;

	LIST_FOREACH(s, sc_bucket_of(c, spi, dst), hentry)
		if (s->id.spi == spi && addr_eq(&s->id.dst, dst))
			return s;
	return NULL;
}

/* Doubles the index once it holds more SAs than buckets; stays as is without memory. */
static void
sc_grow(struct sadb_client *c)
{
	struct sc_bucket *b, *old = c->buckets;
	struct sc_installed *s;

	if (c->ninstalled <= c->nbuckets || (b = sc_buckets(c->nbuckets * 2)) == NULL)
		return;
	c->buckets = b;
	c->nbuckets *= 2;
	TAILQ_FOREACH(s, &c->installed, entry)
		LIST_INSERT_HEAD(sc_bucket_of(c, s->id.spi, &s->id.dst), s, hentry);
	free(old);
}

static void
sc_track(struct sadb_client *c, const struct sc_ident *id)
{
	struct sc_installed *s;

	if (sc_find(c, id->spi, &id->dst) != NULL)
		return;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warnx("spi 0x%08x: out of memory: it will not be removed at stop", id->spi);
		return;
	}
	s->id = *id;
	TAILQ_INSERT_TAIL(&c->installed, s, entry);
	LIST_INSERT_HEAD(sc_bucket_of(c, id->spi, &id->dst), s, hentry);
	c->ninstalled++;
	sc_grow(c);
}

/* Forgets an SA; true if it was ours. */
static bool
sc_untrack(struct sadb_client *c, uint32_t spi, const struct gw_addr *dst)
{
	struct sc_installed *s = sc_find(c, spi, dst);

	if (s == NULL)
		return false;
	TAILQ_REMOVE(&c->installed, s, entry);
	LIST_REMOVE(s, hentry);
	c->ninstalled--;
	free(s);
	return true;
}

size_t
sadb_client_installed(const struct sadb_client *c)
{
	return c->ninstalled;
}

/* ----------------------------------------------------------- SPD mirror */

static void
sc_policy_from(struct sadbc_policy *out, const struct pfk_msg *m)
{
	memset(out, 0, sizeof(*out));
	out->id = m->policy.id;
	out->dir = m->policy.dir;
	out->type = m->policy.type;
	out->priority = m->policy.priority;
	out->sel.src = m->src.addr;
	out->sel.dst = m->dst.addr;
	out->sel.proto = m->src.proto;
	out->nreq = m->policy.nreq < PFK_MAX_REQ ? m->policy.nreq : PFK_MAX_REQ;
	memcpy(out->req, m->policy.req, out->nreq * sizeof(out->req[0]));
}

static struct sadbc_policy *
sc_spd_find(const struct sc_spd *s, uint32_t id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->p[i].id == id)
			return &s->p[i];
	return NULL;
}

static void
sc_spd_del(struct sc_spd *s, uint32_t id)
{
	struct sadbc_policy *p = sc_spd_find(s, id);

	if (p == NULL)
		return;
	memmove(p, p + 1, (size_t)(&s->p[s->n] - (p + 1)) * sizeof(*p));
	s->n--;
}

/*
 * Adds or replaces the policy of m (by id; and by selector and direction,
 * which X_SPDUPDATE replaces under a new id). 0 or -1 without memory.
 */
static int
sc_spd_put(struct sc_spd *s, const struct pfk_msg *m)
{
	struct sadbc_policy pol, *np;
	size_t i, cap;

	if (!pfk_has(m, SADB_X_EXT_POLICY) || !pfk_has(m, SADB_EXT_ADDRESS_SRC) ||
	    !pfk_has(m, SADB_EXT_ADDRESS_DST))
		return 0;
	sc_policy_from(&pol, m);
	for (i = 0; i < s->n; i++)
		if (s->p[i].id == pol.id || (s->p[i].dir == pol.dir && sel_eq(&s->p[i].sel,
		    &pol.sel))) {
			s->p[i] = pol;
			return 0;
		}
	if (s->n == s->cap) {
		cap = s->cap == 0 ? 16 : s->cap * 2;
		if ((np = reallocarray(s->p, cap, sizeof(*np))) == NULL)
			return -1;
		s->p = np;
		s->cap = cap;
	}
	s->p[s->n++] = pol;
	return 0;
}

size_t
sadb_client_policy_count(const struct sadb_client *c)
{
	return c->spd.n;
}

const struct sadbc_policy *
sadb_client_policy_at(const struct sadb_client *c, size_t i)
{
	return i < c->spd.n ? &c->spd.p[i] : NULL;
}

const struct sadbc_policy *
sadb_client_policy_get(const struct sadb_client *c, uint32_t id)
{
	return sc_spd_find(&c->spd, id);
}

const struct sadbc_policy *
sadb_client_policy_reverse(const struct sadb_client *c, const struct sadbc_policy *p)
{
	struct gw_sel rev = { .src = p->sel.dst, .dst = p->sel.src, .proto = p->sel.proto };
	size_t i;

	for (i = 0; i < c->spd.n; i++)
		if (c->spd.p[i].dir == IPSEC_DIR_INBOUND && sel_eq(&c->spd.p[i].sel, &rev))
			return &c->spd.p[i];
	return NULL;
}

/* -------------------------------------------------------------- replies */

/* What a completed request changes here before its callback runs. */
static void
sc_note_reply(struct sadb_client *c, const struct sc_pending *p, const struct pfk_msg *m,
    struct sadbc_reply *r)
{
	struct sc_ident id = p->id;

	switch (p->type) {
	case SADB_REGISTER:
		if (r->err == 0) {
			c->sup_enc = m->sup_enc;
			c->sup_auth = m->sup_auth;
		}
		break;
	case SADB_GETSPI:
		if (r->err == 0 && !pfk_has(m, SADB_EXT_SA))
			r->err = EINVAL;	/* a reply without the SPI */
		if (r->err != 0)
			break;
		r->spi = m->sa.spi;
		id.spi = m->sa.spi;
		sc_track(c, &id);	/* a LARVAL SA exists until UPDATE or its timeout */
		break;
	case SADB_UPDATE:
	case SADB_ADD:
		if (r->err == 0)
			sc_track(c, &id);
		break;
	case SADB_DELETE:
		if (r->err == 0 || r->err == ENOENT)
			sc_untrack(c, id.spi, &id.dst);
		break;
	}
}

static void
sc_complete(struct sadb_client *c, struct sc_pending *p, const struct pfk_msg *m, int err)
{
	struct sadbc_reply r = { .type = p->type, .seq = p->seq, .err = err, .msg = m };

	TAILQ_REMOVE(&c->pending, p, entry);
	c->npending--;
	sc_note_reply(c, p, m, &r);
	if (r.err != 0)
		log_debug("%s seq %u: tunneld says %s", pfk_type_name(p->type), p->seq,
		    strerror(r.err));
	if (p->done != NULL)
		p->done(p->arg, &r);
	free(p);
}

/* One message of a running X_SPDDUMP; the last (seq 0) swaps the mirror. */
static void
sc_dump_msg(struct sadb_client *c, struct sc_pending *p, const struct pfk_msg *m)
{
	struct sc_spd tmp;
	int err = m->errnum;

	if (err == 0 && sc_spd_put(&c->stage, m) == -1)
		err = ENOMEM;
	if (err == ENOENT) {	/* an empty SPD */
		c->stage.n = 0;
		err = 0;
	} else if (err == 0 && m->seq != 0)
		return;
	c->dump_seq = 0;
	if (err == 0) {
		tmp = c->spd;
		c->spd = c->stage;
		c->stage = tmp;
		c->stage.n = 0;
	}
	sc_complete(c, p, m, err);
	if (err == 0 && c->ev.spd_changed != NULL)
		c->ev.spd_changed(c->ev.arg);
}

/* The request m answers, or NULL for a message of tunneld's own or another client's. */
static struct sc_pending *
sc_match(struct sadb_client *c, const struct pfk_msg *m)
{
	struct sc_pending *p;

	if (m->pid != c->pid)
		return NULL;
	TAILQ_FOREACH(p, &c->pending, entry) {
		if (p->type != m->type)
			continue;
		if (p->seq == m->seq || (p->seq == c->dump_seq && m->type == SADB_X_SPDDUMP))
			return p;
	}
	return NULL;
}

/* --------------------------------------------------------------- events */

static void
sc_acquire(struct sadb_client *c, const struct pfk_msg *m)
{
	struct sadbc_acquire a = { .seq = m->seq };

	if (!pfk_has(m, SADB_EXT_ADDRESS_SRC) || !pfk_has(m, SADB_EXT_ADDRESS_DST) ||
	    !pfk_has(m, SADB_X_EXT_POLICY)) {
		log_warnx("ACQUIRE seq %u without addresses or policy: ignored", m->seq);
		return;
	}
	a.policy_id = m->policy.id;
	a.src = m->src.addr;
	a.dst = m->dst.addr;
	a.policy = sc_spd_find(&c->spd, m->policy.id);
	a.proposal = pfk_has(m, SADB_EXT_PROPOSAL) ? &m->proposal : NULL;
	if (a.policy == NULL)
		log_debug("ACQUIRE seq %u: policy %u not in the mirror", m->seq, a.policy_id);
	if (c->ev.acquire != NULL)
		c->ev.acquire(c->ev.arg, &a);
}

static void
sc_expire(struct sadb_client *c, const struct pfk_msg *m)
{
	struct sadbc_expire e;

	if (!pfk_has(m, SADB_EXT_SA) || !pfk_has(m, SADB_EXT_ADDRESS_DST) ||
	    (!pfk_has(m, SADB_EXT_LIFETIME_HARD) && !pfk_has(m, SADB_EXT_LIFETIME_SOFT))) {
		log_warnx("EXPIRE seq %u without SA, address or limit: ignored", m->seq);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.hard = pfk_has(m, SADB_EXT_LIFETIME_HARD);
	e.spi = m->sa.spi;
	e.src = m->src.addr;
	e.dst = m->dst.addr;
	e.reqid = pfk_has(m, SADB_X_EXT_SA2) ? m->sa2.reqid : 0;
	e.current = m->lt_current;
	/* A hard expiry removed the SA: nothing left to delete at stop. */
	e.ours = e.hard ? sc_untrack(c, e.spi, &e.dst) : sc_find(c, e.spi, &e.dst) != NULL;
	if (c->ev.expire != NULL)
		c->ev.expire(c->ev.arg, &e);
}

/* Another client's SPD change, to mirror. */
static void
sc_spd_event(struct sadb_client *c, const struct pfk_msg *m)
{
	switch (m->type) {
	case SADB_X_SPDADD:
	case SADB_X_SPDUPDATE:
		if (sc_spd_put(&c->spd, m) == -1)
			log_warnx("%s: out of memory: the SPD mirror is incomplete",
			    pfk_type_name(m->type));
		break;
	case SADB_X_SPDDELETE:
	case SADB_X_SPDDELETE2:
		if (pfk_has(m, SADB_X_EXT_POLICY))
			sc_spd_del(&c->spd, m->policy.id);
		break;
	case SADB_X_SPDFLUSH:
		c->spd.n = 0;
		break;
	}
	if (c->ev.spd_changed != NULL)
		c->ev.spd_changed(c->ev.arg);
}

static void
sc_removed(struct sadb_client *c, uint32_t spi, const struct gw_addr *dst)
{
	struct gw_addr d = *dst;

	if (sc_untrack(c, spi, &d) && c->ev.sa_removed != NULL)
		c->ev.sa_removed(c->ev.arg, spi, &d);
}

/* Another client's DELETE or FLUSH: SAs of ours may be gone. */
static void
sc_sa_event(struct sadb_client *c, const struct pfk_msg *m)
{
	struct sc_installed *s, *next;
	bool flush = m->type == SADB_FLUSH;

	if (m->satype != SADB_SATYPE_ESP && m->satype != SADB_SATYPE_UNSPEC)
		return;
	if (!flush && (!pfk_has(m, SADB_EXT_ADDRESS_SRC) || !pfk_has(m, SADB_EXT_ADDRESS_DST)))
		return;
	/* One SA, by its name: the index has it or not. */
	if (!flush && pfk_has(m, SADB_EXT_SA)) {
		sc_removed(c, m->sa.spi, &m->dst.addr);
		return;
	}
	/* Everything, or KAME's delete of every SA between two addresses. */
	for (s = TAILQ_FIRST(&c->installed); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (flush || (addr_eq(&s->id.src, &m->src.addr) &&
		    addr_eq(&s->id.dst, &m->dst.addr)))
			sc_removed(c, s->id.spi, &s->id.dst);
	}
}

static void
sc_unsolicited(struct sadb_client *c, const struct pfk_msg *m)
{
	if (m->errnum != 0) {
		log_debug("%s seq %u pid %u: errno %u, not ours", pfk_type_name(m->type), m->seq,
		    m->pid, m->errnum);
		return;
	}
	switch (m->type) {
	case SADB_ACQUIRE:
		sc_acquire(c, m);
		break;
	case SADB_EXPIRE:
		sc_expire(c, m);
		break;
	case SADB_X_SPDADD:
	case SADB_X_SPDUPDATE:
	case SADB_X_SPDDELETE:
	case SADB_X_SPDDELETE2:
	case SADB_X_SPDFLUSH:
		sc_spd_event(c, m);
		break;
	case SADB_DELETE:
	case SADB_FLUSH:
		sc_sa_event(c, m);
		break;
	default:
		log_debug("%s seq %u pid %u: nothing to do", pfk_type_name(m->type), m->seq,
		    m->pid);
		break;
	}
}

static void
sc_dispatch(struct sadb_client *c, const uint8_t *buf, size_t len)
{
	struct pfk_msg m;
	struct sc_pending *p;
	int rc;

	if ((rc = pfk_decode(buf, len, &m)) != 0) {
		log_warnx("tunneld sent a malformed message (%zu bytes): %s", len, strerror(-rc));
		return;
	}
	if (c->dump_drain && m.type == SADB_X_SPDDUMP && m.pid == c->pid) {
		/* tunneld answers in order: the rest of a cancelled dump comes first */
		c->dump_drain = m.seq != 0 && m.errnum == 0;
		return;
	}
	if ((p = sc_match(c, &m)) == NULL)
		sc_unsolicited(c, &m);
	else if (p->seq == c->dump_seq)
		sc_dump_msg(c, p, &m);
	else
		sc_complete(c, p, &m, m.errnum);
}

void
sadb_client_input(struct sadb_client *c)
{
	int fd = c->fd;
	ssize_t n;

	/* A callback may reconnect: stop when the descriptor changes. */
	while (fd != -1 && c->fd == fd) {
		n = recv(fd, c->rbuf, PFK_MSG_MAX, MSG_DONTWAIT | MSG_TRUNC);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			sc_lose(c, n == 0 ? 0 : errno);
			return;
		}
		if ((size_t)n > PFK_MSG_MAX) {
			log_warnx("tunneld sent %zd bytes, more than a message may hold", n);
			n = PFK_MSG_MAX;
		} else
			sc_dispatch(c, c->rbuf, (size_t)n);
		secure_wipe(c->rbuf, (size_t)n);
	}
}

/* ------------------------------------------------------------ start-up */

static int64_t
sc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
sadb_client_wait(struct sadb_client *c, uint32_t seq, int timeout_ms)
{
	int64_t end = sc_now_ms() + timeout_ms, left;
	struct pollfd pfd;
	int rc;

	while (sadb_client_pending(c, seq)) {
		if (c->fd == -1) {
			errno = ENOTCONN;
			return -1;
		}
		if ((left = end - sc_now_ms()) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		pfd = (struct pollfd){ .fd = c->fd, .events = POLLIN };
		if ((rc = poll(&pfd, 1, (int)left)) == -1 && errno != EINTR)
			return -1;
		if (rc > 0)
			sadb_client_input(c);
	}
	return 0;
}

static void
sc_keep_err(void *arg, const struct sadbc_reply *r)
{
	*(int *)arg = r->err;
}

/* Sends one start-up request and waits for it. 0 or -1 with errno. */
static int
sc_start_one(struct sadb_client *c, uint32_t seq, int *err, int timeout_ms)
{
	if (seq == 0) {
		errno = c->fd == -1 ? ENOTCONN : EIO;
		return -1;
	}
	if (sadb_client_wait(c, seq, timeout_ms) == -1) {
		log_warn("tunneld did not answer");
		sadb_client_cancel(c, seq);
		return -1;
	}
	if (*err != 0) {
		errno = *err;
		return -1;
	}
	return 0;
}

int
sadb_client_start(struct sadb_client *c, int timeout_ms)
{
	int err = 0;

	if (sc_start_one(c, sadb_client_register(c, sc_keep_err, &err), &err, timeout_ms) == -1) {
		log_warnx("REGISTER with tunneld failed: %s", strerror(errno));
		return -1;
	}
	err = 0;
	if (sc_start_one(c, sadb_client_spddump(c, sc_keep_err, &err), &err, timeout_ms) == -1) {
		log_warnx("X_SPDDUMP from tunneld failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------- algorithms */

bool
sadb_client_supported(const struct sadb_client *c, enum alg_kind kind, uint8_t id)
{
	const struct pfk_supported *s = kind == ALG_ENC ? &c->sup_enc : &c->sup_auth;
	size_t i;

	if (kind != ALG_ENC && kind != ALG_AUTH)
		return false;
	for (i = 0; i < s->n && i < PFK_MAX_SUPPORTED; i++)
		if (s->alg[i].id == id)
			return true;
	return false;
}

uint8_t
sadb_client_alg_id(enum alg_kind kind, uint16_t ikev2_id)
{
	const struct alg *a;
	size_t i;

	for (i = 0; ikev2_id != 0 && (a = alg_at(kind, i)) != NULL; i++)
		if (a->ikev2_id == ikev2_id && a->datapath)
			return a->id;
	return 0;
}
