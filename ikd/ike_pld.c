/*
 * ike_pld.c: IKEv2 message parser and payload builder; see ike_pld.h.
 *
 * The parser walks the Next Payload chain once. For each payload it reads
 * the generic header, splits the body off as its own reader, checks the
 * placement rule and duplicates, then hands the body to a per-type
 * function that applies that type's RFC rules and must consume it all.
 */
#include <string.h>

#include "err.h"
#include "ike_pld.h"

/* Where a payload may appear (RFC 7296 1.2-1.4, 3.14; RFC 7383 2.5). */
#define W_CLEAR		0x01	/* in the message, outside SK */
#define W_INNER		0x02	/* inside SK */

enum { EX_INIT, EX_AUTH, EX_CHILD, EX_INFO, EX_COUNT };

/* Last Substruc, RESERVED and Length open proposals and transforms. */
#define SUBSTRUC_HDR_LEN	4

/* One parse pass: over a message (outer) or over SK's plaintext (inner). */
struct pctx {
	struct ike_msg	*m;
	const uint8_t	*base;		/* start of the buffer being parsed */
	bool		 inner;
	int		 ex;		/* EX_* */
};

/* One payload: its type, the type of the next, and its body. */
struct pld {
	uint8_t		 type;
	uint8_t		 next;
	size_t		 off;		/* offset of the generic header */
	struct rd	 body;
};

typedef int (*pld_fn)(struct pctx *, struct pld *);

struct pld_rule {
	bool		 once;		/* a second one is IKE_E_DUP */
	uint8_t		 where[EX_COUNT];
	pld_fn		 parse;
};

static int
exch_index(uint8_t exch)
{
	switch (exch) {
	case IKE_EXCH_SA_INIT:
		return EX_INIT;
	case IKE_EXCH_AUTH:
		return EX_AUTH;
	case IKE_EXCH_CREATE_CHILD_SA:
		return EX_CHILD;
	case IKE_EXCH_INFORMATIONAL:
		return EX_INFO;
	default:
		return -1;
	}
}

size_t
ike_ke_len(uint16_t group)
{
	switch (group) {
	case IKE_DH_CURVE25519:
		return 32;
	case IKE_DH_ECP_192:
		return 48;
	case IKE_DH_ECP_224:
	case IKE_DH_BRAINPOOL_224:
	case IKE_DH_CURVE448:
		return 56;
	case IKE_DH_ECP_256:
	case IKE_DH_BRAINPOOL_256:
		return 64;
	case IKE_DH_MODP_768:
	case IKE_DH_ECP_384:
	case IKE_DH_BRAINPOOL_384:
		return 96;
	case IKE_DH_MODP_1024:
	case IKE_DH_MODP_1024_160:
	case IKE_DH_BRAINPOOL_512:
		return 128;
	case IKE_DH_ECP_521:
		return 132;
	case IKE_DH_MODP_1536:
		return 192;
	case IKE_DH_MODP_2048:
	case IKE_DH_MODP_2048_224:
	case IKE_DH_MODP_2048_256:
		return 256;
	case IKE_DH_MODP_3072:
		return 384;
	case IKE_DH_MODP_4096:
		return 512;
	case IKE_DH_MODP_6144:
		return 768;
	case IKE_DH_MODP_8192:
		return 1024;
	default:
		return 0;
	}
}

/* Reads a size-byte SPI (size <= 8) as a view and as a number. */
static int
rd_spi(struct rd *r, uint8_t size, struct view *v, uint64_t *val)
{
	uint64_t	 x = 0;
	size_t		 i;

	if (rd_bytes(r, size, v))
		return r->err;
	for (i = 0; i < v->len; i++)
		x = x << 8 | v->p[i];
	*val = x;
	return 0;
}

/* Views everything left in r. */
static void
rd_rest(struct rd *r, struct view *v)
{
	rd_bytes(r, rd_left(r), v);
}

/*
 * RFC 7296 3.3.5: attributes. Key Length is the only one defined, and
 * it is TV. Others are walked (TV or TLV) and flagged so that proposal
 * selection rejects the proposal (3.3.6) rather than the message.
 */
static int
xform_attrs(struct rd *r, struct ike_pld_xform *xf)
{
	struct view	 val;
	uint16_t	 type, v;

	while (rd_left(r) > 0) {
		type = v = 0;
		rd_u16be(r, &type);
		rd_u16be(r, &v);
		if (r->err)
			return IKE_E_LENGTH;
		if ((type & IKE_ATTR_AF) == 0) {
			if (rd_bytes(r, v, &val))
				return IKE_E_LENGTH;
			if (type == IKE_ATTR_KEY_LENGTH)
				return IKE_E_SYNTAX;
			xf->unknown_attr = true;
			continue;
		}
		if ((type & ~IKE_ATTR_AF) != IKE_ATTR_KEY_LENGTH) {
			xf->unknown_attr = true;
			continue;
		}
		if (xf->keylen != 0 || v == 0)
			return IKE_E_SYNTAX;
		xf->keylen = v;
	}
	return 0;
}

/* RFC 7296 3.3.2: one transform; the last of a proposal says so. */
static int
xform_parse(struct rd *r, struct ike_pld_xform *xf, bool last)
{
	struct rd	 sub;
	uint8_t		 more = 0, res = 0;
	uint16_t	 len = 0;

	rd_u8(r, &more);
	rd_u8(r, &res);
	rd_u16be(r, &len);
	if (r->err || len < IKE_XFORM_HDR_LEN || rd_sub(r, len - SUBSTRUC_HDR_LEN, &sub))
		return IKE_E_LENGTH;
	if (more != (last ? IKE_SUBSTRUC_LAST : IKE_SUBSTRUC_XFORM))
		return IKE_E_SYNTAX;
	rd_u8(&sub, &xf->type);
	rd_u8(&sub, &res);
	rd_u16be(&sub, &xf->id);
	if (sub.err)
		return IKE_E_LENGTH;
	return xform_attrs(&sub, xf);
}

