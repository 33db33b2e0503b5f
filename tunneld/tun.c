/* tun.c: the TUN interface; see tun.h. */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "pkt.h"
#include "tun.h"
#include "tungso.h"

#define TUN_DEV		"/dev/net/tun"

int
tun_default_mtu(bool gif, int outer_af)
{
	int hlen;

	if (outer_af == AF_INET)
		hlen = PKT_IPV4_HLEN;
	else if (outer_af == AF_INET6)
		hlen = PKT_IPV6_HLEN;
	else
		return -1;
	return TUN_OUTER_MTU - hlen - TUN_ESP_OVERHEAD - (gif ? hlen : 0);
}

/*
 * Accepts what the kernel's dev_valid_name() accepts, minus '%' (which
 * would let the kernel pick the number): 1..15 printable bytes, no '/',
 * ':' or white space, not "." or "..".
 */
static bool
tun_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n >= IFNAMSIZ || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (name[i] <= ' ' || name[i] > '~' || strchr("/:%", name[i]) != NULL)
			return false;
	}
	return true;
}

static int
tun_attach(const char *name, bool multiqueue, char ifname[static IFNAMSIZ])
{
	struct ifreq ifr;
	int fd;

	if ((fd = open(TUN_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC)) == -1) {
		log_warn("tun_open: %s", TUN_DEV);
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	/*
	 * The virtio-net header lets tunneld write joined TCP segments
	 * (tungso.h). No TUNSETOFFLOAD: what the kernel hands over stays
	 * single packets with complete checksums.
	 */
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR |
	    (multiqueue ? IFF_MULTI_QUEUE : 0);
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		log_warn("tun_open: %s: TUNSETIFF", name);
		close(fd);
		return -1;
	}
	memcpy(ifname, ifr.ifr_name, IFNAMSIZ);
	ifname[IFNAMSIZ - 1] = '\0';
	return fd;
}

int
tun_open(const char *name, unsigned nqueues, int *fds, char ifname[static IFNAMSIZ])
{
	unsigned i;

	if (name == NULL)
		name = TUN_DEFAULT_NAME;
	if (!tun_name_ok(name)) {
		log_warnx_f("\"%s\": invalid interface name", name);
		return -1;
	}
	if (nqueues == 0 || nqueues > TUN_MAX_QUEUES) {
		log_warnx_f("%s: %u queues (need 1..%d)", name, nqueues, TUN_MAX_QUEUES);
		return -1;
	}
	for (i = 0; i < nqueues; i++) {
		if ((fds[i] = tun_attach(name, nqueues > 1, ifname)) == -1)
			goto fail;
	}
	return 0;
fail:
	while (i > 0)
		close(fds[--i]);
	return -1;
}

/* A socket to hang interface ioctls on; any family reaches dev_ioctl(). */
static int
tun_ifsock(void)
{
	static const int afs[] = { AF_INET, AF_INET6, AF_UNIX };
	size_t i;
	int s = -1;

	for (i = 0; i < sizeof(afs) / sizeof(afs[0]) && s == -1; i++)
		s = socket(afs[i], SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return s;
}

static void
tun_ifreq(struct ifreq *ifr, const char *ifname)
{
	memset(ifr, 0, sizeof(*ifr));
	strncpy(ifr->ifr_name, ifname, IFNAMSIZ - 1);
}

/*
 * Keeps the kernel from giving the TUN an IPv6 link-local address. Its
 * router and neighbour solicitations would otherwise be the first packets
 * tunneld reads, and in a gif tunnel they would leave as plaintext
 * IPv6-in-IPv4 that no ipencap policy covers. The operator still adds any
 * IPv6 address with ip(8). Best effort: without IPv6 the file is absent.
 */
static void
tun_no_ipv6_autoconf(const char *ifname)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/addr_gen_mode", ifname);
	if ((f = fopen(path, "w")) == NULL)
		return;
	if (fputs("1\n", f) == EOF)
		log_debug_f("%s: %s", ifname, strerror(errno));
	if (fclose(f) == EOF)
		log_debug_f("%s: addr_gen_mode: %s", ifname, strerror(errno));
}

