/*
 * parse_spd.c: spdadd, spdupdate and spddelete up to their -P policy:
 * address ranges with prefix and [port], the upper-layer protocol and its
 * optional argument (ICMP type/code, GRE key), specs/kame.md 2.8.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "parse_int.h"
#include "proto.h"

#define PROTO_ICMP	1
#define PROTO_TCP	6
#define PROTO_UDP	17
#define PROTO_DCCP	33
#define PROTO_GRE	47
#define PROTO_ICMP6	58
#define PROTO_SCTP	132
#define PROTO_MH	135
#define PROTO_UDPLITE	136

struct spd_ctx {
	struct parser		*p;
	struct setkey_spd	*spd;
	unsigned		 port_line, port_col;	/* first [port] written */
	unsigned		 dst_line, dst_col;
	unsigned		 arg_line, arg_col;	/* upper-layer argument */
};

/* addr[/plen][[port]] */
static bool
parse_range(struct spd_ctx *x, const char *what, struct gw_addr *a)
{
	struct parser *p = x->p;
	uint64_t plen;
	unsigned max;

	if (!parse_address(p, what, a))
		return false;
	if (lex_is(&p->lx, '/')) {
		lex_next(&p->lx);
		max = a->af != AF_UNSPEC ? addr_maxplen(a->af) : 128;
		plen = a->plen;
		if (!p_number(p, "prefix length", max, &plen))
			return false;
		a->plen = (uint8_t)plen;
	}
	if (!lex_is(&p->lx, '['))
		return true;
	if (x->port_col == 0) {
		x->port_line = p->lx.tok.line;
		x->port_col = p->lx.tok.col;
	}
	return parse_port(p, a);
}

static bool
parse_upper(struct spd_ctx *x)
{
	struct parser *p = x->p;
	const struct lex_tok *t = &p->lx.tok;
	uint64_t v = IPSEC_ULPROTO_ANY;
	int n;

	if (t->type == LEX_NUM) {
		if (!p_number(p, "upper-layer protocol", 255, &v))
			return false;
		x->spd->ulproto = (uint8_t)v;
		return true;
	}
	if (t->type != LEX_WORD || t->text[0] == '-') {
		p_expected(p, "an upper-layer protocol (any, a number or a name)");
		return false;
	}
	if (strcmp(t->text, "any") == 0)
		x->spd->ulproto = IPSEC_ULPROTO_ANY;
	else if ((n = proto_by_name(t->text)) < 0)
		p_error_tok(p, "unknown upper-layer protocol '%s'", t->text);
	else
		x->spd->ulproto = (uint8_t)n;
	lex_next(&p->lx);
	return true;
}

