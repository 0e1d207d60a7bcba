/* forward.h - a parent that waits for a container process: it passes on
 * the signals meant for it and reports the child's exit code. */
#ifndef DL_T3_FORWARD_H
#define DL_T3_FORWARD_H

#include <sys/types.h>

/* The signals passed on to a container command, by its init, dl-run and
 * dl-exec alike. */
extern const int forwarded_signals[];
extern const int forwarded_signals_count;

/* Pure: should a signal with this si_code be passed on?  Not when the
 * kernel sent it (si_code SI_KERNEL): that is the terminal's Ctrl-C,
 * Ctrl-\ or hang-up, sent to the whole foreground process group, so the
 * container's processes have received their own copy already. */
int should_forward(int si_code);
/* From now on, pass the forwarded signals on to pid.  Call it before the
 * child exists (pid 0: nothing to pass on yet), then again with its pid. */
void forward_signals_to(pid_t pid);

#endif