int
tun_configure(const char *ifname, int mtu)
{
	struct ifreq ifr;
	int s, rc = -1;

	if ((s = tun_ifsock()) == -1) {
		log_warn_f("socket");
		return -1;
	}
	tun_ifreq(&ifr, ifname);
	ifr.ifr_mtu = mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr) == -1) {
		log_warn_f("%s: set mtu %d", ifname, mtu);
		goto done;
	}
	tun_ifreq(&ifr, ifname);
	ifr.ifr_qlen = TUN_TXQLEN;
	if (ioctl(s, SIOCSIFTXQLEN, &ifr) == -1)
		log_warn_f("%s: set txqueuelen %d", ifname, TUN_TXQLEN);
	tun_ifreq(&ifr, ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == -1) {
		log_warn_f("%s: get flags", ifname);
		goto done;
	}
	tun_no_ipv6_autoconf(ifname);
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) == -1) {
		log_warn_f("%s: set flags up", ifname);
		goto done;
	}
	rc = 0;
done:
	close(s);
	return rc;
}

/*
 * The packet behind header h, len bytes at p: 0 when it can go on as it
 * is, -1 when it cannot. Without offloads the kernel sends no GSO packet,
 * and a partial checksum only if a later kernel chose to: that one is
 * completed here (the field holds the pseudo-header sum).
 */
static int
tun_vnet_in(const struct virtio_net_hdr *h, uint8_t *p, size_t len)
{
	size_t start = h->csum_start, at = start + h->csum_offset;
	uint16_t csum;

	if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return -1;
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return 0;
	if (start >= len || at + 2 > len)
		return -1;
	csum = pkt_csum_fold(pkt_csum_add(0, p + start, len - start));
	p[at] = (uint8_t)(csum >> 8);
	p[at + 1] = (uint8_t)csum;
	return 0;
}

/* One packet into b behind its virtio-net header: its length, 0 (refused), or -1. */
static ssize_t
tun_read_one(int fd, struct pkt_buf *b)
{
	struct virtio_net_hdr h;
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = pkt_data(b), .iov_len = b->cap - b->off },
	};
	ssize_t r;

	do {
		r = readv(fd, iov, 2);
	} while (r == -1 && errno == EINTR);
	if (r == -1)
		return -1;
	if (r == 0) {
		/* No packet: the same as none waiting. */
		errno = EAGAIN;
		return -1;
	}
	if ((size_t)r <= sizeof(h) ||
	    tun_vnet_in(&h, pkt_data(b), (size_t)r - sizeof(h)) != 0)
		return 0;
	return r - (ssize_t)sizeof(h);
}

int
tun_read_batch(int fd, struct pkt_buf *pkts, unsigned n)
{
	unsigned i = 0;
	ssize_t r;

	while (i < n) {
		r = tun_read_one(fd, &pkts[i]);
		if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r == -1)
			return i == 0 ? -1 : (int)i;
		/* A refused packet stays, empty: the caller counts it malformed. */
		pkts[i++].len = (size_t)r;
	}
	return (int)i;
}

