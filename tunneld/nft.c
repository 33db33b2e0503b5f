/* nft.c: render and apply the tunneld nftables table; see nft.h. */
#include <sys/mman.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "nft.h"

#define NFT_ERRMAX	1024	/* bytes of nft's complaints kept for the log */

extern char **environ;

/* How an nft rule can stand for a KAME upper-layer selector. */
enum nft_fit {
	FIT_EXACT,	/* same packets */
	FIT_WIDER,	/* its ports are dropped: matches more */
	FIT_NEVER,	/* the selector matches no packet at all */
};

int
nft_conf_init(struct nft_conf *c, const char *tun)
{
	size_t i, n = strlen(tun);

	if (n == 0 || n >= IFNAMSIZ)
		return GW_E_BADVAL;
	memset(c, 0, sizeof(*c));
	memcpy(c->tun, tun, n);
	memcpy(c->table, NFT_TABLE_PREFIX, sizeof(NFT_TABLE_PREFIX) - 1);
	for (i = 0; i < n; i++) {
		/* The name is quoted in the script: keep quotes and escapes out. */
		if (!((tun[i] >= 'a' && tun[i] <= 'z') || (tun[i] >= 'A' && tun[i] <= 'Z') ||
		    (tun[i] >= '0' && tun[i] <= '9') || strchr("_.-", tun[i]) != NULL))
			return GW_E_BADVAL;
		c->table[sizeof(NFT_TABLE_PREFIX) - 1 + i] =
		    (tun[i] == '.' || tun[i] == '-') ? '_' : tun[i];
	}
	c->ike_port = NFT_IKE_PORT;
	c->natt_port = 4500;
	c->nft = "nft";
	return 0;
}

/* The nft keyword for a protocol whose ports nft can match, or NULL. */
static const char *
nft_port_proto(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:	return "tcp";
	case IPPROTO_UDP:	return "udp";
	case IPPROTO_SCTP:	return "sctp";
	case IPPROTO_DCCP:	return "dccp";
	case IPPROTO_UDPLITE:	return "udplite";
	}
	return NULL;
}

/* The nft keyword for a protocol whose type (and code) KAME put in the ports. */
static const char *
nft_type_proto(uint8_t proto, sa_family_t af, bool *has_code)
{
	*has_code = true;
	if (proto == IPPROTO_ICMP && af == AF_INET)
		return "icmp";
	if (proto == IPPROTO_ICMPV6 && af == AF_INET6)
		return "icmpv6";
	*has_code = false;
	if (proto == IPPROTO_MH && af == AF_INET6)
		return "mh";
	return NULL;
}

/* True for a protocol whose packets pkt_flow gives non-zero ports. */
static bool
nft_proto_has_ports(uint8_t proto)
{
	return nft_port_proto(proto) != NULL || proto == IPPROTO_ICMP ||
	    proto == IPPROTO_ICMPV6 || proto == IPPROTO_MH || proto == IPPROTO_GRE;
}

static enum nft_fit
nft_fit(const struct gw_sel *s)
{
	bool code;

	if (s->src.port == 0 && s->dst.port == 0)
		return FIT_EXACT;
	if (s->proto != 255 && !nft_proto_has_ports(s->proto))
		return FIT_NEVER;
	if (nft_port_proto(s->proto) != NULL)
		return FIT_EXACT;
	if (nft_type_proto(s->proto, s->src.af, &code) != NULL)
		return code || s->dst.port == 0 ? FIT_EXACT : FIT_NEVER;
	return FIT_WIDER;
}

static int
nft_check_sel(const struct gw_sel *s)
{
	if (s->src.af != s->dst.af || (s->src.af != AF_INET && s->src.af != AF_INET6))
		return GW_E_FAMILY;
	if (s->src.plen > addr_maxplen(s->src.af) || s->dst.plen > addr_maxplen(s->dst.af))
		return GW_E_BADVAL;
	return 0;
}

/* "ip saddr 10.1.0.0/16 "; nothing for a /0, which matches every address. */
static bool
nft_put_prefix(FILE *out, const char *dir, const struct gw_addr *a)
{
	struct gw_addr m = *a;
	char buf[INET6_ADDRSTRLEN];

	if (m.plen == 0)
		return false;
	addr_mask(&m);
	fprintf(out, "%s %s %s", m.af == AF_INET ? "ip" : "ip6", dir,
	    addr_ntop(&m, buf, sizeof(buf)));
	if (m.plen < addr_maxplen(m.af))
		fprintf(out, "/%u", m.plen);
	fputc(' ', out);
	return true;
}

