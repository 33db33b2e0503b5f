/* fx.c: see fx.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "gw_config.h"
#include "ctlsock.h"
#include "fx.h"
#include "ike_wire.h"
#include "pfkey.h"

#define FX_SPINS	20000	/* loop turns an answer may take */

static uint64_t
fx_now(void *ctx)
{
	return ((struct fx *)ctx)->now;
}

/* splitmix64: distinct SPIs for thousands of SAs, the same in every run. */
static void
fx_random(void *ctx, uint8_t *p, size_t len)
{
	struct fx *f = ctx;
	uint64_t z = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0) {
			z = (f->rnd += 0x9e3779b97f4a7c15ull);
			z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9ull;
			z = (z ^ z >> 27) * 0x94d049bb133111ebull;
			z ^= z >> 31;
		}
		p[i] = (uint8_t)(z >> (i % 8 * 8));
	}
}

static int
fx_send(void *ctx, const uint8_t *p, size_t len, const struct gw_addr *l, const struct gw_addr *r)
{
	return 0;
}

static int
fx_del(void *ctx, uint32_t spi, const struct gw_addr *src, const struct gw_addr *dst)
{
	return 0;
}

static void
fx_record(struct fx *f, const char *op, const char *peer)
{
	snprintf(f->op, sizeof(f->op), "%s", op);
	snprintf(f->peer, sizeof(f->peer), "%s", peer);
	f->nops++;
}

static int
fx_result(struct fx *f, char *err, size_t errlen)
{
	if (f->fail == NULL)
		return 0;
	snprintf(err, errlen, "%s", f->fail);
	return -1;
}

static int
fx_initiate(void *ctx, const char *peer, char *err, size_t errlen)
{
	struct fx *f = ctx;

	fx_record(f, "initiate", peer);
	if (f->bad_peer != NULL && strcmp(peer, f->bad_peer) == 0) {
		snprintf(err, errlen, "no peer named '%s'", peer);
		return -1;
	}
	return fx_result(f, err, errlen);
}

static int
fx_terminate(void *ctx, const char *peer, char *err, size_t errlen)
{
	fx_record(ctx, "terminate", peer);
	return fx_result(ctx, err, errlen);
}

static int
fx_reload(void *ctx, char *err, size_t errlen)
{
	fx_record(ctx, "reload", "");
	return fx_result(ctx, err, errlen);
}

static const struct ike_sa_table *
fx_table(void *ctx)
{
	return ((struct fx *)ctx)->t;
}

struct fx *
fx_new(void)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct ike_io io = { .send = fx_send, .now_ms = fx_now, .random = fx_random };
	struct ike_child_sink sink = { .del = fx_del };
	struct ike_hooks hooks = { 0 };
	struct ctl_ops ops = { .initiate = fx_initiate, .terminate = fx_terminate,
	    .reload = fx_reload, .table = fx_table };

	assert_non_null(f);
	f->now = FX_NOW;
	io.ctx = sink.ctx = hooks.ctx = ops.ctx = f;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ikdctl-test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/run/control", f->dir);
	assert_non_null(f->base = event_base_new());
	assert_non_null(f->t = ike_sa_table_new(&io, &sink, &hooks));
	assert_non_null(f->ctl = ctl_open(f->base, f->path, &ops));
	return f;
}

void
fx_free(struct fx *f)
{
	char run[sizeof(f->dir) + 8];

	ctl_close(f->ctl);
	assert_int_equal(access(f->path, F_OK), -1);	/* the socket file went */
	ike_sa_table_free(f->t);
	event_base_free(f->base);
	snprintf(run, sizeof(run), "%s/run", f->dir);
	rmdir(run);
	assert_int_equal(rmdir(f->dir), 0);
	free(f);
}

static void
fx_addr(struct gw_addr *a, const char *s)
{
	assert_int_equal(addr_parse(s, a), 0);
}

struct ike_sa *
fx_sa(struct fx *f, const char *name, const char *local, const char *remote, bool initiator,
    uint64_t spi_i, uint64_t spi_r, uint64_t est_ago)
{
	struct ike_cfg_peer cfg = { 0 };
	struct ike_sa *sa;
	struct ike_prop *p;

	snprintf(cfg.name, sizeof(cfg.name), "%s", name);
	fx_addr(&cfg.local, local);
	fx_addr(&cfg.remote, remote);
	assert_non_null(sa = ike_sa_new(f->t, initiator, &cfg, &cfg.local, &cfg.remote,
	    initiator ? 0 : spi_i));
	assert_int_equal(ike_sa_set_state(sa, IKE_S_INIT_DONE), 0);
	assert_int_equal(ike_sa_set_state(sa, IKE_S_ESTABLISHED), 0);
	/* The SPI the table hashed stays ours; only the peer's is set here. */
	if (initiator)
		sa->spi_r = spi_r;
	p = &sa->prop;
	p->num = 1;
	p->proto = PROP_PROTO_IKE;
	p->xf[p->ntrans++] = (struct ike_xform){ PROP_T_ENCR, IKE_ENCR_AES_GCM_16, 256 };
	p->xf[p->ntrans++] = (struct ike_xform){ PROP_T_PRF, IKE_PRF_HMAC_SHA2_256, 0 };
	p->xf[p->ntrans++] = (struct ike_xform){ PROP_T_KE, IKE_DH_CURVE25519, 0 };
	sa->dh_group = IKE_DH_CURVE25519;
	sa->created_ms = f->now - est_ago - 1000;
	sa->established_ms = f->now - est_ago;
	return sa;
}

