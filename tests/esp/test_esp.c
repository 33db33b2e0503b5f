/* test_esp.c: esp_encap/esp_decap against published and independent packets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <linux/pfkeyv2.h>

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "esp.h"
#include "espgen.h"
#include "hex.h"
#include "vectors/cbc_kat.h"
#include "vectors/esp_kat.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define HEADROOM	64
#define BUFSZ		(HEADROOM + 2048)
#define SPI		0x0badc0de

/* One test SA: the generator's keys, and the transform built from them. */
struct sa {
	struct espgen_sa	g;
	struct esp_xform	x;
};

static void
sa_init(struct sa *s, size_t i, uint8_t seed)
{
	const struct alg *enc, *auth = NULL;

	espgen_sa_get(i, seed, &s->g);
	enc = alg_by_id(ALG_ENC, s->g.enc);
	if (s->g.auth != 0)
		auth = alg_by_id(ALG_AUTH, s->g.auth);
	assert_non_null(enc);
	if (esp_xform_init(&s->x, enc, s->g.ekey, s->g.ekeylen, auth, s->g.akey,
	    s->g.akeylen) != 0)
		fail_msg("%s: esp_xform_init failed", s->g.name);
}

/* A payload of len bytes in mem, headroom bytes in. */
static void
buf_payload(struct pkt_buf *b, uint8_t *mem, size_t cap, size_t headroom, const uint8_t *p,
    size_t len)
{
	uint8_t *at;

	pkt_init(b, mem, cap, headroom);
	at = pkt_put(b, len);
	assert_non_null(at);
	memcpy(at, p, len);
}

static void
pattern(uint8_t *p, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 13);
}

/* A window of 64 that has seen seq - 1, so ESN inference lands on seq. */
static void
replay_at(struct replay *rp, uint64_t seq, bool esn)
{
	assert_int_equal(replay_init(rp, 64, esn), 0);
	if (seq > 1)
		replay_update(rp, seq - 1);
}

/* Decaps b and checks that the payload, next header and number come back. */
static void
decap_ok(struct esp_xform *x, struct replay *rp, struct pkt_buf *b, const uint8_t *payload,
    size_t len, uint8_t nh, uint64_t seq)
{
	uint8_t got_nh = 0;
	uint64_t got_seq = 0;
	int rc;

	if ((rc = esp_decap(x, rp, b, &got_nh, &got_seq)) != 0)
		fail_msg("esp_decap: %s", esp_strerror(rc));
	assert_int_equal(b->len, len);
	assert_memory_equal(pkt_data(b), payload, len);
	assert_int_equal(got_nh, nh);
	assert_int_equal(got_seq, seq);
	assert_int_equal(rp->top, seq);
}

/* draft-mcgrew-gcm-test-01 and RFC 7634 appendix A, both ways. */
static void
test_published_packets(void **state)
{
	uint8_t key[40], iv[8], pt[128], want[160], mem[BUFSZ];
	struct esp_xform x;
	struct replay rp;
	struct pkt_buf b;
	size_t i, keylen, ptlen, wantlen, len;
	uint8_t nh, got_nh;
	uint64_t got_seq;

	for (i = 0; i < NELEM(esp_kats); i++) {
		const struct esp_kat *k = &esp_kats[i];

		keylen = hex(k->key, key, sizeof(key));
		keylen += hex(k->salt, key + keylen, sizeof(key) - keylen);
		hex(k->iv, iv, sizeof(iv));
		ptlen = hex(k->plaintext, pt, sizeof(pt));
		wantlen = hex(k->packet, want, sizeof(want));
		/* hex() bounds it already; this tells the optimizer's array checks. */
		if (wantlen > sizeof(want))
			abort();
		/* The payload is the plaintext without its trailer. */
		nh = pt[ptlen - 1];
		len = ptlen - 2 - pt[ptlen - 2];
		assert_int_equal(esp_xform_init(&x, alg_by_id(ALG_ENC, k->enc), key, keylen, NULL,
		    NULL, 0), 0);
		buf_payload(&b, mem, sizeof(mem), HEADROOM, pt, len);
		assert_int_equal(esp_encap_iv(&x, k->spi, k->seq, k->esn, nh, iv, &b), 0);
		if (b.len != wantlen || memcmp(pkt_data(&b), want, wantlen) != 0)
			fail_msg("%s: encap differs", k->name);
		assert_int_equal(esp_encap_len(&x, len), wantlen);
		replay_at(&rp, k->seq, k->esn);
		decap_ok(&x, &rp, &b, pt, len, nh, k->seq);
		/* The same packet again is a replay. */
		buf_payload(&b, mem, sizeof(mem), HEADROOM, want, wantlen);
		assert_int_equal(esp_decap(&x, &rp, &b, &got_nh, &got_seq), ESP_E_REPLAY);
		replay_free(&rp);
		esp_xform_free(&x);
	}
}

