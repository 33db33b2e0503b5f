/*
 * conf_esp.c: the sainfo blocks of ikd.conf and the algorithm lists they
 * and the proposal blocks name, the built-in sainfo, and the lookup of
 * sainfo settings; see conf.c for how statements are parsed.
 */
#include <linux/ipsec.h>

#include <string.h>

#include "alg.h"
#include "conf.h"
#include "conf_int.h"
#include "dh.h"
#include "lex.h"
#include "proto.h"

/* ------------------------------------------------------------ algorithms */

/* ikd.conf spellings of ciphers, as alg.h names them (IKE and ESP alike). */
static const struct {
	const char	*name;
	const char	*alg;
} enc_names[] = {
	{ "aes", "aes-cbc" },
	{ "aes_gcm_16", "aes-gcm-16" },
	{ "chacha20_poly1305", "chacha20-poly1305" },
	{ "rijndael", "aes-cbc" },
};

static const struct {
	const char	*name;
	const char	*alg;
} auth_names[] = {
	{ "hmac_sha1", "hmac-sha1" },
	{ "hmac_sha256", "hmac-sha256" },
	{ "hmac_sha2_256", "hmac-sha256" },
	{ "hmac_sha2_384", "hmac-sha384" },
	{ "hmac_sha2_512", "hmac-sha512" },
	{ "hmac_sha384", "hmac-sha384" },
	{ "hmac_sha512", "hmac-sha512" },
};

static const uint16_t dh_groups[] = {
	DH_MODP2048, DH_MODP3072, DH_MODP4096, DH_ECP256, DH_ECP384, DH_CURVE25519,
};

/*
 * NAME [BITS]: a cipher the data path runs with an IKEv2 id. AES takes
 * 128, 192 or 256 bits (128 when left out, as in racoon); fixed-key
 * ciphers take none. Returns false on a syntax error; *bad on a bad value.
 */
bool
conf_esp_enc(struct cparser *p, struct cenc *out, bool *bad)
{
	const struct lex_tok *t = &p->lx.tok;
	unsigned line = t->line, col = t->col;
	const struct alg *a = NULL;
	uint64_t bits = 0;
	size_t i;

	if (t->type != LEX_WORD) {
		conf_expected(p, "an encryption algorithm");
		return false;
	}
	for (i = 0; i < NELEM(enc_names) && a == NULL; i++)
		if (strcmp(t->text, enc_names[i].name) == 0)
			a = alg_by_name(ALG_ENC, enc_names[i].alg);
	if (a == NULL || !a->datapath || a->ikev2_id == 0) {
		conf_err_tok(p, "encryption algorithm '%s' is not supported; use aes_gcm_16, "
		    "chacha20_poly1305 or aes (128, 192 or 256 bits)", t->text);
		*bad = true;
	}
	conf_next(p);
	if (p->lx.tok.type == LEX_NUM && !conf_number(p, "the key length", 0, 65535, &bits))
		return false;
	if (*bad)
		return true;
	if (a->key_min == a->key_max) {
		if (bits != 0)
			conf_err(p, line, col, "%s takes no key length", a->name);
		*bad = bits != 0;
	} else {
		if (bits == 0)
			bits = 128;
		if ((bits != 128 && bits != 192 && bits != 256) ||
		    !alg_key_ok(a, bits + a->salt * 8u)) {
			conf_err(p, line, col, "%s takes 128, 192 or 256 bits, not %llu", a->name,
			    (unsigned long long)bits);
			*bad = true;
		}
	}
	out->a = a;
	out->bits = (uint16_t)bits;
	return true;
}

/* A DH group by IANA number or name; "none" (0) when allow_none. */
bool
conf_esp_group(struct cparser *p, const char *what, bool allow_none, uint16_t *out)
{
	const struct lex_tok *t = &p->lx.tok;
	size_t i;

	if (t->type != LEX_WORD && t->type != LEX_NUM) {
		conf_expected(p, what);
		return false;
	}
	if (allow_none && lex_is_word(&p->lx, "none")) {
		*out = 0;
		conf_next(p);
		return true;
	}
	for (i = 0; i < NELEM(dh_groups); i++)
		if ((t->type == LEX_NUM && !t->ovf && t->num == dh_groups[i]) ||
		    (t->type == LEX_WORD && strcmp(t->text, dh_group_name(dh_groups[i])) == 0)) {
			*out = dh_groups[i];
			conf_next(p);
			return true;
		}
	conf_err_tok(p, "%s '%s' is not supported; use curve25519 (31), ecp256 (19), ecp384 (20), "
	    "modp2048 (14), modp3072 (15) or modp4096 (16)%s", what, t->text,
	    allow_none ? " or none" : "");
	conf_next(p);
	return true;
}

