/* test_alg.c: algorithm table consistency, lookups and key lengths. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "alg.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const enum alg_kind kinds[] = { ALG_ENC, ALG_AUTH, ALG_COMP };

/* Number of entries of kind. */
static size_t
count(enum alg_kind kind)
{
	size_t n = 0;

	while (alg_at(kind, n) != NULL)
		n++;
	return n;
}

/* Fills out with a's name and aliases; returns how many. */
static size_t
nspellings(const struct alg *a, const char *out[5])
{
	size_t i, n = 0;

	out[n++] = a->name;
	for (i = 0; i < NELEM(a->aliases) && a->aliases[i] != NULL; i++)
		out[n++] = a->aliases[i];
	return n;
}

static void
test_sizes(void **state)
{
	assert_int_equal(count(ALG_ENC), 12);
	assert_int_equal(count(ALG_AUTH), 11);
	assert_int_equal(count(ALG_COMP), 3);
	assert_null(alg_at((enum alg_kind)7, 0));
	assert_null(alg_at(ALG_ENC, SIZE_MAX));
}

static void
test_kind_field(void **state)
{
	const struct alg *a;
	size_t k, i;

	for (k = 0; k < NELEM(kinds); k++)
		for (i = 0; (a = alg_at(kinds[k], i)) != NULL; i++)
			assert_int_equal(a->kind, kinds[k]);
}

static void
test_names_unique(void **state)
{
	const struct alg *a, *b;
	const char *sa[5], *sb[5];
	size_t k, i, j, x, y, na, nb;

	for (k = 0; k < NELEM(kinds); k++) {
		for (i = 0; (a = alg_at(kinds[k], i)) != NULL; i++) {
			na = nspellings(a, sa);
			for (x = 0; x < na; x++)
				assert_true(sa[x][0] != '\0');
			for (j = i; (b = alg_at(kinds[k], j)) != NULL; j++) {
				nb = nspellings(b, sb);
				for (x = 0; x < na; x++)
					for (y = (i == j ? x + 1 : 0); y < nb; y++)
						if (strcmp(sa[x], sb[y]) == 0)
							fail_msg("%s twice", sa[x]);
			}
		}
	}
}

static void
test_ids_unique(void **state)
{
	const struct alg *a, *b;
	size_t k, i, j;

	for (k = 0; k < NELEM(kinds); k++) {
		for (i = 0; (a = alg_at(kinds[k], i)) != NULL; i++) {
			assert_true(a->id != 0);
			for (j = i + 1; (b = alg_at(kinds[k], j)) != NULL; j++) {
				if (a->id != b->id)
					continue;
				/* The one shared number: null and the obsolete simple. */
				assert_int_equal(kinds[k], ALG_ENC);
				assert_string_equal(a->name, "null");
				assert_string_equal(b->name, "simple");
			}
		}
	}
}

static void
test_fields_consistent(void **state)
{
	const struct alg *a;
	size_t k, i;

	for (k = 0; k < NELEM(kinds); k++) {
		for (i = 0; (a = alg_at(kinds[k], i)) != NULL; i++) {
			assert_true(a->key_min <= a->key_max);
			if (a->key_none)
				assert_true(a->key_min == 0 && a->key_max == 0);
			else
				assert_true(a->key_min > 0 && a->key_min % 8 == 0);
			if (a->key_step != 0) {
				assert_int_equal(a->key_step % 8, 0);
				assert_int_equal((a->key_max - a->key_min) % a->key_step, 0);
			}
			if (a->aead) {
				assert_int_equal(a->kind, ALG_ENC);
				assert_true(a->icv > 0);
				assert_true(a->salt > 0);
			}
			if (a->salt)
				assert_true(a->salt * 8 < a->key_min);
			if (a->kind == ALG_ENC) {
				/* A power of two at least 4: ESP pads to 4 (RFC 4303 2.4). */
				assert_true(a->block >= 4 && (a->block & (a->block - 1)) == 0);
				if (!a->aead)
					assert_int_equal(a->icv, 0);
			} else {
				assert_int_equal(a->block, 0);
				assert_int_equal(a->iv, 0);
				assert_false(a->aead);
			}
			if (a->kind == ALG_COMP)
				assert_true(a->key_none);
			if (a->obsolete)
				assert_false(a->datapath);
		}
	}
}

