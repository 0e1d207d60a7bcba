/* syncpipe.h - the start-up handshakes between a helper and a process it
 * starts: one byte on a pipe each way, so each side waits until the other
 * has done its part.  EOF instead of the byte means the other side gave up
 * (and said why) or died: the waiting side then gives up too.
 *
 * dl-run and the container's init (dl-run.c, container.c):
 *   SYNC_GO      dl-run -> init   in its cgroup: build the container
 *   SYNC_READY   init -> dl-run   the container is ready
 *   SYNC_START   dl-run -> init   recorded in the state: start the command
 * dl-run -d and the monitor it forks (run_detached):
 *   SYNC_RUNNING monitor -> dl-run  the container runs: return to the caller
 * dl-exec and the command's process (dl-exec.c):
 *   SYNC_GO      dl-exec -> child  in the container's cgroups: go on
 * A rootless helper and the child that made a user namespace (userns.c):
 *   SYNC_UNSHARED child -> parent  in the new namespace: write its maps
 *   SYNC_MAPPED   parent -> child  the maps are written
 */
#ifndef DL_T3_SYNCPIPE_H
#define DL_T3_SYNCPIPE_H

enum sync_byte {
	SYNC_GO = 'g',
	SYNC_READY = 'r',
	SYNC_START = 's',
	SYNC_RUNNING = 'k',
	SYNC_UNSHARED = 'u',
	SYNC_MAPPED = 'm',
};

/* Write the byte (EINTR retried).  Returns 0 or -errno. */
int sync_send(int fd, enum sync_byte byte);
/* Wait for the byte: 1 when it came, 0 on EOF or any other byte. */
int sync_wait(int fd, enum sync_byte byte);

#endif