/*
 * RFC 7296 3.3.1: SPI Size is 0 for IKE in IKE_SA_INIT, 8 when IKE is
 * rekeyed in CREATE_CHILD_SA, and 4 for AH and ESP, which only IKE_AUTH
 * and CREATE_CHILD_SA negotiate.
 */
static int
prop_check(const struct pctx *c, const struct ike_pld_prop *pr)
{
	switch (pr->proto) {
	case IKE_PROTO_IKE:
		if (c->ex == EX_INIT && pr->spi_size == 0)
			return 0;
		if (c->ex == EX_CHILD && pr->spi_size == 8)
			return 0;
		return IKE_E_SYNTAX;
	case IKE_PROTO_AH:
	case IKE_PROTO_ESP:
		if (c->ex == EX_INIT || pr->spi_size != 4)
			return IKE_E_SYNTAX;
		return 0;
	default:
		return IKE_E_SYNTAX;
	}
}

static int
prop_parse(const struct pctx *c, struct rd *r, struct ike_pld_prop *pr, uint8_t *more)
{
	struct rd	 sub;
	struct view	 spi;
	uint8_t		 res = 0, i;
	uint16_t	 len = 0;
	int		 rv;

	rd_u8(r, more);
	rd_u8(r, &res);
	rd_u16be(r, &len);
	if (r->err || len < IKE_PROP_HDR_LEN || rd_sub(r, len - SUBSTRUC_HDR_LEN, &sub))
		return IKE_E_LENGTH;
	if (*more != IKE_SUBSTRUC_LAST && *more != IKE_SUBSTRUC_PROP)
		return IKE_E_SYNTAX;
	rd_u8(&sub, &pr->num);
	rd_u8(&sub, &pr->proto);
	rd_u8(&sub, &pr->spi_size);
	rd_u8(&sub, &pr->nxf);
	if ((rv = prop_check(c, pr)) != 0)
		return rv;
	if (rd_spi(&sub, pr->spi_size, &spi, &pr->spi))
		return IKE_E_LENGTH;
	/* An SPI is never zero (RFC 7296 3.1, RFC 4303 2.1). */
	if (pr->spi_size != 0 && pr->spi == 0)
		return IKE_E_SYNTAX;
	if (pr->nxf == 0)
		return IKE_E_SYNTAX;
	if (pr->nxf > IKE_MAX_XFORMS)
		return IKE_E_TOO_MANY;
	for (i = 0; i < pr->nxf; i++)
		if ((rv = xform_parse(&sub, &pr->xf[i], i + 1 == pr->nxf)) != 0)
			return rv;
	return rd_left(&sub) == 0 ? 0 : IKE_E_LENGTH;
}

/*
 * RFC 7296 3.3: proposals numbered 1, 2, ... in a request; a response
 * echoes the number of the one accepted, so it only has to be non-zero.
 */
static int
pld_sa(struct pctx *c, struct pld *p)
{
	struct ike_sa_pld	*sa = &c->m->sa;
	struct ike_pld_prop		*pr;
	uint8_t			 more = IKE_SUBSTRUC_PROP;
	bool			 resp = c->m->hdr.flags & IKE_FLAG_R;
	int			 rv;

	if (rd_left(&p->body) == 0)
		return IKE_E_LENGTH;
	while (rd_left(&p->body) > 0) {
		if (more == IKE_SUBSTRUC_LAST)
			return IKE_E_SYNTAX;
		if (sa->nprop == IKE_MAX_PROPS)
			return IKE_E_TOO_MANY;
		pr = &sa->prop[sa->nprop];
		if ((rv = prop_parse(c, &p->body, pr, &more)) != 0)
			return rv;
		if (pr->num == 0 || (!resp && pr->num != sa->nprop + 1))
			return IKE_E_SYNTAX;
		sa->nprop++;
	}
	return more == IKE_SUBSTRUC_LAST ? 0 : IKE_E_SYNTAX;
}

/* RFC 7296 3.4: the data length is fixed by the group. */
static int
pld_ke(struct pctx *c, struct pld *p)
{
	struct ike_ke	*ke = &c->m->ke;
	uint16_t	 res = 0;
	size_t		 want;

	rd_u16be(&p->body, &ke->group);
	rd_u16be(&p->body, &res);
	if (p->body.err)
		return IKE_E_LENGTH;
	if (ke->group == IKE_DH_NONE)
		return IKE_E_SYNTAX;
	rd_rest(&p->body, &ke->data);
	want = ike_ke_len(ke->group);
	if (ke->data.len == 0 || (want != 0 && ke->data.len != want))
		return IKE_E_LENGTH;
	return 0;
}

static int
pld_nonce(struct pctx *c, struct pld *p)
{
	rd_rest(&p->body, &c->m->nonce);
	if (c->m->nonce.len < IKE_NONCE_MIN || c->m->nonce.len > IKE_NONCE_MAX)
		return IKE_E_LENGTH;
	return 0;
}

/* RFC 7296 3.5: address IDs have the address's length; names hold no NUL. */
static int
id_check(uint8_t type, const struct view *d)
{
	switch (type) {
	case 0:
		return IKE_E_SYNTAX;
	case IKE_ID_IPV4_ADDR:
		return d->len == 4 ? 0 : IKE_E_LENGTH;
	case IKE_ID_IPV6_ADDR:
		return d->len == 16 ? 0 : IKE_E_LENGTH;
	case IKE_ID_NULL:
		return 0;	/* RFC 7619 3: its data may be empty */
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
		if (d->len == 0)
			return IKE_E_LENGTH;
		return memchr(d->p, '\0', d->len) == NULL ? 0 : IKE_E_SYNTAX;
	default:
		return d->len != 0 ? 0 : IKE_E_LENGTH;
	}
}