/* A decimal field of at most max; false if s is not one. */
static bool
dec_field(const char *s, size_t len, unsigned max, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (len == 0 || len > 10)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

/* "type[,code]" for ICMP, ICMPv6 and MH: type and code ride in the ports. */
static void
icmp_arg(struct spd_ctx *x, const char *s)
{
	const char *comma = strchr(s, ',');
	unsigned type, code = 0;

	if (comma == NULL ? !dec_field(s, strlen(s), 255, &type) :
	    !dec_field(s, (size_t)(comma - s), 255, &type) ||
	    !dec_field(comma + 1, strlen(comma + 1), 255, &code)) {
		p_error_tok(x->p, "invalid type[,code] '%s' (each 0 to 255)", s);
		return;
	}
	x->spd->src.port = (uint16_t)type;
	x->spd->dst.port = (uint16_t)code;
}

/* A GRE key: a.b.c.d or a 32-bit number; high half in the source port. */
static void
gre_arg(struct spd_ctx *x, const struct lex_tok *t)
{
	unsigned b[4];
	const char *s = t->text, *dot;
	uint32_t key = 0;
	size_t i;

	if (t->type == LEX_NUM) {
		if (t->ovf || t->num > UINT32_MAX) {
			p_error_tok(x->p, "GRE key %s too big (32 bits)", s);
			return;
		}
		key = (uint32_t)t->num;
	} else {
		for (i = 0; i < 4; i++) {
			dot = i < 3 ? strchr(s, '.') : s + strlen(s);
			if (dot == NULL || !dec_field(s, (size_t)(dot - s), 255, &b[i])) {
				p_error_tok(x->p, "invalid GRE key '%s' (a.b.c.d or a number)",
				    t->text);
				return;
			}
			key = key << 8 | b[i];
			s = dot + 1;
		}
	}
	x->spd->src.port = (uint16_t)(key >> 16);
	x->spd->dst.port = (uint16_t)(key & 0xffff);
}

static bool
takes_arg(uint8_t proto)
{
	return proto == PROTO_ICMP || proto == PROTO_ICMP6 || proto == PROTO_MH ||
	    proto == PROTO_GRE;
}

static void
parse_upper_arg(struct spd_ctx *x)
{
	struct parser *p = x->p;
	const struct lex_tok *t = &p->lx.tok;
	uint8_t u = x->spd->ulproto;
	const char *name;

	x->arg_line = t->line;
	x->arg_col = t->col;
	if (u == PROTO_GRE)
		gre_arg(x, t);
	else if (takes_arg(u))
		icmp_arg(x, t->text);
	else if (u == IPSEC_ULPROTO_ANY)
		p_error_tok(p, "upper-layer protocol any takes no argument");
	else if ((name = proto_name(u)) != NULL)
		p_error_tok(p, "upper-layer protocol %s takes no argument", name);
	else
		p_error_tok(p, "upper-layer protocol %u takes no argument", u);
	lex_next(&p->lx);
}

static bool
has_ports(uint8_t proto)
{
	return proto == PROTO_TCP || proto == PROTO_UDP || proto == PROTO_SCTP ||
	    proto == PROTO_DCCP || proto == PROTO_UDPLITE;
}

static void
check_spd(struct spd_ctx *x)
{
	struct setkey_spd *spd = x->spd;

	if (spd->src.af != AF_UNSPEC && spd->dst.af != AF_UNSPEC &&
	    spd->src.af != spd->dst.af && x->p->family == AF_UNSPEC)
		p_error(x->p, x->dst_line, x->dst_col, "source and destination ranges are of "
		    "different families");
	if (x->port_col == 0)
		return;
	if (x->arg_col != 0)
		p_error(x->p, x->arg_line, x->arg_col, "an ICMP type or GRE key cannot be "
		    "combined with [port]");
	else if ((spd->src.port != 0 || spd->dst.port != 0) && !has_ports(spd->ulproto))
		p_error(x->p, x->port_line, x->port_col, "ports need tcp, udp, sctp, dccp or "
		    "udplite as the upper-layer protocol");
}

bool
parse_spd_cmd(struct parser *p, struct setkey_cmd *c)
{
	struct spd_ctx x = { .p = p, .spd = &c->u.spd };

	parse_aiflags(p);
	if (lex_is_word(&p->lx, "tagged")) {
		p_error_tok(p, "tagged policies (a BSD packet filter feature) are not "
		    "supported");
		return false;
	}
	if (!parse_range(&x, "source range", &x.spd->src))
		return false;
	x.dst_line = p->lx.tok.line;
	x.dst_col = p->lx.tok.col;
	if (!parse_range(&x, "destination range", &x.spd->dst) || !parse_upper(&x))
		return false;
	if (p->lx.tok.type == LEX_NUM || (p->lx.tok.type == LEX_WORD &&
	    p->lx.tok.text[0] != '-' && takes_arg(x.spd->ulproto)))
		parse_upper_arg(&x);
	if (lex_is_word(&p->lx, "-ctx")) {
		p_error_tok(p, "security contexts (-ctx) are not supported");
		return false;
	}
	if (!lex_is_word(&p->lx, "-P")) {
		p_expected(p, "-P and a policy");
		return false;
	}
	if (!parse_policy(p, c))
		return false;
	check_spd(&x);
	return true;
}
