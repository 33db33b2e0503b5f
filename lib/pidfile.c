/* pidfile.c: a locked pid file; see pidfile.h. */
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "pidfile.h"

/* The pid the file holds, or 0 when it holds none. */
static pid_t
pidfile_read(int fd)
{
	char	 buf[32], *end;
	ssize_t	 n;
	long	 v;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\n' && *end != '\0') || v <= 0 ||
	    v > INT32_MAX)
		return 0;
	return (pid_t)v;
}

static int
pidfile_refuse(const char *path, int fd, pid_t pid)
{
	log_warnx("%s: tunneld already running as pid %d (remove the file if it is stale)",
	    path, (int)pid);
	close(fd);
	return -1;
}

int
pidfile_open(const char *path)
{
	pid_t	pid;
	int	fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd == -1) {
		log_warn("%s", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			return pidfile_refuse(path, fd, pidfile_read(fd));
		log_warn("flock %s", path);
		close(fd);
		return -1;
	}
	pid = pidfile_read(fd);
	if (pid != 0 && pid != getpid() && (kill(pid, 0) == 0 || errno == EPERM))
		return pidfile_refuse(path, fd, pid);
	return fd;
}

int
pidfile_write(int fd, pid_t pid)
{
	char	buf[32];
	int	n;

	n = snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, (size_t)n, 0) != n) {
		log_warn("pid file");
		return -1;
	}
	return 0;
}

void
pidfile_remove(const char *path, int fd)
{
	if (fd == -1)
		return;
	if (unlink(path) == -1)
		log_warn("%s", path);
	close(fd);
}

void
pidfile_daemonize(int pidfd)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid != 0) {
		if (pidfd != -1 && pidfile_write(pidfd, pid) == -1) {
			kill(pid, SIGTERM);
			_exit(1);
		}
		_exit(0);
	}
	if (setsid() == -1)
		fatal("setsid");
	if (chdir("/") == -1)
		fatal("chdir /");
	if ((fd = open("/dev/null", O_RDWR)) == -1)
		fatal("/dev/null");
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}