/* CBC and NULL packets computed by Python, both ways. */
static void
test_cbc_known_answers(void **state)
{
	uint8_t key[32], akey[64], iv[16], payload[64], want[160], mem[BUFSZ];
	struct esp_xform x;
	struct replay rp;
	struct pkt_buf b;
	size_t i, keylen, akeylen, len, wantlen;

	for (i = 0; i < NELEM(cbc_esp_kats); i++) {
		const struct cbc_esp_kat *k = &cbc_esp_kats[i];

		keylen = hex(k->key, key, sizeof(key));
		akeylen = hex(k->akey, akey, sizeof(akey));
		hex(k->iv, iv, sizeof(iv));
		len = hex(k->payload, payload, sizeof(payload));
		wantlen = hex(k->packet, want, sizeof(want));
		/* hex() bounds it already; this tells the optimizer's array checks. */
		if (wantlen > sizeof(want))
			abort();
		assert_int_equal(esp_xform_init(&x, alg_by_id(ALG_ENC, k->enc), key, keylen,
		    alg_by_id(ALG_AUTH, k->auth), akey, akeylen), 0);
		buf_payload(&b, mem, sizeof(mem), HEADROOM, payload, len);
		assert_int_equal(esp_encap_iv(&x, k->spi, k->seq, k->esn, k->next_header,
		    x.ivlen ? iv : NULL, &b), 0);
		if (b.len != wantlen || memcmp(pkt_data(&b), want, wantlen) != 0)
			fail_msg("%s: encap differs", k->name);
		replay_at(&rp, k->seq, k->esn);
		decap_ok(&x, &rp, &b, payload, len, k->next_header, k->seq);
		replay_free(&rp);
		esp_xform_free(&x);
	}
}

/* The trailer RFC 4303 2.4 prescribes for a payload of len bytes. */
static size_t
plaintext(const struct espgen_sa *g, const uint8_t *payload, size_t len, uint8_t nh,
    uint8_t *pt)
{
	size_t align = espgen_align(g), pad = (align - (len + 2) % align) % align, i;

	memcpy(pt, payload, len);
	for (i = 0; i < pad; i++)
		pt[len + i] = (uint8_t)(i + 1);
	pt[len + pad] = (uint8_t)pad;
	pt[len + pad + 1] = nh;
	return len + pad + 2;
}

/*
 * Every algorithm, every payload length from 0 to three cipher blocks and
 * more, ESN on and off: esp_encap_iv() must equal the independent encoder
 * and esp_decap() must give the payload back.
 */