static void
nft_put_l4(FILE *out, const struct gw_sel *s, enum nft_fit fit)
{
	const char *kw;
	bool code;

	if (s->proto == 255)
		return;
	if (fit == FIT_WIDER || (s->src.port == 0 && s->dst.port == 0)) {
		fprintf(out, "meta l4proto %u ", s->proto);
		return;
	}
	if ((kw = nft_port_proto(s->proto)) != NULL) {
		if (s->src.port)
			fprintf(out, "%s sport %u ", kw, s->src.port);
		if (s->dst.port)
			fprintf(out, "%s dport %u ", kw, s->dst.port);
		return;
	}
	kw = nft_type_proto(s->proto, s->src.af, &code);
	if (s->src.port)
		fprintf(out, "%s type %u ", kw, s->src.port);
	else
		fprintf(out, "meta l4proto %u ", s->proto);
	if (s->dst.port)
		fprintf(out, "%s code %u ", kw, s->dst.port);
}

static void
nft_put_rule(FILE *out, const struct nft_rule *r)
{
	const struct gw_sel *s = &r->sel;
	enum nft_fit fit = nft_fit(s);
	bool any;

	if (fit == FIT_NEVER) {
		fprintf(out, "\t\t# spid %u: selector matches no packet\n", r->spid);
		return;
	}
	if (fit == FIT_WIDER && r->verdict == NFT_ACCEPT) {
		fprintf(out, "\t\t# spid %u: bypass not expressible, left out\n", r->spid);
		return;
	}
	if (fit == FIT_WIDER)
		fprintf(out, "\t\t# spid %u: ports not expressible, dropping them all\n", r->spid);
	fputs("\t\t", out);
	any = !nft_put_prefix(out, "saddr", &s->src);
	any = !nft_put_prefix(out, "daddr", &s->dst) && any;
	/* Without an address match the rule must still keep to its family. */
	if (any)
		fprintf(out, "meta nfproto %s ", s->src.af == AF_INET ? "ipv4" : "ipv6");
	nft_put_l4(out, s, fit);
	fprintf(out, "counter %s", r->verdict == NFT_DROP ? "drop" : "accept");
	if (r->spid)
		fprintf(out, " comment \"spid %u\"", r->spid);
	fputc('\n', out);
}

static void
nft_put_exemptions(FILE *out, const struct nft_conf *c)
{
	fprintf(out, "\t\tiifname { \"lo\", \"%s\" } accept\n", c->tun);
	fprintf(out, "\t\tmeta l4proto %u fib daddr type local accept\n", IPPROTO_ESP);
	if (c->ike_port && c->natt_port && c->ike_port != c->natt_port)
		fprintf(out, "\t\tudp dport { %u, %u } fib daddr type local accept\n",
		    c->ike_port, c->natt_port);
	else if (c->ike_port || c->natt_port)
		fprintf(out, "\t\tudp dport %u fib daddr type local accept\n",
		    c->ike_port ? c->ike_port : c->natt_port);
}

int
nft_render_remove(const struct nft_conf *c, FILE *out)
{
	/* "add" makes the "delete" succeed when the table does not exist. */
	fprintf(out, "add table inet %s\ndelete table inet %s\n", c->table, c->table);
	return ferror(out) ? GW_E_NOMEM : 0;
}

int
nft_render(const struct nft_conf *c, const struct nft_rule *rules, size_t n, FILE *out)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		if ((rc = nft_check_sel(&rules[i].sel)) != 0)
			return rc;
	}
	if ((rc = nft_render_remove(c, out)) != 0)
		return rc;
	fprintf(out, "table inet %s {\n\tchain prerouting {\n", c->table);
	fprintf(out, "\t\ttype filter hook prerouting priority %d; policy accept;\n",
	    NFT_PRIORITY);
	nft_put_exemptions(out, c);
	for (i = 0; i < n; i++)
		nft_put_rule(out, &rules[i]);
	fputs("\t}\n}\n", out);
	return ferror(out) ? GW_E_NOMEM : 0;
}