static int
pld_id(struct pctx *c, struct pld *p)
{
	struct ike_id	*id = p->type == IKE_PT_IDI ? &c->m->idi : &c->m->idr;
	struct rd	 all = p->body;
	struct view	 res;

	rd_rest(&all, &id->body);
	rd_u8(&p->body, &id->type);
	rd_bytes(&p->body, 3, &res);
	if (p->body.err)
		return IKE_E_LENGTH;
	rd_rest(&p->body, &id->data);
	return id_check(id->type, &id->data);
}

static int
pld_auth(struct pctx *c, struct pld *p)
{
	struct ike_auth	*a = &c->m->auth;
	struct view	 res;

	rd_u8(&p->body, &a->method);
	rd_bytes(&p->body, 3, &res);
	if (p->body.err)
		return IKE_E_LENGTH;
	if (a->method == 0)
		return IKE_E_SYNTAX;
	rd_rest(&p->body, &a->data);
	return a->data.len != 0 ? 0 : IKE_E_LENGTH;
}

/*
 * Notifications whose size the RFCs fix. Others (status types above
 * all) are accepted with any data: unknown ones must be ignored.
 */
#define NR_ANY_SPI	0xff

static const struct notify_rule {
	uint16_t	type;
	uint8_t		spi_size;	/* required SPI size, or NR_ANY_SPI */
	uint8_t		step;		/* data is a multiple of this */
	uint16_t	min, max;	/* data length */
} notify_rules[] = {
	/* RFC 7296 3.10.1: the accepted group, 2 octets. */
	{ IKE_N_INVALID_KE_PAYLOAD, NR_ANY_SPI, 1, 2, 2 },
	/* 3.10.1: these carry the Child SA's SPI. */
	{ IKE_N_INVALID_SELECTORS, 4, 1, 0, UINT16_MAX },
	{ IKE_N_CHILD_SA_NOT_FOUND, 4, 1, 0, UINT16_MAX },
	{ IKE_N_REKEY_SA, 4, 1, 0, UINT16_MAX },
	/* 2.23: SHA-1 digests. */
	{ IKE_N_NAT_DETECTION_SOURCE_IP, NR_ANY_SPI, 1, IKE_NAT_HASH_LEN, IKE_NAT_HASH_LEN },
	{ IKE_N_NAT_DETECTION_DESTINATION_IP, NR_ANY_SPI, 1, IKE_NAT_HASH_LEN,
	    IKE_NAT_HASH_LEN },
	/* 2.6: 1..64 octets. */
	{ IKE_N_COOKIE, NR_ANY_SPI, 1, IKE_COOKIE_MIN, IKE_COOKIE_MAX },
	/* RFC 4555 3.6: one address each. */
	{ IKE_N_ADDITIONAL_IP4_ADDRESS, NR_ANY_SPI, 1, 4, 4 },
	{ IKE_N_ADDITIONAL_IP6_ADDRESS, NR_ANY_SPI, 1, 16, 16 },
	/* RFC 7427 4: a list of 16-bit hash algorithm numbers. */
	{ IKE_N_SIGNATURE_HASH_ALGORITHMS, NR_ANY_SPI, 2, 2, UINT16_MAX },
};

static int
notify_check(const struct ike_notify *n)
{
	const struct notify_rule	*nr;
	size_t				 i;

	for (i = 0; i < sizeof(notify_rules) / sizeof(notify_rules[0]); i++) {
		nr = &notify_rules[i];
		if (nr->type != n->type)
			continue;
		if (nr->spi_size != NR_ANY_SPI && nr->spi_size != n->spi.len)
			return IKE_E_SYNTAX;
		if (n->data.len < nr->min || n->data.len > nr->max || n->data.len % nr->step)
			return IKE_E_LENGTH;
		return 0;
	}
	return 0;
}

/*
 * RFC 7296 3.10: SPI Size 0, 4 or 8. Protocol ID names the SA of the
 * SPI; with no SPI it "MUST be ignored on receipt".
 */
static int
pld_notify(struct pctx *c, struct pld *p)
{
	struct ike_msg		*m = c->m;
	struct ike_notify	*n;
	uint8_t			 size = 0;
	int			 rv;

	if (m->nnotify == IKE_MAX_NOTIFY)
		return IKE_E_TOO_MANY;
	n = &m->notify[m->nnotify];
	rd_u8(&p->body, &n->proto);
	rd_u8(&p->body, &size);
	rd_u16be(&p->body, &n->type);
	if (p->body.err)
		return IKE_E_LENGTH;
	if (size != 0 && size != 4 && size != 8)
		return IKE_E_SYNTAX;
	if (size != 0 && (n->proto < IKE_PROTO_IKE || n->proto > IKE_PROTO_ESP))
		return IKE_E_SYNTAX;
	if (n->type == 0)
		return IKE_E_SYNTAX;
	if (rd_spi(&p->body, size, &n->spi, &n->spi_val))
		return IKE_E_LENGTH;
	rd_rest(&p->body, &n->data);
	if ((rv = notify_check(n)) != 0)
		return rv;
	m->nnotify++;
	return 0;
}

/* RFC 7296 3.11: SPI Size 0 for IKE, 4 for AH/ESP; the SPIs fill the rest. */
static int
pld_delete(struct pctx *c, struct pld *p)
{
	struct ike_msg		*m = c->m;
	struct ike_delete	*d;

	if (m->ndelete == IKE_MAX_DELETE)
		return IKE_E_TOO_MANY;
	d = &m->del[m->ndelete];
	rd_u8(&p->body, &d->proto);
	rd_u8(&p->body, &d->spi_size);
	rd_u16be(&p->body, &d->nspi);
	if (p->body.err)
		return IKE_E_LENGTH;
	switch (d->proto) {
	case IKE_PROTO_IKE:
		if (d->spi_size != 0)
			return IKE_E_SYNTAX;
		break;
	case IKE_PROTO_AH:
	case IKE_PROTO_ESP:
		if (d->spi_size != 4)
			return IKE_E_SYNTAX;
		break;
	default:
		return IKE_E_SYNTAX;
	}
	if ((size_t)d->nspi * d->spi_size != rd_left(&p->body))
		return IKE_E_LENGTH;
	rd_rest(&p->body, &d->spis);
	m->ndelete++;
	return 0;
}

