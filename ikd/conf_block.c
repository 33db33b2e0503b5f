/*
 * conf_block.c: the listen, timer, remote and proposal blocks of ikd.conf,
 * the built-in remote block, and the lookups of remote settings; see
 * conf.c for how statements are parsed and conf.h for the result.
 */
#include <stdlib.h>
#include <string.h>

#include "alg.h"
#include "conf.h"
#include "conf_int.h"
#include "dh.h"
#include "ike_wire.h"
#include "lex.h"

/* -------------------------------------------------------------- defaults */

/* hash_algorithm: the PRF and, for a non-AEAD cipher, the integrity id. */
static const struct {
	const char	*name;
	uint16_t	 prf;
	uint16_t	 integ;
} hash_names[] = {
	{ "sha1", IKE_PRF_HMAC_SHA1, IKE_INTEG_HMAC_SHA1_96 },
	{ "sha256", IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128 },
	{ "sha384", IKE_PRF_HMAC_SHA2_384, IKE_INTEG_HMAC_SHA2_384_192 },
	{ "sha512", IKE_PRF_HMAC_SHA2_512, IKE_INTEG_HMAC_SHA2_512_256 },
};

/* The default IKE proposals: modern first, then wider interoperability. */
static void
remote_default_props(struct conf_remote *r)
{
	static const struct { uint16_t encr, bits, prf, integ, ke; } def[] = {
		{ IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_256, 0, DH_CURVE25519 },
		{ IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128,
		  DH_ECP256 },
		{ IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128,
		  DH_MODP2048 },
	};
	struct ike_prop *pr;
	size_t i;

	r->nprops = NELEM(def);
	for (i = 0; i < NELEM(def); i++) {
		pr = &r->props[i];
		memset(pr, 0, sizeof(*pr));
		pr->num = (uint8_t)(i + 1);
		pr->proto = PROP_PROTO_IKE;
		conf_esp_prop_add(pr, PROP_T_ENCR, def[i].encr, def[i].bits);
		conf_esp_prop_add(pr, PROP_T_PRF, def[i].prf, 0);
		if (def[i].integ != 0)
			conf_esp_prop_add(pr, PROP_T_INTEG, def[i].integ, 0);
		conf_esp_prop_add(pr, PROP_T_KE, def[i].ke, 0);
	}
}

void
conf_block_remote_defaults(struct conf_remote *r)
{
	r->my_id.type = CONF_ID_ADDRESS;
	r->lifetime = CONF_DEF_IKE_LIFETIME;
	r->rekey.margin_pct = CONF_DEF_REKEY_MARGIN;
	r->rekey.fuzz_pct = CONF_DEF_REKEY_FUZZ;
	r->dpd_delay = CONF_DEF_DPD_DELAY;
	r->dpd_retry = CONF_DEF_DPD_RETRY;
	r->dpd_maxfail = CONF_DEF_DPD_MAXFAIL;
	r->natt = CONF_NATT_ON;
	remote_default_props(r);
}

/* --------------------------------------------------------- listen, timer */

/* isakmp ADDR [PORT]; and isakmp_natt ADDR [PORT]; */
static bool
st_listen_stmt(struct cparser *p, void *obj, struct cseen *seen, int kw)
{
	struct ikd_conf *c = obj;
	struct conf_listen l = { .natt = kw == K_ISAKMP_NATT };
	unsigned line = p->lx.tok.line, col = p->lx.tok.col;
	char buf[GW_ADDR_STRLEN];
	size_t i;

	(void)seen;
	conf_next(p);
	if (!conf_address(p, "listen address", &l.addr))
		return false;
	l.addr.port = l.natt ? CONF_PORT_NATT : CONF_PORT_IKE;
	if (lex_is(&p->lx, '[') && !conf_port(p, &l.addr, false))
		return false;
	for (i = 0; i < c->nlisten; i++)
		if (c->listen[i].natt == l.natt && addr_cmp(&c->listen[i].addr, &l.addr) == 0)
			break;
	if (l.addr.af == AF_UNSPEC)
		;	/* already reported */
	else if (i < c->nlisten)
		conf_err(p, line, col, "%s %s [%u] listed twice", l.natt ? "isakmp_natt" : "isakmp",
		    addr_ntop(&l.addr, buf, sizeof(buf)), l.addr.port);
	else if (c->nlisten >= CONF_LISTEN_MAX)
		conf_err(p, line, col, "more than %d listen addresses", CONF_LISTEN_MAX);
	else
		c->listen[c->nlisten++] = l;
	return conf_end(p, "the listen address");
}

