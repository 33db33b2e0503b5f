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

static void
describe_spd(const struct setkey_cmd *c, char *buf, size_t len)
{
	const struct setkey_spd *spd = &c->u.spd;
	char s[GW_ADDR_STRLEN], d[GW_ADDR_STRLEN], up[8];
	const char *upn;

	if (spd->ulproto == IPSEC_ULPROTO_ANY)
		upn = "any";
	else if ((upn = proto_name(spd->ulproto)) == NULL) {
		snprintf(up, sizeof(up), "%u", spd->ulproto);
		upn = up;
	}
	snprintf(buf, len, "%s %s %s %s -P %s", setkey_op_name(c->op),
	    addr_text(&spd->src, true, s, sizeof(s)), addr_text(&spd->dst, true, d, sizeof(d)),
	    upn, spd->pol.dir < 4 ? dir_names[spd->pol.dir] : "?");
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

unsigned
cmd_check(const struct setkey_cmds *cmds, FILE *err)
{
	const struct setkey_cmd *c;
	struct pfk_msg *m;
	uint8_t *buf;
	struct wr w;
	unsigned nerr = 0;
	int rc;

	if ((buf = malloc(PFK_MSG_MAX)) == NULL || (m = malloc(sizeof(*m))) == NULL)
		fatal("cmd_check");
	for (c = cmds->head; c != NULL; c = c->next) {
		if (!cmd_build(c, m))
			continue;
		w = wr_init(buf, PFK_MSG_MAX);
		rc = pfk_encode(m, &w);
		secure_wipe(buf, w.off);
		if (rc == 0)
			continue;
		nerr++;
		if (err != NULL)
			fprintf(err, "%s:%u:%u: cannot encode the %s message: %s\n",
			    cmds->file != NULL ? cmds->file : "(input)", c->line, c->col,
			    pfk_type_name(m->type), gw_strerror(rc));
	}
	secure_free(m, sizeof(*m));
	free(buf);
	return nerr;
}
