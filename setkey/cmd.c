/*
 * cmd.c: setkey commands to PF_KEY messages, following what ipsec-tools
 * sends (specs/kame.md 2.9) with the project's replay extension: "-r N"
 * is sent as sadb_sa_replay = min(N, 255) and PFK_EXT_REPLAY with a
 * window of 8 * N packets (see lib/pfkey.h).
 */
#include <linux/udp.h>

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "ident.h"
#include "log.h"
#include "proto.h"

static uint8_t
op_type(enum sk_op op)
{
	switch (op) {
	case SK_ADD:		return SADB_ADD;
	case SK_UPDATE:		return SADB_UPDATE;
	case SK_GET:		return SADB_GET;
	case SK_DELETE:		return SADB_DELETE;
	case SK_GETSPI:		return SADB_GETSPI;
	case SK_DELETEALL:	return SADB_DUMP;
	case SK_FLUSH:		return SADB_FLUSH;
	case SK_DUMP:		return SADB_DUMP;
	case SK_SPDADD:		return SADB_X_SPDADD;
	case SK_SPDUPDATE:	return SADB_X_SPDUPDATE;
	case SK_SPDDELETE:	return SADB_X_SPDDELETE;
	case SK_SPDFLUSH:	return SADB_X_SPDFLUSH;
	case SK_SPDDUMP:	return SADB_X_SPDDUMP;
	}
	return 0;
}

/* SA endpoints: upper-layer protocol "any", full prefix (as parsed). */
static void
put_sa_addrs(const struct setkey_sa *sa, struct pfk_msg *m)
{
	m->src.proto = IPSEC_ULPROTO_ANY;
	m->src.addr = sa->src;
	m->dst.proto = IPSEC_ULPROTO_ANY;
	m->dst.addr = sa->dst;
	pfk_set(m, SADB_EXT_ADDRESS_SRC);
	pfk_set(m, SADB_EXT_ADDRESS_DST);
}

static void
put_key(struct pfk_msg *m, unsigned ext, struct pfk_key *k, const struct gw_key *key)
{
	if (key == NULL)
		return;
	k->bits = (uint16_t)(key->len * 8u);
	k->data = key->b;
	k->len = key->len;
	pfk_set(m, ext);
}

static void
put_lifetimes(const struct setkey_sa *sa, struct pfk_msg *m)
{
	if (sa->hard_time != 0 || sa->hard_bytes != 0) {
		m->lt_hard.addtime = sa->hard_time;
		m->lt_hard.bytes = sa->hard_bytes;
		pfk_set(m, SADB_EXT_LIFETIME_HARD);
	}
	if (sa->soft_time != 0 || sa->soft_bytes != 0) {
		m->lt_soft.addtime = sa->soft_time;
		m->lt_soft.bytes = sa->soft_bytes;
		pfk_set(m, SADB_EXT_LIFETIME_SOFT);
	}
}

static void
put_natt(const struct setkey_sa *sa, struct pfk_msg *m)
{
	if (sa->proto != SK_P_ESP_UDP)
		return;
	m->natt_type = UDP_ENCAP_ESPINUDP;
	m->natt_sport = sa->src.port;
	m->natt_dport = sa->dst.port;
	pfk_set(m, SADB_X_EXT_NAT_T_TYPE);
	pfk_set(m, SADB_X_EXT_NAT_T_SPORT);
	pfk_set(m, SADB_X_EXT_NAT_T_DPORT);
	if (sa->has_oa) {
		m->natt_oa = sa->oa;
		pfk_set(m, SADB_X_EXT_NAT_T_OA);
	}
}

/* ADD and UPDATE: everything the SA needs to run. */
static void
build_sa_full(const struct setkey_sa *sa, struct pfk_msg *m)
{
	m->sa.spi = sa->spi;
	m->sa.replay = sa->has_replay ? (uint8_t)(sa->replay > 255 ? 255 : sa->replay) : 0;
	m->sa.state = SADB_SASTATE_LARVAL;
	m->sa.auth = sa->auth.alg != NULL ? sa->auth.alg->id : SADB_AALG_NONE;
	if (sa->comp.alg != NULL)
		m->sa.encrypt = sa->comp.alg->id;
	else
		m->sa.encrypt = sa->enc.alg != NULL ? sa->enc.alg->id : SADB_EALG_NONE;
	m->sa.flags = sa->flags;
	pfk_set(m, SADB_EXT_SA);
	m->sa2.mode = sa->mode;
	m->sa2.reqid = sa->reqid;
	pfk_set(m, SADB_X_EXT_SA2);
	put_sa_addrs(sa, m);
	put_key(m, SADB_EXT_KEY_ENCRYPT, &m->key_enc, sa->enc_key);
	put_key(m, SADB_EXT_KEY_AUTH, &m->key_auth, sa->auth_key);
	put_lifetimes(sa, m);
	if (sa->has_replay) {
		m->replay.window = sa->replay * 8u;
		pfk_set(m, PFK_EXT_REPLAY);
	}
	put_natt(sa, m);
}