void
conf_esp_prop_add(struct ike_prop *pr, uint8_t type, uint16_t id, uint16_t keylen)
{
	if (pr->ntrans < PROP_XF_MAX)
		pr->xf[pr->ntrans++] = (struct ike_xform){ .type = type, .id = id,
		    .keylen = keylen };
}

/* -------------------------------------------------------------- defaults */

/* The sainfo lists as parsed; esp_build turns them into proposals. */
struct esp_lists {
	size_t		 nenc;
	struct cenc	 enc[CONF_ALG_MAX];
	size_t		 nauth;
	const struct alg *auth[CONF_ALG_MAX];
	bool		 non_auth;
};

static void
esp_default_lists(struct esp_lists *l)
{
	memset(l, 0, sizeof(*l));
	l->enc[l->nenc++] = (struct cenc){ alg_by_name(ALG_ENC, "aes-gcm-16"), 256 };
	l->enc[l->nenc++] = (struct cenc){ alg_by_name(ALG_ENC, "chacha20-poly1305"), 0 };
	l->enc[l->nenc++] = (struct cenc){ alg_by_name(ALG_ENC, "aes-cbc"), 256 };
	l->auth[l->nauth++] = alg_by_name(ALG_AUTH, "hmac-sha256");
}

/*
 * ESP proposals from the lists: the AEAD ciphers in one proposal, the
 * others with every integrity algorithm in another (RFC 7296 3.3: a
 * proposal cannot mix the two kinds), the kind listed first first.
 */
static void
esp_build(struct conf_sainfo *s, const struct esp_lists *l)
{
	bool aead_first = l->nenc > 0 && l->enc[0].a->aead;
	struct ike_prop *pr;
	size_t k, i;
	int pass;

	s->nprops = 0;
	for (pass = 0; pass < 2; pass++) {
		bool aead = (pass == 0) == aead_first;

		pr = &s->props[s->nprops];
		memset(pr, 0, sizeof(*pr));
		for (i = 0; i < l->nenc; i++)
			if (l->enc[i].a->aead == aead)
				conf_esp_prop_add(pr, PROP_T_ENCR, l->enc[i].a->ikev2_id,
				    l->enc[i].bits);
		if (pr->ntrans == 0)
			continue;
		for (k = 0; !aead && k < l->nauth; k++)
			conf_esp_prop_add(pr, PROP_T_INTEG, l->auth[k]->ikev2_id, 0);
		if (s->pfs_group != 0)
			conf_esp_prop_add(pr, PROP_T_KE, s->pfs_group, 0);
		if (s->esn)
			conf_esp_prop_add(pr, PROP_T_ESN, PROP_ESN_YES, 0);
		conf_esp_prop_add(pr, PROP_T_ESN, PROP_ESN_NO, 0);
		pr->num = (uint8_t)(s->nprops + 1);
		pr->proto = PROP_PROTO_ESP;
		pr->spisize = 4;
		s->nprops++;
	}
}

void
conf_esp_sainfo_defaults(struct conf_sainfo *s)
{
	struct esp_lists l;

	s->local.anonymous = true;
	s->local.proto = IPSEC_ULPROTO_ANY;
	s->remote.anonymous = true;
	s->remote.proto = IPSEC_ULPROTO_ANY;
	s->lifetime = CONF_DEF_CHILD_LIFETIME;
	esp_default_lists(&l);
	esp_build(s, &l);
}

/* ---------------------------------------------------------------- sainfo */

struct csainfo {
	struct conf_sainfo	*s;
	struct esp_lists	 l;
};

