/*
 * ctl.c: ikd's control socket; see ctl.h for the protocol.
 *
 * Each request is answered at once into the connection's queue: the
 * answer is generated whole, cut into datagrams of whole lines, and
 * written without blocking. What the socket does not take stays queued
 * and goes out as the client reads. A client that keeps asking without
 * reading is dropped once earlier answers still queued push the queue
 * over CTL_QUEUE_MAX (the first answer is always accepted: it is as big
 * as the SA table, which the daemon holds anyway), and one that reads
 * nothing for CTL_STALL_S while an answer waits is dropped too.
 *
 * The list format is read back by ikdctl, which appends the data path's
 * byte and packet counters to the two SPI lines of each Child SA:
 *
 *   gw-b 203.0.113.2[500] ESTABLISHED 3m12s, initiator, rekey in 7h52m
 *     IKE 1a2b3c4d5e6f7a8b:9c8d7e6f5a4b3c2d, AES_GCM_16-256/PRF_HMAC_SHA2_256/CURVE_25519
 *     local 203.0.113.1[500], last heard 3s ago, dpd in 27s
 *     child 10.1.0.0/24 === 10.2.0.0/24, reqid 7, installed 42s, rekey in 53m
 *       esp aes-gcm-16 256, esn
 *       in  c1234567 203.0.113.2 -> 203.0.113.1
 *       out c7654321 203.0.113.1 -> 203.0.113.2
 *
 * The SPI lines keep exactly that form: four spaces, "in  " or "out ",
 * eight hex digits, source, " -> ", destination.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "gw_config.h"
#include "alg.h"
#include "buf.h"
#include "ctl.h"
#include "ctlsock.h"
#include "dh.h"
#include "ike_wire.h"
#include "log.h"
#include "proposal.h"

#define CTL_QUEUE_MAX	(1024 * 1024)	/* bytes queued behind an answer still unsent */
#define CTL_CONN_MAX	32		/* clients at once */
#define CTL_READ_BATCH	16		/* requests handled per wake-up and client */
#define CTL_STALL_S	30		/* an answer waiting this long unread: drop */
#define CTL_IDLE_S	300		/* a client silent this long: drop */
#define CTL_LINE_MAX	3072		/* one answer line, newline included */
#define CTL_WORD_MAX	255		/* one word of a request */
#define CTL_WORDS	2		/* command and argument */
#define CTL_ERR_MAX	256		/* a reason from struct ctl_ops */
#define CTL_DUR_LEN	48		/* ctl_dur() of any uint64_t */
#define CTL_PART_LEN	96		/* ", rekey in " and such, with a duration */

_Static_assert(CTL_LINE_MAX <= CTL_MSG_MAX, "a line fits in a datagram");
_Static_assert(CTL_MSG_MAX <= UINT16_MAX, "queue records have 16-bit lengths");

struct ctl_conn {
	TAILQ_ENTRY(ctl_conn)	 entry;
	struct ctl		*ctl;
	int			 fd;
	uid_t			 uid;
	pid_t			 pid;
	struct event		*ev_read;
	struct event		*ev_write;
	/* Datagrams waiting to be sent: u16 length, then the bytes. */
	uint8_t			*q;
	size_t			 qhead;
	size_t			 qtail;
	size_t			 qcap;
	const char		*dead;	/* why it is to be closed; NULL while alive */
};

struct ctl {
	struct event_base	*base;
	struct ctl_ops		 ops;
	char			 path[108];	/* sun_path */
	int			 lfd;
	struct event		*ev_listen;
	struct event		*ev_pause;	/* re-arms the listener after EMFILE */
	TAILQ_HEAD(, ctl_conn)	 conns;
	size_t			 nconns;
	uint8_t			 rbuf[CTL_MSG_MAX + 1];	/* one more: too long is seen */
};

/* One answer in the making: lines packed into the datagram dg. */
struct ctl_ans {
	struct ctl_conn	*c;
	char		 dg[CTL_MSG_MAX];
	size_t		 len;
};

/* A request cut into words. */
struct ctl_req {
	size_t	n;
	char	w[CTL_WORDS][CTL_WORD_MAX + 1];
};

struct ctl_cmd {
	const char	*name;
	size_t		 nargs;
	bool		 changes;	/* root or the daemon's user only */
	void		(*run)(struct ctl_conn *, struct ctl_ans *, const struct ctl_req *);
};

static void ctl_ans_line(struct ctl_ans *, const char *, ...) GW_PRINTF(2, 3);

const char *
ctl_path(const char *explicit_path)
{
	const char *env;

	if (explicit_path != NULL && *explicit_path != '\0')
		return explicit_path;
	env = getenv(CTL_ENV);
	if (env != NULL && *env != '\0')
		return env;
	return CTL_DEFAULT;
}

bool
ctl_may_change(uid_t uid, uid_t self)
{
	return uid == 0 || uid == self;
}