static void
test_datapath_list(void **state)
{
	static const char *want[][5] = {
		[ALG_ENC] = { "null", "aes-cbc", "aes-gcm-16", "chacha20-poly1305", NULL },
		[ALG_AUTH] = { "hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512", NULL },
		[ALG_COMP] = { NULL },
	};
	const struct alg *a;
	size_t k, i, n;

	for (k = 0; k < NELEM(kinds); k++) {
		n = 0;
		for (i = 0; (a = alg_at(kinds[k], i)) != NULL; i++) {
			if (!a->datapath)
				continue;
			if (want[kinds[k]][n] == NULL)
				fail_msg("unexpected datapath %s", a->name);
			assert_string_equal(a->name, want[kinds[k]][n]);
			n++;
		}
		assert_null(want[kinds[k]][n]);
	}
}

static void
test_datapath_params(void **state)
{
	const struct alg *a;

	a = alg_by_name(ALG_ENC, "aes-cbc");
	assert_int_equal(a->id, 12);
	assert_int_equal(a->block, 16);
	assert_int_equal(a->iv, 16);
	assert_int_equal(a->icv, 0);
	assert_int_equal(a->salt, 0);
	assert_false(a->aead);
	a = alg_by_name(ALG_ENC, "aes-gcm-16");
	assert_int_equal(a->id, 20);
	assert_int_equal(a->block, 4);
	assert_int_equal(a->iv, 8);
	assert_int_equal(a->icv, 16);
	assert_int_equal(a->salt, 4);
	assert_true(a->aead);
	a = alg_by_name(ALG_ENC, "chacha20-poly1305");
	assert_int_equal(a->id, SADB_X_EALG_CHACHA20_POLY1305);
	assert_int_equal(a->block, 4);
	assert_int_equal(a->iv, 8);
	assert_int_equal(a->icv, 16);
	assert_int_equal(a->salt, 4);
	assert_true(a->aead);
	a = alg_by_name(ALG_ENC, "null");
	assert_int_equal(a->id, 11);
	assert_int_equal(a->block, 4);
	assert_int_equal(a->iv, 0);
	assert_true(a->key_none);
	assert_int_equal(alg_by_name(ALG_AUTH, "hmac-sha1")->icv, 12);
	assert_int_equal(alg_by_name(ALG_AUTH, "hmac-sha256")->icv, 16);
	assert_int_equal(alg_by_name(ALG_AUTH, "hmac-sha384")->icv, 24);
	assert_int_equal(alg_by_name(ALG_AUTH, "hmac-sha512")->icv, 32);
	assert_int_equal(alg_by_name(ALG_AUTH, "hmac-md5")->icv, 12);
}

static void
test_lookup_roundtrip(void **state)
{
	const struct alg *a;
	const char *s[5];
	size_t k, i, x, n;

	for (k = 0; k < NELEM(kinds); k++) {
		for (i = 0; (a = alg_at(kinds[k], i)) != NULL; i++) {
			n = nspellings(a, s);
			for (x = a->print_only ? 1 : 0; x < n; x++)
				assert_ptr_equal(alg_by_name(kinds[k], s[x]), a);
			if (a->obsolete)
				continue;
			assert_ptr_equal(alg_by_id(kinds[k], a->id), a);
		}
	}
}

static void
test_aliases(void **state)
{
	static const struct {
		enum alg_kind kind;
		const char *in;
		const char *name;
		uint8_t id;
	} tab[] = {
		{ ALG_ENC, "rijndael-cbc", "aes-cbc", 12 },
		{ ALG_ENC, "aes-gcm", "aes-gcm-16", 20 },
		{ ALG_ENC, "simple", "simple", 11 },
		{ ALG_ENC, "twofish-cbc", "twofish-cbc", 253 },
		{ ALG_ENC, "camellia-cbc", "camellia-cbc", 22 },
		{ ALG_AUTH, "hmac-sha2-256", "hmac-sha256", 5 },
		{ ALG_AUTH, "hmac-sha2-384", "hmac-sha384", 6 },
		{ ALG_AUTH, "hmac-sha2-512", "hmac-sha512", 7 },
		{ ALG_AUTH, "keyed-md5", "md5", 249 },
		{ ALG_AUTH, "keyed-sha1", "sha", 250 },
		{ ALG_AUTH, "tcp-md5", "tcp-md5", 252 },
		{ ALG_AUTH, "null", "null", 251 },
		{ ALG_COMP, "deflate", "deflate", 2 },
		{ ALG_COMP, "oui", "oui", 1 },
		{ ALG_COMP, "lzs", "lzs", 3 },
	};
	const struct alg *a;
	size_t i;

	for (i = 0; i < NELEM(tab); i++) {
		a = alg_by_name(tab[i].kind, tab[i].in);
		if (a == NULL)
			fail_msg("%s unknown", tab[i].in);
		assert_string_equal(a->name, tab[i].name);
		assert_int_equal(a->id, tab[i].id);
	}
	assert_true(alg_by_name(ALG_ENC, "simple")->obsolete);
}

