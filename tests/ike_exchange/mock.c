/* mock.c: network, clock, RNG and data path for test_ike_exchange; see mock.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "dh.h"
#include "mock.h"

static void
mock_abort(const char *what)
{
	fprintf(stderr, "mock: %s\n", what);
	abort();
}

static void
mock_nat_out(const struct mock_net *net, struct gw_addr *src)
{
	src->port = src->port == IKE_NATT_PORT ? MOCK_NAT_PORT + 1 : MOCK_NAT_PORT;
	memcpy(src->u.b, net->nat_pub.u.b, sizeof(src->u.b));
}

static void
mock_nat_in(const struct mock_net *net, struct gw_addr *dst)
{
	const struct gw_addr *inside = &net->node[0]->cfg.local;

	dst->port = dst->port == MOCK_NAT_PORT + 1 ? IKE_NATT_PORT : IKE_PORT;
	memcpy(dst->u.b, inside->u.b, sizeof(dst->u.b));
}

static int
mock_send(void *ctx, const uint8_t *p, size_t len, const struct gw_addr *local,
    const struct gw_addr *remote)
{
	struct mock_node *nd = ctx;
	struct mock_net *net = nd->net;
	struct mock_dgram *d;

	net->sent++;
	if (net->blackhole[nd->id])
		return 0;
	if (net->n == MOCK_QUEUE || len > MOCK_DGRAM_MAX)
		mock_abort("queue full");
	d = &net->q[net->n++];
	d->from = nd->id;
	d->src = *local;
	d->dst = *remote;
	d->marker = local->port == IKE_NATT_PORT;
	d->len = len;
	memcpy(d->p, p, len);
	if (net->nat && nd->id == 0)
		mock_nat_out(net, &d->src);
	if (net->nat && nd->id == 1)
		mock_nat_in(net, &d->dst);
	return 0;
}

static uint64_t
mock_now(void *ctx)
{
	return ((struct mock_node *)ctx)->net->now;
}

/* SHA-256(seed | node | counter) blocks, after any scripted bytes. */
static void
mock_random(void *ctx, uint8_t *p, size_t len)
{
	struct mock_node *nd = ctx;
	uint8_t in[10], out[crypto_hash_sha256_BYTES];
	size_t n;

	while (len > 0 && nd->script_off < nd->script_len) {
		*p++ = nd->script[nd->script_off++];
		len--;
	}
	while (len > 0) {
		in[0] = nd->seed;
		in[1] = (uint8_t)nd->id;
		for (n = 0; n < 8; n++)
			in[2 + n] = (uint8_t)(nd->rng_ctr >> (8 * n));
		nd->rng_ctr++;
		crypto_hash_sha256(out, in, sizeof(in));
		n = len < sizeof(out) ? len : sizeof(out);
		memcpy(p, out, n);
		p += n;
		len -= n;
	}
}

/* A key pair from the node's RNG (or its fixed private value). */
static struct dh *
mock_dh_new(void *ctx, uint16_t group)
{
	struct mock_node *nd = ctx;
	uint8_t priv[64];
	size_t len = group == DH_ECP384 ? 48 : 32;
	struct dh *dh = NULL;
	int i;

	if (nd->dh_priv_len > 0 && nd->dh_priv_group == group)
		return dh_new_fixed(group, nd->dh_priv, nd->dh_priv_len);
	/* An ECP scalar above the order is refused: draw again. */
	for (i = 0; i < 8 && dh == NULL; i++) {
		mock_random(nd, priv, len);
		dh = dh_new_fixed(group, priv, len);
	}
	return dh;
}

void
mock_script(struct mock_node *nd, const uint8_t *p, size_t len)
{
	if (len > sizeof(nd->script))
		mock_abort("script too long");
	memcpy(nd->script, p, len);
	nd->script_len = len;
	nd->script_off = 0;
}

int
mock_psk(void *ctx, const struct ike_idv *id, const struct gw_addr *addr, struct view *key)
{
	struct mock_node *nd = ctx;

	nd->psk_calls++;
	if (nd->psk_calls > 1 && nd->psk2_len > 0)
		*key = (struct view){ nd->psk2, nd->psk2_len };
	else
		*key = (struct view){ nd->psk, nd->psk_len };
	return key->len > 0 ? 0 : -1;
}