/* ADDR[/PLEN] [[PORT]] PROTO after "address" or "subnet". */
static bool
st_sel_prefix(struct cparser *p, struct conf_sel *sel)
{
	struct gw_addr m;
	char b1[GW_ADDR_STRLEN], b2[GW_ADDR_STRLEN];
	unsigned line = p->lx.tok.line, col = p->lx.tok.col, max;
	uint64_t v;
	int proto;

	if (!conf_address(p, "sainfo address", &sel->net))
		return false;
	max = addr_maxplen(sel->net.af);
	if (lex_is(&p->lx, '/')) {
		conf_next(p);
		v = sel->net.plen;
		if (!conf_number(p, "the prefix length", 0, max != 0 ? max : 128, &v))
			return false;
		sel->net.plen = (uint8_t)v;
	}
	m = sel->net;
	addr_mask(&m);
	if (sel->net.af != AF_UNSPEC && !addr_eq(&m, &sel->net))
		conf_err(p, line, col, "%s/%u has host bits set; write %s/%u",
		    addr_ntop(&sel->net, b1, sizeof(b1)), sel->net.plen,
		    addr_ntop(&m, b2, sizeof(b2)), m.plen);
	if (lex_is(&p->lx, '[') && !conf_port(p, &sel->net, true))
		return false;
	if (lex_is_word(&p->lx, "any")) {
		sel->proto = IPSEC_ULPROTO_ANY;
		conf_next(p);
		return true;
	}
	if (p->lx.tok.type == LEX_NUM) {
		v = IPSEC_ULPROTO_ANY;
		if (!conf_number(p, "the protocol", 0, 255, &v))
			return false;
		sel->proto = (uint8_t)v;
		return true;
	}
	if (p->lx.tok.type != LEX_WORD) {
		conf_expected(p, "a protocol (any, tcp, udp, icmp, ...)");
		return false;
	}
	if ((proto = proto_by_name(p->lx.tok.text)) < 0)
		conf_err_tok(p, "unknown protocol '%s'", p->lx.tok.text);
	else
		sel->proto = (uint8_t)proto;
	conf_next(p);
	return true;
}

/* One side of a sainfo: anonymous, or address|subnet PREFIX [PORT] PROTO. */
static bool
st_sel(struct cparser *p, struct conf_sel *sel)
{
	memset(sel, 0, sizeof(*sel));
	sel->proto = IPSEC_ULPROTO_ANY;
	if (lex_is_word(&p->lx, "anonymous")) {
		sel->anonymous = true;
		conf_next(p);
		return true;
	}
	if (lex_is_word(&p->lx, "address") || lex_is_word(&p->lx, "subnet")) {
		conf_next(p);
		return st_sel_prefix(p, sel);
	}
	if (p->lx.tok.type == LEX_WORD)
		conf_err_tok(p, "sainfo identity '%s' is not supported; use anonymous, or address "
		    "PREFIX PROTOCOL", p->lx.tok.text);
	else
		conf_expected(p, "anonymous or address");
	return false;
}

/* encryption_algorithm NAME [BITS], ...; */
static bool
st_esp_enc(struct cparser *p, struct esp_lists *l)
{
	unsigned line, col;
	struct cenc e;
	size_t i;
	bool bad;

	conf_next(p);
	for (;;) {
		line = p->lx.tok.line;
		col = p->lx.tok.col;
		bad = false;
		if (!conf_esp_enc(p, &e, &bad))
			return false;
		for (i = 0; !bad && i < l->nenc; i++)
			if (l->enc[i].a == e.a && l->enc[i].bits == e.bits) {
				conf_err(p, line, col, "%s listed twice", e.a->name);
				bad = true;
			}
		if (!bad && l->nenc >= CONF_ALG_MAX)
			conf_err(p, line, col, "more than %d encryption algorithms", CONF_ALG_MAX);
		else if (!bad)
			l->enc[l->nenc++] = e;
		if (!lex_is(&p->lx, ','))
			return conf_end(p, "encryption_algorithm");
		conf_next(p);
	}
}

/* One name of authentication_algorithm into l. */
static void
st_esp_auth1(struct cparser *p, struct esp_lists *l)
{
	const struct lex_tok *t = &p->lx.tok;
	const struct alg *a = NULL;
	size_t i;

	if (lex_is_word(&p->lx, "non_auth")) {
		if (l->non_auth)
			conf_err_tok(p, "non_auth listed twice");
		l->non_auth = true;
		return;
	}
	for (i = 0; i < NELEM(auth_names) && a == NULL; i++)
		if (strcmp(t->text, auth_names[i].name) == 0)
			a = alg_by_name(ALG_AUTH, auth_names[i].alg);
	if (a == NULL || !a->datapath || a->ikev2_id == 0) {
		conf_err_tok(p, "authentication algorithm '%s' is not supported; use hmac_sha256, "
		    "hmac_sha384, hmac_sha512, hmac_sha1, or non_auth with AEAD ciphers", t->text);
		return;
	}
	for (i = 0; i < l->nauth; i++)
		if (l->auth[i] == a) {
			conf_err_tok(p, "%s listed twice", a->name);
			return;
		}
	if (l->nauth >= CONF_ALG_MAX)
		conf_err_tok(p, "more than %d authentication algorithms", CONF_ALG_MAX);
	else
		l->auth[l->nauth++] = a;
}