static void
test_lookup_unknown(void **state)
{
	static const char *enc_bad[] = {
		"des-deriv", "des-32iv", "3des-deriv", "rc5-cbc", "AES-CBC", "aes-cbc ",
		"aes", "", "hmac-sha1", "none", "aes-gcm-12", "chacha20",
	};
	static const char *auth_bad[] = {
		"md5", "sha", "sha1", "hmac-sha2", "HMAC-SHA1", "aes-cbc", "none", "",
	};
	size_t i;

	for (i = 0; i < NELEM(enc_bad); i++)
		if (alg_by_name(ALG_ENC, enc_bad[i]) != NULL)
			fail_msg("enc %s accepted", enc_bad[i]);
	for (i = 0; i < NELEM(auth_bad); i++)
		if (alg_by_name(ALG_AUTH, auth_bad[i]) != NULL)
			fail_msg("auth %s accepted", auth_bad[i]);
	assert_null(alg_by_name(ALG_COMP, "null"));
	assert_null(alg_by_name((enum alg_kind)7, "null"));
	assert_null(alg_by_id(ALG_ENC, 0));
	assert_null(alg_by_id(ALG_ENC, 255));
	assert_null(alg_by_id(ALG_ENC, 23));
	assert_null(alg_by_id(ALG_AUTH, 0));
	assert_null(alg_by_id(ALG_AUTH, 4));
	assert_null(alg_by_id(ALG_COMP, 4));
	assert_null(alg_by_id((enum alg_kind)7, 2));
}

static void
test_by_id_null_not_simple(void **state)
{
	const struct alg *a = alg_by_id(ALG_ENC, 11);

	assert_non_null(a);
	assert_string_equal(a->name, "null");
	assert_false(a->obsolete);
	assert_true(a->datapath);
}

static void
test_print_names(void **state)
{
	static const struct {
		enum alg_kind kind;
		uint8_t id;
		const char *name;
	} tab[] = {
		{ ALG_ENC, 2, "des-cbc" }, { ALG_ENC, 3, "3des-cbc" },
		{ ALG_ENC, 6, "cast128-cbc" },
		{ ALG_ENC, 7, "blowfish-cbc" }, { ALG_ENC, 12, "aes-cbc" },
		{ ALG_ENC, 13, "aes-ctr" }, { ALG_ENC, 20, "aes-gcm-16" },
		{ ALG_ENC, 28, "chacha20-poly1305" },
		{ ALG_AUTH, 2, "hmac-md5" }, { ALG_AUTH, 3, "hmac-sha1" }, { ALG_AUTH, 249, "md5" },
		{ ALG_AUTH, 250, "sha" }, { ALG_AUTH, 5, "hmac-sha256" },
		{ ALG_AUTH, 6, "hmac-sha384" }, { ALG_AUTH, 7, "hmac-sha512" },
		{ ALG_AUTH, 8, "hmac-ripemd160" }, { ALG_AUTH, 9, "aes-xcbc-mac" },
	};
	size_t i;

	for (i = 0; i < NELEM(tab); i++)
		assert_string_equal(alg_by_id(tab[i].kind, tab[i].id)->name, tab[i].name);
}

static void
test_ikev2_ids(void **state)
{
	static const struct {
		enum alg_kind kind;
		const char *name;
		uint16_t ikev2;
	} tab[] = {
		{ ALG_ENC, "des-cbc", 2 }, { ALG_ENC, "3des-cbc", 3 },
		{ ALG_ENC, "cast128-cbc", 6 },
		{ ALG_ENC, "blowfish-cbc", 7 }, { ALG_ENC, "null", 11 }, { ALG_ENC, "aes-cbc", 12 },
		{ ALG_ENC, "aes-ctr", 13 }, { ALG_ENC, "aes-gcm-16", 20 },
		{ ALG_ENC, "camellia-cbc", 23 }, { ALG_ENC, "chacha20-poly1305", 28 },
		{ ALG_ENC, "simple", 0 }, { ALG_ENC, "twofish-cbc", 0 },
		{ ALG_AUTH, "hmac-md5", 1 }, { ALG_AUTH, "hmac-sha1", 2 },
		{ ALG_AUTH, "aes-xcbc-mac", 5 }, { ALG_AUTH, "hmac-sha256", 12 },
		{ ALG_AUTH, "hmac-sha384", 13 }, { ALG_AUTH, "hmac-sha512", 14 },
		{ ALG_AUTH, "keyed-md5", 0 }, { ALG_AUTH, "hmac-ripemd160", 0 },
		{ ALG_AUTH, "tcp-md5", 0 }, { ALG_AUTH, "null", 0 },
	};
	size_t i;

	for (i = 0; i < NELEM(tab); i++)
		assert_int_equal(alg_by_name(tab[i].kind, tab[i].name)->ikev2_id, tab[i].ikev2);
}