static void
build_sa(const struct setkey_cmd *c, struct pfk_msg *m)
{
	const struct setkey_sa *sa = &c->u.sa;

	m->satype = sa->satype;
	switch (c->op) {
	case SK_ADD:
	case SK_UPDATE:
		build_sa_full(sa, m);
		break;
	case SK_GETSPI:
		m->sa2.mode = sa->mode;
		m->sa2.reqid = sa->reqid;
		pfk_set(m, SADB_X_EXT_SA2);
		put_sa_addrs(sa, m);
		if (sa->spi != 0) {
			m->spirange.min = sa->spi;
			m->spirange.max = sa->spi;
			pfk_set(m, SADB_EXT_SPIRANGE);
		}
		break;
	case SK_GET:
	case SK_DELETE:
		m->sa.spi = sa->spi;
		pfk_set(m, SADB_EXT_SA);
		put_sa_addrs(sa, m);
		break;
	default:	/* deleteall: the DUMP of its satype */
		break;
	}
}

static void
build_spd(const struct setkey_spd *spd, struct pfk_msg *m)
{
	m->src.proto = spd->ulproto;
	m->src.addr = spd->src;
	m->dst.proto = spd->ulproto;
	m->dst.addr = spd->dst;
	pfk_set(m, SADB_EXT_ADDRESS_SRC);
	pfk_set(m, SADB_EXT_ADDRESS_DST);
	m->policy = spd->pol;
	pfk_set(m, SADB_X_EXT_POLICY);
}

bool
cmd_build(const struct setkey_cmd *c, struct pfk_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = op_type(c->op);
	switch (c->op) {
	case SK_ADD:
	case SK_UPDATE:
	case SK_GET:
	case SK_DELETE:
	case SK_GETSPI:
	case SK_DELETEALL:
		build_sa(c, m);
		return true;
	case SK_FLUSH:
	case SK_DUMP:
		m->satype = c->u.satype;
		return true;
	case SK_SPDADD:
	case SK_SPDUPDATE:
	case SK_SPDDELETE:
		build_spd(&c->u.spd, m);
		return true;
	case SK_SPDFLUSH:
	case SK_SPDDUMP:
		return true;
	}
	return false;
}

enum cmd_undo
cmd_undo_kind(const struct setkey_cmd *c)
{
	switch (c->op) {
	case SK_ADD:
	case SK_GETSPI:
	case SK_SPDADD:
		return CMD_UNDO_INVERSE;
	case SK_GET:
	case SK_DUMP:
	case SK_SPDDUMP:
		return CMD_UNDO_NONE;
	default:
		return CMD_UNDO_NEVER;
	}
}

bool
cmd_build_undo(const struct setkey_cmd *c, uint32_t spi, struct pfk_msg *m)
{
	memset(m, 0, sizeof(*m));
	switch (c->op) {
	case SK_ADD:
	case SK_GETSPI:
		m->type = SADB_DELETE;
		m->satype = c->u.sa.satype;
		m->sa.spi = spi;
		pfk_set(m, SADB_EXT_SA);
		put_sa_addrs(&c->u.sa, m);
		return true;
	case SK_SPDADD:
		m->type = SADB_X_SPDDELETE;
		build_spd(&c->u.spd, m);
		return true;
	default:
		return false;
	}
}

/* "10.0.0.0/24[80]": the prefix only when asked for, the port if set. */
static const char *
addr_text(const struct gw_addr *a, bool prefix, char *buf, size_t len)
{
	char ab[INET6_ADDRSTRLEN];
	size_t off;

	if (a->af == AF_UNSPEC)
		ab[0] = '\0';
	else
		addr_ntop(a, ab, sizeof(ab));
	off = (size_t)snprintf(buf, len, "%s", ab);
	if (prefix && off < len)
		off += (size_t)snprintf(buf + off, len - off, "/%u", a->plen);
	if (a->port != 0 && off < len)
		snprintf(buf + off, len - off, "[%u]", a->port);
	return buf;
}