static void
test_matches_independent_encoder(void **state)
{
	uint8_t payload[100], pt[140], iv[16], want[256], mem[BUFSZ];
	struct replay rp;
	struct pkt_buf b;
	struct sa s;
	size_t i, len, wantlen;
	int esn;

	for (i = 0; i < espgen_sa_count(); i++) {
		sa_init(&s, i, (uint8_t)i);
		for (esn = 0; esn <= 1; esn++) {
			uint64_t seq = esn ? (UINT64_C(3) << 32 | 77) : 77;

			for (len = 0; len <= 3 * espgen_align(&s.g) + 37; len++) {
				pattern(payload, len, (uint8_t)len);
				pattern(iv, sizeof(iv), (uint8_t)(len + 100));
				wantlen = espgen_seal(&s.g, SPI, seq, esn, iv, pt,
				    plaintext(&s.g, payload, len, 4, pt), want, sizeof(want));
				assert_int_not_equal(wantlen, 0);
				buf_payload(&b, mem, sizeof(mem), HEADROOM, payload, len);
				assert_int_equal(esp_encap_iv(&s.x, SPI, seq, esn, 4, iv, &b), 0);
				if (b.len != wantlen || memcmp(pkt_data(&b), want, wantlen) != 0)
					fail_msg("%s esn %d len %zu: encap differs", s.g.name, esn,
					    len);
				/* ESP fits the headroom it used and no more. */
				assert_int_equal(pkt_headroom(&b), HEADROOM - 8 - s.x.ivlen);
				assert_int_equal((b.len - 8 - s.x.ivlen - s.x.icvlen) %
				    espgen_align(&s.g), 0);
				replay_at(&rp, seq, esn);
				decap_ok(&s.x, &rp, &b, payload, len, 4, seq);
				replay_free(&rp);
			}
		}
		esp_xform_free(&s.x);
	}
}

/*
 * esp_encap() makes its own IVs: the sequence number for AEADs, and for
 * CBC an AES block that differs per packet and per SA.
 */
static void
test_generated_iv(void **state)
{
	uint8_t payload[40], mem[BUFSZ], iv1[16], iv2[16], seqiv[16] = { 0 };
	struct replay rp;
	struct pkt_buf b;
	struct sa s, t;
	size_t i;
	uint64_t seq;

	pattern(payload, sizeof(payload), 9);
	for (i = 0; i < espgen_sa_count(); i++) {
		sa_init(&s, i, 1);
		sa_init(&t, i, 1);	/* same keys */
		assert_int_equal(replay_init(&rp, 64, true), 0);
		for (seq = 1; seq <= 3; seq++) {
			buf_payload(&b, mem, sizeof(mem), HEADROOM, payload, sizeof(payload));
			assert_int_equal(esp_encap(&s.x, SPI, seq, true, 41, &b), 0);
			memcpy(iv1, pkt_data(&b) + 8, s.x.ivlen);
			decap_ok(&s.x, &rp, &b, payload, sizeof(payload), 41, seq);
			buf_payload(&b, mem, sizeof(mem), HEADROOM, payload, sizeof(payload));
			assert_int_equal(esp_encap(&t.x, SPI, seq, true, 41, &b), 0);
			memcpy(iv2, pkt_data(&b) + 8, t.x.ivlen);
			seqiv[7] = (uint8_t)seq;
			if (s.x.mode == ESP_MODE_AEAD) {
				assert_memory_equal(iv1, seqiv, 8);
				assert_memory_equal(iv2, seqiv, 8);
			} else if (s.x.mode == ESP_MODE_CBC) {
				/* Seeded per SA from the CSPRNG, so unlike each other. */
				assert_memory_not_equal(iv1, iv2, 16);
				assert_memory_not_equal(iv1, seqiv, 16);
			}
		}
		replay_free(&rp);
		esp_xform_free(&s.x);
		esp_xform_free(&t.x);
	}
}

