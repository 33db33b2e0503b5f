/*
 * test_ike_vectors.c: one exchange against gen_exchange.py: fixed SPIs,
 * nonces and X25519 private keys in, the four datagrams, the IKE SA keys
 * and the Child SA keys out, all byte for byte; and the NAT detection
 * hash of RFC 7296 2.23.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "exch_init.h"
#include "fixture.h"
#include "keymat.h"
#include "log.h"
#include "vectors_exchange.h"

static void
test_nat_hash(void **state)
{
	uint8_t h[IKE_NAT_HASH_LEN];
	struct gw_addr a;

	addr_set(&a, VEC_NATD_ADDR);
	a.port = VEC_NATD_PORT;
	assert_int_equal(exch_init_nat_hash(VEC_NATD_SPII, VEC_NATD_SPIR, &a, h), 0);
	assert_hex(h, sizeof(h), VEC_NATD_HASH);
}

/* Delivers queue entry 0 after checking it is exactly hex. */
static void
expect_datagram(struct pair *p, const char *hex)
{
	size_t len;
	const uint8_t *m = q_msg(p, 0, &len);

	assert_int_equal(p->net.n, 1);
	assert_hex(m, len, hex);
	assert_true(mock_deliver(&p->net));
}

static void
script_spi_nonce(struct mock_node *nd, uint64_t spi, const char *nonce)
{
	uint8_t s[8 + 32];
	size_t i;

	for (i = 0; i < 8; i++)
		s[i] = (uint8_t)(spi >> (56 - 8 * i));
	assert_int_equal(hexdec(nonce, s + 8, 32), 32);
	mock_script(nd, s, sizeof(s));
}

static void
test_vectors_exchange(void **state)
{
	struct pair *p = pair_new(S_GCM);
	const struct ike_child_sa *c;
	struct ike_sa *sa;
	int n;

	for (n = 0; n < 2; n++) {
		node_psk(&p->n[n], VEC_PSK);
		p->n[n].dh_priv_group = IKE_DH_CURVE25519;
		p->n[n].dh_priv_len = hexdec(n == 0 ? VEC_PRIV_I : VEC_PRIV_R, p->n[n].dh_priv,
		    sizeof(p->n[n].dh_priv));
	}
	script_spi_nonce(&p->n[0], VEC_SPII, VEC_NI);
	script_spi_nonce(&p->n[1], VEC_SPIR, VEC_NR);
	pair_start(p);
	expect_datagram(p, VEC_MSG1);
	expect_datagram(p, VEC_MSG2);
	expect_datagram(p, VEC_MSG3);
	expect_datagram(p, VEC_MSG4);
	check_established(p);
	sa = mock_only_sa(&p->n[0]);
	assert_hex(keymat_ike_key(sa->km, KEYMAT_SK_D)->b, 32, VEC_SK_D);
	assert_hex(keymat_ike_key(sa->km, KEYMAT_SK_EI)->b, 36, VEC_SK_EI);
	assert_hex(keymat_ike_key(sa->km, KEYMAT_SK_ER)->b, 36, VEC_SK_ER);
	assert_hex(keymat_ike_key(sa->km, KEYMAT_SK_PI)->b, 32, VEC_SK_PI);
	assert_hex(keymat_ike_key(sa->km, KEYMAT_SK_PR)->b, 32, VEC_SK_PR);
	c = &p->n[0].sink.sa[0].sa;
	assert_int_equal(c->spi_in, VEC_ESP_SPI_I);
	assert_int_equal(c->spi_out, VEC_ESP_SPI_R);
	assert_hex(c->enc_out.b, c->enc_out.len, VEC_CHILD_ENC_I);
	assert_hex(c->enc_in.b, c->enc_in.len, VEC_CHILD_ENC_R);
	pair_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nat_hash),
		cmocka_unit_test(test_vectors_exchange),
	};

	log_init(true, 0, "test");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