static const char *const dir_names[] = {
	[IPSEC_DIR_ANY] = "any", [IPSEC_DIR_INBOUND] = "in",
	[IPSEC_DIR_OUTBOUND] = "out", [IPSEC_DIR_FWD] = "fwd",
};

/* "what src/plen dst/plen proto -P dir". */
static void
describe_sel(const char *what, const struct gw_addr *src, const struct gw_addr *dst,
    uint8_t ulproto, uint8_t dir, char *buf, size_t len)
{
	char s[GW_ADDR_STRLEN], d[GW_ADDR_STRLEN], up[8];
	const char *upn;

	if (ulproto == IPSEC_ULPROTO_ANY)
		upn = "any";
	else if ((upn = proto_name(ulproto)) == NULL) {
		snprintf(up, sizeof(up), "%u", ulproto);
		upn = up;
	}
	snprintf(buf, len, "%s %s %s %s -P %s", what, addr_text(src, true, s, sizeof(s)),
	    addr_text(dst, true, d, sizeof(d)), upn, dir < 4 ? dir_names[dir] : "?");
}

static void
describe_spd(const struct setkey_cmd *c, char *buf, size_t len)
{
	const struct setkey_spd *spd = &c->u.spd;

	describe_sel(setkey_op_name(c->op), &spd->src, &spd->dst, spd->ulproto, spd->pol.dir,
	    buf, len);
}

const char *
cmd_describe_policy(const struct gw_addr *src, const struct gw_addr *dst, uint8_t ulproto,
    uint8_t dir, char *buf, size_t len)
{
	describe_sel("policy", src, dst, ulproto, dir, buf, len);
	return buf;
}

static const char *
satype_name(uint8_t satype)
{
	switch (satype) {
	case SADB_SATYPE_ESP:		return " esp";
	case SADB_SATYPE_AH:		return " ah";
	case SADB_X_SATYPE_IPCOMP:	return " ipcomp";
	case SADB_X_SATYPE_TCPSIGNATURE: return " tcp";
	default:			return "";
	}
}

const char *
cmd_describe_sa(uint8_t satype, const struct gw_addr *src, const struct gw_addr *dst,
    uint32_t spi, char *buf, size_t len)
{
	char s[GW_ADDR_STRLEN], d[GW_ADDR_STRLEN];

	snprintf(buf, len, "SA %s %s%s 0x%x", addr_text(src, false, s, sizeof(s)),
	    addr_text(dst, false, d, sizeof(d)), satype_name(satype), spi);
	return buf;
}

const char *
cmd_describe(const struct setkey_cmd *c, char *buf, size_t len)
{
	const struct setkey_sa *sa = &c->u.sa;
	char s[GW_ADDR_STRLEN], d[GW_ADDR_STRLEN];
	const char *op = setkey_op_name(c->op);

	switch (c->op) {
	case SK_ADD:
	case SK_UPDATE:
	case SK_GET:
	case SK_DELETE:
	case SK_GETSPI:
		snprintf(buf, len, "%s %s %s %s 0x%x", op, addr_text(&sa->src, false, s,
		    sizeof(s)), addr_text(&sa->dst, false, d, sizeof(d)),
		    setkey_proto_name(sa->proto), sa->spi);
		break;
	case SK_DELETEALL:
		snprintf(buf, len, "%s %s %s %s", op, addr_text(&sa->src, false, s, sizeof(s)),
		    addr_text(&sa->dst, false, d, sizeof(d)), setkey_proto_name(sa->proto));
		break;
	case SK_FLUSH:
	case SK_DUMP:
		snprintf(buf, len, "%s%s", op, satype_name(c->u.satype));
		break;
	case SK_SPDADD:
	case SK_SPDUPDATE:
	case SK_SPDDELETE:
		describe_spd(c, buf, len);
		break;
	default:
		snprintf(buf, len, "%s", op);
		break;
	}
	return buf;
}

/*
 * The duplicate check: what one script makes live, as tunneld would see
 * it. A stamp is 1 + the index of a command; an SA or policy is live when
 * the command that made it is newer than every flush, deleteall, delete
 * or spddelete that covers it.
 */
struct dup_ent {
	size_t		stamp;	/* made live (SA, SP) or last deleteall (PAIR); 0 = never */
	unsigned	line;
	enum sk_op	op;
	size_t		pair;	/* SA: index of its (satype, src, dst) entry */
};