static bool
st_timer_stmt(struct cparser *p, void *obj, struct cseen *seen, int kw)
{
	struct ikd_conf *c = obj;
	uint64_t v = c->retry_counter;

	if (!conf_once(p, seen, (unsigned)kw))
		return false;
	switch (kw) {
	case K_COUNTER:
		conf_next(p);
		if (!conf_number(p, "counter", 1, 20, &v))
			return false;
		c->retry_counter = (uint32_t)v;
		return conf_end(p, "counter");
	case K_INTERVAL:
		conf_next(p);
		return conf_time(p, "interval", false, 1, 60, &c->retry_interval) &&
		    conf_end(p, "interval");
	case K_NATT_KEEPALIVE:
		conf_next(p);
		return conf_time(p, "natt_keepalive", false, 0, 3600, &c->natt_keepalive) &&
		    conf_end(p, "natt_keepalive");
	}
	return false;
}

/* "listen {" or "timer {": the keyword is current. */
static bool
st_block(struct cparser *p, enum cblock b, conf_stmt_fn *fn, void *obj)
{
	struct cseen seen;
	unsigned line, col;

	memset(&seen, 0, sizeof(seen));
	conf_next(p);
	line = p->lx.tok.line;
	col = p->lx.tok.col;
	if (!conf_punct(p, '{', "'{'"))
		return false;
	conf_block_body(p, b, fn, obj, &seen, line, col);
	return true;
}

bool
conf_block_listen(struct cparser *p, struct ikd_conf *c)
{
	return st_block(p, B_LISTEN, st_listen_stmt, c);
}

bool
conf_block_timer(struct cparser *p, struct ikd_conf *c)
{
	return st_block(p, B_TIMER, st_timer_stmt, c);
}

/* ---------------------------------------------------------------- remote */

/* my_identifier / peers_identifier: address [ADDR] | fqdn "x" | user_fqdn "x" */
static bool
st_identifier(struct cparser *p, struct conf_id *id, const char *kw)
{
	static const char *const types[] = { "address", "fqdn", "user_fqdn", NULL };
	unsigned v, i, line, col;

	conf_next(p);
	if (p->lx.tok.type == LEX_WORD && (lex_is_word(&p->lx, "keyid") ||
	    lex_is_word(&p->lx, "asn1dn"))) {
		conf_err_tok(p, "%s %s is not supported; use address, fqdn or user_fqdn", kw,
		    p->lx.tok.text);
		return false;
	}
	if (!conf_choice(p, "address, fqdn or user_fqdn", types, &v))
		return false;
	memset(id, 0, sizeof(*id));
	id->type = (enum conf_id_type)(CONF_ID_ADDRESS + v);
	if (id->type == CONF_ID_ADDRESS) {
		if (!lex_is(&p->lx, ';') && !conf_address(p, "identifier address", &id->addr))
			return false;
		return conf_end(p, kw);
	}
	line = p->lx.tok.line;
	col = p->lx.tok.col;
	if (!conf_string(p, "identity", id->data, CONF_ID_MAX))
		return false;
	id->len = strlen(id->data);
	for (i = 0; i < id->len; i++)
		if ((unsigned char)id->data[i] < 0x21 || (unsigned char)id->data[i] > 0x7e)
			break;
	if (id->len > 0 && i < id->len)
		conf_err(p, line, col, "%s: the identity may hold only printable characters "
		    "without blanks", kw);
	else if (id->len > 0 && id->type == CONF_ID_USER_FQDN &&
	    (strchr(id->data, '@') == NULL || id->data[0] == '@' ||
	    id->data[id->len - 1] == '@'))
		conf_err(p, line, col, "%s: user_fqdn '%s' is not of the form user@domain", kw,
		    id->data);
	return conf_end(p, kw);
}