/*
 * The connection's queue.
 */

static size_t
ctl_q_pending(const struct ctl_conn *c)
{
	return c->qtail - c->qhead;
}

/* Appends one datagram; false (and c marked dead) when memory runs out. */
static bool
ctl_q_push(struct ctl_conn *c, const void *p, size_t n)
{
	struct wr w;
	uint8_t *nq;
	size_t need = 2 + n, ncap;

	if (c->dead != NULL)
		return false;
	if (need > c->qcap - c->qtail && c->qhead > 0) {
		memmove(c->q, c->q + c->qhead, ctl_q_pending(c));
		c->qtail -= c->qhead;
		c->qhead = 0;
	}
	if (need > c->qcap - c->qtail) {
		ncap = c->qcap != 0 ? c->qcap : 4 * (CTL_MSG_MAX + 2);
		while (need > ncap - c->qtail)
			ncap *= 2;
		if ((nq = realloc(c->q, ncap)) == NULL) {
			c->dead = "out of memory for its answer";
			return false;
		}
		c->q = nq;
		c->qcap = ncap;
	}
	w = wr_init(c->q + c->qtail, c->qcap - c->qtail);
	wr_u16he(&w, (uint16_t)n);
	wr_bytes(&w, p, n);
	c->qtail += w.off;
	return true;
}