/* Sizes around the largest packet, and buffers one byte too small. */
static void
test_size_limits(void **state)
{
	static uint8_t mem[HEADROOM + ESP_MAX_LEN + 64], copy[sizeof(mem)];
	struct replay rp;
	struct pkt_buf b, before;
	struct sa s;
	size_t i, max, need, hdr, tail;
	uint8_t nh;
	uint64_t seq;

	for (i = 0; i < espgen_sa_count(); i++) {
		sa_init(&s, i, 5);
		for (max = ESP_MAX_LEN; esp_encap_len(&s.x, max) == 0; max--)
			;
		assert_true(esp_encap_len(&s.x, max) > ESP_MAX_LEN - espgen_align(&s.g));
		pattern(mem, sizeof(mem), 3);
		memcpy(copy, mem, sizeof(mem));
		pkt_init(&b, mem, sizeof(mem), HEADROOM);
		pkt_put(&b, max + 1);
		assert_int_equal(esp_encap(&s.x, SPI, 1, false, 4, &b), ESP_E_OVERSIZE);
		pkt_trim(&b, 1);
		assert_int_equal(esp_encap(&s.x, SPI, 1, false, 4, &b), 0);
		assert_int_equal(b.len, esp_encap_len(&s.x, max));
		assert_int_equal(replay_init(&rp, 64, false), 0);
		assert_int_equal(esp_decap(&s.x, &rp, &b, &nh, &seq), 0);
		assert_int_equal(b.len, max);
		assert_memory_equal(pkt_data(&b), copy + HEADROOM, max);
		/* Longer than any IP packet can carry: refused before anything else. */
		pkt_init(&b, mem, sizeof(mem), 0);
		pkt_put(&b, ESP_MAX_LEN + 1);
		assert_int_equal(esp_decap(&s.x, &rp, &b, &nh, &seq), ESP_E_MALFORMED);
		replay_free(&rp);

		/* Room for exactly one packet of 100 bytes, then one byte less. */
		need = esp_encap_len(&s.x, 100);
		hdr = 8 + s.x.ivlen;
		tail = need - hdr - 100;
		pkt_init(&b, mem, hdr + 100 + tail - 1, hdr);
		pkt_put(&b, 100);
		before = b;
		memcpy(copy, mem, sizeof(mem));
		assert_int_equal(esp_encap(&s.x, SPI, 2, false, 4, &b), ESP_E_OVERSIZE);
		assert_memory_equal(&b, &before, sizeof(b));
		assert_memory_equal(mem, copy, sizeof(mem));
		pkt_init(&b, mem + 1, hdr - 1 + 100 + tail, hdr - 1);
		pkt_put(&b, 100);
		before = b;
		assert_int_equal(esp_encap(&s.x, SPI, 2, false, 4, &b), ESP_E_OVERSIZE);
		assert_memory_equal(&b, &before, sizeof(b));
		assert_memory_equal(mem, copy, sizeof(mem));
		pkt_init(&b, mem, hdr + 100 + tail, hdr);
		pkt_put(&b, 100);
		assert_int_equal(esp_encap(&s.x, SPI, 2, false, 4, &b), 0);
		assert_int_equal(b.len, need);
		assert_int_equal(pkt_headroom(&b), 0);
		assert_int_equal(pkt_tailroom(&b), 0);
		esp_xform_free(&s.x);
	}
}

static void
test_bad_sequence(void **state)
{
	uint8_t mem[BUFSZ];
	struct pkt_buf b;
	struct sa s;

	sa_init(&s, 0, 1);
	pkt_init(&b, mem, sizeof(mem), HEADROOM);
	pkt_put(&b, 20);
	assert_int_equal(esp_encap(&s.x, SPI, 0, false, 4, &b), ESP_E_SEQ);
	assert_int_equal(esp_encap(&s.x, SPI, 0, true, 4, &b), ESP_E_SEQ);
	assert_int_equal(esp_encap(&s.x, SPI, UINT64_C(1) << 32, false, 4, &b), ESP_E_SEQ);
	assert_int_equal(b.len, 20);
	assert_int_equal(esp_encap(&s.x, SPI, UINT32_MAX, false, 4, &b), 0);
	esp_xform_free(&s.x);
}