struct dups {
	struct ident_map map;
	struct dup_ent	*ent;
	size_t		 n, cap;
	size_t		 flush_all;		/* stamp of the last "flush;" */
	size_t		 flush[UINT8_MAX + 1];	/* of the last "flush <satype>;" */
	size_t		 spdflush;
};

/* The entry of id, created empty when absent. */
static size_t
dup_entry(struct dups *d, const struct ident *id)
{
	bool fresh;
	size_t k = *ident_put(&d->map, id, d->n, &fresh);

	if (!fresh)
		return k;
	if (d->n == d->cap) {
		d->cap = d->cap != 0 ? d->cap * 2 : 64;
		if ((d->ent = reallocarray(d->ent, d->cap, sizeof(*d->ent))) == NULL)
			fatal("dup_entry");
	}
	d->ent[d->n] = (struct dup_ent){ 0 };
	return d->n++;
}

static bool
dup_sa_live(const struct dups *d, const struct dup_ent *e, uint8_t satype)
{
	return e->stamp != 0 && e->stamp > d->flush_all && e->stamp > d->flush[satype] &&
	    e->stamp > d->ent[e->pair].stamp;
}

static void
dup_report(FILE *err, const char *file, const struct setkey_cmd *c, const struct dup_ent *e)
{
	const char *what;

	if (err == NULL)
		return;
	switch (e->op) {
	case SK_GETSPI:		what = "SA reserved by getspi"; break;
	case SK_SPDADD:		what = "policy added"; break;
	case SK_SPDUPDATE:	what = "policy set by spdupdate"; break;
	default:		what = "SA added"; break;
	}
	fprintf(err, "%s:%u:%u: duplicate of the %s on line %u\n", file, c->line, c->col, what,
	    e->line);
}

/* add, or getspi of one SPI: EEXIST if that SA is live. */
static unsigned
dup_sa(struct dups *d, const struct setkey_cmd *c, size_t stamp, const char *file, FILE *err)
{
	const struct setkey_sa *sa = &c->u.sa;
	struct ident id;
	size_t pair, k;

	ident_pair(&id, sa->satype, &sa->src, &sa->dst);
	pair = dup_entry(d, &id);
	ident_sa(&id, sa->satype, &sa->dst, sa->spi);
	k = dup_entry(d, &id);
	if (dup_sa_live(d, &d->ent[k], sa->satype)) {
		dup_report(err, file, c, &d->ent[k]);
		return 1;
	}
	d->ent[k] = (struct dup_ent){ stamp, c->line, c->op, pair };
	return 0;
}

/* spdadd: EEXIST if the selector and direction are live; spdupdate sets them. */
static unsigned
dup_sp(struct dups *d, const struct setkey_cmd *c, size_t stamp, const char *file, FILE *err)
{
	const struct setkey_spd *spd = &c->u.spd;
	struct ident id;
	size_t k;

	ident_sp(&id, spd->pol.dir, &spd->src, &spd->dst, spd->ulproto);
	k = dup_entry(d, &id);
	if (c->op == SK_SPDADD && d->ent[k].stamp > d->spdflush) {
		dup_report(err, file, c, &d->ent[k]);
		return 1;
	}
	d->ent[k] = (struct dup_ent){ stamp, c->line, c->op, 0 };
	return 0;
}

/* Forgets the entry of id, if any. */
static void
dup_forget(struct dups *d, const struct ident *id)
{
	size_t *k = ident_get(&d->map, id);

	if (k != NULL)
		d->ent[*k].stamp = 0;
}

static unsigned
dup_step(struct dups *d, const struct setkey_cmd *c, size_t stamp, const char *file, FILE *err)
{
	const struct setkey_sa *sa = &c->u.sa;
	const struct setkey_spd *spd = &c->u.spd;
	struct ident id;
	size_t k;

	switch (c->op) {
	case SK_ADD:
		return dup_sa(d, c, stamp, file, err);
	case SK_GETSPI:		/* SPI 0: tunneld picks a free one */
		return sa->spi != 0 ? dup_sa(d, c, stamp, file, err) : 0;
	case SK_DELETE:
		ident_sa(&id, sa->satype, &sa->dst, sa->spi);
		dup_forget(d, &id);
		return 0;
	case SK_DELETEALL:
		ident_pair(&id, sa->satype, &sa->src, &sa->dst);
		k = dup_entry(d, &id);	/* may move d->ent */
		d->ent[k].stamp = stamp;
		return 0;
	case SK_FLUSH:
		if (c->u.satype == SADB_SATYPE_UNSPEC)
			d->flush_all = stamp;
		else
			d->flush[c->u.satype] = stamp;
		return 0;
	case SK_SPDADD:
	case SK_SPDUPDATE:
		return dup_sp(d, c, stamp, file, err);
	case SK_SPDDELETE:
		ident_sp(&id, spd->pol.dir, &spd->src, &spd->dst, spd->ulproto);
		dup_forget(d, &id);
		return 0;
	case SK_SPDFLUSH:
		d->spdflush = stamp;
		return 0;
	default:
		return 0;
	}
}