static void
fx_ts(struct ike_tsl *l, struct ike_tsl *r, const char *ts_l, const char *ts_r)
{
	struct gw_sel sel = { .proto = 255 };

	assert_int_equal(addr_parse_prefix(ts_l, &sel.src), 0);
	assert_int_equal(addr_parse_prefix(ts_r, &sel.dst), 0);
	memset(l, 0, sizeof(*l));
	memset(r, 0, sizeof(*r));
	assert_int_equal(ike_ts_from_sel(&sel, &l->ts[0], &r->ts[0]), 0);
	l->n = r->n = 1;
}

struct ike_child *
fx_child(struct fx *f, struct ike_sa *sa, uint32_t spi_in, uint32_t spi_out, const char *ts_l,
    const char *ts_r, uint64_t ago)
{
	struct ike_child c = {
		.spi_in = spi_in, .spi_out = spi_out, .reqid = 7,
		.enc_alg = SADB_X_EALG_AES_GCM_ICV16, .enc_bits = 256,
		.installed_ms = f->now - ago,
	};

	c.local = sa->local;
	c.remote = sa->remote;
	c.local.port = c.remote.port = 0;
	fx_ts(&c.ts_local, &c.ts_remote, ts_l, ts_r);
	assert_int_equal(ike_sa_add_child(sa, &c), 0);
	return sa->children;
}

int
fx_connect(struct fx *f)
{
	int fd = ctlsock_connect(f->path);

	assert_true(fd >= 0);
	return fd;
}

void
fx_spin(struct fx *f, unsigned n)
{
	while (n-- > 0)
		event_base_loop(f->base, EVLOOP_NONBLOCK);
}

/* Appends one datagram (whole lines) to *text. */
static void
fx_take(struct fx *f, char **text, size_t *len, const char *p, size_t n)
{
	assert_true(n <= CTL_MSG_MAX);
	assert_int_equal(p[n - 1], '\n');
	assert_null(memchr(p, '\0', n));
	assert_non_null(*text = realloc(*text, *len + n + 1));
	memcpy(*text + *len, p, n);
	*len += n;
	(*text)[*len] = '\0';
	f->ndgrams++;
	if (n > f->dgram_max)
		f->dgram_max = n;
}

char *
fx_ask_fd(struct fx *f, int fd, const void *req, size_t len)
{
	static char buf[CTL_MSG_MAX + 1];
	char *text = NULL;
	size_t tlen = 0;
	unsigned i;
	ssize_t n;

	f->ndgrams = f->dgram_max = 0;
	assert_int_equal(send(fd, req, len, MSG_NOSIGNAL), (ssize_t)len);
	for (i = 0; i < FX_SPINS; i++) {
		event_base_loop(f->base, EVLOOP_NONBLOCK);
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		if (n == 0)
			break;
		if (n < 0) {
			assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
			continue;
		}
		fx_take(f, &text, &tlen, buf, (size_t)n);
	}
	assert_true(i < FX_SPINS);
	return text != NULL ? text : strdup("");
}

char *
fx_ask(struct fx *f, const char *req)
{
	int fd = fx_connect(f);
	char *a = fx_ask_fd(f, fd, req, strlen(req));

	close(fd);
	fx_spin(f, 4);	/* let the server see the end */
	return a;
}

static int fx_saved_fd = -1;
static FILE *fx_log_file;

void
fx_log_begin(void)
{
	fflush(stderr);
	assert_non_null(fx_log_file = tmpfile());
	fx_saved_fd = dup(2);
	assert_true(fx_saved_fd >= 0);
	assert_true(dup2(fileno(fx_log_file), 2) >= 0);
}

const char *
fx_log_end(void)
{
	static char buf[16384];
	size_t n;

	fflush(stderr);
	dup2(fx_saved_fd, 2);
	close(fx_saved_fd);
	rewind(fx_log_file);
	n = fread(buf, 1, sizeof(buf) - 1, fx_log_file);
	buf[n] = '\0';
	fclose(fx_log_file);
	return buf;
}