static bool
st_exchange_mode(struct cparser *p)
{
	bool ikev1 = false;

	conf_next(p);
	for (;;) {
		if (p->lx.tok.type != LEX_WORD) {
			conf_expected(p, "an exchange mode");
			return false;
		}
		if (lex_is_word(&p->lx, "main") || lex_is_word(&p->lx, "aggressive") ||
		    lex_is_word(&p->lx, "base")) {
			if (!ikev1)
				conf_err_tok(p, "IKEv1 exchange modes are not supported; "
				    "this daemon speaks IKEv2: use exchange_mode ikev2 or "
				    "delete the line");
			ikev1 = true;
		} else if (!lex_is_word(&p->lx, "ikev2"))
			conf_err_tok(p, "unknown exchange mode '%s' (ikev2)", p->lx.tok.text);
		conf_next(p);
		if (!lex_is(&p->lx, ','))
			break;
		conf_next(p);
	}
	return conf_end(p, "exchange_mode");
}

/* lifetime time TIME; (IKE SA) */
static bool
st_remote_lifetime(struct cparser *p, struct conf_remote *r)
{
	conf_next(p);
	if (lex_is_word(&p->lx, "byte")) {
		conf_err_tok(p, "an IKE SA has no byte lifetime; delete the line or write "
		    "lifetime time");
		return false;
	}
	if (!lex_is_word(&p->lx, "time")) {
		conf_expected(p, "'time'");
		return false;
	}
	conf_next(p);
	return conf_time(p, "lifetime", false, CONF_TIME_MIN, CONF_TIME_MAX, &r->lifetime) &&
	    conf_end(p, "the lifetime");
}

/* rekey_margin N % | TIME;  rekey_fuzz N %; */
static bool
st_rekey(struct cparser *p, struct conf_rekey *rk, bool fuzz)
{
	const char *kw = fuzz ? "rekey_fuzz" : "rekey_margin";
	const struct lex_tok *t = &p->lx.tok;
	unsigned line, col, min = fuzz ? 0 : 1;
	uint64_t v, mult;
	bool ovf;

	conf_next(p);
	if (t->type != LEX_NUM) {
		conf_expected(p, fuzz ? "a percentage" : "a percentage or a time");
		return false;
	}
	line = t->line;
	col = t->col;
	v = t->num;
	ovf = t->ovf;
	conf_next(p);
	if (lex_is(&p->lx, '%')) {
		conf_next(p);
		if (ovf || v < min || v > 50)
			conf_err(p, line, col, "%s out of range (%u to 50 %%)", kw, min);
		else if (fuzz)
			rk->fuzz_pct = (uint8_t)v;
		else {
			rk->margin_pct = (uint8_t)v;
			rk->margin_sec = 0;
		}
		return conf_end(p, kw);
	}
	if (!fuzz && (mult = conf_time_unit(p)) != 0) {
		conf_next(p);
		if (ovf || v == 0 || v > CONF_TIME_MAX / mult)
			conf_err(p, line, col, "%s out of range (1 to %d seconds)", kw,
			    CONF_TIME_MAX);
		else {
			rk->margin_sec = (uint32_t)(v * mult);
			rk->margin_pct = 0;
		}
		return conf_end(p, kw);
	}
	conf_expected(p, fuzz ? "'%'" : "'%' or a time unit (sec, min or hour)");
	return false;
}

/* One proposal block as parsed. */
struct cprop {
	struct cenc	enc;
	int		hash;		/* index in hash_names, -1: none */
	uint16_t	group;
};

static bool
st_hash(struct cparser *p, int *out)
{
	size_t i;

	conf_next(p);
	if (p->lx.tok.type != LEX_WORD) {
		conf_expected(p, "a hash algorithm");
		return false;
	}
	for (i = 0; i < NELEM(hash_names); i++)
		if (strcmp(p->lx.tok.text, hash_names[i].name) == 0)
			*out = (int)i;
	if (*out < 0)
		conf_err_tok(p, "hash algorithm '%s' is not supported; use sha256, sha384, sha512 "
		    "or sha1", p->lx.tok.text);
	conf_next(p);
	return conf_end(p, "hash_algorithm");
}

static bool
st_auth_method(struct cparser *p)
{
	conf_next(p);
	if (p->lx.tok.type != LEX_WORD) {
		conf_expected(p, "an authentication method");
		return false;
	}
	/* The only method ikd has: stating it is allowed, any other is not. */
	if (!lex_is_word(&p->lx, "pre_shared_key"))
		conf_err_tok(p, "authentication_method %s is not supported; ikd authenticates with "
		    "pre_shared_key only", p->lx.tok.text);
	conf_next(p);
	return conf_end(p, "authentication_method");
}