/* Keeps the first NFT_ERRMAX - 1 bytes nft prints; reads the rest to EOF. */
static void
nft_collect(int fd, char *buf)
{
	char junk[256];
	size_t i, have = 0;
	ssize_t r;

	for (;;) {
		if (have < NFT_ERRMAX - 1)
			r = read(fd, buf + have, NFT_ERRMAX - 1 - have);
		else
			r = read(fd, junk, sizeof(junk));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (have < NFT_ERRMAX - 1)
			have += (size_t)r;
	}
	buf[have] = '\0';
	/* One log line: newlines become "; ". */
	while (have > 0 && (buf[have - 1] == '\n' || buf[have - 1] == ' '))
		buf[--have] = '\0';
	for (i = 0; i < have; i++) {
		if (buf[i] == '\n')
			buf[i] = ';';
	}
}

/* A memory file holding the script: nft reads it as stdin without a pipe to feed. */
static int
nft_script_fd(const char *script, size_t len)
{
	size_t off = 0;
	ssize_t w;
	int fd;

	if ((fd = memfd_create("tunneld-nft", MFD_CLOEXEC)) == -1) {
		log_warn("nft: memfd_create");
		return -1;
	}
	while (off < len) {
		w = write(fd, script + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			log_warn("nft: writing the script");
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) == -1) {
		log_warn("nft: lseek");
		close(fd);
		return -1;
	}
	return fd;
}

static int
nft_spawn(const struct nft_conf *c, int in, int errfd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	char prog[PATH_MAX], a1[] = "-f", a2[] = "-";
	char *argv[] = { prog, a1, a2, NULL };
	int rc;

	if ((size_t)snprintf(prog, sizeof(prog), "%s", c->nft) >= sizeof(prog)) {
		log_warnx("nft: program path too long");
		return -1;
	}
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
		errno = rc;
		log_warn("nft: posix_spawn_file_actions_init");
		return -1;
	}
	if ((rc = posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, errfd, STDOUT_FILENO)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, errfd, STDERR_FILENO)) == 0)
		rc = posix_spawnp(pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		errno = rc;
		log_warn("nft: cannot run %s", prog);
		return -1;
	}
	return 0;
}

/* Runs nft -f - on script; logs its output when it fails. */
static int
nft_exec(const struct nft_conf *c, const char *script, size_t len)
{
	char msg[NFT_ERRMAX];
	int in, ep[2], status, rc;
	pid_t pid;

	if ((in = nft_script_fd(script, len)) == -1)
		return -1;
	if (pipe2(ep, O_CLOEXEC) == -1) {
		log_warn("nft: pipe");
		close(in);
		return -1;
	}
	rc = nft_spawn(c, in, ep[1], &pid);
	close(in);
	close(ep[1]);
	if (rc == 0) {
		nft_collect(ep[0], msg);
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			log_warnx("nft: table %s: %s failed (%s %d): %s", c->table, c->nft,
			    WIFEXITED(status) ? "exit" : "signal",
			    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
			    msg[0] ? msg : "no message");
			rc = -1;
		}
	}
	close(ep[0]);
	return rc;
}

/* Renders with render() into memory, then runs nft on it. */
static int
nft_apply(const struct nft_conf *c, const struct nft_rule *rules, size_t n, bool remove)
{
	char *script = NULL;
	size_t len = 0;
	FILE *fp;
	int rc;

	if ((fp = open_memstream(&script, &len)) == NULL) {
		log_warn("nft: open_memstream");
		return -1;
	}
	rc = remove ? nft_render_remove(c, fp) : nft_render(c, rules, n, fp);
	if (fclose(fp) != 0 && rc == 0)
		rc = GW_E_NOMEM;
	if (rc != 0) {
		log_warnx("nft: table %s: %s", c->table, gw_strerror(rc));
		free(script);
		return -1;
	}
	rc = nft_exec(c, script, len);
	free(script);
	return rc;
}

int
nft_sync(const struct nft_conf *c, const struct nft_rule *rules, size_t n)
{
	return nft_apply(c, rules, n, false);
}

int
nft_remove(const struct nft_conf *c)
{
	return nft_apply(c, NULL, 0, true);
}
