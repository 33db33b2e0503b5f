/*
 * test_ike_exchange.c: an initiator and a responder ikd in one process
 * (fixture.h, mock.h), through IKE_SA_INIT and IKE_AUTH with PSK: every
 * proposal family, INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN, authentication
 * and selector failures, loss, duplication, reordering, forgery, cookies,
 * and INFORMATIONAL on the result. test_ike_peers.c has NAT traversal and
 * what real peers put in their messages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alg.h"
#include "exch_info.h"
#include "fixture.h"
#include "log.h"
#include "psk.h"

/*
 * Establishment, each proposal family.
 */

static void
establish(enum suite s, uint16_t enc_alg, uint8_t auth_alg, bool esn)
{
	struct pair *p = pair_new(s);

	pair_start(p);
	assert_int_equal(mock_run(&p->net, 16), 4);
	check_established(p);
	check_no_drops(p);
	assert_int_equal(p->n[0].sink.sa[0].sa.enc_alg, enc_alg);
	assert_int_equal(p->n[0].sink.sa[0].sa.auth_alg, auth_alg);
	assert_int_equal(p->n[0].sink.sa[0].sa.esn, esn);
	assert_false(p->n[0].sink.sa[0].sa.natt);
	pair_free(p);
}

static void
test_establish_gcm_x25519(void **state)
{
	establish(S_GCM, SADB_X_EALG_AES_GCM_ICV16, 0, false);
}

static void
test_establish_cbc_p256(void **state)
{
	establish(S_CBC, SADB_X_EALG_AESCBC, SADB_X_AALG_SHA2_256HMAC, false);
	/* 32-byte AES key and 32-byte HMAC key each way. */
}

static void
test_establish_chacha_modp2048(void **state)
{
	establish(S_CHACHA, SADB_X_EALG_CHACHA20_POLY1305, 0, true);
}

static void
test_child_keys_sizes(void **state)
{
	struct pair *p = pair_new(S_CBC);
	const struct ike_child_sa *a;

	pair_start(p);
	mock_run(&p->net, 16);
	check_established(p);
	a = &p->n[0].sink.sa[0].sa;
	assert_int_equal(a->enc_in.len, 32);
	assert_int_equal(a->auth_in.len, 32);
	assert_int_equal(mock_only_sa(&p->n[0])->prot.kind, IKE_MSG_CBC_HMAC);
	assert_int_equal(mock_only_sa(&p->n[0])->prot.icv_len, 16);
	pair_free(p);
	p = pair_new(S_GCM);
	pair_start(p);
	mock_run(&p->net, 16);
	/* AES-256 key and the 4-byte salt (RFC 4106 8.1). */
	assert_int_equal(p->n[1].sink.sa[0].sa.enc_in.len, 36);
	assert_int_equal(p->n[1].sink.sa[0].sa.auth_in.len, 0);
	pair_free(p);
}

/*
 * Negotiation: INVALID_KE_PAYLOAD and NO_PROPOSAL_CHOSEN.
 */

static void
test_invalid_ke_retry(void **state)
{
	struct pair *p = pair_new(S_GCM);
	struct ike_prop *ri = &p->n[1].cfg.ike[0];
	struct ike_sa *sa;

	/* We offer X25519 and P-256 and send X25519; the responder takes only P-256. */
	xf_add(&p->n[0].cfg.ike[0], PROP_T_KE, IKE_DH_ECP_256, 0);
	ri->xf[2].id = IKE_DH_ECP_256;
	sa = pair_start(p);
	assert_int_equal(sa->dh_group, IKE_DH_CURVE25519);
	assert_true(mock_deliver(&p->net));
	/* A stateless answer: no SA at the responder. */
	assert_int_equal(p->n[1].t->nsa, 0);
	assert_int_equal(p->net.n, 1);
	assert_true(mock_deliver(&p->net));
	assert_int_equal(sa->dh_group, IKE_DH_ECP_256);
	assert_int_equal(sa->state, IKE_S_INIT_SENT);
	assert_int_equal(sa->win.next_id, 1);
	mock_run(&p->net, 16);
	check_established(p);
	check_no_drops(p);
	assert_int_equal(mock_only_sa(&p->n[1])->dh_group, IKE_DH_ECP_256);
	pair_free(p);
}

