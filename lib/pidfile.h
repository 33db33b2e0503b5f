/*
 * pidfile.h: one daemon per pid file.
 *
 * The file is locked (flock) for the life of the process, so a second
 * instance is refused even when the first one's pid was reused; a file
 * naming another live process is refused as well, in case it was written
 * by something that does not lock.
 */
#ifndef GW_PIDFILE_H
#define GW_PIDFILE_H

#include <sys/types.h>

/*
 * Opens (creating, mode 0644) and locks path. Returns the descriptor, or
 * -1 with a log line when another process holds the lock or the file
 * names a live process other than this one, or on I/O errors.
 */
int pidfile_open(const char *path);
/* Replaces the content of the locked file fd with pid. 0 or -1 (logged). */
int pidfile_write(int fd, pid_t pid);
/*
 * Detaches into the background: fork (the parent writes the child's pid
 * into the locked file pidfd, if not -1, and exits, so the file is there
 * when the command returns), setsid, chdir /, standard descriptors on
 * /dev/null. Returns in the child; exits on failure.
 */
void pidfile_daemonize(int pidfd);
/* Unlinks path and closes fd (which releases the lock). */
void pidfile_remove(const char *path, int fd);

#endif
