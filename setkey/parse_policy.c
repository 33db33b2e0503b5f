/*
 * parse_policy.c: the -P policy text (libipsec's ipsec_set_policy
 * language, specs/kame.md 2.8):
 *
 *   DIR [PRIO] ACTION { PROTO/MODE[/[SRC[port]-DST[port]][/[LEVEL]]] }
 *
 * It runs on the same lexer as the rest of the script, switched to the
 * policy character class (so "A-B" splits into A, '-', B), which keeps
 * file:line:col in every message.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "parse_int.h"

static const struct lex_kw dir_kw[] = {
	{ "fwd", IPSEC_DIR_FWD }, { "in", IPSEC_DIR_INBOUND }, { "out", IPSEC_DIR_OUTBOUND },
};

static const struct lex_kw action_kw[] = {
	{ "bypass", IPSEC_POLICY_BYPASS }, { "discard", IPSEC_POLICY_DISCARD },
	{ "entrust", IPSEC_POLICY_ENTRUST }, { "ipsec", IPSEC_POLICY_IPSEC },
	{ "none", IPSEC_POLICY_NONE },
};

static const struct lex_kw reqproto_kw[] = {
	{ "ah", IPPROTO_AH }, { "esp", IPPROTO_ESP }, { "ipcomp", IPPROTO_COMP },
};

static const struct lex_kw mode_kw[] = {
	{ "transport", IPSEC_MODE_TRANSPORT }, { "tunnel", IPSEC_MODE_TUNNEL },
};

static const struct lex_kw level_kw[] = {
	{ "default", IPSEC_LEVEL_DEFAULT }, { "require", IPSEC_LEVEL_REQUIRE },
	{ "unique", IPSEC_LEVEL_UNIQUE }, { "use", IPSEC_LEVEL_USE },
};

static const struct lex_kw base_kw[] = {
	{ "def", (int)(SK_PRIO_DEFAULT >> 16) }, { "high", (int)(SK_PRIO_HIGH >> 16) },
	{ "low", (int)(SK_PRIO_LOW >> 16) },
};

/* The current word looked up in tab; -1 if it is not a word or not there. */
static int
kw_now(const struct parser *p, const struct lex_kw *tab, size_t n)
{
	if (p->lx.tok.type != LEX_WORD)
		return -1;
	return lex_kw(tab, n, p->lx.tok.text);
}

/*
 * Linux priorities: smaller is preferred. "priority N" is N above the
 * default, "priority -N" below; "BASE + N" is N above BASE, "BASE - N" below.
 */
static bool
parse_priority(struct parser *p, struct pfk_policy *pol)
{
	uint64_t n = 0;
	uint32_t base;
	int b;

	lex_next(&p->lx);
	if (lex_is(&p->lx, '-')) {
		lex_next(&p->lx);
		if (!p_number(p, "priority offset", INT32_MAX, &n))
			return false;
		pol->priority = SK_PRIO_DEFAULT + (uint32_t)n;
	} else if (p->lx.tok.type == LEX_NUM) {
		if (!p_number(p, "priority", SK_PRIO_DEFAULT, &n))
			return false;
		pol->priority = SK_PRIO_DEFAULT - (uint32_t)n;
	} else if ((b = kw_now(p, base_kw, NELEM(base_kw))) != -1) {
		base = (uint32_t)b << 16;
		pol->priority = base;
		lex_next(&p->lx);
		if (lex_is(&p->lx, '+')) {
			lex_next(&p->lx);
			if (!p_number(p, "priority offset", SK_PRIO_HIGH, &n))
				return false;
			pol->priority = base - (uint32_t)n;
		} else if (lex_is(&p->lx, '-')) {
			lex_next(&p->lx);
			if (!p_number(p, "priority offset", SK_PRIO_HIGH - 1, &n))
				return false;
			pol->priority = base + (uint32_t)n;
		}
	} else {
		p_expected(p, "a priority (N, -N, or low, def or high with an optional +N or "
		    "-N)");
		return false;
	}
	return true;
}