/* Checks that exactly the listed bit lengths in 0..1024 are accepted. */
static void
check_keys(enum alg_kind kind, const char *name, const unsigned *ok, size_t n)
{
	const struct alg *a = alg_by_name(kind, name);
	unsigned bits;
	size_t i;
	bool want;

	assert_non_null(a);
	for (bits = 0; bits <= 1024; bits++) {
		want = false;
		for (i = 0; i < n; i++)
			want = want || ok[i] == bits;
		if (alg_key_ok(a, bits) != want)
			fail_msg("%s: %u bits %s", name, bits, want ? "refused" : "accepted");
	}
	assert_false(alg_key_ok(a, UINT_MAX));
	assert_false(alg_key_ok(a, 65536 + (n ? ok[0] : 0)));
}

static void
test_key_ok_datapath(void **state)
{
	static const unsigned aes_cbc[] = { 128, 192, 256 };
	static const unsigned aes_gcm[] = { 160, 224, 288 };
	static const unsigned chacha[] = { 288 };
	static const unsigned null0[] = { 0 };
	static const unsigned sha1[] = { 160 };
	static const unsigned sha256[] = { 256 };
	static const unsigned sha384[] = { 384 };
	static const unsigned sha512[] = { 512 };

	check_keys(ALG_ENC, "aes-cbc", aes_cbc, NELEM(aes_cbc));
	check_keys(ALG_ENC, "aes-gcm-16", aes_gcm, NELEM(aes_gcm));
	check_keys(ALG_ENC, "chacha20-poly1305", chacha, NELEM(chacha));
	check_keys(ALG_ENC, "null", null0, NELEM(null0));
	check_keys(ALG_AUTH, "hmac-sha1", sha1, NELEM(sha1));
	check_keys(ALG_AUTH, "hmac-sha256", sha256, NELEM(sha256));
	check_keys(ALG_AUTH, "hmac-sha384", sha384, NELEM(sha384));
	check_keys(ALG_AUTH, "hmac-sha512", sha512, NELEM(sha512));
}

static void
test_key_ok_others(void **state)
{
	const struct alg *a;

	a = alg_by_name(ALG_AUTH, "tcp-md5");
	assert_true(alg_key_ok(a, 8));
	assert_true(alg_key_ok(a, 640));
	assert_false(alg_key_ok(a, 0));
	assert_false(alg_key_ok(a, 12));
	assert_false(alg_key_ok(a, 648));
	a = alg_by_name(ALG_ENC, "blowfish-cbc");
	assert_true(alg_key_ok(a, 40));
	assert_true(alg_key_ok(a, 448));
	assert_false(alg_key_ok(a, 44));
	assert_false(alg_key_ok(a, 32));
	a = alg_by_name(ALG_ENC, "aes-ctr");
	assert_true(alg_key_ok(a, 224));
	assert_false(alg_key_ok(a, 256));
	assert_true(alg_key_ok(alg_by_name(ALG_ENC, "3des-cbc"), 192));
	assert_false(alg_key_ok(alg_by_name(ALG_ENC, "3des-cbc"), 128));
	assert_true(alg_key_ok(alg_by_name(ALG_ENC, "simple"), 0));
	assert_false(alg_key_ok(alg_by_name(ALG_ENC, "simple"), 8));
	assert_true(alg_key_ok(alg_by_name(ALG_AUTH, "null"), 0));
	assert_false(alg_key_ok(alg_by_name(ALG_AUTH, "null"), 128));
	assert_true(alg_key_ok(alg_by_name(ALG_COMP, "deflate"), 0));
	assert_false(alg_key_ok(alg_by_name(ALG_COMP, "deflate"), 8));
	assert_false(alg_key_ok(NULL, 0));
	assert_false(alg_key_ok(NULL, 128));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_kind_field),
		cmocka_unit_test(test_names_unique),
		cmocka_unit_test(test_ids_unique),
		cmocka_unit_test(test_fields_consistent),
		cmocka_unit_test(test_datapath_list),
		cmocka_unit_test(test_datapath_params),
		cmocka_unit_test(test_lookup_roundtrip),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_lookup_unknown),
		cmocka_unit_test(test_by_id_null_not_simple),
		cmocka_unit_test(test_print_names),
		cmocka_unit_test(test_ikev2_ids),
		cmocka_unit_test(test_key_ok_datapath),
		cmocka_unit_test(test_key_ok_others),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
