/* ns.h - the namespace table and joining a process's namespaces by pidfd. */
#ifndef DL_NS_H
#define DL_NS_H

#include <stddef.h>
#include <sys/types.h>

struct ns_kind {
	const char *name; /* the name under /proc/<pid>/ns/ and in nsenter(1) */
	int flag;         /* its CLONE_NEW* flag, also the setns(2) nstype */
};

/* Every namespace docker-lite uses, in the order they should be joined:
 * user would come first; mnt comes last so /proc paths stay valid meanwhile. */
extern const struct ns_kind ns_kinds[];
extern const size_t ns_kinds_count;

/* CLONE_NEW* flag for "pid", "uts", ... or 0 when unknown. */
int ns_flag_from_name(const char *name);
/* Name for one CLONE_NEW* flag, or NULL. */
const char *ns_name_from_flag(int flag);
/* Parse "pid,uts,net" into flags. Returns -EINVAL on an unknown name. */
int ns_flags_from_list(const char *list, int *flags);
/* Write "pid,uts" for flags into buf; -ENOSPC if it does not fit,
 * -EINVAL if flags hold a bit that is not a namespace. */
int ns_flags_to_list(int flags, char *buf, size_t size);

/* Join the namespaces in flags of process pid: pidfd_open() + one setns()
 * with all flags at once (Linux >= 5.8), so the join is atomic.
 * A joined PID namespace only applies to children forked afterwards.
 * Returns 0 or -errno (-ENOSYS/-EINVAL on kernels without pidfd setns). */
int ns_join_pid(pid_t pid, int flags);

#endif