static int
mock_getspi(void *ctx, const struct gw_addr *src, const struct gw_addr *dst, uint32_t reqid,
    uint32_t *spi)
{
	struct mock_sink *s = ctx;
	size_t i;

	for (i = 0; i < MOCK_LARVAL && s->larval[i] != 0; i++)
		;
	if (i == MOCK_LARVAL)
		return -1;
	s->ngetspi++;
	*spi = s->spi_base + (uint32_t)s->ngetspi;
	s->larval[i] = *spi;
	return 0;
}

static void
mock_unlarval(struct mock_sink *s, uint32_t spi)
{
	size_t i;

	for (i = 0; i < MOCK_LARVAL; i++)
		if (s->larval[i] == spi)
			s->larval[i] = 0;
}

static bool
mock_has_keys(const struct gw_key *enc, const struct gw_key *auth)
{
	return enc->len != 0 || auth->len != 0;
}

/* The outbound SA of a pair whose inbound SA alone went in before. */
static int
mock_install_out(struct mock_sink *s, const struct ike_child_sa *sa)
{
	struct mock_child *c = NULL;
	size_t i;

	for (i = 0; i < s->nsa; i++)
		if (s->sa[i].sa.spi_in == sa->spi_in && s->sa[i].sa.spi_out == sa->spi_out)
			c = &s->sa[i];
	if (c == NULL || !c->split || !c->in_live || c->out_seq != 0)
		mock_abort("outbound SA without its inbound SA alone");
	s->nout++;
	c->sa.enc_out = sa->enc_out;
	c->sa.auth_out = sa->auth_out;
	c->out_live = true;
	c->out_seq = ++s->seq;
	c->leaked = c->leaked || mock_has_keys(&sa->enc_in, &sa->auth_in);
	return 0;
}

/* Both SAs (dirs 0 or both bits), the inbound SA alone, or the outbound one later. */
static int
mock_install(void *ctx, const struct ike_child_sa *sa)
{
	struct mock_sink *s = ctx;
	uint8_t dirs = sa->dirs != 0 ? sa->dirs : IKE_CHILD_IN | IKE_CHILD_OUT;
	struct mock_child *c;

	if (s->fail_install)
		return -1;
	if (dirs == IKE_CHILD_OUT)
		return mock_install_out(s, sa);
	if (s->nsa == MOCK_SAS)
		return -1;
	s->ninstall++;
	c = &s->sa[s->nsa++];
	memset(c, 0, sizeof(*c));
	c->sa = *sa;
	c->in_live = true;
	c->install_seq = ++s->seq;
	c->split = (dirs & IKE_CHILD_OUT) == 0;
	if (c->split)
		c->leaked = mock_has_keys(&sa->enc_out, &sa->auth_out);
	else {
		c->out_live = true;
		c->out_seq = c->install_seq;
	}
	mock_unlarval(s, sa->spi_in);
	return 0;
}

static int
mock_del(void *ctx, uint32_t spi, const struct gw_addr *src, const struct gw_addr *dst)
{
	struct mock_sink *s = ctx;
	size_t i;

	s->ndel++;
	s->seq++;
	mock_unlarval(s, spi);
	for (i = 0; i < s->nsa; i++) {
		if (s->sa[i].sa.spi_in == spi) {
			s->sa[i].in_live = false;
			s->sa[i].del_seq = s->seq;
			s->sa[i].ndel++;
		}
		if (s->sa[i].sa.spi_out == spi) {
			if (s->sa[i].out_seq == 0)
				s->nbogus++;
			s->sa[i].out_live = false;
			s->sa[i].del_seq = s->seq;
			s->sa[i].ndel++;
		}
	}
	return 0;
}

/* The mock data path has nothing in flight: a retired SA goes at once. */
static int
mock_retire(void *ctx, uint32_t spi, const struct gw_addr *src, const struct gw_addr *dst)
{
	struct mock_sink *s = ctx;

	s->nretire++;
	s->retired_spi = spi;
	return mock_del(ctx, spi, src, dst);
}

static const struct ike_cfg_peer *
mock_peer_by_addr(void *ctx, const struct gw_addr *local, const struct gw_addr *remote)
{
	struct mock_node *nd = ctx;

	return nd->has_cfg ? &nd->cfg : NULL;
}