static bool
st_esp_auth(struct cparser *p, struct esp_lists *l)
{
	conf_next(p);
	for (;;) {
		if (p->lx.tok.type != LEX_WORD) {
			conf_expected(p, "an authentication algorithm");
			return false;
		}
		st_esp_auth1(p, l);
		conf_next(p);
		if (!lex_is(&p->lx, ','))
			return conf_end(p, "authentication_algorithm");
		conf_next(p);
	}
}

/* lifetime time TIME; | lifetime byte BYTES; */
static bool
st_sainfo_lifetime(struct cparser *p, struct conf_sainfo *s, struct cseen *seen)
{
	unsigned line = p->lx.tok.line, col = p->lx.tok.col;
	uint64_t v = s->lifetime_bytes;

	conf_next(p);
	if (lex_is_word(&p->lx, "time")) {
		if (!conf_once_at(p, seen, K_LIFETIME, "lifetime time", line, col))
			return false;
		conf_next(p);
		return conf_time(p, "lifetime", false, CONF_TIME_MIN, CONF_TIME_MAX,
		    &s->lifetime) && conf_end(p, "the lifetime");
	}
	if (lex_is_word(&p->lx, "byte")) {
		if (!conf_once_at(p, seen, K_LIFETIME_BYTE, "lifetime byte", line, col))
			return false;
		conf_next(p);
		if (!conf_quantity(p, "lifetime byte", true, false, CONF_BYTES_MIN, UINT64_MAX, &v))
			return false;
		s->lifetime_bytes = v;
		return conf_end(p, "the lifetime");
	}
	conf_expected(p, "'time' or 'byte'");
	return false;
}

static bool
st_sainfo_stmt(struct cparser *p, void *obj, struct cseen *seen, int kw)
{
	struct csainfo *cs = obj;

	if (kw == K_LIFETIME)
		return st_sainfo_lifetime(p, cs->s, seen);
	if (!conf_once(p, seen, (unsigned)kw))
		return false;
	switch (kw) {
	case K_PFS_GROUP:
		conf_next(p);
		return conf_esp_group(p, "pfs_group", true, &cs->s->pfs_group) &&
		    conf_end(p, "pfs_group");
	case K_ENC_ALG:
		return st_esp_enc(p, &cs->l);
	case K_AUTH_ALG:
		return st_esp_auth(p, &cs->l);
	case K_ESN:
		conf_next(p);
		return conf_bool(p, &cs->s->esn) && conf_end(p, "esn");
	}
	return false;
}

/*
 * The ESP proposals of a sainfo block, its lists completed with the
 * defaults: every non-AEAD cipher needs an integrity algorithm, and
 * integrity algorithms with only AEAD ciphers would go unused.
 */
static void
sainfo_finish(struct cparser *p, struct csainfo *cs, const struct cseen *seen)
{
	struct esp_lists def, *l = &cs->l;
	unsigned aline = seen->line[K_AUTH_ALG], acol = seen->col[K_AUTH_ALG];
	size_t i, naead = 0;
	const struct alg *plain = NULL;

	esp_default_lists(&def);
	if (seen->line[K_ENC_ALG] == 0) {
		l->nenc = def.nenc;
		memcpy(l->enc, def.enc, sizeof(l->enc));
	}
	if (aline == 0) {
		l->nauth = def.nauth;
		memcpy(l->auth, def.auth, sizeof(l->auth));
	}
	for (i = 0; i < l->nenc; i++) {
		if (l->enc[i].a->aead)
			naead++;
		else if (plain == NULL)
			plain = l->enc[i].a;
	}
	if (aline != 0 && plain == NULL && l->nauth > 0)
		conf_err(p, aline, acol, "every encryption_algorithm here is AEAD: the "
		    "authentication algorithms would not be used; write non_auth or delete "
		    "the line");
	else if (plain != NULL && l->nauth == 0)
		conf_err(p, aline, acol, "%s needs an authentication algorithm other than non_auth",
		    plain->name);
	else if (l->non_auth && naead == 0)
		conf_err(p, aline, acol, "non_auth is for AEAD ciphers (aes_gcm_16, "
		    "chacha20_poly1305) and none is listed");
	else
		esp_build(cs->s, l);
}