/* Authentic packets whose decrypted trailer is wrong. */
static void
test_bad_padding(void **state)
{
	uint8_t pt[600], iv[16] = { 7 }, pkt[BUFSZ], mem[BUFSZ];
	struct replay rp;
	struct pkt_buf b;
	struct sa s;
	size_t i, align, len, ptlen;
	uint8_t nh;
	uint64_t seq;

	for (i = 0; i < espgen_sa_count(); i++) {
		sa_init(&s, i, 2);
		align = espgen_align(&s.g);
		assert_int_equal(replay_init(&rp, 64, false), 0);
		/* Payload 10, padding 1 2 4 5 ...: one wrong byte. */
		ptlen = 4 * align;
		pattern(pt, ptlen, 1);
		for (size_t k = 0; k < ptlen - 12; k++)
			pt[10 + k] = (uint8_t)(k + 1);
		pt[12] = 4;
		pt[ptlen - 2] = (uint8_t)(ptlen - 12);
		pt[ptlen - 1] = 4;
		len = espgen_seal(&s.g, SPI, 1, false, iv, pt, ptlen, pkt, sizeof(pkt));
		buf_payload(&b, mem, sizeof(mem), HEADROOM, pkt, len);
		assert_int_equal(esp_decap(&s.x, &rp, &b, &nh, &seq), ESP_E_PAD);
		/* It was authentic, so its number is used up. */
		assert_int_equal(rp.top, 1);
		/* Pad length running past the start of the payload. */
		pt[ptlen - 2] = (uint8_t)(ptlen - 1);
		len = espgen_seal(&s.g, SPI, 2, false, iv, pt, ptlen, pkt, sizeof(pkt));
		buf_payload(&b, mem, sizeof(mem), HEADROOM, pkt, len);
		assert_int_equal(esp_decap(&s.x, &rp, &b, &nh, &seq), ESP_E_PAD);
		/* All padding, empty payload: fine. */
		for (size_t k = 0; k < ptlen - 2; k++)
			pt[k] = (uint8_t)(k + 1);
		pt[ptlen - 2] = (uint8_t)(ptlen - 2);
		len = espgen_seal(&s.g, SPI, 3, false, iv, pt, ptlen, pkt, sizeof(pkt));
		buf_payload(&b, mem, sizeof(mem), HEADROOM, pkt, len);
		assert_int_equal(esp_decap(&s.x, &rp, &b, &nh, &seq), 0);
		assert_int_equal(b.len, 0);
		assert_int_equal(nh, 4);
		/* 255 bytes of padding (traffic flow confidentiality): fine. */
		ptlen = ((16 + 255 + 2 + align - 1) / align) * align;
		pattern(pt, ptlen, 5);
		for (size_t k = 0; k < 255; k++)
			pt[ptlen - 2 - 255 + k] = (uint8_t)(k + 1);
		pt[ptlen - 2] = 255;
		pt[ptlen - 1] = 41;
		len = espgen_seal(&s.g, SPI, 4, false, iv, pt, ptlen, pkt, sizeof(pkt));
		buf_payload(&b, mem, sizeof(mem), HEADROOM, pkt, len);
		assert_int_equal(esp_decap(&s.x, &rp, &b, &nh, &seq), 0);
		assert_int_equal(b.len, ptlen - 257);
		assert_memory_equal(pkt_data(&b), pt, ptlen - 257);
		assert_int_equal(nh, 41);
		/* Zero padding bytes with a pad length of 0 and a dummy packet. */
		pt[ptlen - 2] = 0;
		pt[ptlen - 1] = ESP_NH_NONE;
		len = espgen_seal(&s.g, SPI, 5, false, iv, pt, ptlen, pkt, sizeof(pkt));
		buf_payload(&b, mem, sizeof(mem), HEADROOM, pkt, len);
		assert_int_equal(esp_decap(&s.x, &rp, &b, &nh, &seq), 0);
		assert_int_equal(nh, ESP_NH_NONE);
		assert_int_equal(b.len, ptlen - 2);
		replay_free(&rp);
		esp_xform_free(&s.x);
	}
}

