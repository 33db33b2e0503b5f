/*
 * test_conf.c: ikd.conf (ikd/conf.c): the defaults, conf/ikd.conf, every
 * keyword and unit, error messages with their exact positions, and a
 * classic racoon.conf refused line by line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <linux/ipsec.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gw_config.h"
#include "conf.h"
#include "ike_wire.h"

/* Parses text; *msgs gets the diagnostics (caller frees). */
static unsigned
parse(const char *text, struct ikd_conf **out, char **msgs)
{
	size_t len = 0;
	FILE *f;
	unsigned n;

	*msgs = NULL;
	f = open_memstream(msgs, &len);
	assert_non_null(f);
	n = conf_parse(text, strlen(text), "t.conf", f, out);
	fclose(f);
	return n;
}

/* Parses text that must be valid. */
static struct ikd_conf *
parse_ok(const char *text)
{
	struct ikd_conf *c = NULL;
	char *msgs;
	unsigned n = parse(text, &c, &msgs);

	if (n != 0)
		print_error("unexpected errors:\n%s", msgs);
	assert_int_equal(n, 0);
	assert_string_equal(msgs, "");
	free(msgs);
	assert_non_null(c);
	return c;
}

/* Parses text that must fail with exactly the messages want. */
static void
parse_fails(const char *text, const char *want)
{
	struct ikd_conf *c = (struct ikd_conf *)1;
	char *msgs;
	unsigned n = parse(text, &c, &msgs);

	assert_true(n > 0);
	assert_null(c);
	if (strcmp(msgs, want) != 0)
		fprintf(stderr, "got:\n%s", msgs);
	assert_string_equal(msgs, want);
	free(msgs);
}

static void
check_xf(const struct ike_prop *p, size_t i, uint8_t type, uint16_t id, uint16_t keylen)
{
	assert_true(i < p->ntrans);
	assert_int_equal(p->xf[i].type, type);
	assert_int_equal(p->xf[i].id, id);
	assert_int_equal(p->xf[i].keylen, keylen);
}

static void
same_prop(const struct ike_prop *a, const struct ike_prop *b)
{
	size_t i;

	assert_int_equal(a->num, b->num);
	assert_int_equal(a->proto, b->proto);
	assert_int_equal(a->spisize, b->spisize);
	assert_int_equal(a->ntrans, b->ntrans);
	for (i = 0; i < a->ntrans; i++)
		check_xf(a, i, b->xf[i].type, b->xf[i].id, b->xf[i].keylen);
}

static void
same_id(const struct conf_id *a, const struct conf_id *b)
{
	assert_int_equal(a->type, b->type);
	assert_int_equal(addr_cmp(&a->addr, &b->addr), 0);
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->data, b->data, a->len);
}

static void
same_remote(const struct conf_remote *a, const struct conf_remote *b)
{
	size_t i;

	assert_int_equal(a->anonymous, b->anonymous);
	assert_int_equal(addr_cmp(&a->addr, &b->addr), 0);
	assert_int_equal(a->passive, b->passive);
	same_id(&a->my_id, &b->my_id);
	same_id(&a->peer_id, &b->peer_id);
	assert_int_equal(a->lifetime, b->lifetime);
	assert_int_equal(a->rekey.margin_pct, b->rekey.margin_pct);
	assert_int_equal(a->rekey.margin_sec, b->rekey.margin_sec);
	assert_int_equal(a->rekey.fuzz_pct, b->rekey.fuzz_pct);
	assert_int_equal(a->dpd_delay, b->dpd_delay);
	assert_int_equal(a->dpd_retry, b->dpd_retry);
	assert_int_equal(a->dpd_maxfail, b->dpd_maxfail);
	assert_int_equal(a->natt, b->natt);
	assert_int_equal(a->nprops, b->nprops);
	for (i = 0; i < a->nprops; i++)
		same_prop(&a->props[i], &b->props[i]);
}

static void
same_sel(const struct conf_sel *a, const struct conf_sel *b)
{
	assert_int_equal(a->anonymous, b->anonymous);
	assert_int_equal(addr_cmp(&a->net, &b->net), 0);
	assert_int_equal(a->proto, b->proto);
}

static void
same_sainfo(const struct conf_sainfo *a, const struct conf_sainfo *b)
{
	size_t i;

	same_sel(&a->local, &b->local);
	same_sel(&a->remote, &b->remote);
	assert_int_equal(a->pfs_group, b->pfs_group);
	assert_int_equal(a->lifetime, b->lifetime);
	assert_int_equal(a->lifetime_bytes, b->lifetime_bytes);
	assert_int_equal(a->esn, b->esn);
	assert_int_equal(a->nprops, b->nprops);
	for (i = 0; i < a->nprops; i++)
		same_prop(&a->props[i], &b->props[i]);
}

/* Everything but the file positions. */
static void
same_conf(const struct ikd_conf *a, const struct ikd_conf *b)
{
	size_t i;

	assert_string_equal(a->psk_path, b->psk_path);
	assert_int_equal(a->log, b->log);
	assert_int_equal(a->nlisten, b->nlisten);
	for (i = 0; i < a->nlisten; i++) {
		assert_int_equal(addr_cmp(&a->listen[i].addr, &b->listen[i].addr), 0);
		assert_int_equal(a->listen[i].natt, b->listen[i].natt);
	}
	assert_int_equal(a->retry_counter, b->retry_counter);
	assert_int_equal(a->retry_interval, b->retry_interval);
	assert_int_equal(a->natt_keepalive, b->natt_keepalive);
	assert_int_equal(a->nremote, b->nremote);
	for (i = 0; i < a->nremote; i++)
		same_remote(&a->remote[i], &b->remote[i]);
	assert_int_equal(a->nsainfo, b->nsainfo);
	for (i = 0; i < a->nsainfo; i++)
		same_sainfo(&a->sainfo[i], &b->sainfo[i]);
}

/* ------------------------------------------------------------ defaults */