/* Builds and encodes c; reports why it cannot be encoded. */
static unsigned
check_encode(const struct setkey_cmd *c, struct pfk_msg *m, uint8_t *buf, const char *file,
    FILE *err)
{
	struct wr w;
	int rc;

	if (!cmd_build(c, m))
		return 0;
	w = wr_init(buf, PFK_MSG_MAX);
	rc = pfk_encode(m, &w);
	secure_wipe(buf, w.off);
	if (rc == 0)
		return 0;
	if (err != NULL)
		fprintf(err, "%s:%u:%u: cannot encode the %s message: %s\n", file, c->line, c->col,
		    pfk_type_name(m->type), gw_strerror(rc));
	return 1;
}

unsigned
cmd_check(const struct setkey_cmds *cmds, FILE *err)
{
	const char *file = cmds->file != NULL ? cmds->file : "(input)";
	const struct setkey_cmd *c;
	struct pfk_msg *m;
	struct dups *d;
	uint8_t *buf;
	unsigned nerr = 0;
	size_t i;

	if ((buf = malloc(PFK_MSG_MAX)) == NULL || (m = malloc(sizeof(*m))) == NULL ||
	    (d = calloc(1, sizeof(*d))) == NULL)
		fatal("cmd_check");
	for (c = cmds->head, i = 1; c != NULL; c = c->next, i++) {
		nerr += check_encode(c, m, buf, file, err);
		nerr += dup_step(d, c, i, file, err);
	}
	ident_map_free(&d->map);
	free(d->ent);
	free(d);
	secure_free(m, sizeof(*m));
	free(buf);
	return nerr;
}

static const struct pfk_alg_sup *
sup_find(const struct pfk_supported *s, uint8_t id)
{
	size_t i;

	for (i = 0; i < s->n && i < PFK_MAX_SUPPORTED; i++)
		if (s->alg[i].id == id)
			return &s->alg[i];
	return NULL;
}

/* One algorithm and its key against what tunneld registered. */
static unsigned
check_sup(const char *file, const struct sk_alg *a, const struct gw_key *key,
    const struct pfk_supported *sup, FILE *err)
{
	const struct pfk_alg_sup *s;
	unsigned bits;

	if (a->alg == NULL)
		return 0;
	if ((s = sup_find(sup, a->alg->id)) == NULL) {
		fprintf(err, "%s:%u:%u: algorithm %s is not supported by tunneld\n", file,
		    a->line, a->col, a->alg->name);
		return 1;
	}
	bits = key != NULL ? key->len * 8u : 0;
	if (key == NULL || (bits >= s->minbits && bits <= s->maxbits))
		return 0;
	if (s->minbits == s->maxbits)
		fprintf(err, "%s:%u:%u: key for %s is %u bits; tunneld accepts %u bits\n", file,
		    a->line, a->col, a->alg->name, bits, s->minbits);
	else
		fprintf(err, "%s:%u:%u: key for %s is %u bits; tunneld accepts %u to %u bits\n",
		    file, a->line, a->col, a->alg->name, bits, s->minbits, s->maxbits);
	return 1;
}

unsigned
cmd_check_supported(const struct setkey_cmds *cmds, const struct pfk_msg *reg, FILE *err)
{
	const char *file = cmds->file != NULL ? cmds->file : "(input)";
	const struct setkey_cmd *c;
	unsigned nerr = 0;

	for (c = cmds->head; c != NULL; c = c->next) {
		if (c->op != SK_ADD && c->op != SK_UPDATE)
			continue;
		nerr += check_sup(file, &c->u.sa.enc, c->u.sa.enc_key, &reg->sup_enc, err);
		nerr += check_sup(file, &c->u.sa.auth, c->u.sa.auth_key, &reg->sup_auth, err);
	}
	return nerr;
}