/* Lengths that cannot be ESP for the SA: refused before the replay check. */
static void
test_malformed(void **state)
{
	uint8_t payload[64], mem[BUFSZ], pkt[BUFSZ];
	struct replay rp;
	struct pkt_buf b;
	struct sa s;
	size_t i, len, cut, min;
	uint8_t nh;
	uint64_t seq;

	pattern(payload, sizeof(payload), 4);
	for (i = 0; i < espgen_sa_count(); i++) {
		sa_init(&s, i, 3);
		assert_int_equal(replay_init(&rp, 64, false), 0);
		buf_payload(&b, mem, sizeof(mem), HEADROOM, payload, 30);
		assert_int_equal(esp_encap(&s.x, SPI, 9, false, 4, &b), 0);
		len = b.len;
		memcpy(pkt, pkt_data(&b), len);
		/* Shortest possible: header, IV, one aligned unit, ICV. */
		min = 8 + s.x.ivlen + espgen_align(&s.g) + s.x.icvlen;
		for (cut = 0; cut < min; cut++) {
			buf_payload(&b, mem, sizeof(mem), HEADROOM, pkt, cut);
			assert_int_equal(esp_decap(&s.x, &rp, &b, &nh, &seq), ESP_E_MALFORMED);
		}
		/* Encrypted part not on the alignment: one byte more or less. */
		for (cut = 1; cut < espgen_align(&s.g); cut++) {
			buf_payload(&b, mem, sizeof(mem), HEADROOM, pkt, len - cut);
			assert_int_equal(esp_decap(&s.x, &rp, &b, &nh, &seq), ESP_E_MALFORMED);
			buf_payload(&b, mem, sizeof(mem), HEADROOM, pkt, len + cut);
			assert_int_equal(esp_decap(&s.x, &rp, &b, &nh, &seq), ESP_E_MALFORMED);
		}
		assert_int_equal(rp.top, 0);
		buf_payload(&b, mem, sizeof(mem), HEADROOM, pkt, len);
		assert_int_equal(esp_decap(&s.x, &rp, &b, &nh, &seq), 0);
		replay_free(&rp);
		esp_xform_free(&s.x);
	}
}

/* ESN: low bits on the wire, high bits authenticated, never sent. */
static void
test_esn(void **state)
{
	uint8_t payload[48], mem[BUFSZ], pkt[BUFSZ];
	const uint64_t seq = UINT64_C(0x0000000500000002);
	struct replay rp;
	struct pkt_buf b;
	struct sa s;
	size_t i, len;
	uint8_t nh;
	uint64_t got;

	pattern(payload, sizeof(payload), 6);
	for (i = 0; i < espgen_sa_count(); i++) {
		sa_init(&s, i, 4);
		buf_payload(&b, mem, sizeof(mem), HEADROOM, payload, sizeof(payload));
		assert_int_equal(esp_encap(&s.x, SPI, seq, true, 4, &b), 0);
		assert_memory_equal(pkt_data(&b) + 4, "\x00\x00\x00\x02", 4);
		len = b.len;
		memcpy(pkt, pkt_data(&b), len);
		/* A receiver without ESN computes a different ICV input. */
		assert_int_equal(replay_init(&rp, 64, false), 0);
		buf_payload(&b, mem, sizeof(mem), HEADROOM, pkt, len);
		assert_int_equal(esp_decap(&s.x, &rp, &b, &nh, &got), ESP_E_ICV);
		replay_free(&rp);
		/* One that infers the wrong high bits fails the same way. */
		replay_at(&rp, seq - (UINT64_C(1) << 32), true);
		buf_payload(&b, mem, sizeof(mem), HEADROOM, pkt, len);
		assert_int_equal(esp_decap(&s.x, &rp, &b, &nh, &got), ESP_E_ICV);
		replay_free(&rp);
		/* The right one gets the full number back. */
		replay_at(&rp, seq, true);
		buf_payload(&b, mem, sizeof(mem), HEADROOM, pkt, len);
		decap_ok(&s.x, &rp, &b, payload, sizeof(payload), 4, seq);
		replay_free(&rp);
		esp_xform_free(&s.x);
	}
}

struct snap {
	struct replay	rp;
	uint64_t	ring[4];
};

/*
 * Every truncation and every single-bit flip of a valid packet, for every
 * algorithm with and without ESN: always rejected, never a crash, and the
 * replay window exactly as it was. The intact packet still passes after.
 */
