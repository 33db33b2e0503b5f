/*
 * psk.c: racoon psk.txt loading and lookup; see psk.h.
 *
 * The file is opened with O_NONBLOCK (a FIFO put in its place must not
 * hang the daemon) and checked with fstat() on the open descriptor, so the
 * object checked is the object read. Its bytes go into one guarded
 * libsodium buffer; identifiers and keys are slices of that buffer, hex
 * keys are decoded in place (the binary form is always shorter than its
 * text), and the buffer is made read-only once parsed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "hex.h"
#include "log.h"
#include "psk.h"
#include "secmem.h"

struct psk_entry {
	size_t		id_off;
	size_t		id_len;
	size_t		key_off;
	size_t		key_len;
	unsigned	line;
};

struct psk_table {
	uint8_t			*buf;	/* sodium_malloc'd file contents */
	size_t			 len;
	struct psk_entry	*ent;
	size_t			 n;
	size_t			 cap;
};

/* Where a diagnostic points; line 0 means the whole file. */
struct psk_where {
	const char		*path;
	unsigned		 line;
	struct psk_report	*rep;
};

static void GW_PRINTF(3, 4)
psk_diag(const struct psk_where *w, bool error, const char *fmt, ...)
{
	char msg[PSK_MSG_MAX / 2], full[PSK_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w->line > 0)
		snprintf(full, sizeof(full), "%s:%u: %s", w->path, w->line, msg);
	else
		snprintf(full, sizeof(full), "%s: %s", w->path, msg);
	log_warnx("%s%s", error ? "" : "warning: ", full);
	if (error && w->rep->errors++ == 0)
		snprintf(w->rep->first_error, PSK_MSG_MAX, "%s", full);
	if (!error && w->rep->warnings++ == 0)
		snprintf(w->rep->first_warning, PSK_MSG_MAX, "%s", full);
}

/* isspace() of the C locale, independent of the process locale. */
static bool
psk_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static const char *
psk_type_name(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "not a regular file";
}

int
psk_check_secrecy(const char *path, const struct stat *st, uid_t uid, struct psk_report *rep)
{
	static const struct { mode_t bit; const char *what; } bits[] = {
		{ S_IRGRP, "group can read" }, { S_IWGRP, "group can write" },
		{ S_IXGRP, "group can execute" }, { S_IROTH, "others can read" },
		{ S_IWOTH, "others can write" }, { S_IXOTH, "others can execute" },
	};
	struct psk_where w = { path, 0, rep };
	char why[160] = "";
	unsigned before = rep->errors;
	size_t i, n = 0;

	if (!S_ISREG(st->st_mode))
		psk_diag(&w, true, "is %s, not a regular file", psk_type_name(st->st_mode));
	if (st->st_uid != uid)
		psk_diag(&w, true, "is owned by uid %lu, not %lu", (unsigned long)st->st_uid,
		    (unsigned long)uid);
	if ((st->st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
			if ((st->st_mode & bits[i].bit) == 0)
				continue;
			/* Six phrases of at most 19 bytes always fit. */
			n += (size_t)snprintf(why + n, sizeof(why) - n, "%s%s",
			    n > 0 ? ", " : "", bits[i].what);
		}
		psk_diag(&w, true, "mode %04o is too open: %s "
		    "(want 0600 or stricter; chmod 600 %s)", (unsigned)(st->st_mode & 07777), why,
		    path);
	}
	return rep->errors == before ? 0 : -1;
}

/* An identifier as it may appear in a message: printable, at most 64 bytes. */
static const char *
psk_show(const uint8_t *id, size_t len, char *buf, size_t size)
{
	size_t i, n = len < size - 1 ? len : size - 1;

	for (i = 0; i < n; i++)
		buf[i] = (id[i] >= 0x21 && id[i] <= 0x7e) ? (char)id[i] : '?';
	buf[n] = '\0';
	return buf;
}

/*
 * Decodes the hex digits of s[0..len) (whitespace ignored) to the front of
 * out, which may be s - 2 (the "0x"). Returns the byte count or -1 after
 * reporting; col is the 1-based column of s[0] in its line.
 */