static bool
st_proposal_stmt(struct cparser *p, void *obj, struct cseen *seen, int kw)
{
	struct cprop *cp = obj;
	bool bad = false;

	if (!conf_once(p, seen, (unsigned)kw))
		return false;
	switch (kw) {
	case K_ENC_ALG:
		conf_next(p);
		if (!conf_esp_enc(p, &cp->enc, &bad))
			return false;
		if (lex_is(&p->lx, ',')) {
			conf_err_tok(p, "one encryption_algorithm per proposal; write another "
			    "proposal block for an alternative");
			return false;
		}
		return conf_end(p, "encryption_algorithm");
	case K_HASH_ALG:
		return st_hash(p, &cp->hash);
	case K_DH_GROUP:
		conf_next(p);
		return conf_esp_group(p, "dh_group", false, &cp->group) && conf_end(p, "dh_group");
	case K_AUTH_METHOD:
		return st_auth_method(p);
	}
	return false;
}

/* The IKE proposal of a complete proposal block. */
static void
prop_build(struct ike_prop *pr, uint8_t num, const struct cprop *cp)
{
	memset(pr, 0, sizeof(*pr));
	pr->num = num;
	pr->proto = PROP_PROTO_IKE;
	conf_esp_prop_add(pr, PROP_T_ENCR, cp->enc.a->ikev2_id, cp->enc.bits);
	conf_esp_prop_add(pr, PROP_T_PRF, hash_names[cp->hash].prf, 0);
	if (!cp->enc.a->aead)
		conf_esp_prop_add(pr, PROP_T_INTEG, hash_names[cp->hash].integ, 0);
	conf_esp_prop_add(pr, PROP_T_KE, cp->group, 0);
}

struct cremote {
	struct conf_remote	*r;
	size_t			 nblocks;	/* proposal blocks seen, even bad ones */
};

/* proposal { ... } in a remote block; the keyword is current. */
static bool
st_proposal(struct cparser *p, struct cremote *cr)
{
	static const struct { unsigned kw; const char *name; } need[] = {
		{ K_ENC_ALG, "encryption_algorithm" }, { K_HASH_ALG, "hash_algorithm" },
		{ K_DH_GROUP, "dh_group" },
	};
	struct cprop cp = { .hash = -1 };
	struct cseen seen;
	unsigned line = p->lx.tok.line, col = p->lx.tok.col, errs, bline, bcol;
	size_t i;

	memset(&seen, 0, sizeof(seen));
	conf_next(p);
	bline = p->lx.tok.line;
	bcol = p->lx.tok.col;
	if (!conf_punct(p, '{', "'{' after proposal"))
		return false;
	errs = p->diag.nerr;
	conf_block_body(p, B_PROPOSAL, st_proposal_stmt, &cp, &seen, bline, bcol);
	cr->nblocks++;
	if (p->diag.nerr != errs)
		return true;	/* a missing part would only repeat an error */
	for (i = 0; i < NELEM(need); i++)
		if (seen.line[need[i].kw] == 0)
			conf_err(p, line, col, "proposal without %s", need[i].name);
	if (p->diag.nerr != errs)
		return true;
	if (cr->r->nprops >= CONF_PROP_MAX)
		conf_err(p, line, col, "more than %d proposals in one remote block", CONF_PROP_MAX);
	else {
		prop_build(&cr->r->props[cr->r->nprops], (uint8_t)(cr->r->nprops + 1), &cp);
		cr->r->nprops++;
	}
	return true;
}

static const char *const natt_names[] = { "off", "on", "force", NULL };

