/*
 * print.c: SAD and SPD entries in the text ipsec-tools 0.8.2 setkey prints
 * (specs/kame.md 3.1 and 3.2), byte for byte, because scripts parse
 * `setkey -D` and `setkey -DP`; plus a debug form of any message (3.4).
 *
 * Deliberate differences from ipsec-tools, each outside what a script can
 * have relied on:
 *  - the IPComp "C:" line ends with its newline (ipsec-tools ran the
 *    "seq=" line into it);
 *  - a "created:" time later than "current:" gives "diff: 0(s)" instead
 *    of a wrapped unsigned number;
 *  - a policy field with no name prints "Policy:[...]" with the value;
 *  - times ctime() cannot put in 20 columns (past year 9999) print as
 *    numbers, 20 columns wide;
 *  - a request's reqid follows the "unique" level only (":N" or "#N"), so
 *    that every policy line reads back as setkey input;
 *  - a GRE key prints as the 32-bit number setkey accepts as input.
 *
 * Key bytes appear in print_sa only: it is the explicit -D dump, which
 * shows keys as KAME always has. print_debug, whose output goes to logs
 * and terminals, prints key lengths only.
 */
#include <inttypes.h>
#include <stdint.h>
#include <time.h>

#include "addr.h"
#include "alg.h"
#include "gwstats.h"
#include "print.h"
#include "proto.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Linux kernel policy priorities (lower value = preferred), kame.md 2.8. */
#define PRIO_HIGH	UINT32_C(0x40000000)
#define PRIO_DEF	UINT32_C(0x80000000)
#define PRIO_LOW	UINT32_C(0xC0000000)

/* Upper-layer protocols whose "ports" are not ports (kame.md 2.8). */
#define PROTO_ICMP	1
#define PROTO_GRE	47
#define PROTO_ICMP6	58
#define PROTO_MH	135

/* Index = sadb_msg_satype, as ipsec-tools' str_satype[]. */
static const char *const satype_words[] = {
	"unspec", "unknown", "ah", "esp", "unknown", "rsvp", "ospfv2",
	"ripv2", "mip", "ipcomp", "policy", "tcp",
};
static const char *const state_words[] = { "larval", "mature", "dying", "dead" };
static const char *const mode_words[] = { "any", "transport", "tunnel" };
static const char *const dir_words[] = { "any", "in", "out", "fwd" };
static const char *const action_words[] = {
	"discard", "none", "ipsec", "entrust", "bypass",
};
static const char *const level_words[] = { "default", "use", "require", "unique" };