static bool
ctl_again(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

/* Sends queued datagrams until the socket is full or the queue empty. */
static void
ctl_q_flush(struct ctl_conn *c)
{
	struct rd r;
	struct view v;
	uint16_t n = 0;

	while (c->dead == NULL && ctl_q_pending(c) > 0) {
		r = rd_init(c->q + c->qhead, ctl_q_pending(c));
		rd_u16he(&r, &n);
		if (rd_bytes(&r, n, &v) != 0) {
			c->dead = "corrupt send queue";
			break;
		}
		if (send(c->fd, v.p, v.len, MSG_DONTWAIT | MSG_NOSIGNAL) == -1) {
			if (!ctl_again(errno))
				c->dead = errno == EPIPE ? "closed before reading its answer" :
				    "send failed";
			break;
		}
		c->qhead += r.off;
	}
	if (ctl_q_pending(c) == 0)
		c->qhead = c->qtail = 0;
}

/*
 * Answers.
 */

static void
ctl_ans_push(struct ctl_ans *a)
{
	ctl_q_push(a->c, a->dg, a->len);
	a->len = 0;
}

/* One line (without its newline in fmt); cut at CTL_LINE_MAX - 1 bytes. */
static void
ctl_ans_line(struct ctl_ans *a, const char *fmt, ...)
{
	char line[CTL_LINE_MAX];
	va_list ap;
	size_t n;
	int rc;

	va_start(ap, fmt);
	rc = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	n = rc < 0 ? 0 : (size_t)rc;
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (n > sizeof(a->dg) - a->len)
		ctl_ans_push(a);
	memcpy(a->dg + a->len, line, n);
	a->len += n;
}

/* The status line, then the empty datagram that ends the answer. */
static void
ctl_ans_end(struct ctl_ans *a, const char *err)
{
	if (err == NULL)
		ctl_ans_line(a, "ok");
	else
		ctl_ans_line(a, "error: %s", err);
	ctl_ans_push(a);
	ctl_q_push(a->c, "", 0);
}

/* Keeps a reason from the daemon on one printable line. */
static void
ctl_clean(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

/*
 * Text forms for list.
 */

/* "42s", "3m12s", "7h52m", "2d3h": the two largest units, the second if not 0. */
static const char *
ctl_dur(uint64_t ms, char *buf, size_t len)
{
	static const struct { uint64_t s; char u; } units[] = {
		{ 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' },
	};
	uint64_t s = ms / 1000, hi, lo;
	size_t i;

	for (i = 0; i < 3 && s < units[i].s; i++)
		;
	hi = s / units[i].s;
	lo = i < 3 ? s % units[i].s / units[i + 1].s : 0;
	if (lo != 0)
		snprintf(buf, len, "%" PRIu64 "%c%" PRIu64 "%c", hi, units[i].u, lo,
		    units[i + 1].u);
	else
		snprintf(buf, len, "%" PRIu64 "%c", hi, units[i].u);
	return buf;
}

static const char *
ctl_addr_port(const struct gw_addr *a, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN];

	snprintf(buf, len, "%s[%u]", addr_ntop(a, s, sizeof(s)), (unsigned)a->port);
	return buf;
}

struct ctl_name {
	uint16_t	 id;
	const char	*name;
};

/* RFC 7296 3.3.2 and the IANA IKEv2 registries, without their ENCR_/AUTH_/... prefixes. */
static const struct ctl_name ctl_encr[] = {
	{ IKE_ENCR_3DES, "3DES" }, { IKE_ENCR_NULL, "NULL" }, { IKE_ENCR_AES_CBC, "AES_CBC" },
	{ IKE_ENCR_AES_CTR, "AES_CTR" }, { IKE_ENCR_AES_CCM_8, "AES_CCM_8" },
	{ IKE_ENCR_AES_CCM_12, "AES_CCM_12" }, { IKE_ENCR_AES_CCM_16, "AES_CCM_16" },
	{ IKE_ENCR_AES_GCM_8, "AES_GCM_8" }, { IKE_ENCR_AES_GCM_12, "AES_GCM_12" },
	{ IKE_ENCR_AES_GCM_16, "AES_GCM_16" }, { IKE_ENCR_CAMELLIA_CBC, "CAMELLIA_CBC" },
	{ IKE_ENCR_CHACHA20_POLY1305, "CHACHA20_POLY1305" }, { 0, NULL },
};

static const struct ctl_name ctl_prf[] = {
	{ IKE_PRF_HMAC_MD5, "PRF_HMAC_MD5" }, { IKE_PRF_HMAC_SHA1, "PRF_HMAC_SHA1" },
	{ IKE_PRF_AES128_XCBC, "PRF_AES128_XCBC" }, { IKE_PRF_HMAC_SHA2_256, "PRF_HMAC_SHA2_256" },
	{ IKE_PRF_HMAC_SHA2_384, "PRF_HMAC_SHA2_384" },
	{ IKE_PRF_HMAC_SHA2_512, "PRF_HMAC_SHA2_512" }, { IKE_PRF_AES128_CMAC, "PRF_AES128_CMAC" },
	{ 0, NULL },
};

static const struct ctl_name ctl_integ[] = {
	{ IKE_INTEG_HMAC_MD5_96, "HMAC_MD5_96" }, { IKE_INTEG_HMAC_SHA1_96, "HMAC_SHA1_96" },
	{ IKE_INTEG_AES_XCBC_96, "AES_XCBC_96" }, { IKE_INTEG_AES_CMAC_96, "AES_CMAC_96" },
	{ IKE_INTEG_HMAC_SHA2_256_128, "HMAC_SHA2_256_128" },
	{ IKE_INTEG_HMAC_SHA2_384_192, "HMAC_SHA2_384_192" },
	{ IKE_INTEG_HMAC_SHA2_512_256, "HMAC_SHA2_512_256" }, { 0, NULL },
};

static const struct ctl_name ctl_ke[] = {
	{ IKE_DH_MODP_768, "MODP_768" }, { IKE_DH_MODP_1024, "MODP_1024" },
	{ IKE_DH_MODP_1536, "MODP_1536" }, { IKE_DH_MODP_2048, "MODP_2048" },
	{ IKE_DH_MODP_3072, "MODP_3072" }, { IKE_DH_MODP_4096, "MODP_4096" },
	{ IKE_DH_MODP_6144, "MODP_6144" }, { IKE_DH_MODP_8192, "MODP_8192" },
	{ IKE_DH_ECP_256, "ECP_256" }, { IKE_DH_ECP_384, "ECP_384" },
	{ IKE_DH_ECP_521, "ECP_521" }, { IKE_DH_CURVE25519, "CURVE_25519" },
	{ IKE_DH_CURVE448, "CURVE_448" }, { 0, NULL },
};

/* Appends the name of id from tab, or prefix and the number. */
static void
ctl_xf_name(struct wr *w, const struct ctl_name *tab, const char *prefix, uint16_t id)
{
	char num[16];

	for (; tab->name != NULL; tab++) {
		if (tab->id == id) {
			wr_bytes(w, tab->name, strlen(tab->name));
			return;
		}
	}
	snprintf(num, sizeof(num), "%u", (unsigned)id);
	wr_bytes(w, prefix, strlen(prefix));
	wr_bytes(w, num, strlen(num));
}

/* "AES_GCM_16-256/PRF_HMAC_SHA2_256/CURVE_25519": ENCR/INTEG/PRF/KE as chosen. */
static const char *
ctl_prop_str(const struct ike_prop *p, uint16_t ke_group, char *buf, size_t len)
{
	const struct ike_xform *encr = proposal_get(p, PROP_T_ENCR);
	const struct ike_xform *integ = proposal_get(p, PROP_T_INTEG);
	const struct ike_xform *prf = proposal_get(p, PROP_T_PRF);
	const struct ike_xform *ke = proposal_get(p, PROP_T_KE);
	struct wr w = wr_init(buf, len - 1);
	char bits[16];

	if (encr != NULL) {
		ctl_xf_name(&w, ctl_encr, "ENCR_", encr->id);
		if (encr->keylen != 0) {
			snprintf(bits, sizeof(bits), "-%u", (unsigned)encr->keylen);
			wr_bytes(&w, bits, strlen(bits));
		}
	}
	if (integ != NULL && integ->id != IKE_INTEG_NONE) {
		wr_bytes(&w, "/", 1);
		ctl_xf_name(&w, ctl_integ, "INTEG_", integ->id);
	}
	if (prf != NULL) {
		wr_bytes(&w, "/", 1);
		ctl_xf_name(&w, ctl_prf, "PRF_", prf->id);
	}
	if (ke != NULL || ke_group != 0) {
		wr_bytes(&w, "/", 1);
		ctl_xf_name(&w, ctl_ke, "KE_", ke != NULL ? ke->id : ke_group);
	}
	buf[w.err != 0 ? 0 : w.off] = '\0';
	return buf;
}

/*
 * list.
 */

/* Sorts by name, peer address, age and SPI, so that the output is stable. */
static int
ctl_sa_cmp(const void *a, const void *b)
{
	const struct ike_sa *x = *(const struct ike_sa *const *)a;
	const struct ike_sa *y = *(const struct ike_sa *const *)b;
	int rc;

	if ((rc = strncmp(x->cfg.name, y->cfg.name, sizeof(x->cfg.name))) != 0)
		return rc;
	if ((rc = addr_cmp(&x->remote, &y->remote)) != 0)
		return rc;
	if (x->created_ms != y->created_ms)
		return x->created_ms < y->created_ms ? -1 : 1;
	return ike_sa_spi(x) < ike_sa_spi(y) ? -1 : ike_sa_spi(x) > ike_sa_spi(y);
}

/* ", rekey in 7h52m" while the SA is up; ", retired" once a rekey replaced it. */
static void
ctl_rekey_str(const struct ike_sa *sa, uint64_t now, char *buf, size_t len)
{
	char d[CTL_DUR_LEN];

	*buf = '\0';
	if (sa->retired)
		snprintf(buf, len, ", retired by a rekey");
	else if (sa->state != IKE_S_ESTABLISHED && sa->state != IKE_S_REKEYING)
		return;
	else if (sa->rekey_ms > now)
		snprintf(buf, len, ", rekey in %s", ctl_dur(sa->rekey_ms - now, d, sizeof(d)));
	else if (sa->rekey_ms != 0)
		snprintf(buf, len, ", rekey due");
}

/* "gw-b 203.0.113.2[500] ESTABLISHED 3m12s, initiator, rekey in 7h52m" */
static void
ctl_list_head(struct ctl_ans *a, const struct ike_sa *sa, uint64_t now)
{
	char remote[GW_ADDR_STRLEN + 8], age[CTL_DUR_LEN], rekey[CTL_PART_LEN];
	char ra[INET6_ADDRSTRLEN];
	size_t nl = strnlen(sa->cfg.name, sizeof(sa->cfg.name));
	uint64_t since = sa->created_ms;

	if (sa->state >= IKE_S_ESTABLISHED && sa->established_ms != 0)
		since = sa->established_ms;
	ctl_dur(now > since ? now - since : 0, age, sizeof(age));
	ctl_rekey_str(sa, now, rekey, sizeof(rekey));
	/* A name that only repeats the address (a remote block's) is left out. */
	addr_ntop(&sa->remote, ra, sizeof(ra));
	if (nl == strlen(ra) && memcmp(sa->cfg.name, ra, nl) == 0)
		nl = 0;
	ctl_ans_line(a, "%.*s%s%s %s %s, %s%s", (int)nl, sa->cfg.name, nl != 0 ? " " : "",
	    ctl_addr_port(&sa->remote, remote, sizeof(remote)), ike_sa_state_name(sa->state),
	    age, sa->initiator ? "initiator" : "responder", rekey);
}

static void
ctl_list_ike(struct ctl_ans *a, const struct ike_sa *sa, uint64_t now)
{
	char prop[256], local[GW_ADDR_STRLEN + 8], d[CTL_DUR_LEN];
	char heard[CTL_PART_LEN] = "", dpd[CTL_PART_LEN] = "";
	uint64_t due = ike_sa_dpd_due(sa);
	const char *nat = "";

	if (sa->prop.ntrans != 0)
		ctl_ans_line(a, "  IKE " IKE_SPI_FMT ", %s", IKE_SPI_ARGS(sa),
		    ctl_prop_str(&sa->prop, sa->dh_group, prop, sizeof(prop)));
	else
		ctl_ans_line(a, "  IKE " IKE_SPI_FMT ", no proposal chosen yet", IKE_SPI_ARGS(sa));
	if (sa->nat_local && sa->nat_remote)
		nat = ", NAT on both sides";
	else if (sa->nat_local)
		nat = ", NAT on our side";
	else if (sa->nat_remote)
		nat = ", NAT on the peer's side";
	if (sa->last_rx_ms != 0 && now >= sa->last_rx_ms)
		snprintf(heard, sizeof(heard), ", last heard %s ago",
		    ctl_dur(now - sa->last_rx_ms, d, sizeof(d)));
	if (due != UINT64_MAX)
		snprintf(dpd, sizeof(dpd), ", dpd in %s", ctl_dur(due > now ? due - now : 0, d,
		    sizeof(d)));
	ctl_ans_line(a, "  local %s%s%s%s", ctl_addr_port(&sa->local, local, sizeof(local)), nat,
	    heard, dpd);
}

/* "esp aes-cbc 256/hmac-sha256, esn, pfs curve25519, udp-encap" */
static void
ctl_list_algs(struct ctl_ans *a, const struct ike_child *c)
{
	const struct alg *enc = alg_by_id(ALG_ENC, c->enc_alg);
	const struct alg *auth = c->auth_alg != 0 ? alg_by_id(ALG_AUTH, c->auth_alg) : NULL;
	char encs[48], auths[48] = "", bits[16] = "", pfs[48] = "";

	if (enc != NULL)
		snprintf(encs, sizeof(encs), "%s", enc->name);
	else
		snprintf(encs, sizeof(encs), "enc-%u", (unsigned)c->enc_alg);
	if (c->enc_bits != 0)
		snprintf(bits, sizeof(bits), " %u", (unsigned)c->enc_bits);
	if (auth != NULL)
		snprintf(auths, sizeof(auths), "/%s", auth->name);
	else if (c->auth_alg != 0)
		snprintf(auths, sizeof(auths), "/auth-%u", (unsigned)c->auth_alg);
	if (c->pfs_group != 0)
		snprintf(pfs, sizeof(pfs), ", pfs %s", dh_group_name(c->pfs_group));
	ctl_ans_line(a, "    esp %s%s%s%s%s%s", encs, bits, auths, c->esn ? ", esn" : "", pfs,
	    c->natt ? ", udp-encap" : "");
}

static void
ctl_list_child(struct ctl_ans *a, const struct ike_sa *sa, const struct ike_child *c,
    uint64_t now)
{
	char tl[CTL_LINE_MAX / 2 - 64], tr[CTL_LINE_MAX / 2 - 64];
	char age[CTL_DUR_LEN], rk[CTL_PART_LEN] = "", d[CTL_DUR_LEN], reqid[24] = "";
	char l[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];
	uint64_t soft = sa->cfg.child_lifetime.soft_s, due;

	ctl_dur(now > c->installed_ms ? now - c->installed_ms : 0, age, sizeof(age));
	/* The next rekey: a retry after TEMPORARY_FAILURE, or the soft lifetime. */
	if (c->rekey_retry_ms != 0)
		snprintf(rk, sizeof(rk), ", rekey retried in %s", ctl_dur(c->rekey_retry_ms > now ?
		    c->rekey_retry_ms - now : 0, d, sizeof(d)));
	/* A soft lifetime too long to add up is as good as none. */
	else if (soft != IKE_LIFETIME_INF && soft <= (UINT64_MAX - c->installed_ms) / 1000) {
		due = c->installed_ms + soft * 1000;
		if (due > now)
			snprintf(rk, sizeof(rk), ", rekey in %s", ctl_dur(due - now, d, sizeof(d)));
		else
			snprintf(rk, sizeof(rk), ", rekey due");
	}
	if (c->reqid != 0)
		snprintf(reqid, sizeof(reqid), ", reqid %" PRIu32, c->reqid);
	ctl_ans_line(a, "  child %s === %s%s, installed %s%s",
	    ike_ts_list_str(&c->ts_local, tl, sizeof(tl)),
	    ike_ts_list_str(&c->ts_remote, tr, sizeof(tr)), reqid, age, rk);
	ctl_list_algs(a, c);
	addr_ntop(&c->local, l, sizeof(l));
	addr_ntop(&c->remote, r, sizeof(r));
	ctl_ans_line(a, "    in  %08" PRIx32 " %s -> %s", c->spi_in, r, l);
	ctl_ans_line(a, "    out %08" PRIx32 " %s -> %s", c->spi_out, l, r);
}

static bool
ctl_child_before(const struct ike_child *x, const struct ike_child *y)
{
	if (x->installed_ms != y->installed_ms)
		return x->installed_ms < y->installed_ms;
	return x->spi_in < y->spi_in;
}

/*
 * Child SAs oldest first. Selection without a copy: an IKE SA has a few
 * Child SAs (two while one is rekeyed), so the quadratic walk is cheap.
 */
static size_t
ctl_list_children(struct ctl_ans *a, const struct ike_sa *sa, uint64_t now)
{
	const struct ike_child *c, *best, *last = NULL;
	size_t n = 0;

	for (;;) {
		best = NULL;
		for (c = sa->children; c != NULL; c = c->next)
			if ((last == NULL || ctl_child_before(last, c)) &&
			    (best == NULL || ctl_child_before(c, best)))
				best = c;
		if (best == NULL)
			return n;
		ctl_list_child(a, sa, best, now);
		last = best;
		n++;
	}
}

static void
ctl_cmd_list(struct ctl_conn *conn, struct ctl_ans *a, const struct ctl_req *req)
{
	const struct ike_sa_table *t = conn->ctl->ops.table(conn->ctl->ops.ctx);
	const struct ike_sa **v;
	const struct ike_sa *sa;
	size_t n = 0, i, nchild = 0;
	uint64_t now;

	if (t == NULL) {
		ctl_ans_end(a, "no SA table yet");
		return;
	}
	if ((v = calloc(t->nsa + 1, sizeof(*v))) == NULL) {
		ctl_ans_end(a, "out of memory");
		return;
	}
	for (sa = t->all; sa != NULL && n < t->nsa; sa = sa->next)
		if (sa->state != IKE_S_DEAD)
			v[n++] = sa;
	qsort(v, n, sizeof(*v), ctl_sa_cmp);
	now = t->io.now_ms(t->io.ctx);
	for (i = 0; i < n; i++) {
		ctl_list_head(a, v[i], now);
		ctl_list_ike(a, v[i], now);
		nchild += ctl_list_children(a, v[i], now);
	}
	free(v);
	if (n == 0)
		ctl_ans_line(a, "no IKE SAs");
	else
		ctl_ans_line(a, "%zu IKE SA%s, %zu Child SA%s", n, n == 1 ? "" : "s", nchild,
		    nchild == 1 ? "" : "s");
	ctl_ans_end(a, NULL);
}

/*
 * The other commands.
 */

static void
ctl_cmd_stats(struct ctl_conn *conn, struct ctl_ans *a, const struct ctl_req *req)
{
	const struct ike_sa_table *t = conn->ctl->ops.table(conn->ctl->ops.ctx);
	size_t s;

	if (t == NULL) {
		ctl_ans_end(a, "no SA table yet");
		return;
	}
	ctl_ans_line(a, "%-36s %zu", "IKE SAs", t->nsa);
	ctl_ans_line(a, "%-36s %zu", "half-open IKE SAs", t->half_open);
	for (s = 0; s < IKE_ST_COUNT; s++)
		ctl_ans_line(a, "%-36s %" PRIu64, ike_sa_stat_name((enum ike_stat)s), t->stats[s]);
	ctl_ans_end(a, NULL);
}

/* Runs one of the daemon's actions and answers with its outcome. */
static void
ctl_action(struct ctl_conn *conn, struct ctl_ans *a, const struct ctl_req *req, int rc,
    char *err)
{
	const char *sp = req->n > 1 ? " " : "", *arg = req->n > 1 ? req->w[1] : "";

	ctl_clean(err);
	if (rc == 0) {
		log_info("control: uid %u pid %d: %s%s%s", (unsigned)conn->uid, (int)conn->pid,
		    req->w[0], sp, arg);
		ctl_ans_end(a, NULL);
		return;
	}
	if (*err == '\0')
		snprintf(err, CTL_ERR_MAX, "%.32s failed", req->w[0]);
	log_info("control: uid %u pid %d: %s%s%s: %s", (unsigned)conn->uid, (int)conn->pid,
	    req->w[0], sp, arg, err);
	ctl_ans_end(a, err);
}

static void
ctl_cmd_initiate(struct ctl_conn *conn, struct ctl_ans *a, const struct ctl_req *req)
{
	const struct ctl_ops *o = &conn->ctl->ops;
	char err[CTL_ERR_MAX] = "";

	ctl_action(conn, a, req, o->initiate(o->ctx, req->w[1], err, sizeof(err)), err);
}

static void
ctl_cmd_terminate(struct ctl_conn *conn, struct ctl_ans *a, const struct ctl_req *req)
{
	const struct ctl_ops *o = &conn->ctl->ops;
	char err[CTL_ERR_MAX] = "";

	ctl_action(conn, a, req, o->terminate(o->ctx, req->w[1], err, sizeof(err)), err);
}

static void
ctl_cmd_reload(struct ctl_conn *conn, struct ctl_ans *a, const struct ctl_req *req)
{
	const struct ctl_ops *o = &conn->ctl->ops;
	char err[CTL_ERR_MAX] = "";

	ctl_action(conn, a, req, o->reload(o->ctx, err, sizeof(err)), err);
}

static const struct ctl_cmd ctl_cmds[] = {
	{ "list",	0, false, ctl_cmd_list },
	{ "stats",	0, false, ctl_cmd_stats },
	{ "initiate",	1, true, ctl_cmd_initiate },
	{ "terminate",	1, true, ctl_cmd_terminate },
	{ "reload",	0, true, ctl_cmd_reload },
};

/*
 * Requests.
 */

/*
 * Cuts a request into words of printable ASCII separated by blanks; one
 * trailing newline is allowed. NULL, or why the request is refused.
 */
static const char *
ctl_split(const uint8_t *p, size_t len, struct ctl_req *req)
{
	struct rd r = rd_init(p, len);
	size_t wl = 0;
	uint8_t ch;

	req->n = 0;
	while (rd_u8(&r, &ch) == 0) {
		if (ch == ' ' || ch == '\t' || (ch == '\n' && rd_left(&r) == 0)) {
			wl = 0;
			continue;
		}
		if (ch < 0x21 || ch > 0x7e)
			return "request holds a control character or a non-ASCII byte";
		if (wl == 0 && req->n++ == CTL_WORDS)
			return "too many words in the request";
		if (wl == CTL_WORD_MAX)
			return "a word of the request is longer than 255 bytes";
		req->w[req->n - 1][wl++] = (char)ch;
		req->w[req->n - 1][wl] = '\0';
	}
	return req->n == 0 ? "empty request" : NULL;
}

static const struct ctl_cmd *
ctl_cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++)
		if (strcmp(ctl_cmds[i].name, name) == 0)
			return &ctl_cmds[i];
	return NULL;
}

