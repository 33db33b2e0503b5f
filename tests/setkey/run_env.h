/*
 * run_env.h: setkey's run.c against the mock tunneld, for the tests of
 * test_run.c and test_snapshot.c. Include after cmocka.
 */
#ifndef RUN_ENV_H
#define RUN_ENV_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "mock_pfkey.h"
#include "sk_test.h"

#define PID	4321
#define GCM	"-E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f1011121314"

struct env {
	struct mock		*mk;
	struct run		 r;
	struct setkey_cmds	 cmds;
	char			*out, *err;
	size_t			 outlen, errlen;
	FILE			*outf, *errf;
};

static inline int
setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct run_io io;

	assert_non_null(e);
	e->mk = mock_new();
	io = mock_io(e->mk);
	e->outf = open_memstream(&e->out, &e->outlen);
	e->errf = open_memstream(&e->err, &e->errlen);
	run_init(&e->r, &io, PID, e->outf, e->errf);
	e->cmds.tail = &e->cmds.head;
	*state = e;
	return 0;
}

static inline int
teardown(void **state)
{
	struct env *e = *state;

	run_free(&e->r);
	setkey_cmds_free(&e->cmds);
	fclose(e->outf);
	fclose(e->errf);
	free(e->out);
	free(e->err);
	mock_free(e->mk);
	free(e);
	return 0;
}

/* Parses text and runs it; returns run_script's status. */
static inline int
script(struct env *e, const char *text)
{
	setkey_cmds_free(&e->cmds);
	sk_ok(text, &e->cmds);
	return run_script(&e->r, &e->cmds);
}

static inline const char *
err_text(struct env *e)
{
	fflush(e->errf);
	return e->err;
}

static inline const char *
out_text(struct env *e)
{
	fflush(e->outf);
	return e->out;
}

/* Puts a mature ESP SA without algorithms into the mock's SAD. */
static inline struct mock_sa *
add_sa(struct mock *mk, uint32_t spi, const char *src, const char *dst)
{
	struct mock_sa *sa = &mk->sa[mk->nsa++];

	memset(sa, 0, sizeof(*sa));
	sa->satype = SADB_SATYPE_ESP;
	sa->spi = spi;
	assert_int_equal(addr_parse(src, &sa->src), 0);
	assert_int_equal(addr_parse(dst, &sa->dst), 0);
	return sa;
}

/* Puts a "none" policy of the default priority into the mock's SPD. */
static inline struct mock_sp *
add_sp(struct mock *mk, uint8_t dir, const char *src, const char *dst, uint8_t proto)
{
	struct mock_sp *sp = &mk->sp[mk->nsp++];

	memset(sp, 0, sizeof(*sp));
	assert_int_equal(addr_parse_prefix(src, &sp->src), 0);
	assert_int_equal(addr_parse_prefix(dst, &sp->dst), 0);
	sp->proto = proto;
	sp->dir = dir;
	sp->type = IPSEC_POLICY_NONE;
	sp->priority = SK_PRIO_DEFAULT;
	sp->id = ++mk->next_id;
	return sp;
}

#endif