/* ctime() spells months in English whatever the locale; so do we. */
static const char *const month_words[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* tab[v], or v in decimal when the table has no word for it (as KAME). */
static void
print_word(FILE *out, const char *const *tab, size_t n, unsigned v)
{
	if (v < n)
		fputs(tab[v], out);
	else
		fprintf(out, "%u", v);
}

/* The printed name of an algorithm; unknown ids print in decimal. */
static void
print_alg(FILE *out, enum alg_kind kind, uint8_t id)
{
	const struct alg	*a = alg_by_id(kind, id);

	if (a != NULL)
		fputs(a->name, out);
	else if (id == 0)
		fputs("none", out);	/* SADB_AALG_NONE, SADB_EALG_NONE */
	else
		fprintf(out, "%u", id);
}

/* A stored time as time_t, false if time_t cannot hold it. */
static bool
print_time_t(uint64_t t, time_t *out)
{
	uint64_t	max;

	max = sizeof(time_t) >= sizeof(int64_t) ? (uint64_t)INT64_MAX :
	    (uint64_t)INT32_MAX;
	if (t > max)
		return false;
	*out = (time_t)t;
	return true;
}

/*
 * t as ctime() characters 4..23 ("Mar  4 10:15:02 2024", local time), or
 * 20 spaces for 0, as KAME's str_time. Formatted here rather than through
 * ctime(), whose buffer overflows past year 9999: such times, and those
 * localtime_r cannot convert, print as a number, still 20 columns wide.
 */
static void
print_time20(FILE *out, uint64_t t)
{
	struct tm	tm;
	time_t		tt;

	if (t == 0) {
		fprintf(out, "%20s", "");
		return;
	}
	if (!print_time_t(t, &tt) || localtime_r(&tt, &tm) == NULL ||
	    tm.tm_year > 9999 - 1900 || tm.tm_mon < 0 || tm.tm_mon > 11) {
		fprintf(out, "%20" PRIu64, t);
		return;
	}
	fprintf(out, "%s %2d %02d:%02d:%02d %4d", month_words[tm.tm_mon],
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}

/*
 * The KAME key dump: a space before every 4th byte and a newline between
 * 32-byte rows, so continuation rows start with a space and no tab. Like
 * ipsec-tools it shows bits / 8 bytes (never more than the view holds).
 */
static void
print_keyhex(FILE *out, const struct pfk_key *k)
{
	size_t	n = k->bits / 8;
	size_t	i;

	if (k->data == NULL)
		n = 0;
	else if (n > k->len)
		n = k->len;
	for (i = 0; i < n; i++) {
		if (i != 0 && i % 32 == 0)
			fputc('\n', out);
		if (i % 4 == 0)
			fputc(' ', out);
		fprintf(out, "%02x", k->data[i]);
	}
}

/* True if the SA is ESP-in-UDP (or another NAT-T encapsulation). */
static bool
sa_natt(const struct pfk_msg *m)
{
	return pfk_has(m, SADB_X_EXT_NAT_T_TYPE) && m->natt_type != 0;
}

/* One SA endpoint: addr, "[port]" with -p, "[natt-port]" for NAT-T. */
static void
sa_print_addr(FILE *out, const struct gw_addr *a, bool ports, bool natt, uint16_t nport)
{
	char	buf[INET6_ADDRSTRLEN];

	fputs(addr_ntop(a, buf, sizeof(buf)), out);
	if (ports)
		fprintf(out, "[%u]", a->port);
	if (natt)
		fprintf(out, "[%u]", nport);
}

/*
 * Step 1 of 3.1, "SRC DST " (the trailing space is KAME's). Returns
 * false after the KAME message when an address extension is missing.
 */
static bool
sa_print_addrs(FILE *out, const struct pfk_msg *m, const struct print_opts *o)
{
	bool	natt = sa_natt(m);

	if (!pfk_has(m, SADB_EXT_ADDRESS_SRC)) {
		fputs("no ADDRESS_SRC extension.\n", out);
		return false;
	}
	sa_print_addr(out, &m->src.addr, o->ports,
	    natt && pfk_has(m, SADB_X_EXT_NAT_T_SPORT), m->natt_sport);
	fputc(' ', out);
	if (!pfk_has(m, SADB_EXT_ADDRESS_DST)) {
		fputs("no ADDRESS_DST extension.\n", out);
		return false;
	}
	sa_print_addr(out, &m->dst.addr, o->ports,
	    natt && pfk_has(m, SADB_X_EXT_NAT_T_DPORT), m->natt_dport);
	fputc(' ', out);
	return true;
}

/* Steps 2 and 3: satype, mode, SPI, reqid, NAT-T original address. */
static void
sa_print_type(FILE *out, const struct pfk_msg *m)
{
	char	buf[INET6_ADDRSTRLEN];

	fputc('\t', out);
	if (sa_natt(m) && m->satype == SADB_SATYPE_ESP)
		fputs("esp-udp", out);
	else {
		if (sa_natt(m))
			fputs("natt+", out);
		print_word(out, satype_words, NELEM(satype_words), m->satype);
	}
	fputs(" mode=", out);
	print_word(out, mode_words, NELEM(mode_words), m->sa2.mode);
	fprintf(out, " spi=%" PRIu32 "(0x%08" PRIx32 ") reqid=%" PRIu32 "(0x%08" PRIx32 ")\n",
	    m->sa.spi, m->sa.spi, m->sa2.reqid, m->sa2.reqid);
	if (sa_natt(m) && pfk_has(m, SADB_X_EXT_NAT_T_OA))
		fprintf(out, "\tNAT OA=%s\n", addr_ntop(&m->natt_oa, buf, sizeof(buf)));
}

/* Steps 4 and 5: the E:/C: and A: lines. */
static void
sa_print_keys(FILE *out, const struct pfk_msg *m)
{
	if (m->satype == SADB_X_SATYPE_IPCOMP) {
		/*
		 * ipsec-tools printed no newline here, so "seq=" ran into
		 * this line; fixed on purpose (kame.md, project decisions).
		 */
		fputs("\tC: ", out);
		print_alg(out, ALG_COMP, m->sa.encrypt);
		fputs(" \n", out);
	} else if (m->satype == SADB_SATYPE_ESP &&
	    pfk_has(m, SADB_EXT_KEY_ENCRYPT)) {
		fputs("\tE: ", out);
		print_alg(out, ALG_ENC, m->sa.encrypt);
		fputc(' ', out);
		print_keyhex(out, &m->key_enc);
		fputc('\n', out);
	}
	if (pfk_has(m, SADB_EXT_KEY_AUTH)) {
		fputs("\tA: ", out);
		print_alg(out, ALG_AUTH, m->sa.auth);
		fputc(' ', out);
		print_keyhex(out, &m->key_auth);
		fputc('\n', out);
	}
}

/* Step 7: the lifetime block; absent HARD/SOFT extensions count as 0. */
static void
sa_print_lifetimes(FILE *out, const struct pfk_msg *m, time_t now)
{
	static const struct pfk_lifetime zero;
	const struct pfk_lifetime *c = &m->lt_current;
	const struct pfk_lifetime *h, *s;
	uint64_t	diff = 0;

	h = pfk_has(m, SADB_EXT_LIFETIME_HARD) ? &m->lt_hard : &zero;
	s = pfk_has(m, SADB_EXT_LIFETIME_SOFT) ? &m->lt_soft : &zero;
	/* A creation time ahead of our clock shows 0, not a wrapped value. */
	if (c->addtime != 0 && now > 0 && (uint64_t)now > c->addtime)
		diff = (uint64_t)now - c->addtime;

	fputs("\tcreated: ", out);
	print_time20(out, c->addtime);
	fputs("\tcurrent: ", out);
	print_time20(out, now > 0 ? (uint64_t)now : 0);
	fprintf(out, "\n\tdiff: %" PRIu64 "(s)\thard: %" PRIu64 "(s)\tsoft: %" PRIu64 "(s)\n",
	    diff, h->addtime, s->addtime);
	fputs("\tlast: ", out);
	print_time20(out, c->usetime);
	fprintf(out, "\thard: %" PRIu64 "(s)\tsoft: %" PRIu64 "(s)\n", h->usetime, s->usetime);
	fprintf(out, "\tcurrent: %" PRIu64 "(bytes)\thard: %" PRIu64 "(bytes)"
	    "\tsoft: %" PRIu64 "(bytes)\n", c->bytes, h->bytes, s->bytes);
	fprintf(out, "\tallocated: %" PRIu32 "\thard: %" PRIu32 "\tsoft: %" PRIu32 "\n",
	    c->allocations, h->allocations, s->allocations);
}

bool
print_sa(FILE *out, const struct pfk_msg *m, const struct print_opts *opts)
{
	/* As ipsec-tools: -a filters dumps only; a GET shows what it got. */
	if (m->type == SADB_DUMP && !opts->all && pfk_has(m, SADB_EXT_SA) &&
	    m->sa.state == SADB_SASTATE_DEAD)
		return false;
	if (!sa_print_addrs(out, m, opts))
		return true;
	if (!pfk_has(m, SADB_EXT_SA)) {
		fputs("no SA extension.\n", out);
		return true;
	}
	if (!pfk_has(m, SADB_X_EXT_SA2)) {
		fputs("no SA2 extension.\n", out);
		return true;
	}
	fputc('\n', out);
	sa_print_type(out, m);
	sa_print_keys(out, m);
	fprintf(out, "\tseq=0x%08" PRIx32 " replay=%u flags=0x%08" PRIx32 " state=",
	    m->sa2.sequence, m->sa.replay, m->sa.flags);
	print_word(out, state_words, NELEM(state_words), m->sa.state);
	fputs(" \n", out);
	if (pfk_has(m, SADB_EXT_LIFETIME_CURRENT))
		sa_print_lifetimes(out, m, opts->now);
	fprintf(out, "\tsadb_seq=%" PRIu32 " pid=%" PRIu32 " refcnt=%u\n",
	    m->seq, m->pid, m->reserved);
	return true;
}

/* True for the protocols whose port fields carry type/code or a key. */
static bool
spd_portless(uint8_t proto)
{
	return proto == PROTO_ICMP || proto == PROTO_ICMP6 || proto == PROTO_MH ||
	    proto == PROTO_GRE;
}

/* "addr", "/plen" when shorter than the host length, then the port. */
static void
spd_print_range(FILE *out, const struct pfk_address *a, uint8_t proto)
{
	char	buf[INET6_ADDRSTRLEN];

	if (a->addr.af != AF_INET && a->addr.af != AF_INET6) {
		fputs("unknown-af", out);
		return;
	}
	fputs(addr_ntop(&a->addr, buf, sizeof(buf)), out);
	if (a->addr.plen != addr_maxplen(a->addr.af))
		fprintf(out, "/%u", a->addr.plen);
	if (spd_portless(proto))
		return;
	if (a->addr.port == 0)
		fputs("[any]", out);
	else
		fprintf(out, "[%u]", a->addr.port);
}

/*
 * The upper-layer word: the /etc/protocols name, else the number (so 255,
 * "any", prints 255 as ipsec-tools on Linux). ICMP, ICMPv6 and MH add a
 * non-wildcard "type,code"; GRE its key as the 32-bit number setkey reads.
 */
static void
spd_print_upper(FILE *out, uint8_t proto, uint16_t sport, uint16_t dport)
{
	const char	*name = proto_name(proto);

	if (name != NULL)
		fputs(name, out);
	else
		fprintf(out, "%u", proto);
	if (sport == 0 && dport == 0)
		return;
	if (proto == PROTO_GRE)
		fprintf(out, " %" PRIu32, (uint32_t)sport << 16 | dport);
	else if (spd_portless(proto))
		fprintf(out, " %u,%u", sport, dport);
}

/*
 * Step 1 of 3.2. Returns false after the KAME message when the entry
 * cannot be shown (one address missing, protocols that differ).
 */
static bool
spd_print_selector(FILE *out, const struct pfk_msg *m)
{
	bool	src = pfk_has(m, SADB_EXT_ADDRESS_SRC);
	bool	dst = pfk_has(m, SADB_EXT_ADDRESS_DST);

	if (!src && !dst) {
		fputs("(per-socket policy) ", out);
		return true;
	}
	if (!src || !dst) {
		fprintf(out, "no %s extension.\n", src ? "ADDRESS_DST" : "ADDRESS_SRC");
		return false;
	}
	spd_print_range(out, &m->src, m->src.proto);
	fputc(' ', out);
	spd_print_range(out, &m->dst, m->src.proto);
	fputc(' ', out);
	if (m->src.proto != m->dst.proto) {
		fputs("upper layer protocol mismatched.\n", out);
		return false;
	}
	spd_print_upper(out, m->src.proto, m->src.addr.port, m->dst.addr.port);
	return true;
}

/*
 * Linux priority text: the nearest base (ties go to the base above, as
 * ipsec-tools' ipsec_dump_policy), with the offset signed the way it is
 * written, where "+" means preferred and so a smaller kernel value.
 */
static void
spd_print_prio(FILE *out, uint32_t prio)
{
	const char	*base;
	int64_t		 off;

	if (prio == 0)
		return;
	if (prio < PRIO_DEF / 4 * 3) {
		base = "high";
		off = (int64_t)PRIO_HIGH - prio;
	} else if (prio < PRIO_DEF / 4 * 5) {
		base = "def";
		off = (int64_t)PRIO_DEF - prio;
	} else {
		base = "low";
		off = (int64_t)PRIO_LOW - prio;
	}
	fprintf(out, " prio %s", base);
	if (off > 0)
		fprintf(out, " + %" PRId64, off);
	else if (off < 0)
		fprintf(out, " - %" PRId64, -off);
}

/* The request's protocol word, or NULL for one a policy cannot name. */
static const char *
spd_proto_word(uint16_t proto)
{
	switch (proto) {
	case IPPROTO_ESP:
		return "esp";
	case IPPROTO_AH:
		return "ah";
	case IPPROTO_COMP:
		return "ipcomp";
	default:
		return NULL;
	}
}

/* Writes "Invalid <what> (<v>)" to buf; returns false for spd_policy_ok. */
static bool
spd_invalid(char *buf, size_t len, const char *what, size_t v)
{
	snprintf(buf, len, "Invalid %s (%zu)", what, v);
	return false;
}

/*
 * Like ipsec_dump_policy, refuse the whole policy text when a field has
 * no name: writes the reason to buf and returns false.
 */
static bool
spd_policy_ok(const struct pfk_policy *p, char *buf, size_t len)
{
	size_t	i;

	if (p->dir >= NELEM(dir_words))
		return spd_invalid(buf, len, "direction", p->dir);
	if (p->type >= NELEM(action_words))
		return spd_invalid(buf, len, "security policy", p->type);
	if (p->type != IPSEC_POLICY_IPSEC)
		return true;
	if (p->nreq > PFK_MAX_REQ)
		return spd_invalid(buf, len, "request count", p->nreq);
	for (i = 0; i < p->nreq; i++) {
		const struct pfk_ipsecreq *r = &p->req[i];

		if (spd_proto_word(r->proto) == NULL)
			return spd_invalid(buf, len, "ipsec protocol", r->proto);
		if (r->mode >= NELEM(mode_words))
			return spd_invalid(buf, len, "ipsec mode", r->mode);
		if (r->level >= NELEM(level_words))
			return spd_invalid(buf, len, "ipsec level", r->level);
	}
	return true;
}

/* A tunnel endpoint, with "[port]" only for -p. */
static void
spd_print_endpoint(FILE *out, const struct gw_addr *a, bool ports)
{
	char	buf[INET6_ADDRSTRLEN];

	fputs(addr_ntop(a, buf, sizeof(buf)), out);
	if (ports)
		fprintf(out, "[%u]", a->port);
}

/*
 * proto/mode/src-dst/level. The reqid follows a unique level only, as
 * ":N" for manual ids and "#N" for ones tunneld or ikd allocated.
 */
static void
spd_print_request(FILE *out, const struct pfk_ipsecreq *r, bool ports)
{
	fprintf(out, "%s/", spd_proto_word(r->proto));
	print_word(out, mode_words, NELEM(mode_words), r->mode);
	fputc('/', out);
	if (r->has_endpoints) {
		spd_print_endpoint(out, &r->src, ports);
		fputc('-', out);
		spd_print_endpoint(out, &r->dst, ports);
	}
	fputc('/', out);
	print_word(out, level_words, NELEM(level_words), r->level);
	if (r->level == IPSEC_LEVEL_UNIQUE && r->reqid != 0)
		fprintf(out, "%c%" PRIu32, r->reqid > IPSEC_MANUAL_REQID_MAX ? '#' : ':',
		    r->reqid);
}

/* Step 2: "\n\t<dir> [prio ...] <action>" and "\n\t<request>" each. */
static void
spd_print_policy(FILE *out, const struct pfk_policy *p, bool ports)
{
	char	err[64];
	size_t	i;

	if (!spd_policy_ok(p, err, sizeof(err))) {
		fprintf(out, "\n\tPolicy:[%s]\n", err);
		return;
	}
	fprintf(out, "\n\t%s", dir_words[p->dir]);
	spd_print_prio(out, p->priority);
	fprintf(out, " %s", action_words[p->type]);
	if (p->type == IPSEC_POLICY_IPSEC) {
		for (i = 0; i < p->nreq; i++) {
			fputs("\n\t", out);
			spd_print_request(out, &p->req[i], ports);
		}
	}
	fputc('\n', out);
}

void
print_spd(FILE *out, const struct pfk_msg *m, const struct print_opts *opts)
{
	if (!pfk_has(m, SADB_X_EXT_POLICY)) {
		fputs("no X_POLICY extension.\n", out);
		return;
	}
	if (!spd_print_selector(out, m))
		return;
	spd_print_policy(out, &m->policy, opts->ports);
	if (pfk_has(m, SADB_EXT_LIFETIME_CURRENT)) {
		fputs("\tcreated: ", out);
		print_time20(out, m->lt_current.addtime);
		fputs("  lastused: ", out);
		print_time20(out, m->lt_current.usetime);
		fputc('\n', out);
	}
	if (pfk_has(m, SADB_EXT_LIFETIME_HARD))
		fprintf(out, "\tlifetime: %" PRIu64 "(s) validtime: %" PRIu64 "(s)\n",
		    m->lt_hard.addtime, m->lt_hard.usetime);
	fprintf(out, "\tspid=%" PRIu32 " seq=%" PRIu32 " pid=%" PRIu32 "\n",
	    m->policy.id, m->seq, m->pid);
	fprintf(out, "\trefcnt=%u\n", m->reserved);
}

/* Debug form of an address: family, address, prefix, port, protocol. */
static void
dbg_address(FILE *out, const struct pfk_address *a)
{
	char	buf[INET6_ADDRSTRLEN];

	fprintf(out, "sadb_address{ proto=%u prefixlen=%u\n", a->proto, a->addr.plen);
	fprintf(out, "  family=%s addr=%s port=%u }\n",
	    a->addr.af == AF_INET ? "inet" : a->addr.af == AF_INET6 ? "inet6" : "unspec",
	    addr_ntop(&a->addr, buf, sizeof(buf)), a->addr.port);
}

static void
dbg_lifetime(FILE *out, const struct pfk_lifetime *l)
{
	fprintf(out, "sadb_lifetime{ alloc=%" PRIu32 ", bytes=%" PRIu64 "\n",
	    l->allocations, l->bytes);
	fprintf(out, "  addtime=%" PRIu64 ", usetime=%" PRIu64 " }\n", l->addtime, l->usetime);
}

/* Keys are never shown here: this form ends up in logs. */
static void
dbg_key(FILE *out, const struct pfk_key *k)
{
	fprintf(out, "sadb_key{ bits=%u\n  key=<%u bits, hidden> }\n", k->bits, k->bits);
}

static void
dbg_sup(FILE *out, const struct pfk_supported *s)
{
	size_t	i, n = s->n > PFK_MAX_SUPPORTED ? PFK_MAX_SUPPORTED : s->n;

	fputs("sadb_sup{\n", out);
	for (i = 0; i < n; i++)
		fprintf(out, "  { id=%u ivlen=%u min=%u max=%u }\n", s->alg[i].id,
		    s->alg[i].ivlen, s->alg[i].minbits, s->alg[i].maxbits);
	fputs("}\n", out);
}

static void
dbg_comb(FILE *out, const struct pfk_comb *c)
{
	fprintf(out, "  { auth=%u encrypt=%u flags=0x%04x\n", c->auth, c->encrypt, c->flags);
	fprintf(out, "    auth_bits=%u-%u encrypt_bits=%u-%u\n", c->auth_minbits,
	    c->auth_maxbits, c->encrypt_minbits, c->encrypt_maxbits);
	fprintf(out, "    soft: alloc=%" PRIu32 " bytes=%" PRIu64 " addtime=%" PRIu64
	    " usetime=%" PRIu64 "\n", c->soft_allocations, c->soft_bytes,
	    c->soft_addtime, c->soft_usetime);
	fprintf(out, "    hard: alloc=%" PRIu32 " bytes=%" PRIu64 " addtime=%" PRIu64
	    " usetime=%" PRIu64 " }\n", c->hard_allocations, c->hard_bytes,
	    c->hard_addtime, c->hard_usetime);
}

static void
dbg_proposal(FILE *out, const struct pfk_proposal *p)
{
	size_t	i, n = p->n > PFK_MAX_COMB ? PFK_MAX_COMB : p->n;

	fprintf(out, "sadb_prop{ replay=%u\n", p->replay);
	for (i = 0; i < n; i++)
		dbg_comb(out, &p->comb[i]);
	fputs("}\n", out);
}

static void
dbg_policy(FILE *out, const struct pfk_policy *p)
{
	char	s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	size_t	i, n = p->nreq > PFK_MAX_REQ ? PFK_MAX_REQ : p->nreq;

	fprintf(out, "sadb_x_policy{ type=%u dir=%u id=%" PRIu32 " priority=0x%08" PRIx32 "\n",
	    p->type, p->dir, p->id, p->priority);
	for (i = 0; i < n; i++) {
		const struct pfk_ipsecreq *r = &p->req[i];

		fprintf(out, "  { proto=%u mode=%u level=%u reqid=%" PRIu32, r->proto,
		    r->mode, r->level, r->reqid);
		if (r->has_endpoints)
			fprintf(out, "\n    src=%s[%u] dst=%s[%u]",
			    addr_ntop(&r->src, s, sizeof(s)), r->src.port,
			    addr_ntop(&r->dst, d, sizeof(d)), r->dst.port);
		fputs(" }\n", out);
	}
	fputs("}\n", out);
}

static void
dbg_stats(FILE *out, const struct pfk_stats *st)
{
	size_t	i, n = st->n > PFK_MAX_STATS ? PFK_MAX_STATS : st->n;

	fprintf(out, "pfk_stats{ count=%zu", st->n);
	for (i = 0; i < n; i++)
		fprintf(out, "%s%" PRIu64, i % 8 == 0 ? "\n  " : " ", st->v[i]);
	fputs(" }\n", out);
}

/* The extensions with a one-line block. */
static void
dbg_small(FILE *out, const struct pfk_msg *m, unsigned ext)
{
	char	buf[INET6_ADDRSTRLEN];

	switch (ext) {
	case SADB_EXT_SA:
		fprintf(out, "sadb_sa{ spi=%" PRIu32 "(0x%08" PRIx32 ") replay=%u state=%u\n"
		    "  auth=%u encrypt=%u flags=0x%08" PRIx32 " }\n", m->sa.spi, m->sa.spi,
		    m->sa.replay, m->sa.state, m->sa.auth, m->sa.encrypt, m->sa.flags);
		break;
	case SADB_EXT_SPIRANGE:
		fprintf(out, "sadb_spirange{ min=0x%08" PRIx32 " max=0x%08" PRIx32 " }\n",
		    m->spirange.min, m->spirange.max);
		break;
	case SADB_X_EXT_SA2:
		fprintf(out, "sadb_x_sa2{ mode=%u reqid=%" PRIu32 "\n  sequence=%" PRIu32 " }\n",
		    m->sa2.mode, m->sa2.reqid, m->sa2.sequence);
		break;
	case SADB_X_EXT_NAT_T_TYPE:
		fprintf(out, "sadb_x_nat_t_type{ type=%u }\n", m->natt_type);
		break;
	case SADB_X_EXT_NAT_T_SPORT:
	case SADB_X_EXT_NAT_T_DPORT:
		fprintf(out, "sadb_x_nat_t_port{ port=%u }\n",
		    ext == SADB_X_EXT_NAT_T_SPORT ? m->natt_sport : m->natt_dport);
		break;
	case SADB_X_EXT_NAT_T_OA:
		fprintf(out, "sadb_x_nat_t_oa{ addr=%s }\n",
		    addr_ntop(&m->natt_oa, buf, sizeof(buf)));
		break;
	case PFK_EXT_REPLAY:
		fprintf(out, "pfk_replay{ window=%" PRIu32 " flags=0x%08" PRIx32 " }\n",
		    m->replay.window, m->replay.flags);
		break;
	default:
		/* The decoder refuses the others; nothing is kept to show. */
		break;
	}
}

/* The typed block of extension ext. */
static void
dbg_ext(FILE *out, const struct pfk_msg *m, unsigned ext)
{
	switch (ext) {
	case SADB_EXT_LIFETIME_CURRENT:
		dbg_lifetime(out, &m->lt_current);
		break;
	case SADB_EXT_LIFETIME_HARD:
		dbg_lifetime(out, &m->lt_hard);
		break;
	case SADB_EXT_LIFETIME_SOFT:
		dbg_lifetime(out, &m->lt_soft);
		break;
	case SADB_EXT_ADDRESS_SRC:
	case SADB_EXT_ADDRESS_DST:
	case SADB_EXT_ADDRESS_PROXY:
		dbg_address(out, ext == SADB_EXT_ADDRESS_SRC ? &m->src :
		    ext == SADB_EXT_ADDRESS_DST ? &m->dst : &m->proxy);
		break;
	case SADB_EXT_KEY_AUTH:
	case SADB_EXT_KEY_ENCRYPT:
		dbg_key(out, ext == SADB_EXT_KEY_AUTH ? &m->key_auth : &m->key_enc);
		break;
	case SADB_EXT_SUPPORTED_AUTH:
	case SADB_EXT_SUPPORTED_ENCRYPT:
		dbg_sup(out, ext == SADB_EXT_SUPPORTED_AUTH ? &m->sup_auth : &m->sup_enc);
		break;
	case SADB_EXT_PROPOSAL:
		dbg_proposal(out, &m->proposal);
		break;
	case SADB_X_EXT_POLICY:
		dbg_policy(out, &m->policy);
		break;
	case PFK_EXT_STATS:
		dbg_stats(out, &m->stats);
		break;
	default:
		dbg_small(out, m, ext);
		break;
	}
}

void
print_debug(FILE *out, const struct pfk_msg *m)
{
	unsigned	ext;

	fprintf(out, "sadb_msg{ version=2 type=%u(%s) errno=%u satype=%u\n",
	    m->type, pfk_type_name(m->type), m->errnum, m->satype);
	fprintf(out, "  reserved=%u seq=%" PRIu32 " pid=%" PRIu32 " }\n",
	    m->reserved, m->seq, m->pid);
	for (ext = 1; ext <= PFK_EXT_MAX; ext++) {
		if (!pfk_has(m, ext))
			continue;
		fprintf(out, "sadb_ext{ type=%u(%s) }\n", ext, pfk_ext_name(ext));
		dbg_ext(out, m, ext);
	}
}

enum stats_group { SG_DROP, SG_TRAFFIC, SG_OTHER };

static enum stats_group
stats_group_of(size_t i)
{
	if (gwstats_name(i) == NULL)
		return SG_OTHER;
	return gwstats_is_drop(i) ? SG_DROP : SG_TRAFFIC;
}

/* One "\t<title>:" line with the counters of group g, if it has any. */
static void
stats_print_group(FILE *out, const struct pfk_stats *st, const char *title,
    enum stats_group g)
{
	size_t	i, n = st->n > PFK_MAX_STATS ? PFK_MAX_STATS : st->n;
	bool	any = false;

	for (i = 0; i < n; i++) {
		if (stats_group_of(i) != g)
			continue;
		if (!any)
			fprintf(out, "\t%s:", title);
		any = true;
		if (g == SG_OTHER)
			fprintf(out, " counter%zu=%" PRIu64, i, st->v[i]);
		else
			fprintf(out, " %s=%" PRIu64, gwstats_name(i), st->v[i]);
	}
	if (any)
		fputc('\n', out);
}

void
print_sa_stats(FILE *out, const struct pfk_msg *m)
{
	if (!pfk_has(m, PFK_EXT_STATS))
		return;
	stats_print_group(out, &m->stats, "drops", SG_DROP);
	stats_print_group(out, &m->stats, "traffic", SG_TRAFFIC);
	stats_print_group(out, &m->stats, "other", SG_OTHER);
}