/*
 * RFC 7296 3.13.1: ports and addresses are ranges with start <= end,
 * except the OPAQUE port range, written 65535..0.
 */
static int
ts_range(struct rd *r, struct ike_ts *ts, sa_family_t af)
{
	size_t	 alen = addr_len(af);

	rd_u16be(r, &ts->sport);
	rd_u16be(r, &ts->eport);
	ts->start.af = ts->end.af = af;
	ts->start.plen = ts->end.plen = (uint8_t)addr_maxplen(af);
	rd_copy(r, ts->start.u.b, alen);
	rd_copy(r, ts->end.u.b, alen);
	if (rd_done(r) != 0)
		return IKE_E_LENGTH;
	if (ts->sport > ts->eport && !(ts->sport == UINT16_MAX && ts->eport == 0))
		return IKE_E_SYNTAX;
	if (memcmp(ts->start.u.b, ts->end.u.b, alen) > 0)
		return IKE_E_SYNTAX;
	return 0;
}

/*
 * One selector. Types other than 7 and 8 (RFC 4595, RFC 9478) keep their
 * body in raw: a peer that sends them expects TS_UNACCEPTABLE from a
 * responder that lacks them, not INVALID_SYNTAX.
 */
static int
ts_parse(struct rd *r, struct ike_ts *ts)
{
	struct rd	 sub;
	uint16_t	 len = 0;

	rd_u8(r, &ts->type);
	rd_u8(r, &ts->proto);
	rd_u16be(r, &len);
	if (r->err || len < IKE_TS_SEL_HDR_LEN || rd_sub(r, len - IKE_TS_SEL_HDR_LEN, &sub))
		return IKE_E_LENGTH;
	switch (ts->type) {
	case IKE_TS_IPV4_ADDR_RANGE:
		if (len != IKE_TS4_LEN)
			return IKE_E_LENGTH;
		return ts_range(&sub, ts, AF_INET);
	case IKE_TS_IPV6_ADDR_RANGE:
		if (len != IKE_TS6_LEN)
			return IKE_E_LENGTH;
		return ts_range(&sub, ts, AF_INET6);
	default:
		rd_rest(&sub, &ts->raw);
		return 0;
	}
}

static int
pld_ts(struct pctx *c, struct pld *p)
{
	struct ike_ts_pld	*t = p->type == IKE_PT_TSI ? &c->m->tsi : &c->m->tsr;
	struct view		 res;
	uint8_t			 n = 0, i;
	int			 rv;

	rd_u8(&p->body, &n);
	rd_bytes(&p->body, 3, &res);
	if (p->body.err)
		return IKE_E_LENGTH;
	if (n == 0)
		return IKE_E_SYNTAX;
	if (n > IKE_MAX_TS)
		return IKE_E_TOO_MANY;
	for (i = 0; i < n; i++)
		if ((rv = ts_parse(&p->body, &t->ts[i])) != 0)
			return rv;
	t->n = n;
	return rd_left(&p->body) == 0 ? 0 : IKE_E_LENGTH;
}

/* RFC 7296 3.6/3.7: Cert Encoding, then data. */
static int
cert_parse(struct rd *r, struct ike_cert *ce)
{
	if (rd_u8(r, &ce->enc))
		return IKE_E_LENGTH;
	rd_rest(r, &ce->data);
	return 0;
}

static int
pld_cert(struct pctx *c, struct pld *p)
{
	struct ike_msg	*m = c->m;
	int		 rv;

	if (p->type == IKE_PT_CERT) {
		if (m->ncert == IKE_MAX_CERT)
			return IKE_E_TOO_MANY;
		if ((rv = cert_parse(&p->body, &m->cert[m->ncert])) == 0)
			m->ncert++;
		return rv;
	}
	if (m->ncertreq == IKE_MAX_CERTREQ)
		return IKE_E_TOO_MANY;
	if ((rv = cert_parse(&p->body, &m->certreq[m->ncertreq])) == 0)
		m->ncertreq++;
	return rv;
}

static int
pld_vendor(struct pctx *c, struct pld *p)
{
	struct ike_msg	*m = c->m;

	if (m->nvendor == IKE_MAX_VENDOR)
		return IKE_E_TOO_MANY;
	rd_rest(&p->body, &m->vendor[m->nvendor++]);
	return 0;
}

/* RFC 7296 3.15: CFG Type, RESERVED, attributes (decoded by their user). */
static int
pld_cp(struct pctx *c, struct pld *p)
{
	struct ike_cp	*cp = &c->m->cp;
	struct view	 res;

	rd_u8(&p->body, &cp->type);
	rd_bytes(&p->body, 3, &res);
	if (p->body.err)
		return IKE_E_LENGTH;
	if (cp->type == 0)
		return IKE_E_SYNTAX;
	rd_rest(&p->body, &cp->attrs);
	return 0;
}

/* RFC 7296 3.16 and RFC 3748 4: an EAP message states its own length. */
static int
pld_eap(struct pctx *c, struct pld *p)
{
	struct rd	 hdr = p->body;
	uint8_t		 code = 0, ident = 0;
	uint16_t	 len = 0;

	rd_u8(&hdr, &code);
	rd_u8(&hdr, &ident);
	rd_u16be(&hdr, &len);
	if (hdr.err || len != rd_left(&p->body))
		return IKE_E_LENGTH;
	rd_rest(&p->body, &c->m->eap);
	return 0;
}

/*
 * RFC 7296 3.14 / RFC 7383 2.5: the encrypted payload. Its Next Payload
 * names the first inner payload; the AEAD associated data runs from the
 * message start to the IV (RFC 5282 5.1, RFC 7383 2.5.3).
 */