/* One tunnel endpoint: address [port]. -4/-6 apply to the selectors only. */
static bool
parse_endpoint(struct parser *p, const char *what, struct gw_addr *a)
{
	sa_family_t fam = p->family;
	bool ok;

	p->family = AF_UNSPEC;
	ok = parse_address(p, what, a);
	p->family = fam;
	if (ok && lex_is(&p->lx, '['))
		ok = parse_port(p, a);
	return ok;
}

static bool
parse_endpoints(struct parser *p, struct pfk_ipsecreq *req)
{
	unsigned line = p->lx.tok.line, col = p->lx.tok.col;

	if (lex_is_word(&p->lx, "me") || lex_is_word(&p->lx, "any")) {
		p_error_tok(p, "me-any and any-me endpoints are not supported; give the "
		    "tunnel addresses");
		return false;
	}
	if (!parse_endpoint(p, "tunnel source address", &req->src) ||
	    !p_punct(p, '-', "'-' between the tunnel endpoints") ||
	    !parse_endpoint(p, "tunnel destination address", &req->dst))
		return false;
	req->has_endpoints = true;
	if (req->src.af != AF_UNSPEC && req->dst.af != AF_UNSPEC && req->src.af != req->dst.af)
		p_error(p, line, col, "tunnel endpoints are of different families");
	return true;
}

/* default, use, require, unique or unique:N (a manual reqid, as -u N). */
static bool
parse_level(struct parser *p, struct pfk_ipsecreq *req)
{
	const char *s = p->lx.tok.text;
	unsigned long v;
	char *end;
	int l;

	if ((l = kw_now(p, level_kw, NELEM(level_kw))) != -1)
		req->level = (uint8_t)l;
	else if (p->lx.tok.type == LEX_WORD && strncmp(s, "unique:", 7) == 0) {
		req->level = IPSEC_LEVEL_UNIQUE;
		v = 0;
		if (strspn(s + 7, "0123456789") == strlen(s + 7) && s[7] != '\0' &&
		    strlen(s + 7) <= 5)
			v = strtoul(s + 7, &end, 10);
		if (v < 1 || v > IPSEC_MANUAL_REQID_MAX)
			p_error_tok(p, "invalid reqid in '%s' (1 to %d)", s,
			    IPSEC_MANUAL_REQID_MAX);
		else
			req->reqid = (uint32_t)v;
	} else {
		p_expected(p, "a level (default, use, require, unique or unique:N)");
		return false;
	}
	lex_next(&p->lx);
	return true;
}

/* After "proto/mode/": optional endpoints, then optional "/" and level. */
static bool
parse_request_tail(struct parser *p, struct pfk_ipsecreq *req)
{
	if (kw_now(p, level_kw, NELEM(level_kw)) != -1 ||
	    (p->lx.tok.type == LEX_WORD && strncmp(p->lx.tok.text, "unique:", 7) == 0)) {
		p_error_tok(p, "expected tunnel endpoints or '/' before the level (as in "
		    "esp/transport//require)");
		return false;
	}
	/* A number cannot be an address, but it was meant as one. */
	if ((p->lx.tok.type == LEX_NUM || (p->lx.tok.type == LEX_WORD &&
	    kw_now(p, reqproto_kw, NELEM(reqproto_kw)) == -1)) && !parse_endpoints(p, req))
		return false;
	if (!lex_is(&p->lx, '/'))
		return true;
	lex_next(&p->lx);
	if (p->lx.tok.type == LEX_WORD && kw_now(p, reqproto_kw, NELEM(reqproto_kw)) == -1)
		return parse_level(p, req);
	return true;
}