static void
test_mutation_sweep(void **state)
{
	uint8_t payload[37], mem[BUFSZ], pkt[BUFSZ];
	struct replay rp;
	struct snap before;
	struct pkt_buf b;
	struct sa s;
	size_t i, len, n, bit;
	uint8_t nh;
	uint64_t seq, got;
	int esn, rc;

	pattern(payload, sizeof(payload), 8);
	for (i = 0; i < espgen_sa_count(); i++) {
		sa_init(&s, i, 6);
		for (esn = 0; esn <= 1; esn++) {
			seq = esn ? (UINT64_C(1) << 32) + 1000 : 1000;
			buf_payload(&b, mem, sizeof(mem), HEADROOM, payload, sizeof(payload));
			assert_int_equal(esp_encap(&s.x, SPI, seq, esn, 4, &b), 0);
			len = b.len;
			memcpy(pkt, pkt_data(&b), len);
			replay_at(&rp, seq, esn);
			assert_true(rp.mask + 1 <= NELEM(before.ring));
			before.rp = rp;
			memcpy(before.ring, rp.ring, (rp.mask + 1) * sizeof(uint64_t));
			for (n = 0; n < len + 8 * len; n++) {
				buf_payload(&b, mem, sizeof(mem), HEADROOM, pkt, len);
				if (n < len)
					pkt_trim(&b, len - n);
				else {
					bit = n - len;
					pkt_data(&b)[bit / 8] ^= (uint8_t)(1u << (bit % 8));
				}
				rc = esp_decap(&s.x, &rp, &b, &nh, &got);
				if (rc == 0)
					fail_msg("%s esn %d: mutation %zu accepted", s.g.name,
					    esn, n);
				assert_int_equal(rp.top, before.rp.top);
				assert_memory_equal(rp.ring, before.ring,
				    (rp.mask + 1) * sizeof(uint64_t));
			}
			buf_payload(&b, mem, sizeof(mem), HEADROOM, pkt, len);
			decap_ok(&s.x, &rp, &b, payload, sizeof(payload), 4, seq);
			replay_free(&rp);
		}
		esp_xform_free(&s.x);
	}
}

static void
test_xform_refusals(void **state)
{
	const struct alg *gcm = alg_by_id(ALG_ENC, SADB_X_EALG_AES_GCM_ICV16);
	const struct alg *cbc = alg_by_id(ALG_ENC, SADB_X_EALG_AESCBC);
	const struct alg *null = alg_by_id(ALG_ENC, SADB_EALG_NULL);
	const struct alg *des3 = alg_by_id(ALG_ENC, SADB_EALG_3DESCBC);
	const struct alg *sha1 = alg_by_id(ALG_AUTH, SADB_AALG_SHA1HMAC);
	const struct alg *md5 = alg_by_id(ALG_AUTH, SADB_AALG_MD5HMAC);
	const struct alg *anull = alg_by_id(ALG_AUTH, SADB_X_AALG_NULL);
	uint8_t key[64] = { 1, 2, 3 };
	struct esp_xform x, zero;

	memset(&zero, 0, sizeof(zero));
	assert_non_null(gcm);
	assert_non_null(cbc);
	assert_non_null(null);
	assert_non_null(des3);
	assert_non_null(sha1);
	assert_non_null(md5);
	/* Combinations. */
	assert_int_equal(esp_xform_init(&x, gcm, key, 20, sha1, key, 20), GW_E_BADVAL);
	assert_memory_equal(&x, &zero, sizeof(x));
	assert_int_equal(esp_xform_init(&x, cbc, key, 16, NULL, NULL, 0), GW_E_BADVAL);
	assert_int_equal(esp_xform_init(&x, cbc, key, 16, anull, NULL, 0), GW_E_BADVAL);
	assert_int_equal(esp_xform_init(&x, null, NULL, 0, NULL, NULL, 0), GW_E_BADVAL);
	assert_int_equal(esp_xform_init(&x, NULL, NULL, 0, sha1, key, 20), GW_E_BADVAL);
	assert_int_equal(esp_xform_init(&x, sha1, key, 20, sha1, key, 20), GW_E_BADVAL);
	assert_int_equal(esp_xform_init(&x, cbc, key, 16, cbc, key, 16), GW_E_BADVAL);
	/* Algorithms the data path does not run. */
	assert_int_equal(esp_xform_init(&x, des3, key, 24, sha1, key, 20), GW_E_UNSUPP);
	assert_int_equal(esp_xform_init(&x, cbc, key, 16, md5, key, 16), GW_E_UNSUPP);
	assert_memory_equal(&x, &zero, sizeof(x));
	/* Key lengths, salt included for the AEAD. */
	assert_int_equal(esp_xform_init(&x, gcm, key, 16, NULL, NULL, 0), GW_E_KEYLEN);
	assert_int_equal(esp_xform_init(&x, gcm, key, 21, NULL, NULL, 0), GW_E_KEYLEN);
	assert_int_equal(esp_xform_init(&x, cbc, key, 20, sha1, key, 20), GW_E_KEYLEN);
	assert_int_equal(esp_xform_init(&x, cbc, key, 16, sha1, key, 16), GW_E_KEYLEN);
	assert_int_equal(esp_xform_init(&x, null, key, 8, sha1, key, 20), GW_E_KEYLEN);
	assert_int_equal(esp_xform_init(&x, cbc, key, SIZE_MAX, sha1, key, 20), GW_E_KEYLEN);
	assert_memory_equal(&x, &zero, sizeof(x));
	/* Accepted: an AEAD with KAME's "-A null", NULL with an HMAC. */
	assert_int_equal(esp_xform_init(&x, gcm, key, 36, anull, NULL, 0), 0);
	assert_null(x.auth);
	assert_int_equal(x.icvlen, 16);
	esp_xform_free(&x);
	assert_int_equal(esp_xform_init(&x, null, NULL, 0, sha1, key, 20), 0);
	assert_int_equal(x.icvlen, 12);
	assert_int_equal(x.ivlen, 0);
	esp_xform_free(&x);
}