/* Checks and runs one request, its answer going to the queue. */
static void
ctl_request(struct ctl_conn *c, const uint8_t *p, size_t len)
{
	struct ctl_ans a = { .c = c };
	struct ctl_req req;
	const struct ctl_cmd *cmd;
	const char *why;
	char msg[CTL_WORD_MAX + 128];

	if (len > CTL_MSG_MAX) {
		snprintf(msg, sizeof(msg), "request longer than %d bytes", CTL_MSG_MAX);
		ctl_ans_end(&a, msg);
		return;
	}
	if ((why = ctl_split(p, len, &req)) != NULL) {
		ctl_ans_end(&a, why);
		return;
	}
	if ((cmd = ctl_cmd_find(req.w[0])) == NULL) {
		snprintf(msg, sizeof(msg), "unknown command '%s' (list, stats, initiate PEER, "
		    "terminate PEER, reload)", req.w[0]);
		ctl_ans_end(&a, msg);
	} else if (req.n - 1 != cmd->nargs) {
		snprintf(msg, sizeof(msg), "%s takes %s", cmd->name, cmd->nargs == 0 ?
		    "no argument" : "one argument, the peer");
		ctl_ans_end(&a, msg);
	} else if (cmd->changes && !ctl_may_change(c->uid, geteuid())) {
		log_warnx("control: uid %u pid %d: %s refused: not root or ikd's user",
		    (unsigned)c->uid, (int)c->pid, cmd->name);
		snprintf(msg, sizeof(msg), "%s needs root or ikd's user (uid %u)", cmd->name,
		    (unsigned)geteuid());
		ctl_ans_end(&a, msg);
	} else
		cmd->run(c, &a, &req);
}