static bool
parse_request(struct parser *p, struct pfk_ipsecreq *req)
{
	unsigned line = p->lx.tok.line, col = p->lx.tok.col;
	char name[16];
	int v;

	if ((v = kw_now(p, reqproto_kw, NELEM(reqproto_kw))) == -1) {
		p_expected(p, "an IPsec protocol (esp, ah or ipcomp)");
		return false;
	}
	req->proto = (uint16_t)v;
	snprintf(name, sizeof(name), "%s", p->lx.tok.text);
	lex_next(&p->lx);
	if (!lex_is(&p->lx, '/')) {
		p_error_tok(p, "too few arguments: %s needs a mode (%s/tunnel/... or "
		    "%s/transport)", name, name, name);
		return false;
	}
	lex_next(&p->lx);
	if ((v = kw_now(p, mode_kw, NELEM(mode_kw))) == -1) {
		p_expected(p, "a mode (transport or tunnel)");
		return false;
	}
	req->mode = (uint8_t)v;
	lex_next(&p->lx);
	if (lex_is(&p->lx, '/')) {
		lex_next(&p->lx);
		if (!parse_request_tail(p, req))
			return false;
	}
	if (req->mode == IPSEC_MODE_TUNNEL && !req->has_endpoints)
		p_error(p, line, col, "tunnel mode needs endpoints (%s/tunnel/SRC-DST/level)",
		    name);
	if (req->mode == IPSEC_MODE_TRANSPORT && req->has_endpoints)
		p_error(p, line, col, "transport mode takes no endpoints");
	return true;
}

/* ACTION { REQUEST }; the action word is current. */
static bool
parse_action(struct parser *p, struct setkey_spd *spd)
{
	struct pfk_policy *pol = &spd->pol;
	struct pfk_ipsecreq spare;
	unsigned line = p->lx.tok.line, col = p->lx.tok.col;
	int v;

	if ((v = kw_now(p, action_kw, NELEM(action_kw))) == -1) {
		p_expected(p, "an action (discard, none, ipsec, entrust or bypass)");
		return false;
	}
	pol->type = (uint16_t)v;
	spd->has_action = true;
	lex_next(&p->lx);
	while (p->lx.tok.type == LEX_WORD) {
		if (pol->type != IPSEC_POLICY_IPSEC) {
			p_error_tok(p, "requests are only allowed with ipsec");
			return false;
		}
		memset(&spare, 0, sizeof(spare));
		if (pol->nreq == PFK_MAX_REQ)
			p_error_tok(p, "too many requests (at most %d)", PFK_MAX_REQ);
		if (!parse_request(p, pol->nreq < PFK_MAX_REQ ? &pol->req[pol->nreq] : &spare))
			return false;
		if (pol->nreq < PFK_MAX_REQ)
			pol->nreq++;
	}
	if (pol->type == IPSEC_POLICY_IPSEC && pol->nreq == 0)
		p_error(p, line, col, "ipsec needs at least one request, such as "
		    "esp/tunnel/SRC-DST/require");
	return true;
}

static bool
parse_policy_body(struct parser *p, struct setkey_cmd *c)
{
	struct setkey_spd *spd = &c->u.spd;
	int v;

	if ((v = kw_now(p, dir_kw, NELEM(dir_kw))) == -1) {
		p_expected(p, "a direction (in, out or fwd)");
		return false;
	}
	spd->pol.dir = (uint8_t)v;
	spd->pol.priority = SK_PRIO_DEFAULT;
	lex_next(&p->lx);
	if ((lex_is_word(&p->lx, "priority") || lex_is_word(&p->lx, "prio")) &&
	    !parse_priority(p, &spd->pol))
		return false;
	/* spddelete matches on selectors and direction alone. */
	if (c->op == SK_SPDDELETE && lex_is(&p->lx, ';'))
		return true;
	return parse_action(p, spd);
}

bool
parse_policy(struct parser *p, struct setkey_cmd *c)
{
	bool ok;

	lex_set_class(&p->lx, &sk_class_policy);
	lex_next(&p->lx);	/* past "-P" */
	ok = parse_policy_body(p, c);
	lex_set_class(&p->lx, &sk_class_main);
	return ok;
}