/* Free wipes everything; a freed or zeroed transform refuses work. */
static void
test_xform_free(void **state)
{
	uint8_t mem[BUFSZ], nh;
	struct esp_xform zero;
	struct replay rp;
	struct pkt_buf b;
	struct sa s;
	uint64_t seq;
	size_t i;

	memset(&zero, 0, sizeof(zero));
	for (i = 0; i < espgen_sa_count(); i++) {
		sa_init(&s, i, 7);
		esp_xform_free(&s.x);
		assert_memory_equal(&s.x, &zero, sizeof(zero));
		esp_xform_free(&s.x);
		pkt_init(&b, mem, sizeof(mem), HEADROOM);
		pkt_put(&b, 40);
		assert_int_equal(esp_encap(&s.x, SPI, 1, false, 4, &b), ESP_E_CRYPTO);
		assert_int_equal(esp_encap_len(&s.x, 40), 0);
		assert_int_equal(replay_init(&rp, 64, false), 0);
		assert_int_equal(esp_decap(&s.x, &rp, &b, &nh, &seq), ESP_E_CRYPTO);
		replay_free(&rp);
	}
}

static void
test_strerror(void **state)
{
	static const int codes[] = { ESP_OK, ESP_E_MALFORMED, ESP_E_REPLAY, ESP_E_ICV, ESP_E_PAD,
		ESP_E_OVERSIZE, ESP_E_SEQ, ESP_E_CRYPTO };
	size_t i, j;

	for (i = 0; i < NELEM(codes); i++) {
		assert_string_not_equal(esp_strerror(codes[i]), "unknown error");
		for (j = 0; j < i; j++)
			assert_string_not_equal(esp_strerror(codes[i]), esp_strerror(codes[j]));
		/* No clash with the library's codes. */
		assert_true(codes[i] == 0 || codes[i] < GW_E_UNKNOWN);
	}
	assert_string_equal(esp_strerror(1), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_published_packets),
		cmocka_unit_test(test_cbc_known_answers),
		cmocka_unit_test(test_matches_independent_encoder),
		cmocka_unit_test(test_generated_iv),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_bad_sequence),
		cmocka_unit_test(test_bad_padding),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_esn),
		cmocka_unit_test(test_mutation_sweep),
		cmocka_unit_test(test_xform_refusals),
		cmocka_unit_test(test_xform_free),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