static bool
st_remote_stmt(struct cparser *p, void *obj, struct cseen *seen, int kw)
{
	struct cremote *cr = obj;
	struct conf_remote *r = cr->r;
	const char *name = conf_kw_name(kw);
	uint64_t v = r->dpd_maxfail;
	unsigned u;

	if (kw != K_PROPOSAL && !conf_once(p, seen, (unsigned)kw))
		return false;
	switch (kw) {
	case K_EXCHANGE_MODE:
		return st_exchange_mode(p);
	case K_MY_ID:
		return st_identifier(p, &r->my_id, "my_identifier");
	case K_PEERS_ID:
		return st_identifier(p, &r->peer_id, "peers_identifier");
	case K_LIFETIME:
		return st_remote_lifetime(p, r);
	case K_PROPOSAL:
		return st_proposal(p, cr);
	case K_REKEY_MARGIN:
		return st_rekey(p, &r->rekey, false);
	case K_REKEY_FUZZ:
		return st_rekey(p, &r->rekey, true);
	}
	conf_next(p);
	switch (kw) {
	case K_PASSIVE:
		return conf_bool(p, &r->passive) && conf_end(p, name);
	case K_DPD_DELAY:
		return conf_time(p, "dpd_delay", true, 0, 3600, &r->dpd_delay) && conf_end(p, name);
	case K_DPD_RETRY:
		return conf_time(p, "dpd_retry", true, 1, 600, &r->dpd_retry) && conf_end(p, name);
	case K_DPD_MAXFAIL:
		if (!conf_number(p, "dpd_maxfail", 1, 100, &v))
			return false;
		r->dpd_maxfail = (uint32_t)v;
		return conf_end(p, name);
	case K_NAT_TRAVERSAL:
		if (!conf_choice(p, "on, off or force", natt_names, &u))
			return false;
		r->natt = (enum conf_natt)u;
		return conf_end(p, name);
	}
	return false;
}

/*
 * Whether rk leaves at least 10 % of a lifetime of lt seconds after the
 * margin and the largest random part.
 */
static bool
rekey_fits(const struct conf_rekey *rk, uint64_t lt)
{
	uint64_t used = rk->margin_sec != 0 ? (uint64_t)rk->margin_sec * 100 :
	    (uint64_t)rk->margin_pct * lt;

	return used + (uint64_t)rk->fuzz_pct * lt <= 90 * lt;
}

/* Checks of a whole remote block; the default proposals if it gave none. */
static void
remote_finish(struct cparser *p, struct cremote *cr, const struct cseen *seen,
    unsigned line, unsigned col)
{
	struct conf_remote *r = cr->r;
	unsigned slot = seen->line[K_REKEY_FUZZ] != 0 ? K_REKEY_FUZZ : K_REKEY_MARGIN;

	if (cr->nblocks == 0)
		remote_default_props(r);
	if (rekey_fits(&r->rekey, r->lifetime))
		return;
	if (seen->line[slot] != 0) {
		line = seen->line[slot];
		col = seen->col[slot];
	}
	conf_err(p, line, col, "rekey_margin and rekey_fuzz leave less than 10 %% of the "
	    "lifetime (%u seconds)", r->lifetime);
}

/* Adds r to c unless it repeats a peer. */
static void
remote_append(struct cparser *p, struct ikd_conf *c, const struct conf_remote *r)
{
	struct conf_remote *slot;
	char buf[GW_ADDR_STRLEN];
	size_t i;

	for (i = 0; i < c->nremote; i++) {
		const struct conf_remote *o = &c->remote[i];

		if (o->anonymous != r->anonymous || (!r->anonymous && !addr_eq(&o->addr, &r->addr)))
			continue;
		conf_err(p, r->line, r->col, "remote %s defined twice (first at line %u)",
		    r->anonymous ? "anonymous" : addr_ntop(&r->addr, buf, sizeof(buf)), o->line);
		return;
	}
	if (c->nremote >= CONF_REMOTE_MAX)
		conf_err(p, r->line, r->col, "more than %d remote blocks", CONF_REMOTE_MAX);
	else if ((slot = conf_grow((void **)&c->remote, &c->nremote, sizeof(*slot))) == NULL)
		conf_err(p, r->line, r->col, "out of memory");
	else
		*slot = *r;
}