static int
tun_writev(int fd, const struct iovec *iov, int n, size_t len)
{
	ssize_t r;

	do {
		r = writev(fd, iov, n);
	} while (r == -1 && errno == EINTR);
	if (r == -1)
		return -1;
	if ((size_t)r != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int
tun_write(int fd, const uint8_t *p, size_t len)
{
	static const uint8_t none[TUNGSO_VNET_LEN];
	const struct iovec iov[2] = {
		{ .iov_base = (void *)(uintptr_t)none, .iov_len = sizeof(none) },
		{ .iov_base = (void *)(uintptr_t)p, .iov_len = len },
	};

	return tun_writev(fd, iov, 2, sizeof(none) + len);
}

_Static_assert(TUNGSO_MAX_SEGS <= TUN_PLAN_MAX, "a planned write fits its iovecs");

int
tun_write_plan(int fd, const struct tungso_plan *pl, const struct pkt_buf *p)
{
	struct iovec iov[1 + TUN_PLAN_MAX];
	size_t i, len = pl->headlen;

	if (pl->nseg > TUN_PLAN_MAX) {
		errno = EINVAL;
		return -1;
	}
	iov[0] = (struct iovec){ .iov_base = (void *)(uintptr_t)pl->head, .iov_len = pl->headlen };
	for (i = 0; i < pl->nseg; i++) {
		iov[1 + i].iov_base = pkt_data(&p[i]) + pl->hdrlen;
		iov[1 + i].iov_len = p[i].len - pl->hdrlen;
		len += iov[1 + i].iov_len;
	}
	return tun_writev(fd, iov, (int)(1 + pl->nseg), len);
}

/* Address bytes of an AF_INET/AF_INET6 sockaddr; IPv6 scope ids are dropped. */
static bool
tun_sa_addr(const struct sockaddr *sa, struct gw_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET)
		memcpy(&a->u.v4, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
	else if (sa->sa_family == AF_INET6)
		memcpy(&a->u.v6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
	else
		return false;
	a->af = sa->sa_family;
	a->plen = (uint8_t)addr_maxplen(a->af);
	return true;
}

static uint8_t
tun_mask_plen(const struct sockaddr *mask, sa_family_t af)
{
	struct gw_addr m;
	unsigned i, n = 0;

	if (!tun_sa_addr(mask, &m) || m.af != af)
		return (uint8_t)addr_maxplen(af);
	for (i = 0; i < addr_len(af); i++)
		n += (unsigned)__builtin_popcount(m.u.b[i]);
	return (uint8_t)n;
}

/* getifaddrs names IPv4 aliases "gif0:1"; they belong to gif0. */
static bool
tun_name_match(const char *ifa_name, const char *ifname)
{
	size_t n = strlen(ifname);

	return strncmp(ifa_name, ifname, n) == 0 && (ifa_name[n] == '\0' || ifa_name[n] == ':');
}

static void
tun_collect_addrs(const struct ifaddrs *list, const char *ifname, struct tun_state *st)
{
	const struct ifaddrs *ifa;
	struct tun_ifaddr *e;
	struct gw_addr a;

	for (ifa = list; ifa != NULL; ifa = ifa->ifa_next) {
		if (!tun_name_match(ifa->ifa_name, ifname) || !tun_sa_addr(ifa->ifa_addr, &a))
			continue;
		if (st->naddr == TUN_STATE_MAXADDR) {
			st->nmore++;
			continue;
		}
		e = &st->addr[st->naddr++];
		e->addr = a;
		e->addr.plen = tun_mask_plen(ifa->ifa_netmask, a.af);
		memset(&e->peer, 0, sizeof(e->peer));
		if ((ifa->ifa_flags & IFF_POINTOPOINT) && tun_sa_addr(ifa->ifa_dstaddr, &a) &&
		    a.af == e->addr.af && !addr_eq(&a, &e->addr))
			e->peer = a;
	}
}

int
tun_get_state(const char *ifname, const struct gw_addr *tsrc, const struct gw_addr *tdst,
    struct tun_state *st)
{
	struct ifaddrs *list;
	struct ifreq ifr;
	int s, rc = -1;

	memset(st, 0, sizeof(*st));
	strncpy(st->name, ifname, IFNAMSIZ - 1);
	if (tsrc != NULL && tdst != NULL && tsrc->af != AF_UNSPEC && tsrc->af == tdst->af) {
		st->tsrc = *tsrc;
		st->tdst = *tdst;
	}
	if ((s = tun_ifsock()) == -1) {
		log_warn_f("socket");
		return -1;
	}
	tun_ifreq(&ifr, ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == -1) {
		log_warn_f("%s: get flags", ifname);
		goto done;
	}
	st->flags = (unsigned short)ifr.ifr_flags;
	tun_ifreq(&ifr, ifname);
	if (ioctl(s, SIOCGIFMTU, &ifr) == -1) {
		log_warn_f("%s: get mtu", ifname);
		goto done;
	}
	st->mtu = ifr.ifr_mtu;
	if (getifaddrs(&list) == -1) {
		log_warn_f("getifaddrs");
		goto done;
	}
	tun_collect_addrs(list, ifname, st);
	freeifaddrs(list);
	rc = 0;
done:
	close(s);
	return rc;
}

static void
tun_format_flags(FILE *fp, unsigned flags)
{
	static const struct {
		unsigned	 bit;
		const char	*name;
	} names[] = {
		{ IFF_UP, "UP" }, { IFF_BROADCAST, "BROADCAST" }, { IFF_DEBUG, "DEBUG" },
		{ IFF_LOOPBACK, "LOOPBACK" }, { IFF_POINTOPOINT, "POINTOPOINT" },
		{ IFF_RUNNING, "RUNNING" }, { IFF_NOARP, "NOARP" }, { IFF_PROMISC, "PROMISC" },
		{ IFF_ALLMULTI, "ALLMULTI" }, { IFF_MULTICAST, "MULTICAST" },
	};
	const char *sep = "";
	size_t i;

	fputs("flags=<", fp);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (flags & names[i].bit) {
			fprintf(fp, "%s%s", sep, names[i].name);
			sep = ",";
		}
	}
	fputc('>', fp);
}

static void
tun_format_addr(FILE *fp, const char *ifname, const struct tun_ifaddr *e)
{
	char a[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN + 5] = "";
	uint32_t mask;
	bool ll;

	addr_ntop(&e->addr, a, sizeof(a));
	if (e->peer.af != AF_UNSPEC) {
		memcpy(p, " --> ", 6);
		addr_ntop(&e->peer, p + 5, sizeof(p) - 5);
	}
	if (e->addr.af == AF_INET) {
		mask = e->addr.plen == 0 ? 0 : UINT32_MAX << (32 - e->addr.plen);
		fprintf(fp, "\tinet %s%s netmask 0x%08x\n", a, p, mask);
		return;
	}
	/* fe80::/10 is link-local: say which link, as ifconfig does. */
	ll = e->addr.u.b[0] == 0xfe && (e->addr.u.b[1] & 0xc0) == 0x80;
	fprintf(fp, "\tinet6 %s%s%s%s prefixlen %u\n", a, ll ? "%" : "", ll ? ifname : "", p,
	    e->addr.plen);
}

void
tun_format_state(FILE *fp, const struct tun_state *st)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	size_t i;

	fprintf(fp, "%s: ", st->name);
	tun_format_flags(fp, st->flags);
	fprintf(fp, " mtu %d\n", st->mtu);
	if (st->tsrc.af != AF_UNSPEC && st->tsrc.af == st->tdst.af)
		fprintf(fp, "\ttunnel %s %s --> %s\n", st->tsrc.af == AF_INET ? "inet" : "inet6",
		    addr_ntop(&st->tsrc, s, sizeof(s)), addr_ntop(&st->tdst, d, sizeof(d)));
	for (i = 0; i < st->naddr; i++)
		tun_format_addr(fp, st->name, &st->addr[i]);
	if (st->nmore)
		fprintf(fp, "\t(%zu more addresses)\n", st->nmore);
}

int
tun_print_state(FILE *fp, const char *ifname, const struct gw_addr *tsrc,
    const struct gw_addr *tdst)
{
	struct tun_state st;

	if (tun_get_state(ifname, tsrc, tdst, &st) == -1)
		return -1;
	tun_format_state(fp, &st);
	return 0;
}
