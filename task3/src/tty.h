/* tty.h - run -t / exec -t: a pseudo-terminal for the container command.
 *
 * A pty is a pair of devices: the command reads and writes the "slave"
 * (/dev/pts/N) as if it were a terminal (line editing, Ctrl-C, window
 * size, job control all live in its line discipline); whoever holds the
 * "master" plays the keyboard and the screen.  The pty comes from the
 * container's own devpts instance (mounts.c mounts it with newinstance),
 * so inside it is /dev/pts/0 and no host pty is visible.
 *
 * The master goes to the relay outside the container (dl-run, or
 * dl-exec), which copies the user's terminal, put in raw mode so every
 * key (Ctrl-C, Ctrl-Z too) reaches the pty's line discipline, to the
 * master and the master to the screen and the log, and passes window
 * size changes on (SIGWINCH -> TIOCSWINSZ).  The user's terminal is put
 * back on every exit path of the relay, which the container cannot kill
 * by killing itself.
 */
#ifndef DL_T3_TTY_H
#define DL_T3_TTY_H

/* Open a new pty in the devpts of the current root (/dev/pts/ptmx): the
 * master and its slave (TIOCGPTPEER: no path lookup), both close-on-exec
 * and not a controlling terminal yet.  Returns 0 or -errno. */
int pty_open(int *master, int *slave);
/* In the command's process before exec: a session of its own with the
 * slave as controlling terminal and as stdin, stdout and stderr. */
int pty_attach(int slave);
/* Send / receive one fd over a unix socket (SCM_RIGHTS): the init, inside
 * the container, hands the master to dl-run outside.  recv: the new fd. */
int fd_send(int sock, int fd);
int fd_recv(int sock);
/* Give the pty the window size of the terminal on fd (not one: nothing). */
int pty_follow_size(int from, int pty);
/* Does the relay feed the caller's stdin to the pty?  With -i, and with
 * -t alone when stdin is a terminal (a terminal one cannot type into helps
 * nobody); -t alone with stdin a file or pipe: no, as Docker. */
int tty_takes_input(int interactive, int stdin_fd);
/* Put the terminal on fd in raw mode, remembering how it was; tty_restore
 * puts it back (registered with atexit, so die() restores too). */
int tty_raw(int fd);
void tty_restore(void);

#endif