/*
 * Connections.
 */

static void
ctl_conn_free(struct ctl_conn *c)
{
	struct ctl *ctl = c->ctl;

	TAILQ_REMOVE(&ctl->conns, c, entry);
	ctl->nconns--;
	event_free(c->ev_read);
	event_free(c->ev_write);
	close(c->fd);
	free(c->q);
	free(c);
}

/* After each callback: closes a dead connection or waits for what comes next. */
static void
ctl_conn_rearm(struct ctl_conn *c)
{
	struct timeval idle = { .tv_sec = CTL_IDLE_S }, stall = { .tv_sec = CTL_STALL_S };

	if (c->dead != NULL) {
		log_debug("control: uid %u pid %d: closed: %s", (unsigned)c->uid, (int)c->pid,
		    c->dead);
		ctl_conn_free(c);
		return;
	}
	if (ctl_q_pending(c) > 0) {
		/* Not pending yet: arm the stall timer; pending: keep it running. */
		if (!event_pending(c->ev_write, EV_WRITE, NULL))
			event_add(c->ev_write, &stall);
		event_add(c->ev_read, NULL);
	} else {
		event_del(c->ev_write);
		event_add(c->ev_read, &idle);
	}
}

/* Reads and answers one request: 1 done, 0 nothing to read, -1 c is dead. */
static int
ctl_read_one(struct ctl_conn *c)
{
	struct ctl *ctl = c->ctl;
	size_t before;
	ssize_t n;

	n = recv(c->fd, ctl->rbuf, sizeof(ctl->rbuf), MSG_DONTWAIT | MSG_TRUNC);
	if (n == -1 && ctl_again(errno))
		return 0;
	if (n <= 0) {
		c->dead = n == 0 ? "connection closed" : "receive failed";
		return -1;
	}
	ctl_q_flush(c);
	before = ctl_q_pending(c);
	ctl_request(c, ctl->rbuf, (size_t)n);
	ctl_q_flush(c);
	if (c->dead == NULL && before > 0 && ctl_q_pending(c) > CTL_QUEUE_MAX) {
		log_warnx("control: uid %u pid %d: dropped: over %d bytes of answers unread",
		    (unsigned)c->uid, (int)c->pid, CTL_QUEUE_MAX);
		c->dead = "does not read its answers";
	}
	return c->dead != NULL ? -1 : 1;
}