static int
pld_sk(struct pctx *c, struct pld *p)
{
	struct ike_sk	*sk = &c->m->sk;

	sk->type = p->type;
	sk->first = p->next;
	sk->off = p->off;
	if (p->type == IKE_PT_SKF) {
		rd_u16be(&p->body, &sk->frag_num);
		rd_u16be(&p->body, &sk->frag_total);
		if (p->body.err)
			return IKE_E_LENGTH;
		if (sk->frag_num == 0 || sk->frag_num > sk->frag_total)
			return IKE_E_SYNTAX;
	}
	rd_rest(&p->body, &sk->body);
	sk->aad_len = (size_t)(sk->body.p - c->base);
	return 0;
}

/*
 * The encrypted-payload rule: where each payload type may appear, per
 * exchange (IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL), from
 * the exchange descriptions in RFC 7296 1.2-1.5 and 2.6-2.7. Types with
 * no parse function (GSPM, G-IKEv2, puzzles) are not understood here and
 * follow the unknown-payload rule.
 */
#define PT_FIRST	IKE_PT_SA
#define PT_LAST		IKE_PT_SKF
#define WC		W_CLEAR
#define WI		W_INNER

static const struct pld_rule pld_rules[PT_LAST - PT_FIRST + 1] = {
	[IKE_PT_SA - PT_FIRST] =	{ true,  { WC, WI, WI, 0 }, pld_sa },
	[IKE_PT_KE - PT_FIRST] =	{ true,  { WC, 0, WI, 0 }, pld_ke },
	[IKE_PT_IDI - PT_FIRST] =	{ true,  { 0, WI, 0, 0 }, pld_id },
	[IKE_PT_IDR - PT_FIRST] =	{ true,  { 0, WI, 0, 0 }, pld_id },
	[IKE_PT_CERT - PT_FIRST] =	{ false, { 0, WI, 0, 0 }, pld_cert },
	[IKE_PT_CERTREQ - PT_FIRST] =	{ false, { WC, WI, 0, 0 }, pld_cert },
	[IKE_PT_AUTH - PT_FIRST] =	{ true,  { 0, WI, 0, 0 }, pld_auth },
	[IKE_PT_NONCE - PT_FIRST] =	{ true,  { WC, 0, WI, 0 }, pld_nonce },
	[IKE_PT_NOTIFY - PT_FIRST] =	{ false, { WC, WI, WI, WI }, pld_notify },
	[IKE_PT_DELETE - PT_FIRST] =	{ false, { 0, 0, 0, WI }, pld_delete },
	[IKE_PT_VENDOR - PT_FIRST] =	{ false, { WC, WI, WI, WI }, pld_vendor },
	[IKE_PT_TSI - PT_FIRST] =	{ true,  { 0, WI, WI, 0 }, pld_ts },
	[IKE_PT_TSR - PT_FIRST] =	{ true,  { 0, WI, WI, 0 }, pld_ts },
	[IKE_PT_SK - PT_FIRST] =	{ true,  { 0, WC, WC, WC }, pld_sk },
	[IKE_PT_CP - PT_FIRST] =	{ true,  { 0, WI, 0, WI }, pld_cp },
	[IKE_PT_EAP - PT_FIRST] =	{ true,  { 0, WI, 0, 0 }, pld_eap },
	[IKE_PT_SKF - PT_FIRST] =	{ true,  { 0, WC, WC, WC }, pld_sk },
};

#undef WC
#undef WI

/* The rule for a payload type this module understands, or NULL. */
static const struct pld_rule *
pld_rule(uint8_t type)
{
	if (type < PT_FIRST || type > PT_LAST || pld_rules[type - PT_FIRST].parse == NULL)
		return NULL;
	return &pld_rules[type - PT_FIRST];
}

/* Placement, duplicates, then the type's own rules; the body must be used up. */
static int
pld_one(struct pctx *c, const struct pld_rule *rule, struct pld *p)
{
	uint64_t	 bit = IKE_PT_BIT(p->type);
	int		 rv;

	if ((rule->where[c->ex] & (c->inner ? W_INNER : W_CLEAR)) == 0)
		return IKE_E_PLACEMENT;
	if (rule->once && (c->m->seen & bit) != 0)
		return IKE_E_DUP;
	c->m->seen |= bit;
	if ((rv = rule->parse(c, p)) != 0)
		return rv;
	return rd_left(&p->body) == 0 ? 0 : IKE_E_LENGTH;
}

/*
 * Walks a payload chain starting with type. RFC 7296 3.2: an unknown
 * payload is skipped unless its critical bit is set. SK/SKF ends the
 * chain (its Next Payload belongs to the inner chain), so it must also
 * end the message.
 */
static int
pld_walk(struct pctx *c, struct rd *r, uint8_t type)
{
	const struct pld_rule	*rule;
	struct pld		 p;
	uint8_t			 flags;
	uint16_t		 len;
	int			 rv;

	while (type != IKE_PT_NONE) {
		c->m->err_type = type;
		c->m->err_off = r->off;
		p = (struct pld){ .type = type, .off = r->off };
		flags = 0;
		len = 0;
		rd_u8(r, &p.next);
		rd_u8(r, &flags);
		rd_u16be(r, &len);
		if (r->err || len < IKE_GEN_HDR_LEN || rd_sub(r, len - IKE_GEN_HDR_LEN, &p.body))
			return IKE_E_LENGTH;
		if ((rule = pld_rule(type)) == NULL) {
			if (flags & IKE_PLD_CRITICAL)
				return IKE_E_CRITICAL;
			c->m->nunknown++;
		} else if ((rv = pld_one(c, rule, &p)) != 0)
			return rv;
		else if (type == IKE_PT_SK || type == IKE_PT_SKF)
			return rd_left(r) == 0 ? 0 : IKE_E_PLACEMENT;
		type = p.next;
	}
	return rd_left(r) == 0 ? 0 : IKE_E_LENGTH;
}