static long
psk_unhex(const struct psk_where *w, const uint8_t *s, size_t len, uint8_t *out, size_t col)
{
	size_t i, nd = 0;
	int v, hi = 0;

	for (i = 0; i < len; i++) {
		if (psk_space(s[i]))
			continue;
		if ((v = hex_digit(s[i])) < 0) {
			psk_diag(w, true, "invalid hex key (column %zu is not a hex digit)",
			    col + i);
			return -1;
		}
		if (nd++ % 2 == 0)
			hi = v;
		else
			out[nd / 2 - 1] = (uint8_t)(hi << 4 | v);
	}
	if (nd == 0) {
		psk_diag(w, true, "invalid hex key (no digits after 0x)");
		return -1;
	}
	if (nd % 2 != 0) {
		psk_diag(w, true, "invalid hex key (odd number of digits)");
		return -1;
	}
	return (long)(nd / 2);
}

static int
psk_add(struct psk_table *t, const struct psk_entry *e)
{
	struct psk_entry *n;
	size_t cap;

	if (t->n == t->cap) {
		cap = t->cap == 0 ? 16 : t->cap * 2;
		if ((n = reallocarray(t->ent, cap, sizeof(*n))) == NULL)
			return -1;
		t->ent = n;
		t->cap = cap;
	}
	t->ent[t->n++] = *e;
	return 0;
}

static const struct psk_entry *
psk_find(const struct psk_table *t, const void *id, size_t len)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->ent[i].id_len == len && memcmp(t->buf + t->ent[i].id_off, id, len) == 0)
			return &t->ent[i];
	return NULL;
}

/* Warns about a text key ending in blanks: racoon keeps them, so do we. */
static void
psk_check_tail(const struct psk_where *w, const uint8_t *key, size_t len, const char *id)
{
	if (!psk_space(key[len - 1]))
		return;
	if (key[len - 1] == '\r')
		psk_diag(w, false, "text key for %s ends with a carriage return (CRLF line "
		    "ends?); it is part of the key, as in racoon", id);
	else
		psk_diag(w, false, "text key for %s ends with whitespace; it is part of "
		    "the key, as in racoon", id);
}

/*
 * Completes e with its key, which starts at byte k of the len-byte line
 * at e->id_off, and stores it unless the identifier came earlier.
 */
static int
psk_key(struct psk_table *t, const struct psk_where *w, struct psk_entry *e, size_t k,
    size_t len, const char *id)
{
	uint8_t *s = t->buf + e->id_off;
	const struct psk_entry *first;
	long n;

	e->key_off = e->id_off + k;
	if (len - k >= 2 && s[k] == '0' && s[k + 1] == 'x') {
		if ((n = psk_unhex(w, s + k + 2, len - k - 2, s + k, k + 3)) < 0)
			return -1;
		e->key_len = (size_t)n;
	} else {
		e->key_len = len - k;
		psk_check_tail(w, s + k, len - k, id);
	}
	if ((first = psk_find(t, s, e->id_len)) != NULL) {
		psk_diag(w, false, "identifier %s repeats line %u; this line is never used",
		    id, first->line);
		return 0;
	}
	if (psk_add(t, e) != 0) {
		psk_diag(w, true, "out of memory");
		return -1;
	}
	return 0;
}

/* One line, t->buf[off..off+len) without its newline. */
static void
psk_line(struct psk_table *t, const struct psk_where *w, size_t off, size_t len)
{
	const uint8_t *s = t->buf + off;
	struct psk_entry e = { .id_off = off, .line = w->line };
	char id[65];
	size_t k;

	if (len == 0 || s[0] == '#')
		return;
	if (len > PSK_LINE_MAX) {
		psk_diag(w, true, "line is too long (%zu bytes, at most %d)", len, PSK_LINE_MAX);
		return;
	}
	if (memchr(s, '\0', len) != NULL) {
		psk_diag(w, true, "line contains a NUL byte");
		return;
	}
	for (k = 0; k < len && !psk_space(s[k]); k++)
		;
	e.id_len = k;
	while (k < len && psk_space(s[k]))
		k++;
	psk_show(s, e.id_len, id, sizeof(id));
	if (e.id_len == 0 && k < len)
		psk_diag(w, false, "line starts with whitespace: its identifier is empty "
		    "and never matches");
	else if (e.id_len > 0 && k == len)
		psk_diag(w, false, "no key after identifier %s; line ignored", id);
	else if (e.id_len > 0)
		psk_key(t, w, &e, k, len, id);
}