static void
ctl_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct ctl_conn *c = arg;
	int i;

	if (ev & EV_TIMEOUT)
		c->dead = "idle";
	for (i = 0; i < CTL_READ_BATCH && c->dead == NULL; i++)
		if (ctl_read_one(c) != 1)
			break;
	ctl_conn_rearm(c);
}

static void
ctl_write_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct ctl_conn *c = arg;
	size_t before = ctl_q_pending(c);

	ctl_q_flush(c);
	if ((ev & EV_TIMEOUT) && c->dead == NULL && ctl_q_pending(c) == before) {
		log_warnx("control: uid %u pid %d: dropped: answer unread for %d s",
		    (unsigned)c->uid, (int)c->pid, CTL_STALL_S);
		c->dead = "answer unread";
	}
	ctl_conn_rearm(c);
}

static void
ctl_conn_new(struct ctl *ctl, int fd, uid_t uid, pid_t pid)
{
	struct ctl_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->ev_read = event_new(ctl->base, fd, EV_READ | EV_PERSIST, ctl_read_cb, c)) == NULL ||
	    (c->ev_write = event_new(ctl->base, fd, EV_WRITE | EV_PERSIST, ctl_write_cb,
	    c)) == NULL) {
		log_warnx("control: uid %u pid %d: no memory for the connection", (unsigned)uid,
		    (int)pid);
		if (c != NULL && c->ev_read != NULL)
			event_free(c->ev_read);
		free(c);
		close(fd);
		return;
	}
	c->ctl = ctl;
	c->fd = fd;
	c->uid = uid;
	c->pid = pid;
	TAILQ_INSERT_TAIL(&ctl->conns, c, entry);
	ctl->nconns++;
	log_debug("control: uid %u pid %d connected", (unsigned)uid, (int)pid);
	ctl_conn_rearm(c);
}