static int
hdr_parse(struct rd *r, struct ike_hdr *h)
{
	uint8_t	 ver = 0;

	rd_u64be(r, &h->spi_i);
	rd_u64be(r, &h->spi_r);
	rd_u8(r, &h->next);
	rd_u8(r, &ver);
	rd_u8(r, &h->exch);
	rd_u8(r, &h->flags);
	rd_u32be(r, &h->msgid);
	rd_u32be(r, &h->len);
	if (r->err)
		return IKE_E_SHORT;
	h->major = IKE_MAJOR(ver);
	h->minor = IKE_MINOR(ver);
	return 0;
}

int
ike_parse(const uint8_t *p, size_t len, struct ike_msg *m)
{
	struct rd	 r = rd_init(p, len);
	struct pctx	 c = { .m = m, .base = p, .inner = false };
	int		 rv;

	memset(m, 0, sizeof(*m));
	if ((rv = hdr_parse(&r, &m->hdr)) != 0)
		return rv;
	/* RFC 7296 3.1: a major version other than 2 is not ours to read. */
	if (m->hdr.major != 2)
		return IKE_E_VERSION;
	if (m->hdr.len != len)
		return IKE_E_LENGTH;
	if ((c.ex = exch_index(m->hdr.exch)) < 0)
		return IKE_E_EXCHANGE;
	if (m->hdr.spi_i == 0)
		return IKE_E_SYNTAX;
	if ((rv = pld_walk(&c, &r, m->hdr.next)) != 0)
		return rv;
	/* RFC 7296 3.14: after IKE_SA_INIT every payload travels in SK. */
	if (c.ex != EX_INIT && m->sk.type == 0) {
		m->err_type = IKE_PT_SK;
		m->err_off = 0;
		return IKE_E_PLACEMENT;
	}
	m->err_type = 0;
	m->err_off = 0;
	return 0;
}

int
ike_parse_inner(const uint8_t *p, size_t len, uint8_t first_type, struct ike_msg *m)
{
	struct rd	 r = rd_init(p, len);
	struct pctx	 c = { .m = m, .base = p, .inner = true };
	int		 rv;

	m->err_type = IKE_PT_SK;
	m->err_off = 0;
	if (m->sk.type == 0)
		return IKE_E_PLACEMENT;
	if (m->inner_done)
		return IKE_E_DUP;
	if ((c.ex = exch_index(m->hdr.exch)) < 0)
		return IKE_E_EXCHANGE;
	m->inner_done = true;
	if ((rv = pld_walk(&c, &r, first_type)) != 0)
		return rv;
	m->err_type = 0;
	return 0;
}

const char *
ike_perr_str(int err)
{
	switch (err) {
	case IKE_OK:
		return "no error";
	case IKE_E_SHORT:
		return "shorter than an IKE header";
	case IKE_E_LENGTH:
		return "length inconsistent or outside RFC limits";
	case IKE_E_VERSION:
		return "unsupported major version";
	case IKE_E_DUP:
		return "duplicate payload";
	case IKE_E_CRITICAL:
		return "unsupported critical payload";
	case IKE_E_SYNTAX:
		return "invalid field value";
	case IKE_E_PLACEMENT:
		return "payload not allowed here";
	case IKE_E_TOO_MANY:
		return "too many payloads or substructures";
	case IKE_E_EXCHANGE:
		return "unsupported exchange type";
	default:
		return "unknown parser error";
	}
}

bool
ike_msg_has(const struct ike_msg *m, uint8_t type)
{
	return pld_rule(type) != NULL && (m->seen & IKE_PT_BIT(type)) != 0;
}

const struct ike_notify *
ike_msg_notify(const struct ike_msg *m, uint16_t type)
{
	size_t	 i;

	for (i = 0; i < m->nnotify; i++)
		if (m->notify[i].type == type)
			return &m->notify[i];
	return NULL;
}

int
ike_delete_spi(const struct ike_delete *d, size_t i, uint32_t *spi)
{
	struct rd	 r = rd_init(d->spis.p, d->spis.len);

	if (d->spi_size != 4 || i >= d->nspi)
		return -1;
	if (rd_skip(&r, i * 4) || rd_u32be(&r, spi))
		return -1;
	return 0;
}

/*
 * Builder. States: before the header, writing clear payloads, writing
 * inside SK, after SK/SKF (nothing may follow), finished.
 */
enum { B_NONE, B_OUTER, B_INNER, B_SEALED, B_DONE };

#define GEN_LEN_OFF	2	/* Payload/Proposal/Transform Length offset */

static int
build_fail(struct ike_build *b, int err)
{
	if (b->w.err == 0)
		b->w.err = err;
	return b->w.err;
}

void
ike_build_init(struct ike_build *b, uint8_t *buf, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->w = wr_init(buf, cap);
	b->state = B_NONE;
}

int
ike_build_header(struct ike_build *b, const struct ike_hdr *h)
{
	size_t	 at;

	if (b->w.err)
		return b->w.err;
	if (b->state != B_NONE || exch_index(h->exch) < 0)
		return build_fail(b, GW_E_BADVAL);
	wr_u64be(&b->w, h->spi_i);
	wr_u64be(&b->w, h->spi_r);
	wr_reserve(&b->w, 1, &b->np_at);
	wr_u8(&b->w, IKE_VERSION_2);
	wr_u8(&b->w, h->exch);
	wr_u8(&b->w, h->flags);
	wr_u32be(&b->w, h->msgid);
	wr_reserve(&b->w, 4, &at);
	if (b->w.err)
		return b->w.err;
	b->exch = h->exch;
	b->state = B_OUTER;
	return 0;
}

/*
 * Starts a payload of type: checks it may go here, writes its generic
 * header and links it from the previous Next Payload field.
 */