static void
mock_established(void *ctx, const struct ike_sa *sa)
{
	((struct mock_node *)ctx)->nestablished++;
}

static void
mock_dead(void *ctx, const struct ike_sa *sa)
{
	struct mock_node *nd = ctx;

	nd->ndead++;
	nd->last_fail = sa->fail;
}

static void
mock_rekeyed(void *ctx, const struct ike_sa *old, const struct ike_sa *sa_new)
{
	struct mock_node *nd = ctx;

	nd->nrekeyed++;
	nd->rekeyed_old = ike_sa_spi(old);
	nd->rekeyed_new = ike_sa_spi(sa_new);
}

void
mock_node_init(struct mock_node *nd, struct mock_net *net, int id,
    const struct ike_cfg_peer *cfg)
{
	struct ike_io io = { .send = mock_send, .now_ms = mock_now, .random = mock_random,
	    .dh_new = mock_dh_new, .ctx = nd };
	struct ike_child_sink sink = { .getspi = mock_getspi, .install = mock_install,
	    .del = mock_del, .retire = mock_retire, .ctx = &nd->sink };
	struct ike_hooks hooks = { .peer_by_addr = mock_peer_by_addr,
	    .established = mock_established, .dead = mock_dead, .rekeyed = mock_rekeyed,
	    .ctx = nd };

	memset(nd, 0, sizeof(*nd));
	nd->id = id;
	nd->net = net;
	nd->cfg = *cfg;
	nd->has_cfg = true;
	nd->seed = 1;
	nd->sink.spi_base = id == 0 ? 0xc1000000u : 0xc2000000u;
	net->node[id] = nd;
	if ((nd->t = ike_sa_table_new(&io, &sink, &hooks)) == NULL)
		mock_abort("table");
}

void
mock_node_free(struct mock_node *nd)
{
	ike_sa_table_free(nd->t);
	nd->t = NULL;
}

bool
mock_deliver(struct mock_net *net)
{
	struct mock_dgram d;

	if (net->n == 0)
		return false;
	d = net->q[0];
	memmove(&net->q[0], &net->q[1], (net->n - 1) * sizeof(net->q[0]));
	net->n--;
	exch_recv(net->node[1 - d.from]->t, d.p, d.len, &d.dst, &d.src);
	return true;
}

size_t
mock_run(struct mock_net *net, size_t limit)
{
	size_t n = 0;

	while (n < limit && mock_deliver(net))
		n++;
	return n;
}

void
mock_drop(struct mock_net *net, size_t i)
{
	if (i >= net->n)
		mock_abort("drop: no such datagram");
	memmove(&net->q[i], &net->q[i + 1], (net->n - i - 1) * sizeof(net->q[0]));
	net->n--;
}

void
mock_dup(struct mock_net *net, size_t i)
{
	if (i >= net->n || net->n == MOCK_QUEUE)
		mock_abort("dup");
	memmove(&net->q[i + 1], &net->q[i], (net->n - i) * sizeof(net->q[0]));
	net->n++;
}

void
mock_swap(struct mock_net *net, size_t i, size_t j)
{
	struct mock_dgram d;

	if (i >= net->n || j >= net->n)
		mock_abort("swap");
	d = net->q[i];
	net->q[i] = net->q[j];
	net->q[j] = d;
}

void
mock_advance(struct mock_net *net, uint64_t ms)
{
	net->now += ms;
	exch_tick(net->node[0]->t);
	exch_tick(net->node[1]->t);
}

size_t
mock_live(const struct mock_sink *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->nsa; i++)
		if (s->sa[i].in_live && s->sa[i].out_live)
			n++;
	return n;
}

size_t
mock_half(const struct mock_sink *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->nsa; i++)
		if (s->sa[i].in_live && !s->sa[i].out_live)
			n++;
	return n;
}

size_t
mock_larval(const struct mock_sink *s)
{
	size_t i, n = 0;

	for (i = 0; i < MOCK_LARVAL; i++)
		if (s->larval[i] != 0)
			n++;
	return n;
}

struct ike_sa *
mock_only_sa(const struct mock_node *nd)
{
	return nd->t->nsa == 1 ? nd->t->all : NULL;
}