static void
ctl_pause_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct ctl *ctl = arg;

	event_add(ctl->ev_listen, NULL);
}

/* Out of descriptors: stop accepting for a second instead of spinning. */
static void
ctl_pause(struct ctl *ctl)
{
	struct timeval tv = { .tv_sec = 1 };

	event_del(ctl->ev_listen);
	evtimer_add(ctl->ev_pause, &tv);
}

/* ctlsock_attach_fn: a new client, unless CTL_CONN_MAX are connected. */
static void
ctl_accepted(void *arg, int fd, uid_t uid, pid_t pid)
{
	struct ctl *ctl = arg;

	if (ctl->nconns >= CTL_CONN_MAX) {
		log_warnx("control: uid %u pid %d: refused: %d clients connected", (unsigned)uid,
		    (int)pid, CTL_CONN_MAX);
		close(fd);
		return;
	}
	ctl_conn_new(ctl, fd, uid, pid);
}

static void
ctl_accept_cb(evutil_socket_t lfd, short ev, void *arg)
{
	if (ctlsock_accept_all(lfd, "control", ctl_accepted, arg) != 0)
		ctl_pause(arg);
}

struct ctl *
ctl_open(struct event_base *base, const char *path, const struct ctl_ops *ops)
{
	struct ctl *ctl;

	if (ops->table == NULL || ops->initiate == NULL || ops->terminate == NULL ||
	    ops->reload == NULL) {
		log_warnx("control: incomplete operations");
		return NULL;
	}
	if (strlen(path) >= sizeof(ctl->path)) {
		log_warnx("control: %s: socket path too long", path);
		return NULL;
	}
	if ((ctl = calloc(1, sizeof(*ctl))) == NULL) {
		log_warn("control");
		return NULL;
	}
	ctl->base = base;
	ctl->ops = *ops;
	TAILQ_INIT(&ctl->conns);
	snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	if ((ctl->lfd = ctlsock_listen(path)) == -1) {
		free(ctl);
		return NULL;
	}
	ctl->ev_listen = event_new(base, ctl->lfd, EV_READ | EV_PERSIST, ctl_accept_cb, ctl);
	ctl->ev_pause = evtimer_new(base, ctl_pause_cb, ctl);
	if (ctl->ev_listen == NULL || ctl->ev_pause == NULL ||
	    event_add(ctl->ev_listen, NULL) == -1) {
		log_warnx("control: %s: cannot watch the socket", path);
		ctl_close(ctl);
		return NULL;
	}
	log_debug("control: listening on %s", path);
	return ctl;
}

void
ctl_close(struct ctl *ctl)
{
	struct ctl_conn *c;

	if (ctl == NULL)
		return;
	while ((c = TAILQ_FIRST(&ctl->conns)) != NULL)
		ctl_conn_free(c);
	if (ctl->ev_listen != NULL)
		event_free(ctl->ev_listen);
	if (ctl->ev_pause != NULL)
		event_free(ctl->ev_pause);
	close(ctl->lfd);
	if (unlink(ctl->path) == -1 && errno != ENOENT)
		log_debug("control: unlink %s: %s", ctl->path, strerror(errno));
	free(ctl);
}
