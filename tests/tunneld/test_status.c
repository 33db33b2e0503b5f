/*
 * test_status.c: `setkey -s` (setkey's run_status) against the real
 * PF_KEY engine in-process: the global counters, each SA's line and
 * counters, an empty SAD, and a tunneld that refuses the request.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt.h"
#include "run.h"

struct env {
	struct kt	 kt;
	size_t		 next;		/* next recorded message for root to read */
	bool		 refuse;	/* answer PFK_X_STATUS with EINVAL, as an old tunneld */
	uint8_t		 refusal[sizeof(struct sadb_msg)];
	size_t		 refusal_len;
};

static int
env_send(void *ctx, const uint8_t *buf, size_t len)
{
	struct env	*e = ctx;
	struct pfk_msg	 m;
	struct wr	 w = wr_init(e->refusal, sizeof(e->refusal));

	assert_int_equal(pfk_decode(buf, len, &m), 0);
	if (e->refuse && m.type == PFK_X_STATUS) {
		m.errnum = EINVAL;
		assert_int_equal(pfk_encode(&m, &w), 0);
		e->refusal_len = w.off;
		return 0;
	}
	assert_int_equal(key_input(&e->kt.key, &e->kt.root, buf, len), 0);
	return 0;
}

static ssize_t
env_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct env	*e = ctx;
	size_t		 i;

	if (e->refusal_len != 0) {
		memcpy(buf, e->refusal, e->refusal_len);
		i = e->refusal_len;
		e->refusal_len = 0;
		return (ssize_t)i;
	}
	for (i = e->next; i < e->kt.ncaps; i++) {
		if (e->kt.caps[i].c != &e->kt.root)
			continue;
		assert_true(e->kt.caps[i].len <= cap);
		memcpy(buf, e->kt.caps[i].buf, e->kt.caps[i].len);
		e->next = i + 1;
		return (ssize_t)e->kt.caps[i].len;
	}
	return -ETIMEDOUT;
}

/* Runs setkey -s; returns its status and the text it printed (caller frees). */
static int
status(struct env *e, char **out, char **err)
{
	struct run_io	io = { .ctx = e, .send = env_send, .recv = env_recv };
	struct run	r;
	size_t		olen, elen;
	FILE		*of = open_memstream(out, &olen), *ef = open_memstream(err, &elen);
	int		rc;

	assert_non_null(of);
	assert_non_null(ef);
	run_init(&r, &io, 4242, of, ef);
	rc = run_status(&r);
	run_free(&r);
	fclose(of);
	fclose(ef);
	return rc;
}

static void
test_status_counters(void **state)
{
	struct env	*e = calloc(1, sizeof(*e));
	struct gw_addr	 dst;
	struct sa	*sa;
	char		*out, *err;

	assert_non_null(e);
	kt_init(&e->kt);
	assert_int_equal(kt_add_sa(&e->kt, 0x1000, SADB_X_EALG_AES_GCM_ICV16, 0), 0);
	assert_int_equal(kt_add_sa(&e->kt, 0x2000, SADB_X_EALG_AESCBC,
	    SADB_X_AALG_SHA2_256HMAC), 0);
	dst = kt_addr("192.0.2.2");
	sa = sad_find(&e->kt.key.sad, SADB_SATYPE_ESP, &dst, 0x2000);
	assert_non_null(sa);
	sa->stats[GWSTAT_REPLAY] = 4;
	sa->stats[GWSTAT_PACKETS_IN] = 9;
	e->kt.key.stats[GWSTAT_REPLAY] = 4;
	e->kt.key.stats[GWSTAT_UNKNOWN_SPI] = 2;
	e->kt.key.stats[GWSTAT_KEEPALIVE] = 5;
	e->next = e->kt.ncaps;

	assert_int_equal(status(e, &out, &err), 0);
	assert_string_equal(err, "");
	assert_true(strncmp(out, "global:\n\tdrops: no_policy=0 no_sa=0 unknown_spi=2 replay=4 ",
	    strlen("global:\n\tdrops: no_policy=0 no_sa=0 unknown_spi=2 replay=4 ")) == 0);
	assert_non_null(strstr(out, " keepalive=5 ike_relayed=0 ike_relay_tx=0 tun_joined=0\n"
	    "192.0.2.1 192.0.2.2 spi=4096(0x00001000) reqid=0 mature\n\tdrops: "));
	assert_non_null(strstr(out, "\n192.0.2.1 192.0.2.2 spi=8192(0x00002000) reqid=0 mature\n"
	    "\tdrops: no_policy=0 no_sa=0 unknown_spi=0 replay=4 icv_fail=0 "));
	assert_non_null(strstr(out, "\ttraffic: packets_in=9 bytes_in=0 packets_out=0 "
	    "bytes_out=0\n"));
	/* Per-SA lines carry only the per-SA counters. */
	assert_null(strstr(strstr(out, "spi=8192"), "keepalive"));
	free(out);
	free(err);
	kt_fini(&e->kt);
	free(e);
}

static void
test_status_empty_and_refused(void **state)
{
	struct env	*e = calloc(1, sizeof(*e));
	char		*out, *err;

	assert_non_null(e);
	kt_init(&e->kt);
	assert_int_equal(status(e, &out, &err), 0);
	assert_non_null(strstr(out, "global:\n\tdrops: no_policy=0 "));
	assert_non_null(strstr(out, "\nNo SAD entries.\n"));
	free(out);
	free(err);

	e->refuse = true;
	assert_int_equal(status(e, &out, &err), 1);
	assert_string_equal(out, "");
	assert_string_equal(err, "setkey: tunneld refused the status request: Invalid argument\n");
	free(out);
	free(err);
	kt_fini(&e->kt);
	free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_counters),
		cmocka_unit_test(test_status_empty_and_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