/* An unauthenticated answer naming a group we never offered is ignored. */
static void
test_invalid_ke_unoffered_ignored(void **state)
{
	struct pair *p = pair_new(S_GCM);
	uint8_t buf[128], group[2] = { 0, IKE_DH_ECP_256 };
	struct ike_build b;
	struct ike_sa *sa;
	size_t len;

	sa = pair_start(p);
	ike_build_init(&b, buf, sizeof(buf));
	ike_build_header(&b, &(struct ike_hdr){ .spi_i = sa->spi_i, .exch = IKE_EXCH_SA_INIT,
	    .flags = IKE_FLAG_R });
	ike_build_notify(&b, 0, IKE_N_INVALID_KE_PAYLOAD, 0, 0, group, sizeof(group));
	assert_int_equal(ike_build_finish(&b, &len), 0);
	exch_recv(p->n[0].t, buf, len, &sa->local, &sa->remote);
	assert_int_equal(sa->state, IKE_S_INIT_SENT);
	assert_int_equal(sa->dh_group, IKE_DH_CURVE25519);
	assert_true(sa->win.req_active);
	assert_int_equal(nstat(&p->n[0], IKE_ST_DROP_INVALID), 1);
	/* The real answer still completes the exchange. */
	mock_run(&p->net, 8);
	check_established(p);
	pair_free(p);
}

static void
test_no_proposal_ike(void **state)
{
	struct pair *p = pair_new2(S_GCM, S_CHACHA);
	const char *log;

	pair_start(p);
	log_capture();
	mock_run(&p->net, 16);
	log = log_captured();
	assert_int_equal(p->n[0].t->nsa, 0);
	assert_int_equal(p->n[1].t->nsa, 0);
	assert_int_equal(p->n[0].ndead, 1);
	assert_int_equal(p->n[0].last_fail, IKE_F_NO_PROPOSAL);
	assert_int_equal(p->n[0].sink.ngetspi + p->n[1].sink.ngetspi, 0);
	log_has(log, "peer 192.0.2.1: no IKE proposal chosen");
	log_has(log, "refused IKE_SA_INIT: error 14 (NO_PROPOSAL_CHOSEN)");
	pair_free(p);
}

static void
test_no_proposal_esp(void **state)
{
	struct pair *p = pair_new(S_GCM);
	const char *log;

	esp_suite(&p->n[1].cfg.esp[0], S_CBC);
	pair_start(p);
	log_capture();
	mock_run(&p->net, 16);
	log = log_captured();
	/* RFC 7296 2.21.2: the IKE SA stands, no Child SA. */
	assert_int_equal(mock_only_sa(&p->n[0])->state, IKE_S_ESTABLISHED);
	assert_int_equal(mock_only_sa(&p->n[1])->state, IKE_S_ESTABLISHED);
	assert_int_equal(p->n[0].sink.ninstall + p->n[1].sink.ninstall, 0);
	assert_int_equal(p->n[0].sink.ngetspi, 1);
	assert_int_equal(mock_larval(&p->n[0].sink), 0);
	assert_int_equal(p->n[1].sink.ngetspi, 0);
	log_has(log, "no ESP proposal chosen");
	log_has(log, "the peer answered error 14 (NO_PROPOSAL_CHOSEN)");
	pair_free(p);
}

static void
test_no_config(void **state)
{
	struct pair *p = pair_new(S_GCM);

	p->n[1].has_cfg = false;
	pair_start(p);
	mock_run(&p->net, 4);
	assert_int_equal(p->n[1].t->nsa, 0);
	assert_int_equal(p->n[0].t->nsa, 0);
	assert_int_equal(p->n[0].last_fail, IKE_F_NO_PROPOSAL);
	pair_free(p);
}

/*
 * Authentication.
 */

static void
test_wrong_psk_initiator(void **state)
{
	struct pair *p = pair_new(S_GCM);
	const char *log;

	node_psk(&p->n[0], "not the secret");
	pair_start(p);
	log_capture();
	mock_run(&p->net, 16);
	log = log_captured();
	assert_int_equal(p->n[0].t->nsa, 0);
	assert_int_equal(p->n[1].t->nsa, 0);
	assert_int_equal(p->n[0].last_fail, IKE_F_AUTH);
	assert_int_equal(p->n[1].last_fail, IKE_F_AUTH);
	assert_int_equal(p->n[0].sink.ninstall + p->n[1].sink.ninstall, 0);
	assert_int_equal(mock_larval(&p->n[0].sink), 0);
	assert_int_equal(nstat(&p->n[1], IKE_ST_AUTH_FAIL), 1);
	assert_int_equal(nstat(&p->n[0], IKE_ST_AUTH_FAIL), 1);
	log_has(log, "authentication failed for peer gw-a (192.0.2.1)");
	log_has(log, "authentication failed for peer gw-b (192.0.2.2) (refused by the peer)");
	assert_null(strstr(log, PSK_TEXT));
	pair_free(p);
}

static void
test_wrong_psk_responder(void **state)
{
	struct pair *p = pair_new(S_CBC);
	const char *log;

	node_psk(&p->n[1], "not the secret");
	pair_start(p);
	log_capture();
	mock_run(&p->net, 16);
	log = log_captured();
	assert_int_equal(p->n[0].t->nsa + p->n[1].t->nsa, 0);
	assert_int_equal(p->n[0].last_fail, IKE_F_AUTH);
	assert_int_equal(p->n[1].last_fail, IKE_F_AUTH);
	assert_int_equal(p->n[0].sink.ninstall + p->n[1].sink.ninstall, 0);
	log_has(log, "authentication failed for peer gw-a (192.0.2.1)");
	assert_null(strstr(log, "not the secret"));
	pair_free(p);
}