static void
psk_parse(struct psk_table *t, const char *path, struct psk_report *rep)
{
	struct psk_where w = { path, 0, rep };
	const uint8_t *nl;
	size_t off = 0, end;

	while (off < t->len) {
		w.line++;
		nl = memchr(t->buf + off, '\n', t->len - off);
		end = nl != NULL ? (size_t)(nl - t->buf) : t->len;
		psk_line(t, &w, off, end - off);
		off = nl != NULL ? end + 1 : t->len;
	}
}

/* Reads the whole of fd (size bytes by fstat) into t->buf. */
static int
psk_read(struct psk_table *t, int fd, size_t size, const struct psk_where *w)
{
	size_t cap = size + 1;	/* one more byte shows a file that grew */
	ssize_t n;

	if ((t->buf = sodium_malloc(cap)) == NULL) {
		psk_diag(w, true, "out of memory");
		return -1;
	}
	while (t->len < cap) {
		n = read(fd, t->buf + t->len, cap - t->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			psk_diag(w, true, "read: %s", strerror(errno));
			return -1;
		}
		if (n == 0)
			return 0;
		t->len += (size_t)n;
	}
	psk_diag(w, true, "file changed while being read");
	return -1;
}

/* Opens path, checks its secrecy and reads it; -1 after reporting. */
static int
psk_open_read(struct psk_table *t, const char *path, struct psk_report *rep)
{
	struct psk_where w = { path, 0, rep };
	struct stat st;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)) == -1) {
		psk_diag(&w, true, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1)
		psk_diag(&w, true, "fstat: %s", strerror(errno));
	else if (psk_check_secrecy(path, &st, geteuid(), rep) == 0) {
		if (st.st_size > PSK_FILE_MAX)
			psk_diag(&w, true, "file is too large (%lld bytes, at most %d)",
			    (long long)st.st_size, PSK_FILE_MAX);
		else
			rc = psk_read(t, fd, (size_t)st.st_size, &w);
	}
	close(fd);
	return rc;
}

struct psk_table *
psk_load(const char *path, struct psk_report *rep)
{
	struct psk_where w = { path, 0, rep };
	struct psk_table *t;

	memset(rep, 0, sizeof(*rep));
	if (sodium_init() < 0 || (t = calloc(1, sizeof(*t))) == NULL) {
		psk_diag(&w, true, "out of memory");
		return NULL;
	}
	if (psk_open_read(t, path, rep) == 0)
		psk_parse(t, path, rep);
	if (rep->errors > 0) {
		psk_free(t);
		return NULL;
	}
	/* Nothing writes to the keys again until psk_free(). */
	sodium_mprotect_readonly(t->buf);
	return t;
}

int
psk_lookup(const struct psk_table *t, const char *id, size_t idlen, struct view *key)
{
	const struct psk_entry *e;

	if (idlen == 0 || (e = psk_find(t, id, idlen)) == NULL)
		return -1;
	key->p = t->buf + e->key_off;
	key->len = e->key_len;
	return 0;
}

int
psk_lookup_addr(const struct psk_table *t, const struct gw_addr *a, struct view *key)
{
	char text[INET6_ADDRSTRLEN];

	if (addr_len(a->af) == 0)
		return -1;
	addr_ntop(a, text, sizeof(text));
	return psk_lookup(t, text, strlen(text), key);
}

size_t
psk_count(const struct psk_table *t)
{
	return t->n;
}

void
psk_free(struct psk_table *t)
{
	if (t == NULL)
		return;
	sodium_free(t->buf);	/* wipes before unmapping */
	secure_free(t->ent, t->cap * sizeof(*t->ent));
	secure_free(t, sizeof(*t));
}