static int
build_begin(struct ike_build *b, uint8_t type, bool crit, size_t *at)
{
	const struct pld_rule	*rule = pld_rule(type);
	uint8_t			 where;

	if (b->w.err)
		return b->w.err;
	if (b->state != B_OUTER && b->state != B_INNER)
		return build_fail(b, GW_E_BADVAL);
	where = b->state == B_INNER ? W_INNER : W_CLEAR;
	if (rule != NULL && (rule->where[exch_index(b->exch)] & where) == 0)
		return build_fail(b, GW_E_BADVAL);
	if (wr_reserve(&b->w, IKE_GEN_HDR_LEN, at))
		return b->w.err;
	b->w.p[b->np_at] = type;
	if (crit)
		b->w.p[*at + 1] = IKE_PLD_CRITICAL;
	b->np_at = *at;
	return 0;
}

/* Fills the 16-bit length at at + 2 of a structure that started at at. */
static int
build_end(struct ike_build *b, size_t at)
{
	size_t	 len;

	if (b->w.err)
		return b->w.err;
	len = b->w.off - at;
	if (len > UINT16_MAX)
		return build_fail(b, GW_E_TOOLONG);
	return wr_patch_u16be(&b->w, at + GEN_LEN_OFF, (uint16_t)len);
}

/* A payload whose body is fixed bytes hdr[0..hlen) then data[0..len). */
static int
build_simple(struct ike_build *b, uint8_t type, const uint8_t *hdr, size_t hlen,
    const uint8_t *data, size_t len)
{
	size_t	 at;

	if (build_begin(b, type, false, &at))
		return b->w.err;
	wr_bytes(&b->w, hdr, hlen);
	wr_bytes(&b->w, data, len);
	return build_end(b, at);
}

static void
build_spi(struct ike_build *b, uint8_t size, uint64_t spi)
{
	if (size == 4)
		wr_u32be(&b->w, (uint32_t)spi);
	else if (size == 8)
		wr_u64be(&b->w, spi);
}

static int
build_xform(struct ike_build *b, const struct ike_pld_xform *xf, bool last)
{
	size_t	 at = b->w.off;

	wr_u8(&b->w, last ? IKE_SUBSTRUC_LAST : IKE_SUBSTRUC_XFORM);
	wr_u8(&b->w, 0);
	wr_u16be(&b->w, 0);
	wr_u8(&b->w, xf->type);
	wr_u8(&b->w, 0);
	wr_u16be(&b->w, xf->id);
	if (xf->keylen != 0) {
		wr_u16be(&b->w, IKE_ATTR_AF | IKE_ATTR_KEY_LENGTH);
		wr_u16be(&b->w, xf->keylen);
	}
	return build_end(b, at);
}

static int
build_prop(struct ike_build *b, const struct ike_pld_prop *pr, bool last)
{
	size_t	 at = b->w.off;
	uint8_t	 i;

	if (pr->nxf == 0 || pr->nxf > IKE_MAX_XFORMS ||
	    (pr->spi_size != 0 && pr->spi_size != 4 && pr->spi_size != 8))
		return build_fail(b, GW_E_BADVAL);
	wr_u8(&b->w, last ? IKE_SUBSTRUC_LAST : IKE_SUBSTRUC_PROP);
	wr_u8(&b->w, 0);
	wr_u16be(&b->w, 0);
	wr_u8(&b->w, pr->num);
	wr_u8(&b->w, pr->proto);
	wr_u8(&b->w, pr->spi_size);
	wr_u8(&b->w, pr->nxf);
	build_spi(b, pr->spi_size, pr->spi);
	for (i = 0; i < pr->nxf; i++)
		if (build_xform(b, &pr->xf[i], i + 1 == pr->nxf))
			return b->w.err;
	return build_end(b, at);
}

int
ike_build_sa(struct ike_build *b, const struct ike_sa_pld *sa)
{
	size_t	 at;
	uint8_t	 i;

	if (sa->nprop == 0 || sa->nprop > IKE_MAX_PROPS)
		return build_fail(b, GW_E_BADVAL);
	if (build_begin(b, IKE_PT_SA, false, &at))
		return b->w.err;
	for (i = 0; i < sa->nprop; i++)
		if (build_prop(b, &sa->prop[i], i + 1 == sa->nprop))
			return b->w.err;
	return build_end(b, at);
}

int
ike_build_ke(struct ike_build *b, uint16_t group, const uint8_t *data, size_t len)
{
	uint8_t	 hdr[IKE_KE_HDR_LEN] = { (uint8_t)(group >> 8), (uint8_t)group, 0, 0 };

	return build_simple(b, IKE_PT_KE, hdr, sizeof(hdr), data, len);
}

int
ike_build_nonce(struct ike_build *b, const uint8_t *nonce, size_t len)
{
	return build_simple(b, IKE_PT_NONCE, NULL, 0, nonce, len);
}

int
ike_build_id(struct ike_build *b, uint8_t pt, uint8_t idtype, const uint8_t *data, size_t len)
{
	uint8_t	 hdr[IKE_ID_HDR_LEN] = { idtype, 0, 0, 0 };

	if (pt != IKE_PT_IDI && pt != IKE_PT_IDR)
		return build_fail(b, GW_E_BADVAL);
	return build_simple(b, pt, hdr, sizeof(hdr), data, len);
}

int
ike_build_auth(struct ike_build *b, uint8_t method, const uint8_t *data, size_t len)
{
	uint8_t	 hdr[IKE_AUTH_HDR_LEN] = { method, 0, 0, 0 };

	return build_simple(b, IKE_PT_AUTH, hdr, sizeof(hdr), data, len);
}