static bool
sel_same(const struct conf_sel *a, const struct conf_sel *b)
{
	if (a->anonymous || b->anonymous)
		return a->anonymous == b->anonymous;
	return a->proto == b->proto && addr_cmp(&a->net, &b->net) == 0;
}

static void
sainfo_append(struct cparser *p, struct ikd_conf *c, const struct conf_sainfo *s)
{
	struct conf_sainfo *slot;
	size_t i;

	for (i = 0; i < c->nsainfo; i++)
		if (sel_same(&c->sainfo[i].local, &s->local) &&
		    sel_same(&c->sainfo[i].remote, &s->remote)) {
			conf_err(p, s->line, s->col, "sainfo for these identities defined twice "
			    "(first at line %u)", c->sainfo[i].line);
			return;
		}
	if (c->nsainfo >= CONF_SAINFO_MAX)
		conf_err(p, s->line, s->col, "more than %d sainfo blocks", CONF_SAINFO_MAX);
	else if ((slot = conf_grow((void **)&c->sainfo, &c->nsainfo, sizeof(*slot))) == NULL)
		conf_err(p, s->line, s->col, "out of memory");
	else
		*slot = *s;
}

/* The two identities of a sainfo header. */
static bool
st_sainfo_head(struct cparser *p, struct conf_sainfo *s, bool *bad)
{
	unsigned errs = p->diag.nerr;

	if (!st_sel(p, &s->local))
		return false;
	if (s->local.anonymous && lex_is(&p->lx, '{'))
		s->remote = s->local;
	else if (!st_sel(p, &s->remote))
		return false;
	if (lex_is_word(&p->lx, "from") || lex_is_word(&p->lx, "group")) {
		conf_err_tok(p, "sainfo ... %s is not supported; identities are addresses",
		    p->lx.tok.text);
		return false;
	}
	*bad = p->diag.nerr != errs;
	if (!*bad && !s->local.anonymous && !s->remote.anonymous &&
	    s->local.net.af != s->remote.net.af) {
		conf_err(p, s->line, s->col, "sainfo identities of two address families");
		*bad = true;
	}
	return true;
}

/* sainfo ID ID { ... }; the keyword is current. */
bool
conf_esp_sainfo(struct cparser *p, struct ikd_conf *c)
{
	struct conf_sainfo s;
	struct csainfo cs = { .s = &s };
	struct cseen seen;
	unsigned bline, bcol, errs;
	bool bad = false;

	memset(&s, 0, sizeof(s));
	memset(&seen, 0, sizeof(seen));
	s.line = p->lx.tok.line;
	s.col = p->lx.tok.col;
	s.lifetime = CONF_DEF_CHILD_LIFETIME;
	conf_next(p);
	if (!st_sainfo_head(p, &s, &bad))
		return false;
	bline = p->lx.tok.line;
	bcol = p->lx.tok.col;
	if (!conf_punct(p, '{', "'{' after the sainfo identities"))
		return false;
	errs = p->diag.nerr;
	conf_block_body(p, B_SAINFO, st_sainfo_stmt, &cs, &seen, bline, bcol);
	if (p->diag.nerr == errs)
		sainfo_finish(p, &cs, &seen);
	if (!bad)
		sainfo_append(p, c, &s);
	return true;
}

/* ---------------------------------------------------------------- lookups */

/* 2 for an exact identity, 1 for anonymous, 0 for no match. */
static int
sel_score(const struct conf_sel *sel, const struct gw_addr *a, uint8_t proto)
{
	if (sel->anonymous)
		return 1;
	return sel->proto == proto && sel->net.af == a->af && sel->net.plen == a->plen &&
	    sel->net.port == a->port && addr_eq(&sel->net, a) ? 2 : 0;
}

const struct conf_sainfo *
conf_sainfo_find(const struct ikd_conf *c, const struct gw_addr *local,
    const struct gw_addr *remote, uint8_t proto)
{
	const struct conf_sainfo *best = NULL;
	int score, lbest = -1, sl, sr;
	size_t i;

	for (i = 0; i < c->nsainfo; i++) {
		sl = sel_score(&c->sainfo[i].local, local, proto);
		sr = sel_score(&c->sainfo[i].remote, remote, proto);
		if (sl == 0 || sr == 0)
			continue;
		/* both exact (6) > local exact (5) > remote exact (4) > anonymous (3) */
		score = sl == 2 && sr == 2 ? 6 : sl == 2 ? 5 : sr == 2 ? 4 : 3;
		if (score > lbest) {
			lbest = score;
			best = &c->sainfo[i];
		}
	}
	return best;
}
