/*
 * ctlsock.h: the PF_KEY Unix socket shared by tunneld, setkey and ikd.
 *
 * AF_UNIX SOCK_SEQPACKET, one PF_KEY message per datagram. The path is,
 * in order: an explicit -S PATH, $TUNNELD_SOCKET, CTLSOCK_DEFAULT.
 */
#ifndef GW_CTLSOCK_H
#define GW_CTLSOCK_H

#include <stdbool.h>
#include <sys/types.h>

#define CTLSOCK_DEFAULT		GW_RUNSTATEDIR "/tunneld/pfkey"
#define CTLSOCK_ENV		"TUNNELD_SOCKET"

/* Chooses the socket path: explicit (may be NULL), then env, then default. */
const char *ctlsock_path(const char *explicit_path);

/*
 * Creates the socket's directory (mode 0700, if missing) and a listening
 * socket at path with mode 0600, replacing a stale socket file. The
 * directory is created only when it does not exist; an existing directory
 * that group or others can write is refused. Returns the fd or -1 with
 * errno set and a log line.
 */
int ctlsock_listen(const char *path);

/* Connects to path. Returns the fd or -1 with errno set (no log). */
int ctlsock_connect(const char *path);

/* Peer credentials of a connected socket; 0 or -1 with errno. */
int ctlsock_peer(int fd, uid_t *uid, pid_t *pid);

/* Takes a client: fd (non-blocking, close-on-exec) is its own from now on. */
typedef void ctlsock_attach_fn(void *arg, int fd, uid_t uid, pid_t pid);

/*
 * Accepts every client waiting on the non-blocking listening socket lfd
 * and hands each, with its credentials, to attach; a client lost on the
 * way is logged and skipped. Returns 0 when nobody else is waiting, or
 * -1 when the process is out of descriptors or memory (logged): the
 * caller then stops watching lfd for a while instead of spinning. who
 * prefixes the log lines ("control", "relay").
 */
int ctlsock_accept_all(int lfd, const char *who, ctlsock_attach_fn *attach, void *arg);

#endif