int
ike_build_notify(struct ike_build *b, uint8_t proto, uint16_t type, uint8_t spi_size,
    uint64_t spi, const uint8_t *data, size_t len)
{
	size_t	 at;

	if (spi_size != 0 && spi_size != 4 && spi_size != 8)
		return build_fail(b, GW_E_BADVAL);
	if (build_begin(b, IKE_PT_NOTIFY, false, &at))
		return b->w.err;
	wr_u8(&b->w, proto);
	wr_u8(&b->w, spi_size);
	wr_u16be(&b->w, type);
	build_spi(b, spi_size, spi);
	wr_bytes(&b->w, data, len);
	return build_end(b, at);
}

int
ike_build_delete(struct ike_build *b, uint8_t proto, const uint32_t *spis, size_t nspi)
{
	size_t	 at, i;
	uint8_t	 size = proto == IKE_PROTO_IKE ? 0 : 4;

	if ((proto == IKE_PROTO_IKE && nspi != 0) ||
	    (proto != IKE_PROTO_IKE && proto != IKE_PROTO_AH && proto != IKE_PROTO_ESP) ||
	    (proto != IKE_PROTO_IKE && (nspi == 0 || nspi > UINT16_MAX)))
		return build_fail(b, GW_E_BADVAL);
	if (build_begin(b, IKE_PT_DELETE, false, &at))
		return b->w.err;
	wr_u8(&b->w, proto);
	wr_u8(&b->w, size);
	wr_u16be(&b->w, (uint16_t)nspi);
	for (i = 0; i < nspi; i++)
		wr_u32be(&b->w, spis[i]);
	return build_end(b, at);
}

static int
build_ts_one(struct ike_build *b, const struct ike_ts *ts)
{
	size_t	 alen = addr_len(ts->start.af);
	uint8_t	 type;

	type = ts->start.af == AF_INET ? IKE_TS_IPV4_ADDR_RANGE : IKE_TS_IPV6_ADDR_RANGE;

	if (alen == 0 || ts->end.af != ts->start.af || ts->type != type)
		return build_fail(b, GW_E_BADVAL);
	wr_u8(&b->w, type);
	wr_u8(&b->w, ts->proto);
	wr_u16be(&b->w, alen == 4 ? IKE_TS4_LEN : IKE_TS6_LEN);
	wr_u16be(&b->w, ts->sport);
	wr_u16be(&b->w, ts->eport);
	wr_bytes(&b->w, ts->start.u.b, alen);
	return wr_bytes(&b->w, ts->end.u.b, alen);
}

int
ike_build_ts(struct ike_build *b, uint8_t pt, const struct ike_ts *ts, size_t n)
{
	size_t	 at, i;

	if ((pt != IKE_PT_TSI && pt != IKE_PT_TSR) || n == 0 || n > IKE_MAX_TS)
		return build_fail(b, GW_E_BADVAL);
	if (build_begin(b, pt, false, &at))
		return b->w.err;
	wr_u8(&b->w, (uint8_t)n);
	wr_zero(&b->w, 3);
	for (i = 0; i < n; i++)
		if (build_ts_one(b, &ts[i]))
			return b->w.err;
	return build_end(b, at);
}

int
ike_build_vendor(struct ike_build *b, const uint8_t *data, size_t len)
{
	return build_simple(b, IKE_PT_VENDOR, NULL, 0, data, len);
}

int
ike_build_raw(struct ike_build *b, uint8_t type, bool crit, const uint8_t *body, size_t len)
{
	size_t	 at;

	if (type == IKE_PT_NONE || type == IKE_PT_SK)
		return build_fail(b, GW_E_BADVAL);
	if (build_begin(b, type, crit, &at))
		return b->w.err;
	wr_bytes(&b->w, body, len);
	if (build_end(b, at))
		return b->w.err;
	if (type == IKE_PT_SKF)
		b->state = B_SEALED;
	return 0;
}

int
ike_build_sk_begin(struct ike_build *b, size_t iv_len)
{
	/* The placement rule keeps SK out of IKE_SA_INIT and out of SK. */
	if (build_begin(b, IKE_PT_SK, false, &b->sk_at))
		return b->w.err;
	if (wr_reserve(&b->w, iv_len, &b->iv_at))
		return b->w.err;
	b->plain_at = b->w.off;
	b->state = B_INNER;
	return 0;
}

/* RFC 7296 3.14: Padding then Pad Length fill out the last cipher block. */
int
ike_build_sk_end(struct ike_build *b, size_t block, size_t icv_len, struct ike_sk_layout *out)
{
	size_t	 pad, icv_at;

	if (b->w.err)
		return b->w.err;
	if (b->state != B_INNER || block == 0 || block > UINT8_MAX)
		return build_fail(b, GW_E_BADVAL);
	pad = (block - (b->w.off - b->plain_at + 1) % block) % block;
	wr_zero(&b->w, pad);
	wr_u8(&b->w, (uint8_t)pad);
	wr_reserve(&b->w, icv_len, &icv_at);
	if (build_end(b, b->sk_at))
		return b->w.err;
	*out = (struct ike_sk_layout){
		.sk_off = b->sk_at,
		.aad_len = b->iv_at,
		.iv_off = b->iv_at,
		.iv_len = b->plain_at - b->iv_at,
		.plain_off = b->plain_at,
		.plain_len = icv_at - b->plain_at,
		.icv_off = icv_at,
		.icv_len = icv_len,
	};
	b->state = B_SEALED;
	return 0;
}

int
ike_build_finish(struct ike_build *b, size_t *len)
{
	size_t	 n;

	if (b->w.err)
		return b->w.err;
	if (b->state != B_SEALED && (b->state != B_OUTER || b->exch != IKE_EXCH_SA_INIT))
		return build_fail(b, GW_E_BADVAL);
	n = b->w.off;
	if (n > UINT32_MAX)
		return build_fail(b, GW_E_TOOLONG);
	wr_patch_u16be(&b->w, IKE_HDR_LEN_OFF, (uint16_t)(n >> 16));
	if (wr_patch_u16be(&b->w, IKE_HDR_LEN_OFF + 2, (uint16_t)n))
		return b->w.err;
	b->state = B_DONE;
	*len = n;
	return 0;
}
