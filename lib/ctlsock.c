/* ctlsock.c: listen/connect on the PF_KEY Unix socket; see ctlsock.h. */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "gw_config.h"
#include "ctlsock.h"
#include "log.h"

const char *
ctlsock_path(const char *explicit_path)
{
	const char *env;

	if (explicit_path != NULL && *explicit_path != '\0')
		return explicit_path;
	env = getenv(CTLSOCK_ENV);
	if (env != NULL && *env != '\0')
		return env;
	return CTLSOCK_DEFAULT;
}

static int
sun_fill(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun->sun_path, path);
	return 0;
}

/* Makes sure the socket's directory exists and is private. */
static int
ctlsock_dir(const char *path)
{
	char tmp[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat st;
	const char *dir;

	if (strlen(path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(tmp, path);
	dir = dirname(tmp);
	if (stat(dir, &st) == -1) {
		if (errno != ENOENT || mkdir(dir, 0700) == -1) {
			log_warn("%s", dir);
			return -1;
		}
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		log_warn("%s", dir);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		log_warnx("%s: directory is writable by group or others (mode %04o)", dir,
		    (unsigned)(st.st_mode & 07777));
		errno = EPERM;
		return -1;
	}
	return 0;
}

int
ctlsock_listen(const char *path)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd;

	if (sun_fill(&sun, path) == -1 || ctlsock_dir(path) == -1) {
		if (errno == ENAMETOOLONG)
			log_warnx("%s: socket path too long", path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		log_warn("socket");
		return -1;
	}
	/* A live daemon answers; a stale file from a crash does not. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		log_warnx("%s: another daemon is listening there", path);
		close(fd);
		errno = EADDRINUSE;
		return -1;
	}
	unlink(path);
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		log_warn("bind %s", path);
		close(fd);
		return -1;
	}
	umask(old);
	if (chmod(path, 0600) == -1 || listen(fd, 16) == -1) {
		log_warn("%s", path);
		close(fd);
		return -1;
	}
	return fd;
}

int
ctlsock_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	if (sun_fill(&sun, path) == -1)
		return -1;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
ctlsock_peer(int fd, uid_t *uid, pid_t *pid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return -1;
	*uid = cred.uid;
	*pid = cred.pid;
	return 0;
}

enum ctlsock_acc {
	CTLSOCK_ACC_OK,		/* *fd is a new client */
	CTLSOCK_ACC_SKIP,	/* one client was lost (logged): accept the next */
	CTLSOCK_ACC_AGAIN,	/* nobody else is waiting */
	CTLSOCK_ACC_FULL,	/* out of descriptors or memory (logged): pause */
};

static enum ctlsock_acc
ctlsock_accept(int lfd, const char *who, int *fd, uid_t *uid, pid_t *pid)
{
	if ((*fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1) {
		switch (errno) {
		case EAGAIN:
#if EWOULDBLOCK != EAGAIN
		case EWOULDBLOCK:
#endif
		case EINTR:
			return CTLSOCK_ACC_AGAIN;
		case ECONNABORTED:
			return CTLSOCK_ACC_SKIP;
		case EMFILE:
		case ENFILE:
		case ENOBUFS:
		case ENOMEM:
			log_warn("%s: accept", who);
			return CTLSOCK_ACC_FULL;
		default:
			log_warn("%s: accept", who);
			return CTLSOCK_ACC_AGAIN;
		}
	}
	if (ctlsock_peer(*fd, uid, pid) == -1) {
		log_warn("%s: SO_PEERCRED", who);
		close(*fd);
		return CTLSOCK_ACC_SKIP;
	}
	return CTLSOCK_ACC_OK;
}

int
ctlsock_accept_all(int lfd, const char *who, ctlsock_attach_fn *attach, void *arg)
{
	uid_t uid;
	pid_t pid;
	int fd;

	for (;;) {
		switch (ctlsock_accept(lfd, who, &fd, &uid, &pid)) {
		case CTLSOCK_ACC_OK:
			attach(arg, fd, uid, pid);
			break;
		case CTLSOCK_ACC_SKIP:
			break;
		case CTLSOCK_ACC_FULL:
			return -1;
		case CTLSOCK_ACC_AGAIN:
			return 0;
		}
	}
}