/* The remote block header: anonymous or an address; *bad if unusable. */
static bool
st_remote_head(struct cparser *p, struct conf_remote *r, bool *bad)
{
	struct gw_addr port;

	if (p->lx.tok.type == LEX_STR) {
		conf_err_tok(p, "remote: %s", conf_refusal(R_NAMED));
		return false;
	}
	if (lex_is_word(&p->lx, "anonymous")) {
		r->anonymous = true;
		conf_next(p);
	} else if (!conf_address(p, "remote address", &r->addr))
		return false;
	*bad = !r->anonymous && r->addr.af == AF_UNSPEC;
	if (lex_is(&p->lx, '[')) {
		conf_err_tok(p, "remote: a port is not supported; ikd talks to peers on port 500, "
		    "then 4500 after NAT detection");
		*bad = true;
		if (!conf_port(p, &port, false))
			return false;
	}
	if (lex_is_word(&p->lx, "inherit")) {
		conf_err_tok(p, "remote: inherit is not supported; write the settings in each "
		    "remote block");
		return false;
	}
	return true;
}

/* remote ADDR|anonymous { ... }; the keyword is current. */
bool
conf_block_remote(struct cparser *p, struct ikd_conf *c)
{
	struct cremote cr = { 0 };
	struct cseen seen;
	unsigned bline, bcol;
	bool bad = false;

	memset(&seen, 0, sizeof(seen));
	if ((cr.r = calloc(1, sizeof(*cr.r))) == NULL) {
		conf_err_tok(p, "out of memory");
		return false;
	}
	cr.r->line = p->lx.tok.line;
	cr.r->col = p->lx.tok.col;
	conf_block_remote_defaults(cr.r);
	conf_next(p);
	if (!st_remote_head(p, cr.r, &bad)) {
		free(cr.r);
		return false;
	}
	bline = p->lx.tok.line;
	bcol = p->lx.tok.col;
	if (!conf_punct(p, '{', "'{' after the remote address")) {
		free(cr.r);
		return false;
	}
	cr.r->nprops = 0;
	conf_block_body(p, B_REMOTE, st_remote_stmt, &cr, &seen, bline, bcol);
	remote_finish(p, &cr, &seen, cr.r->line, cr.r->col);
	if (!bad)
		remote_append(p, c, cr.r);
	free(cr.r);
	return true;
}

/* Time margins must fit every Child SA lifetime as well as the IKE one. */
void
conf_block_check_margins(struct cparser *p, const struct ikd_conf *c)
{
	const struct conf_remote *r;
	const struct conf_sainfo *s;
	size_t i, j;

	for (i = 0; i < c->nremote; i++) {
		r = &c->remote[i];
		for (j = 0; r->rekey.margin_sec != 0 && j < c->nsainfo; j++) {
			s = &c->sainfo[j];
			if (rekey_fits(&r->rekey, s->lifetime))
				continue;
			if (s->line != 0)
				conf_err(p, s->line, s->col, "the lifetime of this sainfo (%u "
				    "seconds) is too short for rekey_margin %u seconds of the "
				    "remote at line %u", s->lifetime, r->rekey.margin_sec, r->line);
			else
				conf_err(p, r->line, r->col, "rekey_margin %u seconds is too long "
				    "for the built-in sainfo lifetime (%u seconds)",
				    r->rekey.margin_sec, s->lifetime);
		}
	}
}

/* ---------------------------------------------------------------- lookups */

const struct conf_remote *
conf_remote_find(const struct ikd_conf *c, const struct gw_addr *peer)
{
	const struct conf_remote *anon = NULL;
	size_t i;

	for (i = 0; i < c->nremote; i++) {
		if (c->remote[i].anonymous)
			anon = &c->remote[i];
		else if (addr_eq(&c->remote[i].addr, peer))
			return &c->remote[i];
	}
	return anon;
}

/* pct percent of v without overflow. */
static uint64_t
pct_of(uint64_t v, unsigned pct)
{
	return v / 100 * pct + v % 100 * pct / 100;
}

uint64_t
conf_soft_lifetime(const struct conf_rekey *r, uint64_t hard, bool is_time, uint32_t rnd)
{
	uint64_t margin, span, jitter;

	if (hard == 0)
		return 0;
	if (is_time && r->margin_sec != 0)
		margin = r->margin_sec;
	else
		margin = pct_of(hard, r->margin_sec != 0 ? CONF_DEF_REKEY_MARGIN : r->margin_pct);
	span = pct_of(hard, r->fuzz_pct);
	/* span * rnd / 2^32 in two halves, so that nothing overflows. */
	jitter = (span >> 32) * rnd + (((span & 0xffffffffu) * rnd) >> 32);
	if (margin >= hard || jitter >= hard - margin)
		return 1;
	return hard - margin - jitter;
}