static void
test_defaults(void **state)
{
	struct ikd_conf *c = conf_default();
	const struct conf_remote *r;
	const struct conf_sainfo *s;

	(void)state;
	assert_non_null(c);
	assert_string_equal(c->psk_path, GW_SYSCONFDIR "/ikd/psk.txt");
	assert_int_equal(c->log, CONF_LOG_INFO);
	assert_int_equal(c->nlisten, 0);
	assert_int_equal(c->retry_counter, 5);
	assert_int_equal(c->retry_interval, 1);
	assert_int_equal(c->natt_keepalive, 20);
	assert_int_equal(c->nremote, 1);
	r = &c->remote[0];
	assert_true(r->anonymous);
	assert_int_equal(r->line, 0);
	assert_false(r->passive);
	assert_int_equal(r->my_id.type, CONF_ID_ADDRESS);
	assert_int_equal(r->my_id.addr.af, AF_UNSPEC);
	assert_int_equal(r->peer_id.type, CONF_ID_NONE);
	assert_int_equal(r->lifetime, 8 * 3600);
	assert_int_equal(r->rekey.margin_pct, 10);
	assert_int_equal(r->rekey.margin_sec, 0);
	assert_int_equal(r->rekey.fuzz_pct, 10);
	assert_int_equal(r->dpd_delay, 30);
	assert_int_equal(r->dpd_retry, 5);
	assert_int_equal(r->dpd_maxfail, 3);
	assert_int_equal(r->natt, CONF_NATT_ON);
	assert_int_equal(r->nprops, 3);
	/* AES-GCM-16-256 / PRF-SHA2-256 / X25519 */
	assert_int_equal(r->props[0].num, 1);
	assert_int_equal(r->props[0].proto, PROP_PROTO_IKE);
	assert_int_equal(r->props[0].spisize, 0);
	assert_int_equal(r->props[0].ntrans, 3);
	check_xf(&r->props[0], 0, PROP_T_ENCR, IKE_ENCR_AES_GCM_16, 256);
	check_xf(&r->props[0], 1, PROP_T_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	check_xf(&r->props[0], 2, PROP_T_KE, IKE_DH_CURVE25519, 0);
	/* AES-CBC-256 / PRF-SHA2-256 / HMAC-SHA2-256-128 / P-256, then MODP-2048 */
	assert_int_equal(r->props[1].num, 2);
	assert_int_equal(r->props[1].ntrans, 4);
	check_xf(&r->props[1], 0, PROP_T_ENCR, IKE_ENCR_AES_CBC, 256);
	check_xf(&r->props[1], 1, PROP_T_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	check_xf(&r->props[1], 2, PROP_T_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
	check_xf(&r->props[1], 3, PROP_T_KE, IKE_DH_ECP_256, 0);
	assert_int_equal(r->props[2].num, 3);
	check_xf(&r->props[2], 3, PROP_T_KE, IKE_DH_MODP_2048, 0);

	assert_int_equal(c->nsainfo, 1);
	s = &c->sainfo[0];
	assert_true(s->local.anonymous);
	assert_true(s->remote.anonymous);
	assert_int_equal(s->pfs_group, 0);
	assert_int_equal(s->lifetime, 3600);
	assert_int_equal(s->lifetime_bytes, 0);
	assert_false(s->esn);
	assert_int_equal(s->nprops, 2);
	/* AES-GCM-16-256 and ChaCha20-Poly1305, ESN off */
	assert_int_equal(s->props[0].num, 1);
	assert_int_equal(s->props[0].proto, PROP_PROTO_ESP);
	assert_int_equal(s->props[0].spisize, 4);
	assert_int_equal(s->props[0].ntrans, 3);
	check_xf(&s->props[0], 0, PROP_T_ENCR, IKE_ENCR_AES_GCM_16, 256);
	check_xf(&s->props[0], 1, PROP_T_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0);
	check_xf(&s->props[0], 2, PROP_T_ESN, PROP_ESN_NO, 0);
	/* AES-CBC-256 with HMAC-SHA2-256-128 */
	assert_int_equal(s->props[1].num, 2);
	assert_int_equal(s->props[1].ntrans, 3);
	check_xf(&s->props[1], 0, PROP_T_ENCR, IKE_ENCR_AES_CBC, 256);
	check_xf(&s->props[1], 1, PROP_T_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
	check_xf(&s->props[1], 2, PROP_T_ESN, PROP_ESN_NO, 0);
	conf_free(c);
}

static void
test_empty_is_default(void **state)
{
	struct ikd_conf *d = conf_default(), *c;

	(void)state;
	c = parse_ok("");
	same_conf(c, d);
	conf_free(c);
	c = parse_ok("# only a comment\n\n/* and another */\n;\n");
	same_conf(c, d);
	conf_free(c);
	conf_free(d);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The shipped conf/ikd.conf states exactly the built-in defaults. */
static void
test_shipped_file(void **state)
{
	struct ikd_conf *d = conf_default(), *c = NULL;
	size_t len;
	char *text = slurp(IKD_CONF_FILE, &len);

	(void)state;
	assert_int_equal(conf_parse(text, len, IKD_CONF_FILE, stderr, &c), 0);
	assert_non_null(c);
	same_conf(c, d);
	assert_int_equal(c->remote[0].line, 47);
	assert_int_equal(c->sainfo[0].line, 108);
	conf_free(c);
	conf_free(d);
	free(text);
}

/* ------------------------------------------------------------- keywords */

static const char full_conf[] =
    "path pre_shared_key \"/etc/gw/keys.txt\";\n"
    "log debug;\n"
    "listen {\n"
    "\tisakmp 192.0.2.1 [7500];\n"
    "\tisakmp 2001:db8::1;\n"
    "\tisakmp_natt 192.0.2.1;\n"
    "}\n"
    "timer { counter 7; interval 2 sec; natt_keepalive 0 sec; }\n"
    "remote 198.51.100.7 {\n"
    "\texchange_mode ikev2;\n"
    "\tpassive on;\n"
    "\tmy_identifier fqdn \"gw-a.example.org\";\n"
    "\tpeers_identifier user_fqdn \"ike@b.example.org\";\n"
    "\tlifetime time 90 min;\n"
    "\trekey_margin 5 min;\n"
    "\trekey_fuzz 5 %;\n"
    "\tdpd_delay 0;\n"
    "\tdpd_retry 2 sec;\n"
    "\tdpd_maxfail 9;\n"
    "\tnat_traversal force;\n"
    "\tproposal {\n"
    "\t\tencryption_algorithm chacha20_poly1305;\n"
    "\t\thash_algorithm sha512;\n"
    "\t\tdh_group 20;\n"
    "\t}\n"
    "\tproposal {\n"
    "\t\tencryption_algorithm rijndael;\n"
    "\t\thash_algorithm sha384;\n"
    "\t\tdh_group modp4096;\n"
    "\t\tauthentication_method pre_shared_key;\n"
    "\t}\n"
    "}\n"
    "remote anonymous {\n"
    "\tmy_identifier address 192.0.2.1;\n"
    "\tpeers_identifier address;\n"
    "\tnat_traversal off;\n"
    "}\n"
    "sainfo address 10.1.0.0/16 any address 10.2.0.0/16 any {\n"
    "\tpfs_group ecp384;\n"
    "\tlifetime time 30 min;\n"
    "\tlifetime byte 100 MB;\n"
    "\tencryption_algorithm aes 128, aes_gcm_16, aes 256;\n"
    "\tauthentication_algorithm hmac_sha512, hmac_sha1;\n"
    "\tesn on;\n"
    "}\n"
    "sainfo subnet 2001:db8:1::/48 [443] tcp anonymous {\n"
    "\tencryption_algorithm chacha20_poly1305;\n"
    "\tauthentication_algorithm non_auth;\n"
    "}\n";

static void
test_every_keyword(void **state)
{
	struct ikd_conf *c = parse_ok(full_conf);
	const struct conf_remote *r;
	char buf[GW_ADDR_STRLEN];

	(void)state;
	assert_string_equal(c->psk_path, "/etc/gw/keys.txt");
	assert_int_equal(c->log, CONF_LOG_DEBUG);
	assert_int_equal(c->nlisten, 3);
	assert_string_equal(addr_ntop(&c->listen[0].addr, buf, sizeof(buf)), "192.0.2.1");
	assert_int_equal(c->listen[0].addr.port, 7500);
	assert_false(c->listen[0].natt);
	assert_int_equal(c->listen[1].addr.af, AF_INET6);
	assert_int_equal(c->listen[1].addr.port, 500);
	assert_true(c->listen[2].natt);
	assert_int_equal(c->listen[2].addr.port, 4500);
	assert_int_equal(c->retry_counter, 7);
	assert_int_equal(c->retry_interval, 2);
	assert_int_equal(c->natt_keepalive, 0);

	assert_int_equal(c->nremote, 2);
	r = &c->remote[0];
	assert_int_equal(r->line, 9);
	assert_int_equal(r->col, 1);
	assert_false(r->anonymous);
	assert_string_equal(addr_ntop(&r->addr, buf, sizeof(buf)), "198.51.100.7");
	assert_true(r->passive);
	assert_int_equal(r->my_id.type, CONF_ID_FQDN);
	assert_string_equal(r->my_id.data, "gw-a.example.org");
	assert_int_equal(r->my_id.len, 16);
	assert_int_equal(r->peer_id.type, CONF_ID_USER_FQDN);
	assert_string_equal(r->peer_id.data, "ike@b.example.org");
	assert_int_equal(r->lifetime, 5400);
	assert_int_equal(r->rekey.margin_sec, 300);
	assert_int_equal(r->rekey.margin_pct, 0);
	assert_int_equal(r->rekey.fuzz_pct, 5);
	assert_int_equal(r->dpd_delay, 0);
	assert_int_equal(r->dpd_retry, 2);
	assert_int_equal(r->dpd_maxfail, 9);
	assert_int_equal(r->natt, CONF_NATT_FORCE);
	assert_int_equal(r->nprops, 2);
	assert_int_equal(r->props[0].ntrans, 3);
	check_xf(&r->props[0], 0, PROP_T_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0);
	check_xf(&r->props[0], 1, PROP_T_PRF, IKE_PRF_HMAC_SHA2_512, 0);
	check_xf(&r->props[0], 2, PROP_T_KE, IKE_DH_ECP_384, 0);
	assert_int_equal(r->props[1].num, 2);
	assert_int_equal(r->props[1].ntrans, 4);
	check_xf(&r->props[1], 0, PROP_T_ENCR, IKE_ENCR_AES_CBC, 128);
	check_xf(&r->props[1], 1, PROP_T_PRF, IKE_PRF_HMAC_SHA2_384, 0);
	check_xf(&r->props[1], 2, PROP_T_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0);
	check_xf(&r->props[1], 3, PROP_T_KE, IKE_DH_MODP_4096, 0);

	r = &c->remote[1];
	assert_true(r->anonymous);
	assert_int_equal(r->my_id.type, CONF_ID_ADDRESS);
	assert_string_equal(addr_ntop(&r->my_id.addr, buf, sizeof(buf)), "192.0.2.1");
	assert_int_equal(r->peer_id.type, CONF_ID_ADDRESS);
	assert_int_equal(r->peer_id.addr.af, AF_UNSPEC);
	assert_int_equal(r->natt, CONF_NATT_OFF);
	assert_int_equal(r->nprops, 3);	/* no proposal block: the defaults */
	check_xf(&r->props[0], 0, PROP_T_ENCR, IKE_ENCR_AES_GCM_16, 256);
	conf_free(c);
}

static void
test_sainfo_keywords(void **state)
{
	struct ikd_conf *c = parse_ok(full_conf);
	const struct conf_sainfo *s;
	char buf[GW_ADDR_STRLEN];

	(void)state;
	assert_int_equal(c->nsainfo, 2);
	s = &c->sainfo[0];
	assert_false(s->local.anonymous);
	assert_string_equal(addr_ntop(&s->local.net, buf, sizeof(buf)), "10.1.0.0");
	assert_int_equal(s->local.net.plen, 16);
	assert_int_equal(s->local.proto, IPSEC_ULPROTO_ANY);
	assert_int_equal(s->remote.net.plen, 16);
	assert_int_equal(s->pfs_group, IKE_DH_ECP_384);
	assert_int_equal(s->lifetime, 1800);
	assert_int_equal(s->lifetime_bytes, 100ull << 20);
	assert_true(s->esn);
	/* aes listed first: the cipher+MAC proposal comes first */
	assert_int_equal(s->nprops, 2);
	assert_int_equal(s->props[0].ntrans, 7);
	check_xf(&s->props[0], 0, PROP_T_ENCR, IKE_ENCR_AES_CBC, 128);
	check_xf(&s->props[0], 1, PROP_T_ENCR, IKE_ENCR_AES_CBC, 256);
	check_xf(&s->props[0], 2, PROP_T_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0);
	check_xf(&s->props[0], 3, PROP_T_INTEG, IKE_INTEG_HMAC_SHA1_96, 0);
	check_xf(&s->props[0], 4, PROP_T_KE, IKE_DH_ECP_384, 0);
	check_xf(&s->props[0], 5, PROP_T_ESN, PROP_ESN_YES, 0);
	check_xf(&s->props[0], 6, PROP_T_ESN, PROP_ESN_NO, 0);
	assert_int_equal(s->props[1].num, 2);
	assert_int_equal(s->props[1].ntrans, 4);
	check_xf(&s->props[1], 0, PROP_T_ENCR, IKE_ENCR_AES_GCM_16, 128);
	check_xf(&s->props[1], 1, PROP_T_KE, IKE_DH_ECP_384, 0);

	s = &c->sainfo[1];
	assert_int_equal(s->local.net.af, AF_INET6);
	assert_int_equal(s->local.net.plen, 48);
	assert_int_equal(s->local.net.port, 443);
	assert_int_equal(s->local.proto, 6);
	assert_true(s->remote.anonymous);
	assert_int_equal(s->lifetime, 3600);
	assert_int_equal(s->nprops, 1);
	assert_int_equal(s->props[0].ntrans, 2);
	check_xf(&s->props[0], 0, PROP_T_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0);
	check_xf(&s->props[0], 1, PROP_T_ESN, PROP_ESN_NO, 0);
	conf_free(c);
}

static void
test_units(void **state)
{
	static const struct { const char *text; uint32_t secs; } times[] = {
		{ "15 sec", 15 }, { "15 secs", 15 }, { "15 second", 15 }, { "15 seconds", 15 },
		{ "2 min", 120 }, { "2 mins", 120 }, { "2 minute", 120 }, { "2 minutes", 120 },
		{ "3 hour", 10800 }, { "3 hours", 10800 }, { "0x10 sec", 16 },
	};
	static const struct { const char *text; uint64_t bytes; } sizes[] = {
		{ "2048 B", 2048 }, { "2048 byte", 2048 }, { "2048 bytes", 2048 },
		{ "5 KB", 5120 }, { "5 MB", 5ull << 20 }, { "5 GB", 5ull << 30 },
		{ "5 TB", 5ull << 40 },
	};
	struct ikd_conf *c;
	char text[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		snprintf(text, sizeof(text), "sainfo anonymous { lifetime time %s; }",
		    times[i].text);
		c = parse_ok(text);
		assert_int_equal(c->sainfo[0].lifetime, times[i].secs);
		conf_free(c);
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(text, sizeof(text), "sainfo anonymous { lifetime byte %s; }",
		    sizes[i].text);
		c = parse_ok(text);
		assert_int_equal(c->sainfo[0].lifetime_bytes, sizes[i].bytes);
		conf_free(c);
	}
	/* dpd_delay and dpd_retry take a bare number of seconds, as in racoon */
	c = parse_ok("remote anonymous { dpd_delay 1 min; dpd_retry 7; rekey_margin 5 min; }");
	assert_int_equal(c->remote[0].dpd_delay, 60);
	assert_int_equal(c->remote[0].dpd_retry, 7);
	assert_int_equal(c->remote[0].rekey.margin_sec, 300);
	conf_free(c);
}

static void
test_comments_and_layout(void **state)
{
	struct ikd_conf *c;

	(void)state;
	c = parse_ok("/* a\n * block comment */ log /* inline */ warning; # trailing\n"
	    "timer{counter 3;};\n"
	    "path pre_shared_key \"/a/#not a comment/* nor this */\";\n");
	assert_int_equal(c->log, CONF_LOG_WARNING);
	assert_int_equal(c->retry_counter, 3);
	assert_string_equal(c->psk_path, "/a/#not a comment/* nor this */");
	conf_free(c);
}

static void
test_lookups(void **state)
{
	struct ikd_conf *c = parse_ok(
	    "remote 192.0.2.9 { passive on; }\n"
	    "remote anonymous { }\n"
	    "sainfo address 10.1.0.0/16 any address 10.2.0.0/16 any { lifetime time 60 sec; }\n"
	    "sainfo address 10.1.0.0/16 any anonymous { lifetime time 70 sec; }\n"
	    "sainfo anonymous address 10.2.0.0/16 any { lifetime time 80 sec; }\n"
	    "sainfo anonymous { lifetime time 90 sec; }\n");
	struct gw_addr peer, l, r, other;
	const struct conf_sainfo *s;

	(void)state;
	assert_int_equal(addr_parse("192.0.2.9", &peer), 0);
	assert_true(conf_remote_find(c, &peer)->passive);
	assert_int_equal(addr_parse("192.0.2.10", &peer), 0);
	assert_true(conf_remote_find(c, &peer)->anonymous);
	assert_int_equal(addr_parse_prefix("10.1.0.0/16", &l), 0);
	assert_int_equal(addr_parse_prefix("10.2.0.0/16", &r), 0);
	assert_int_equal(addr_parse_prefix("10.3.0.0/16", &other), 0);
	s = conf_sainfo_find(c, &l, &r, IPSEC_ULPROTO_ANY);
	assert_int_equal(s->lifetime, 60);
	assert_int_equal(conf_sainfo_find(c, &l, &other, IPSEC_ULPROTO_ANY)->lifetime, 70);
	assert_int_equal(conf_sainfo_find(c, &other, &r, IPSEC_ULPROTO_ANY)->lifetime, 80);
	assert_int_equal(conf_sainfo_find(c, &other, &other, IPSEC_ULPROTO_ANY)->lifetime, 90);
	/* another protocol is another identity */
	assert_int_equal(conf_sainfo_find(c, &l, &r, 6)->lifetime, 90);
	conf_free(c);

	c = parse_ok("remote 192.0.2.9 { }\nsainfo address 10.1.0.0/16 any anonymous { }\n");
	assert_int_equal(addr_parse("192.0.2.10", &peer), 0);
	assert_null(conf_remote_find(c, &peer));
	assert_null(conf_sainfo_find(c, &other, &r, IPSEC_ULPROTO_ANY));
	conf_free(c);
}

static void
test_soft_lifetime(void **state)
{
	struct conf_rekey pct = { .margin_pct = 10, .fuzz_pct = 10 };
	struct conf_rekey secs = { .margin_sec = 300, .fuzz_pct = 0 };
	struct conf_rekey big = { .margin_pct = 50, .fuzz_pct = 50 };

	(void)state;
	/* soft = hard * (0.9 - jitter), jitter up to 10 % */
	assert_int_equal(conf_soft_lifetime(&pct, 3600, true, 0), 3240);
	assert_int_equal(conf_soft_lifetime(&pct, 3600, true, 0x80000000u), 3060);
	assert_int_equal(conf_soft_lifetime(&pct, 3600, true, 0xffffffffu), 2881);
	assert_int_equal(conf_soft_lifetime(&pct, 0, true, 0), 0);
	/* bytes: no overflow near the top of the range */
	assert_int_equal(conf_soft_lifetime(&pct, UINT64_MAX, false, 0),
	    UINT64_MAX - (UINT64_MAX / 100 * 10 + UINT64_MAX % 100 * 10 / 100));
	assert_true(conf_soft_lifetime(&pct, UINT64_MAX, false, 0xffffffffu) >
	    UINT64_MAX / 10 * 7);
	/* a time margin; byte limits then use the default 10 % */
	assert_int_equal(conf_soft_lifetime(&secs, 3600, true, 12345), 3300);
	assert_int_equal(conf_soft_lifetime(&secs, 1000000, false, 0), 900000);
	/* never 0 for a real limit */
	assert_int_equal(conf_soft_lifetime(&big, 1, true, 0xffffffffu), 1);
	assert_int_equal(conf_soft_lifetime(&secs, 200, true, 0), 1);
}

/* --------------------------------------------------------------- errors */

static void
test_err_unknown_keyword(void **state)
{
	(void)state;
	parse_fails("log info;\nfoo bar;\nremote anonymous {\n  frobnicate 3;\n}\n",
	    "t.conf:2:1: unknown keyword 'foo' at top level\n"
	    "t.conf:4:3: unknown keyword 'frobnicate' in a remote block\n");
	parse_fails("dpd_delay 30;\nremote anonymous { lifetime time 1 hour; proposal { "
	    "lifetime time 1 hour; } }\n",
	    "t.conf:1:1: dpd_delay is not allowed at top level; it belongs in a remote block\n"
	    "t.conf:2:53: lifetime is not allowed in a proposal block; it belongs in a remote "
	    "or sainfo block\n");
}

static void
test_err_ikev1_modes(void **state)
{
	(void)state;
	parse_fails("remote anonymous {\n\texchange_mode main, aggressive;\n}\n"
	    "remote 192.0.2.1 { exchange_mode ikev2, base; }\n",
	    "t.conf:2:16: IKEv1 exchange modes are not supported; this daemon speaks IKEv2: "
	    "use exchange_mode ikev2 or delete the line\n"
	    "t.conf:4:41: IKEv1 exchange modes are not supported; this daemon speaks IKEv2: "
	    "use exchange_mode ikev2 or delete the line\n");
	parse_fails("remote anonymous { exchange_mode ikev1; }",
	    "t.conf:1:34: unknown exchange mode 'ikev1' (ikev2)\n");
}

static void
test_err_algorithms(void **state)
{
	(void)state;
	parse_fails("remote anonymous { proposal {\n"
	    "encryption_algorithm twofish;\nhash_algorithm md5;\ndh_group 5; } }\n"
	    "sainfo anonymous {\nencryption_algorithm aes 512, aes_gcm_16 256, des;\n"
	    "authentication_algorithm hmac_md5;\n}\n",
	    "t.conf:2:22: encryption algorithm 'twofish' is not supported; use aes_gcm_16, "
	    "chacha20_poly1305 or aes (128, 192 or 256 bits)\n"
	    "t.conf:3:16: hash algorithm 'md5' is not supported; use sha256, sha384, sha512 "
	    "or sha1\n"
	    "t.conf:4:10: dh_group '5' is not supported; use curve25519 (31), ecp256 (19), "
	    "ecp384 (20), modp2048 (14), modp3072 (15) or modp4096 (16)\n"
	    "t.conf:6:22: aes-cbc takes 128, 192 or 256 bits, not 512\n"
	    "t.conf:6:47: encryption algorithm 'des' is not supported; use aes_gcm_16, "
	    "chacha20_poly1305 or aes (128, 192 or 256 bits)\n"
	    "t.conf:7:26: authentication algorithm 'hmac_md5' is not supported; use "
	    "hmac_sha256, hmac_sha384, hmac_sha512, hmac_sha1, or non_auth with AEAD ciphers\n");
	parse_fails("sainfo anonymous { encryption_algorithm chacha20_poly1305 256; }\n"
	    "sainfo address 10.0.0.0/8 any anonymous { encryption_algorithm aes, aes 128; }\n",
	    "t.conf:1:41: chacha20-poly1305 takes no key length\n"
	    "t.conf:2:69: aes-cbc listed twice\n");
	parse_fails("remote anonymous { proposal { encryption_algorithm aes, aes_gcm_16; } }",
	    "t.conf:1:55: one encryption_algorithm per proposal; write another proposal block "
	    "for an alternative\n");
}

static void
test_err_groups(void **state)
{
	(void)state;
	parse_fails("sainfo anonymous { pfs_group 2; }\n"
	    "remote anonymous { proposal { encryption_algorithm aes; hash_algorithm sha256; "
	    "dh_group modp1024; } }\n",
	    "t.conf:1:30: pfs_group '2' is not supported; use curve25519 (31), ecp256 (19), "
	    "ecp384 (20), modp2048 (14), modp3072 (15) or modp4096 (16) or none\n"
	    "t.conf:2:89: dh_group 'modp1024' is not supported; use curve25519 (31), ecp256 (19), "
	    "ecp384 (20), modp2048 (14), modp3072 (15) or modp4096 (16)\n");
}

static void
test_err_addresses(void **state)
{
	(void)state;
	parse_fails("remote 192.0.2.300 { }\nremote gw.example.org { }\n"
	    "listen { isakmp fe80::1%eth0; }\n"
	    "sainfo address 10.1.2.3/16 any address 10.9.0.0/33 any { }\n"
	    "sainfo address 10.1.0.0/16 any address 2001:db8::/32 any { }\n",
	    "t.conf:1:8: invalid remote address '192.0.2.300'\n"
	    "t.conf:2:8: remote address 'gw.example.org' is not a numeric address (host names "
	    "are not resolved)\n"
	    "t.conf:3:24: listen address: scoped IPv6 addresses are not supported\n"
	    "t.conf:4:16: 10.1.2.3/16 has host bits set; write 10.1.0.0/16\n"
	    "t.conf:4:49: the prefix length 33 out of range (0 to 32)\n"
	    "t.conf:5:1: sainfo identities of two address families\n");
	parse_fails("remote 192.0.2.1 [500] { }",
	    "t.conf:1:18: remote: a port is not supported; ikd talks to peers on port 500, then "
	    "4500 after NAT detection\n");
}

static void
test_err_missing_semicolon(void **state)
{
	(void)state;
	/* forgotten at the end of a line: the next line still parses */
	parse_fails("remote anonymous {\n\tdpd_delay 30\n\tdpd_retry x;\n}\nlog info\n",
	    "t.conf:3:2: expected ';' after dpd_delay, got 'dpd_retry'\n"
	    "t.conf:3:12: expected a time, got 'x'\n"
	    "t.conf:6:1: expected ';' after the log level, got end of file\n");
	/* in the middle of a line: the statement is skipped */
	parse_fails("timer { counter 5 interval 1 sec; counter 9; }\n",
	    "t.conf:1:19: expected ';' after counter, got 'interval'\n"
	    "t.conf:1:35: counter given twice (first at line 1)\n");
}

static void
test_err_unterminated(void **state)
{
	(void)state;
	parse_fails("log info;\nremote anonymous {\n\tproposal {\n\t\tdh_group 14;\n",
	    "t.conf:3:11: this '{' of a proposal block is not closed before the end of the file\n"
	    "t.conf:2:18: this '{' of a remote block is not closed before the end of the file\n");
	parse_fails("path pre_shared_key \"/etc/psk.txt;\nlog info;\n",
	    "t.conf:1:21: unterminated quoted string\n");
	parse_fails("log info; /* never\nclosed\n", "t.conf:1:11: comment not closed before "
	    "the end of the file\n");
	parse_fails("log info; }\n", "t.conf:1:11: '}' without a matching '{'\n");
}

static void
test_err_values(void **state)
{
	(void)state;
	parse_fails("log loud;\npath pre_shared_key \"psk.txt\";\ntimer { counter 0; "
	    "interval 2 hours; natt_keepalive 5; }\n"
	    "remote anonymous { lifetime time 5 sec; lifetime byte 1 MB; nat_traversal yes; }\n",
	    "t.conf:1:5: expected a log level (error, warning, notify, info or debug), got "
	    "'loud'\n"
	    "t.conf:2:21: path pre_shared_key must be absolute, not 'psk.txt'\n"
	    "t.conf:3:17: counter 0 out of range (1 to 20)\n"
	    "t.conf:3:29: interval out of range (1 to 60 seconds)\n"
	    "t.conf:3:54: expected a unit (sec, min or hour), got ';'\n"
	    "t.conf:4:34: lifetime out of range (10 to 2592000 seconds)\n"
	    "t.conf:4:41: lifetime given twice (first at line 4)\n"
	    "t.conf:4:75: expected on, off or force, got 'yes'\n");
	parse_fails("remote anonymous { my_identifier user_fqdn \"nobody\"; "
	    "peers_identifier asn1dn; }\n",
	    "t.conf:1:44: my_identifier: user_fqdn 'nobody' is not of the form user@domain\n"
	    "t.conf:1:71: peers_identifier asn1dn is not supported; use address, fqdn or "
	    "user_fqdn\n");
}

static void
test_err_blocks(void **state)
{
	(void)state;
	parse_fails("remote anonymous { }\nremote anonymous { }\nremote 192.0.2.1 { }\n"
	    "remote 192.0.2.1 { }\nsainfo anonymous { }\nsainfo anonymous { }\n",
	    "t.conf:2:1: remote anonymous defined twice (first at line 1)\n"
	    "t.conf:4:1: remote 192.0.2.1 defined twice (first at line 3)\n"
	    "t.conf:6:1: sainfo for these identities defined twice (first at line 5)\n");
	parse_fails("remote anonymous {\n\tproposal { hash_algorithm sha256; }\n}\n",
	    "t.conf:2:2: proposal without encryption_algorithm\n"
	    "t.conf:2:2: proposal without dh_group\n");
	parse_fails("remote anonymous { lifetime time 1 hour; rekey_margin 50 %; "
	    "rekey_fuzz 45 %; }\n"
	    "remote 192.0.2.1 { rekey_margin 2 hour; }\n",
	    "t.conf:1:61: rekey_margin and rekey_fuzz leave less than 10 % of the lifetime "
	    "(3600 seconds)\n"
	    "t.conf:2:1: rekey_margin 7200 seconds is too long for the built-in sainfo "
	    "lifetime (3600 seconds)\n");
	parse_fails("remote 192.0.2.1 { lifetime time 1 hour; rekey_margin 1 hour; }\n"
	    "sainfo anonymous { lifetime time 2 hour; }\n",
	    "t.conf:1:42: rekey_margin and rekey_fuzz leave less than 10 % of the lifetime "
	    "(3600 seconds)\n");
	parse_fails("remote anonymous { rekey_margin 40 min; }\n"
	    "sainfo anonymous { lifetime time 30 min; }\n",
	    "t.conf:2:1: the lifetime of this sainfo (1800 seconds) is too short for "
	    "rekey_margin 2400 seconds of the remote at line 1\n");
}

static void
test_err_esp_lists(void **state)
{
	(void)state;
	parse_fails("sainfo anonymous {\n\tencryption_algorithm aes_gcm_16;\n"
	    "\tauthentication_algorithm hmac_sha256;\n}\n",
	    "t.conf:3:2: every encryption_algorithm here is AEAD: the authentication algorithms "
	    "would not be used; write non_auth or delete the line\n");
	parse_fails("sainfo anonymous {\n\tencryption_algorithm aes;\n"
	    "\tauthentication_algorithm non_auth;\n}\n",
	    "t.conf:3:2: aes-cbc needs an authentication algorithm other than non_auth\n");
}

/*
 * The handbook's racoon.conf: every line with no IKEv2 meaning here gets
 * its own message, all in one run, always the same ones.
 */
static const char racoon_conf[] =
    "path pre_shared_key \"/usr/local/etc/racoon/psk.txt\";\n"
    "remote anonymous\n"
    "{\n"
    "\texchange_mode aggressive,main;\n"
    "\tmy_identifier address;\n"
    "\tlifetime time 24 hour;\n"
    "\tproposal {\n"
    "\t\tencryption_algorithm 3des;\n"
    "\t\thash_algorithm sha1;\n"
    "\t\tauthentication_method pre_shared_key;\n"
    "\t\tdh_group 2;\n"
    "\t}\n"
    "}\n"
    "sainfo anonymous\n"
    "{\n"
    "\tpfs_group 2;\n"
    "\tlifetime time 12 hour;\n"
    "\tencryption_algorithm 3des, blowfish 448, rijndael;\n"
    "\tauthentication_algorithm hmac_sha1, hmac_md5;\n"
    "\tcompression_algorithm deflate;\n"
    "}\n";

static const char racoon_golden[] =
    "racoon.conf:4:16: IKEv1 exchange modes are not supported; this daemon speaks IKEv2: "
    "use exchange_mode ikev2 or delete the line\n"
    "racoon.conf:8:24: encryption algorithm '3des' is not supported; use aes_gcm_16, "
    "chacha20_poly1305 or aes (128, 192 or 256 bits)\n"
    "racoon.conf:11:12: dh_group '2' is not supported; use curve25519 (31), ecp256 (19), "
    "ecp384 (20), modp2048 (14), modp3072 (15) or modp4096 (16)\n"
    "racoon.conf:16:12: pfs_group '2' is not supported; use curve25519 (31), ecp256 (19), "
    "ecp384 (20), modp2048 (14), modp3072 (15) or modp4096 (16) or none\n"
    "racoon.conf:18:23: encryption algorithm '3des' is not supported; use aes_gcm_16, "
    "chacha20_poly1305 or aes (128, 192 or 256 bits)\n"
    "racoon.conf:18:29: encryption algorithm 'blowfish' is not supported; use aes_gcm_16, "
    "chacha20_poly1305 or aes (128, 192 or 256 bits)\n"
    "racoon.conf:19:38: authentication algorithm 'hmac_md5' is not supported; use "
    "hmac_sha256, hmac_sha384, hmac_sha512, hmac_sha1, or non_auth with AEAD ciphers\n"
    "racoon.conf:20:2: compression_algorithm: IPComp is not supported: ikd never "
    "negotiates compression; delete the line\n";

static void
test_racoon_conf(void **state)
{
	struct ikd_conf *c = (struct ikd_conf *)1;
	size_t len = 0;
	char *msgs = NULL;
	FILE *f = open_memstream(&msgs, &len);

	(void)state;
	assert_int_equal(conf_parse(racoon_conf, strlen(racoon_conf), "racoon.conf", f, &c), 8);
	fclose(f);
	assert_null(c);
	assert_string_equal(msgs, racoon_golden);
	free(msgs);
}

/* The IKEv1-era global sections are refused as whole blocks. */
static void
test_racoon_globals(void **state)
{
	(void)state;
	parse_fails("log notify;\n"
	    "padding { maximum_length 20; randomize off; }\n"
	    "privsep { user \"racoon\"; group \"racoon\"; }\n"
	    "listen { isakmp 192.0.2.1 [500]; adminsock disabled; strict_address; }\n"
	    "timer { counter 5; interval 20 sec; persend 1; phase1 30 sec; phase2 15 sec; }\n"
	    "path certificate \"/etc/cert\";\n"
	    "remote anonymous { doi ipsec_doi; situation identity_only; "
	    "certificate_type x509 \"a\" \"b\"; my_identifier asn1dn; "
	    "proposal_check strict; generate_policy on; }\n",
	    "t.conf:2:1: padding: IKEv1 padding rules have no meaning in IKEv2; delete the block\n"
	    "t.conf:3:1: privsep: ikd drops its privileges by itself; delete the block\n"
	    "t.conf:4:34: adminsock: the admin socket is not supported; delete the line\n"
	    "t.conf:4:54: strict_address: not supported; delete the line\n"
	    "t.conf:5:37: persend: IKEv2 sends each message once per try (RFC 7296 2.1); "
	    "delete the line\n"
	    "t.conf:5:48: phase1: an exchange gives up after 'counter' tries with the 'interval' "
	    "doubling; delete the line\n"
	    "t.conf:5:63: phase2: an exchange gives up after 'counter' tries with the 'interval' "
	    "doubling; delete the line\n"
	    "t.conf:6:6: path certificate: not used by ikd; delete the line\n"
	    "t.conf:7:20: doi: an IKEv1 (ISAKMP) setting with no meaning in IKEv2; delete the "
	    "line\n"
	    "t.conf:7:35: situation: an IKEv1 (ISAKMP) setting with no meaning in IKEv2; "
	    "delete the line\n"
	    "t.conf:7:60: certificate_type: certificates are not supported: ikd authenticates "
	    "peers with pre-shared keys from psk.txt; delete the line\n"
	    "t.conf:7:105: my_identifier asn1dn is not supported; use address, fqdn or "
	    "user_fqdn\n"
	    "t.conf:7:113: proposal_check: IKEv2 does not negotiate lifetimes: each peer rekeys "
	    "on its own (RFC 7296 2.8); delete the line\n"
	    "t.conf:7:136: generate_policy: ikd does not install policies: load them with "
	    "setkey -f; delete the line\n");
}

/* The fuzz seeds: the valid ones parse, the others fail as they always did. */
static void
test_corpus(void **state)
{
	static const struct { const char *name; unsigned errors; } seeds[] = {
		{ "shipped.conf", 0 }, { "two-gateways.conf", 0 },
		{ "racoon-handbook.conf", 8 }, { "racoon-sample.conf", 33 },
		{ "errors.conf", 16 },
	};
	struct ikd_conf *c;
	char path[512], *text;
	size_t i, len;
	FILE *sink = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(sink);
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", IKD_CORPUS_DIR, seeds[i].name);
		text = slurp(path, &len);
		c = NULL;
		assert_int_equal(conf_parse(text, len, path, sink, &c), seeds[i].errors);
		assert_true((c != NULL) == (seeds[i].errors == 0));
		conf_free(c);
		free(text);
	}
	fclose(sink);
}

static void
test_path_kinds(void **state)
{
	(void)state;
	parse_fails("path pre_shared_key \"/a\";\npath pre_shared_key \"/b\";\n"
	    "path script \"/s\";\npath psk \"/c\";\n",
	    "t.conf:2:1: path pre_shared_key given twice (first at line 1)\n"
	    "t.conf:3:6: path script: not used by ikd; delete the line\n"
	    "t.conf:4:6: path psk: unknown path kind (ikd knows pre_shared_key)\n");
}

/* ------------------------------------------------------------ conf_load */

static char tmpdir[64];

static char *
tmpfile_with(const char *name, const char *text, mode_t mode)
{
	static char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

static int
setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_conf.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown_tmp(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd);
}

static unsigned
load(const char *path, bool optional, struct ikd_conf **c, char **msgs)
{
	size_t len = 0;
	FILE *f = open_memstream(msgs, &len);
	unsigned n;

	assert_non_null(f);
	n = conf_load(path, optional, f, c);
	fclose(f);
	return n;
}

static void
test_load(void **state)
{
	struct ikd_conf *c = NULL, *d = conf_default();
	char *msgs, want[256], missing[128];
	const char *p;

	(void)state;
	/* readable by all is fine: the file holds no key */
	p = tmpfile_with("ok.conf", "log debug;\n", 0644);
	assert_int_equal(load(p, false, &c, &msgs), 0);
	assert_string_equal(msgs, "");
	assert_int_equal(c->log, CONF_LOG_DEBUG);
	conf_free(c);
	free(msgs);

	/* absent: the defaults when optional, an error when asked for */
	snprintf(missing, sizeof(missing), "%s/none.conf", tmpdir);
	assert_int_equal(load(missing, true, &c, &msgs), 0);
	same_conf(c, d);
	conf_free(c);
	free(msgs);
	assert_int_equal(load(missing, false, &c, &msgs), 1);
	assert_null(c);
	snprintf(want, sizeof(want), "%s: No such file or directory\n", missing);
	assert_string_equal(msgs, want);
	free(msgs);

	/* errors name the file */
	p = tmpfile_with("bad.conf", "\n  log often;\n", 0600);
	assert_int_equal(load(p, false, &c, &msgs), 1);
	snprintf(want, sizeof(want), "%s:2:7: expected a log level (error, warning, notify, "
	    "info or debug), got 'often'\n", p);
	assert_string_equal(msgs, want);
	free(msgs);
	conf_free(d);
}

static void
test_load_secrecy(void **state)
{
	struct ikd_conf *c = (struct ikd_conf *)1;
	char *msgs, want[256];
	const char *p;

	(void)state;
	p = tmpfile_with("gw.conf", "log info;\n", 0664);
	assert_int_equal(load(p, false, &c, &msgs), 1);
	assert_null(c);
	snprintf(want, sizeof(want), "%s: mode 0664 lets the group write it; chmod go-w %s\n",
	    p, p);
	assert_string_equal(msgs, want);
	free(msgs);

	p = tmpfile_with("ow.conf", "log info;\n", 0602);
	assert_int_equal(load(p, false, &c, &msgs), 1);
	snprintf(want, sizeof(want), "%s: mode 0602 lets others write it; chmod go-w %s\n", p, p);
	assert_string_equal(msgs, want);
	free(msgs);

	/* a directory fails psk.txt's file type rule (logged by psk.c) */
	assert_true(load(tmpdir, false, &c, &msgs) >= 1);
	assert_null(c);
	free(msgs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty_is_default),
		cmocka_unit_test(test_shipped_file),
		cmocka_unit_test(test_every_keyword),
		cmocka_unit_test(test_sainfo_keywords),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_comments_and_layout),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_soft_lifetime),
		cmocka_unit_test(test_err_unknown_keyword),
		cmocka_unit_test(test_err_ikev1_modes),
		cmocka_unit_test(test_err_algorithms),
		cmocka_unit_test(test_err_groups),
		cmocka_unit_test(test_err_addresses),
		cmocka_unit_test(test_err_missing_semicolon),
		cmocka_unit_test(test_err_unterminated),
		cmocka_unit_test(test_err_values),
		cmocka_unit_test(test_err_blocks),
		cmocka_unit_test(test_err_esp_lists),
		cmocka_unit_test(test_racoon_conf),
		cmocka_unit_test(test_racoon_globals),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_path_kinds),
		cmocka_unit_test_setup_teardown(test_load, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_load_secrecy, setup_tmp, teardown_tmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