/*
 * A responder that accepts our AUTH but signs its own with another key:
 * the initiator must refuse it, report AUTHENTICATION_FAILED, and both
 * ends drop what they installed.
 */
static void
test_bad_responder_auth(void **state)
{
	struct pair *p = pair_new(S_GCM);
	const char *log;

	memcpy(p->n[1].psk2, "other", 5);
	p->n[1].psk2_len = 5;
	pair_start(p);
	log_capture();
	mock_run(&p->net, 3);
	assert_int_equal(mock_live(&p->n[1].sink), 1);
	assert_true(mock_deliver(&p->net));
	log = log_captured();
	log_has(log, "authentication failed for peer gw-b (192.0.2.2)\n");
	assert_int_equal(p->n[0].t->nsa, 0);
	assert_int_equal(p->n[0].last_fail, IKE_F_AUTH);
	assert_int_equal(p->n[0].sink.ninstall, 0);
	assert_int_equal(mock_larval(&p->n[0].sink), 0);
	/* The INFORMATIONAL with AUTHENTICATION_FAILED. */
	assert_int_equal(p->net.n, 1);
	assert_int_equal(q_exch(p, 0), IKE_EXCH_INFORMATIONAL);
	log_capture();
	mock_run(&p->net, 4);
	log = log_captured();
	log_has(log, "authentication failed for peer gw-a (192.0.2.1) (reported by the peer)");
	assert_int_equal(p->n[1].t->nsa, 0);
	assert_int_equal(p->n[1].last_fail, IKE_F_AUTH);
	assert_int_equal(mock_live(&p->n[1].sink), 0);
	pair_free(p);
}

static void
test_remote_id_mismatch(void **state)
{
	struct pair *p = pair_new(S_GCM);
	struct ike_idv *id = &p->n[0].cfg.remote_id;
	const char *log;

	/*
	 * We want to talk to gw-a.example; the responder is 192.0.2.2 and
	 * answers as such (RFC 7296 3.5). We refuse, and tell it.
	 */
	id->type = IKE_ID_FQDN;
	id->len = 12;
	memcpy(id->data, "gw-a.example", 12);
	pair_start(p);
	log_capture();
	mock_run(&p->net, 16);
	log = log_captured();
	log_has(log, "peer gw-b (192.0.2.2): ID 192.0.2.2 is not the configured one");
	log_has(log, "authentication failed for peer gw-b (192.0.2.2)\n");
	log_has(log, "authentication failed for peer gw-a (192.0.2.1) (reported by the peer)");
	assert_int_equal(p->n[0].t->nsa + p->n[1].t->nsa, 0);
	assert_int_equal(mock_live(&p->n[1].sink), 0);
	pair_free(p);
}

static void
test_ids_fqdn_and_psk_file(void **state)
{
	char path[64];
	struct psk_report rep;
	struct psk_table *tab;
	struct pair *p;
	int fd;

	/* racoon's psk.txt: the responder finds the key by the initiator's FQDN. */
	snprintf(path, sizeof(path), "/tmp/ikex-psk-%ld", (long)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_true(dprintf(fd, "# test\n192.0.2.9 wrong\ngw-b.example %s\n"
	    "192.0.2.2 %s\n", PSK_TEXT, PSK_TEXT) > 0);
	close(fd);
	tab = psk_load(path, &rep);
	unlink(path);
	assert_non_null(tab);
	p = pair_new(S_GCM);
	p->n[0].cfg.local_id = (struct ike_idv){ .type = IKE_ID_FQDN, .len = 12 };
	memcpy(p->n[0].cfg.local_id.data, "gw-b.example", 12);
	p->n[0].cfg.psk_fn = NULL;
	p->n[0].cfg.psk = tab;
	p->n[1].cfg.psk_fn = NULL;
	p->n[1].cfg.psk = tab;
	p->n[1].cfg.remote_id = p->n[0].cfg.local_id;
	pair_start(p);
	mock_run(&p->net, 16);
	check_established(p);
	pair_free(p);
	psk_free(tab);
}

/*
 * The data path refuses the Child SA.
 */

static void
test_install_refused_responder(void **state)
{
	struct pair *p = pair_new(S_GCM);

	p->n[1].sink.fail_install = true;
	pair_start(p);
	mock_run(&p->net, 8);
	/* The IKE SA stands; the initiator hears NO_PROPOSAL_CHOSEN for the child. */
	assert_int_equal(mock_only_sa(&p->n[0])->state, IKE_S_ESTABLISHED);
	assert_int_equal(mock_only_sa(&p->n[1])->state, IKE_S_ESTABLISHED);
	assert_int_equal(p->n[0].sink.ninstall + p->n[1].sink.ninstall, 0);
	assert_int_equal(mock_larval(&p->n[0].sink) + mock_larval(&p->n[1].sink), 0);
	pair_free(p);
}

static void
test_install_refused_initiator(void **state)
{
	struct pair *p = pair_new(S_CBC);
	const char *log;

	/* The responder installed its pair; we cannot: the IKE SA goes, with all of it. */
	p->n[0].sink.fail_install = true;
	pair_start(p);
	log_capture();
	mock_run(&p->net, 8);
	log = log_captured();
	log_has(log, "the data path refused Child SA");
	assert_int_equal(p->n[0].t->nsa + p->n[1].t->nsa, 0);
	assert_int_equal(p->n[1].sink.ninstall, 1);
	assert_int_equal(mock_live(&p->n[1].sink), 0);
	assert_int_equal(mock_larval(&p->n[0].sink), 0);
	assert_int_equal(p->n[0].last_fail, IKE_F_PEER);
	pair_free(p);
}

/*
 * Traffic selectors.
 */

static void
test_ts_unacceptable(void **state)
{
	struct pair *p = pair_new(S_GCM);
	const char *log;

	addr_set(&p->n[0].cfg.ts[0].sel.dst, "10.9.0.0/16");
	pair_start(p);
	log_capture();
	mock_run(&p->net, 16);
	log = log_captured();
	log_has(log, "traffic selectors unacceptable: asked for TSi 10.1.0.0/16, "
	    "TSr 10.9.0.0/16; configured (local <-> remote): 10.2.0.0/16 <-> 10.1.0.0/16");
	log_has(log, "the peer answered error 38 (TS_UNACCEPTABLE)");
	assert_int_equal(mock_only_sa(&p->n[0])->state, IKE_S_ESTABLISHED);
	assert_int_equal(mock_only_sa(&p->n[1])->state, IKE_S_ESTABLISHED);
	assert_int_equal(p->n[0].sink.ninstall + p->n[1].sink.ninstall, 0);
	assert_int_equal(mock_larval(&p->n[0].sink) + mock_larval(&p->n[1].sink), 0);
	pair_free(p);
}

static void
test_ts_narrowed(void **state)
{
	struct pair *p = pair_new(S_GCM);
	const struct ike_child_sa *a;
	char buf[128];

	/* We ask for all of 10/8 over there; the responder has only 10.2/16. */
	addr_set(&p->n[0].cfg.ts[0].sel.dst, "10.0.0.0/8");
	p->n[0].cfg.ts[0].sel.proto = 6;
	pair_start(p);
	mock_run(&p->net, 16);
	check_established(p);
	a = &p->n[0].sink.sa[0].sa;
	assert_string_equal(ike_ts_list_str(&a->ts_remote, buf, sizeof(buf)),
	    "10.2.0.0/16 proto 6");
	assert_string_equal(ike_ts_list_str(&a->ts_local, buf, sizeof(buf)),
	    "10.1.0.0/16 proto 6");
	pair_free(p);
}

/*
 * Loss, duplication, reordering, give-up.
 */

static void
test_lost_request_retransmitted(void **state)
{
	struct pair *p = pair_new(S_GCM);
	uint8_t first[MOCK_DGRAM_MAX];
	size_t len;

	pair_start(p);
	mock_run(&p->net, 2);
	/* IKE_AUTH request lost. */
	assert_int_equal(q_exch(p, 0), IKE_EXCH_AUTH);
	len = p->net.q[0].len;
	memcpy(first, p->net.q[0].p, len);
	mock_drop(&p->net, 0);
	mock_advance(&p->net, 499);
	assert_int_equal(p->net.n, 0);
	mock_advance(&p->net, 1);
	assert_int_equal(p->net.n, 1);
	/* Byte for byte the same request. */
	assert_int_equal(p->net.q[0].len, len);
	assert_memory_equal(p->net.q[0].p, first, len);
	assert_int_equal(nstat(&p->n[0], IKE_ST_RETRANSMIT), 1);
	mock_run(&p->net, 4);
	check_established(p);
	check_no_drops(p);
	pair_free(p);
}

static void
test_lost_response_answered_from_cache(void **state)
{
	struct pair *p = pair_new(S_CBC);
	uint8_t first[MOCK_DGRAM_MAX];
	size_t len;

	pair_start(p);
	mock_run(&p->net, 3);
	/* IKE_AUTH response lost; the responder is already done. */
	assert_int_equal(mock_only_sa(&p->n[1])->state, IKE_S_ESTABLISHED);
	len = p->net.q[0].len;
	memcpy(first, p->net.q[0].p, len);
	mock_drop(&p->net, 0);
	mock_advance(&p->net, 500);
	assert_true(mock_deliver(&p->net));
	assert_int_equal(nstat(&p->n[1], IKE_ST_RETRANS_ANSWERED), 1);
	assert_int_equal(p->n[1].sink.ninstall, 1);
	assert_int_equal(p->n[1].sink.ngetspi, 1);
	assert_int_equal(p->net.q[0].len, len);
	assert_memory_equal(p->net.q[0].p, first, len);
	mock_run(&p->net, 4);
	check_established(p);
	pair_free(p);
}

static void
test_duplicate_request(void **state)
{
	struct pair *p = pair_new(S_GCM);

	pair_start(p);
	mock_run(&p->net, 2);
	mock_dup(&p->net, 0);
	mock_run(&p->net, 2);
	/* Two identical answers, one Child SA. */
	assert_int_equal(p->net.n, 2);
	assert_int_equal(p->net.q[0].len, p->net.q[1].len);
	assert_memory_equal(p->net.q[0].p, p->net.q[1].p, p->net.q[0].len);
	assert_int_equal(p->n[1].sink.ninstall, 1);
	assert_int_equal(p->n[1].nestablished, 1);
	assert_int_equal(nstat(&p->n[1], IKE_ST_RETRANS_ANSWERED), 1);
	assert_int_equal(mock_only_sa(&p->n[1])->win.peer_id, 2);
	mock_run(&p->net, 4);
	check_established(p);
	/* The second answer finds no request waiting. */
	assert_int_equal(nstat(&p->n[0], IKE_ST_DROP_WINDOW), 1);
	pair_free(p);
}

static void
test_duplicate_init_request(void **state)
{
	struct pair *p = pair_new(S_CHACHA);

	pair_start(p);
	mock_dup(&p->net, 0);
	mock_run(&p->net, 2);
	assert_int_equal(p->n[1].t->nsa, 1);
	assert_int_equal(p->n[1].t->half_open, 1);
	assert_int_equal(p->net.n, 2);
	assert_memory_equal(p->net.q[0].p, p->net.q[1].p, p->net.q[0].len);
	/* Reordered: the duplicate answer arrives after the IKE_AUTH request left. */
	assert_true(mock_deliver(&p->net));
	mock_swap(&p->net, 0, 1);
	mock_run(&p->net, 8);
	check_established(p);
	assert_int_equal(nstat(&p->n[0], IKE_ST_DROP_WINDOW), 1);
	pair_free(p);
}

static void
test_give_up(void **state)
{
	static const uint64_t at[] = { 500, 1000, 2000, 4000 };
	struct pair *p = pair_new(S_GCM);
	size_t i;

	p->net.blackhole[0] = true;
	pair_start(p);
	for (i = 0; i < 4; i++) {
		mock_advance(&p->net, at[i] - 1);
		assert_int_equal(p->net.sent, i + 1);
		mock_advance(&p->net, 1);
		assert_int_equal(p->net.sent, i + 2);
	}
	/* Five transmissions; the last one's 8 s pass, and that is it. */
	mock_advance(&p->net, 7999);
	assert_int_equal(p->n[0].t->nsa, 1);
	assert_int_equal(ike_sa_table_next_ms(p->n[0].t), p->net.now + 1);
	mock_advance(&p->net, 1);
	assert_int_equal(p->net.sent, 5);
	assert_int_equal(p->n[0].t->nsa, 0);
	assert_int_equal(p->n[0].ndead, 1);
	assert_int_equal(p->n[0].last_fail, IKE_F_TIMEOUT);
	assert_int_equal(nstat(&p->n[0], IKE_ST_GIVE_UP), 1);
	assert_int_equal(ike_sa_table_next_ms(p->n[0].t), UINT64_MAX);
	pair_free(p);
}

static void
test_give_up_during_auth(void **state)
{
	struct pair *p = pair_new(S_GCM);

	pair_start(p);
	mock_run(&p->net, 2);
	p->net.blackhole[0] = true;
	mock_drop(&p->net, 0);
	run_clock(p, 31000);
	assert_int_equal(p->n[0].t->nsa, 0);
	assert_int_equal(p->n[0].last_fail, IKE_F_TIMEOUT);
	/* The inbound SPI was handed back. */
	assert_int_equal(mock_larval(&p->n[0].sink), 0);
	/* The responder's half-open SA expires too. */
	assert_int_equal(p->n[1].t->nsa, 0);
	assert_int_equal(p->n[1].last_fail, IKE_F_HALF_OPEN);
	assert_int_equal(p->n[1].t->half_open, 0);
	assert_int_equal(nstat(&p->n[1], IKE_ST_HALF_OPEN_EXPIRED), 1);
	pair_free(p);
}

/*
 * Forged or damaged messages change nothing.
 */

static void
forged(enum suite s, size_t where)
{
	struct pair *p = pair_new(s);
	struct ike_sa *r;
	uint8_t *m;
	size_t len;

	pair_start(p);
	mock_run(&p->net, 2);
	r = mock_only_sa(&p->n[1]);
	m = q_msg(p, 0, &len);
	/* where: 0 = last ICV byte, 1 = ciphertext, 2 = SK header (AAD). */
	m[where == 0 ? len - 1 : where == 1 ? len - 40 : IKE_HDR_LEN + 1] ^= 0x01;
	assert_true(mock_deliver(&p->net));
	assert_int_equal(nstat(&p->n[1], IKE_ST_DROP_ICV), 1);
	assert_int_equal(r->state, IKE_S_INIT_DONE);
	assert_int_equal(r->win.peer_id, 1);
	assert_false(r->win.resp_valid && r->win.cur_id == 1);
	assert_int_equal(p->net.n, 0);
	assert_int_equal(p->n[1].sink.ngetspi, 0);
	/* The genuine retransmission still goes through. */
	mock_advance(&p->net, 500);
	mock_run(&p->net, 4);
	check_established(p);
	pair_free(p);
}

static void
test_forged_icv(void **state)
{
	forged(S_GCM, 0);
	forged(S_CBC, 0);
	forged(S_CHACHA, 0);
}

static void
test_forged_ciphertext(void **state)
{
	forged(S_GCM, 1);
	forged(S_CBC, 1);
}

static void
test_forged_aad(void **state)
{
	forged(S_CHACHA, 2);
	forged(S_CBC, 2);
}

static void
test_forged_response(void **state)
{
	struct pair *p = pair_new(S_GCM);
	struct ike_sa *i;
	uint8_t *m;
	size_t len;

	pair_start(p);
	mock_run(&p->net, 3);
	i = mock_only_sa(&p->n[0]);
	m = q_msg(p, 0, &len);
	m[len - 20] ^= 0x80;
	assert_true(mock_deliver(&p->net));
	assert_int_equal(nstat(&p->n[0], IKE_ST_DROP_ICV), 1);
	assert_int_equal(i->state, IKE_S_AUTH_SENT);
	assert_true(i->win.req_active);
	assert_int_equal(p->n[0].sink.ninstall, 0);
	mock_advance(&p->net, 500);
	mock_run(&p->net, 4);
	check_established(p);
	pair_free(p);
}

static void
test_unknown_spi_and_garbage(void **state)
{
	struct pair *p = pair_new(S_GCM);
	struct gw_addr l, r;
	uint8_t *m;
	size_t len;

	pair_start(p);
	mock_run(&p->net, 2);
	m = q_msg(p, 0, &len);
	m[3] ^= 0x55;	/* SPIi */
	assert_true(mock_deliver(&p->net));
	assert_int_equal(nstat(&p->n[1], IKE_ST_DROP_NO_SA), 1);
	addr_set(&l, "192.0.2.2");
	addr_set(&r, "192.0.2.1");
	l.port = r.port = IKE_PORT;
	exch_recv(p->n[1].t, (const uint8_t *)"\x00\x01\x02", 3, &l, &r);
	assert_int_equal(nstat(&p->n[1], IKE_ST_DROP_PARSE), 1);
	/* Port 4500 without the non-ESP marker: ESP, not ours. */
	l.port = IKE_NATT_PORT;
	exch_recv(p->n[1].t, (const uint8_t *)"\x12\x34\x56\x78\x00\x00\x00\x01", 8, &l, &r);
	assert_int_equal(nstat(&p->n[1], IKE_ST_DROP_MARKER), 1);
	assert_int_equal(p->net.n, 0);
	mock_advance(&p->net, 500);
	mock_run(&p->net, 4);
	check_established(p);
	pair_free(p);
}

/*
 * Cookies (RFC 7296 2.6).
 */

static void
test_cookie_flow(void **state)
{
	struct pair *p = pair_new(S_GCM);
	struct ike_sa *sa;
	const uint8_t *m;
	size_t len;

	p->n[1].t->cookie_threshold = 0;
	sa = pair_start(p);
	assert_true(mock_deliver(&p->net));
	/* Nothing kept for a request without a cookie. */
	assert_int_equal(p->n[1].t->nsa, 0);
	assert_int_equal(nstat(&p->n[1], IKE_ST_COOKIE_SENT), 1);
	assert_true(mock_deliver(&p->net));
	assert_int_equal(sa->cookie_len, 33);
	assert_int_equal(sa->win.next_id, 1);
	/* The repeat starts with N(COOKIE). */
	m = q_msg(p, 0, &len);
	assert_int_equal(m[IKE_HDR_NEXT_OFF], IKE_PT_NOTIFY);
	assert_int_equal(m[IKE_HDR_LEN + 6] << 8 | m[IKE_HDR_LEN + 7], IKE_N_COOKIE);
	mock_run(&p->net, 8);
	check_established(p);
	assert_int_equal(nstat(&p->n[1], IKE_ST_COOKIE_BAD), 0);
	pair_free(p);
}

static void
test_cookie_forged(void **state)
{
	struct pair *p = pair_new(S_CBC);
	uint8_t *m;
	size_t len;

	p->n[1].t->cookie_threshold = 0;
	pair_start(p);
	mock_run(&p->net, 2);
	/* Damage the returned cookie: refused, and a good one handed out. */
	m = q_msg(p, 0, &len);
	m[IKE_HDR_LEN + 8 + 5] ^= 0x01;
	assert_true(mock_deliver(&p->net));
	assert_int_equal(nstat(&p->n[1], IKE_ST_COOKIE_BAD), 1);
	assert_int_equal(nstat(&p->n[1], IKE_ST_COOKIE_SENT), 2);
	assert_int_equal(p->n[1].t->nsa, 0);
	mock_run(&p->net, 8);
	check_established(p);
	pair_free(p);
}

static void
test_cookie_rotation(void **state)
{
	struct pair *p = pair_new(S_GCM);
	struct mock_dgram keep;

	p->n[1].t->cookie_threshold = 0;
	pair_start(p);
	mock_run(&p->net, 2);
	keep = p->net.q[0];
	/* One rotation later the cookie still counts... */
	p->net.now += IKE_COOKIE_ROTATE_MS;
	assert_true(mock_deliver(&p->net));
	assert_int_equal(p->n[1].t->nsa, 1);
	assert_int_equal(nstat(&p->n[1], IKE_ST_COOKIE_BAD), 0);
	ike_sa_destroy(p->n[1].t->all);
	/* ...two rotations later it does not. */
	p->net.now += IKE_COOKIE_ROTATE_MS;
	p->net.n = 0;
	p->net.q[p->net.n++] = keep;
	assert_true(mock_deliver(&p->net));
	assert_int_equal(p->n[1].t->nsa, 0);
	assert_int_equal(nstat(&p->n[1], IKE_ST_COOKIE_BAD), 1);
	pair_free(p);
}

static void
test_cookie_threshold(void **state)
{
	struct pair *p = pair_new(S_GCM);

	/* Below the threshold no cookie is asked for; at it, one is. */
	p->n[1].t->cookie_threshold = 1;
	pair_start(p);
	mock_run(&p->net, 1);
	assert_int_equal(p->n[1].t->half_open, 1);
	assert_int_equal(nstat(&p->n[1], IKE_ST_COOKIE_SENT), 0);
	p->net.n = 0;
	exch_initiate(p->n[0].t, &p->n[0].cfg, NULL);
	mock_run(&p->net, 1);
	assert_int_equal(nstat(&p->n[1], IKE_ST_COOKIE_SENT), 1);
	assert_int_equal(p->n[1].t->nsa, 1);
	mock_run(&p->net, 8);
	assert_int_equal(p->n[1].t->nsa, 2);
	assert_int_equal(p->n[1].nestablished, 1);
	pair_free(p);
}

/*
 * INFORMATIONAL and CREATE_CHILD_SA on an established SA.
 */

static void
test_delete_ike(void **state)
{
	struct pair *p = pair_established(S_GCM);
	struct ike_sa *i = mock_only_sa(&p->n[0]);

	assert_int_equal(exch_info_delete(i, IKE_F_LOCAL), 0);
	assert_int_equal(i->state, IKE_S_DELETING);
	assert_true(mock_deliver(&p->net));
	assert_int_equal(p->n[1].t->nsa, 0);
	assert_int_equal(p->n[1].last_fail, IKE_F_PEER);
	assert_int_equal(mock_live(&p->n[1].sink), 0);
	assert_true(mock_deliver(&p->net));
	assert_int_equal(p->n[0].t->nsa, 0);
	assert_int_equal(p->n[0].last_fail, IKE_F_LOCAL);
	assert_int_equal(mock_live(&p->n[0].sink), 0);
	check_no_drops(p);
	pair_free(p);
}

/* Sends an INFORMATIONAL request from the initiator: a Delete of spi or nothing. */
static void
send_info(struct pair *p, uint32_t spi)
{
	struct ike_sa *i = mock_only_sa(&p->n[0]);
	uint8_t buf[IKE_MSG_MAX];
	struct ike_build b;
	size_t len;

	assert_int_equal(ike_msg_start(i, &b, buf, sizeof(buf), IKE_EXCH_INFORMATIONAL, false), 0);
	if (spi != 0)
		ike_build_delete(&b, IKE_PROTO_ESP, &spi, 1);
	assert_int_equal(ike_msg_finish(i, &b, buf, &len), 0);
	assert_int_equal(ike_msg_request(i, buf, len), 0);
}

static void
test_delete_child_by_peer(void **state)
{
	struct pair *p = pair_established(S_CHACHA);
	struct ike_sa *i = mock_only_sa(&p->n[0]), *r = mock_only_sa(&p->n[1]);
	struct ike_msg *m = malloc(sizeof(*m));
	uint8_t in[IKE_MSG_MAX], *raw;
	uint32_t spi = 0;
	size_t len;

	assert_non_null(m);
	/* An unknown SPI is no error: an empty answer. */
	send_info(p, 0x12345678);
	mock_run(&p->net, 2);
	assert_int_equal(mock_live(&p->n[1].sink), 1);
	send_info(p, p->n[0].sink.sa[0].sa.spi_in);
	assert_true(mock_deliver(&p->net));
	assert_int_equal(mock_live(&p->n[1].sink), 0);
	assert_null(r->children);
	assert_int_equal(r->state, IKE_S_ESTABLISHED);
	/* The answer names the responder's inbound SPI (RFC 7296 1.4.1). */
	raw = q_msg(p, 0, &len);
	memcpy(in, raw, len);
	assert_int_equal(ike_parse(in, len, m), 0);
	assert_int_equal(ike_msg_open(i, in, len, m), 0);
	assert_int_equal(m->ndelete, 1);
	assert_int_equal(ike_delete_spi(&m->del[0], 0, &spi), 0);
	assert_int_equal(spi, p->n[1].sink.sa[0].sa.spi_in);
	assert_true(mock_deliver(&p->net));
	assert_false(i->win.req_active);
	free(m);
	pair_free(p);
}

static void
test_liveness(void **state)
{
	struct pair *p = pair_established(S_GCM);
	struct ike_sa *i = mock_only_sa(&p->n[0]);

	send_info(p, 0);
	mock_run(&p->net, 2);
	assert_false(i->win.req_active);
	assert_int_equal(i->win.next_id, 3);
	assert_int_equal(mock_only_sa(&p->n[1])->win.peer_id, 3);
	check_established(p);
	check_no_drops(p);
	pair_free(p);
}

static void
test_create_child_refused(void **state)
{
	struct pair *p = pair_established(S_GCM);
	struct ike_sa *i = mock_only_sa(&p->n[0]);
	struct ike_msg *m = malloc(sizeof(*m));
	uint8_t buf[IKE_MSG_MAX], nonce[32] = { 1 }, *raw;
	struct ike_build b;
	size_t len;

	assert_non_null(m);
	assert_int_equal(ike_msg_start(i, &b, buf, sizeof(buf), IKE_EXCH_CREATE_CHILD_SA, false),
	    0);
	ike_build_nonce(&b, nonce, sizeof(nonce));
	assert_int_equal(ike_msg_finish(i, &b, buf, &len), 0);
	assert_int_equal(ike_msg_request(i, buf, len), 0);
	assert_true(mock_deliver(&p->net));
	raw = q_msg(p, 0, &len);
	memcpy(buf, raw, len);
	assert_int_equal(ike_parse(buf, len, m), 0);
	assert_int_equal(ike_msg_open(i, buf, len, m), 0);
	assert_non_null(ike_msg_notify(m, IKE_N_NO_ADDITIONAL_SAS));
	assert_int_equal(mock_only_sa(&p->n[1])->state, IKE_S_ESTABLISHED);
	free(m);
	pair_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_establish_gcm_x25519),
		cmocka_unit_test(test_establish_cbc_p256),
		cmocka_unit_test(test_establish_chacha_modp2048),
		cmocka_unit_test(test_child_keys_sizes),
		cmocka_unit_test(test_invalid_ke_retry),
		cmocka_unit_test(test_invalid_ke_unoffered_ignored),
		cmocka_unit_test(test_no_proposal_ike),
		cmocka_unit_test(test_no_proposal_esp),
		cmocka_unit_test(test_no_config),
		cmocka_unit_test(test_wrong_psk_initiator),
		cmocka_unit_test(test_wrong_psk_responder),
		cmocka_unit_test(test_bad_responder_auth),
		cmocka_unit_test(test_remote_id_mismatch),
		cmocka_unit_test(test_ids_fqdn_and_psk_file),
		cmocka_unit_test(test_install_refused_responder),
		cmocka_unit_test(test_install_refused_initiator),
		cmocka_unit_test(test_ts_unacceptable),
		cmocka_unit_test(test_ts_narrowed),
		cmocka_unit_test(test_lost_request_retransmitted),
		cmocka_unit_test(test_lost_response_answered_from_cache),
		cmocka_unit_test(test_duplicate_request),
		cmocka_unit_test(test_duplicate_init_request),
		cmocka_unit_test(test_give_up),
		cmocka_unit_test(test_give_up_during_auth),
		cmocka_unit_test(test_forged_icv),
		cmocka_unit_test(test_forged_ciphertext),
		cmocka_unit_test(test_forged_aad),
		cmocka_unit_test(test_forged_response),
		cmocka_unit_test(test_unknown_spi_and_garbage),
		cmocka_unit_test(test_cookie_flow),
		cmocka_unit_test(test_cookie_forged),
		cmocka_unit_test(test_cookie_rotation),
		cmocka_unit_test(test_cookie_threshold),
		cmocka_unit_test(test_delete_ike),
		cmocka_unit_test(test_delete_child_by_peer),
		cmocka_unit_test(test_liveness),
		cmocka_unit_test(test_create_child_refused),
	};

	log_init(true, 0, "test");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
