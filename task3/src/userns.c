#define _GNU_SOURCE
#include "userns.h"
#include "err.h"
#include "fds.h"
#include "fsutil.h"
#include "syncpipe.h"
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* /etc/subuid lines are short; a machine with thousands of users still
 * fits (a longer file is read as far as this). */
#define SUBID_FILE_MAX (256 * 1024)

static int owner_matches(const char *line, size_t len, const char *name, unsigned long id)
{
	char num[24];
	snprintf(num, sizeof(num), "%lu", id);
	return (name[0] && strlen(name) == len && !strncmp(line, name, len)) ||
	       (strlen(num) == len && !strncmp(line, num, len));
}

int subid_find(const char *text, const char *name, unsigned long id, struct id_range *r)
{
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *colon = strchr(line, ':');
		const char *end = strchrnul(line, '\n');
		if (!colon || colon > end || !owner_matches(line, (size_t)(colon - line), name, id))
			continue;
		char *rest;
		errno = 0;
		unsigned long start = strtoul(colon + 1, &rest, 10);
		if (errno || *rest != ':' || rest == colon + 1)
			continue;
		char *stop;
		unsigned long count = strtoul(rest + 1, &stop, 10);
		if (errno || stop == rest + 1 || stop != end || count == 0)
			continue;
		*r = (struct id_range){ start, count };
		return 0;
	}
	return -ENOENT;
}

static void read_range(const char *path, const char *name, unsigned long id, struct id_range *r)
{
	static char text[SUBID_FILE_MAX];
	*r = (struct id_range){ 0, 0 };
	if (read_file(path, text, sizeof(text)) >= 0)
		subid_find(text, name, id, r);
}

int userns_ids_of_caller(struct userns_ids *ids)
{
	memset(ids, 0, sizeof(*ids));
	ids->uid = geteuid();
	ids->gid = getegid();
	struct passwd *pw = getpwuid(ids->uid);
	if (pw)
		snprintf(ids->name, sizeof(ids->name), "%s", pw->pw_name);
	read_range("/etc/subuid", ids->name, ids->uid, &ids->subuid);
	read_range("/etc/subgid", ids->name, ids->gid, &ids->subgid);
	return 0;
}

int userns_has_ranges(const struct userns_ids *ids)
{
	return ids->subuid.count && ids->subgid.count;
}

int userns_map_words(const struct userns_ids *ids, int gid, char buf[][24], int max)
{
	const struct id_range *r = gid ? &ids->subgid : &ids->subuid;
	unsigned long words[6] = { 0, gid ? ids->gid : ids->uid, 1, 1, r->start, r->count };
	int n = r->count ? 6 : 3;
	for (int i = 0; i < n && i < max; i++)
		snprintf(buf[i], 24, "%lu", words[i]);
	return n < max ? n : max;
}

/* newuidmap PID 0 UID 1 1 START COUNT (newgidmap alike). */
static int run_map_helper(const char *helper, pid_t pid, const struct userns_ids *ids, int gid)
{
	char words[6][24], pidtext[24];
	char *argv[9] = { (char *)helper, pidtext };
	int n = userns_map_words(ids, gid, words, 6);
	snprintf(pidtext, sizeof(pidtext), "%d", (int)pid);
	for (int i = 0; i < n; i++)
		argv[2 + i] = words[i];
	argv[2 + n] = NULL;
	pid_t child = fork();
	if (child < 0)
		return -errno;
	if (child == 0) {
		execvp(helper, argv);
		fprintf(stderr, "%s: cannot run %s: %s (install the package uidmap)\n", progname(), helper,
			strerror(errno));
		_exit(127);
	}
	int code = wait_exit_code(child);
	return code ? -EPERM : 0;
}

/* Without ranges: the user's own ids, written by us; setgroups first. */
static int write_single_maps(pid_t pid, const struct userns_ids *ids)
{
	char path[64], line[64];
	int rc = 0;
	/* BEGIN SOLUTION: write "deny" to /proc/PID/setgroups, then "0 UID 1" to /proc/PID/uid_map and "0 GID 1" to gid_map (write_file; man 7 user_namespaces) */
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	if ((rc = write_file(path, "deny")))
		return rc;
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	snprintf(line, sizeof(line), "0 %lu 1\n", (unsigned long)ids->uid);
	if ((rc = write_file(path, line)))
		return rc;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	snprintf(line, sizeof(line), "0 %lu 1\n", (unsigned long)ids->gid);
	rc = write_file(path, line);
	/* END SOLUTION */
	return rc;
}

int userns_write_maps(pid_t pid, const struct userns_ids *ids)
{
	if (!userns_has_ranges(ids))
		return write_single_maps(pid, ids);
	int rc = run_map_helper("newuidmap", pid, ids, 0);
	return rc ? rc : run_map_helper("newgidmap", pid, ids, 1);
}

void userns_warn_single(const struct userns_ids *ids)
{
	log_warn("no subordinate ids for %s in /etc/subuid and /etc/subgid: the container has one user, "
		 "root (apt-get and chown to other users fail inside); a range is added with "
		 "'sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s'",
		 ids->name[0] ? ids->name : "you", ids->name[0] ? ids->name : "USER");
}

int userns_run(const struct userns_ids *ids, char *const argv[])
{
	int to_parent[2], to_child[2];
	if (pipe2(to_parent, O_CLOEXEC) < 0 || pipe2(to_child, O_CLOEXEC) < 0)
		return -errno;
	pid_t child = fork();
	if (child < 0)
		return -errno;
	if (child == 0) {
		/* the parent's ends closed: if it dies before the map, EOF */
		close(to_parent[0]);
		close(to_child[1]);
		/* in the new namespace first, then wait for the parent's map */
		if (unshare(CLONE_NEWUSER) < 0)
			die_errno("cannot create a user namespace");
		if (sync_send(to_parent[1], SYNC_UNSHARED) < 0 || !sync_wait(to_child[0], SYNC_MAPPED))
			_exit(DL_EXIT_FAILURE);
		execvp(argv[0], argv);
		die_errno("cannot run %s", argv[0]);
	}
	close(to_parent[1]);
	close(to_child[0]);
	int rc = sync_wait(to_parent[0], SYNC_UNSHARED) ? userns_write_maps(child, ids) : -ECHILD;
	if (rc) {
		kill(child, SIGKILL);
		wait_exit_code(child);
		die_err(rc, "cannot write the id maps of a user namespace");
	}
	sync_send(to_child[1], SYNC_MAPPED);
	close(to_child[1]);
	close(to_parent[0]);
	return wait_exit_code(child);
}

int userns_seal_self(char **argv)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -errno;
	self[n] = '\0';
	if (!strncmp(self, "/memfd:", 7))
		return 0; /* sealed already: this is the copy */
	int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return -errno;
	int copy = memfd_create("dl-run", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	struct stat st;
	int rc = copy < 0 || fstat(src, &st) < 0 ? -errno : 0;
	for (off_t done = 0; !rc && done < st.st_size;) {
		ssize_t sent = sendfile(copy, src, &done, (size_t)(st.st_size - done));
		if (sent <= 0)
			rc = sent < 0 ? -errno : -EIO;
	}
	close(src);
	if (!rc && fcntl(copy, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
		rc = -errno;
	if (!rc)
		fexecve(copy, argv, environ);
	rc = rc ? rc : -errno;
	if (copy >= 0)
		close(copy);
	return rc;
}

/* Set in the environment of the second start, inside the user's scope. */
#define USER_SCOPE_ENV "DL_IN_USER_SCOPE"

/* The user's systemd manager listens on <runtime dir>/systemd/private;
 * systemd-run --user finds it through XDG_RUNTIME_DIR. */
static int user_manager_runs(char *runtime, size_t size)
{
	const char *env = getenv("XDG_RUNTIME_DIR");
	char sock[PATH_MAX];
	if (env && *env)
		snprintf(runtime, size, "%s", env);
	else
		snprintf(runtime, size, "/run/user/%u", (unsigned)geteuid());
	return path_join(sock, sizeof(sock), runtime, "systemd/private") == 0 && access(sock, F_OK) == 0;
}

void userns_rerun_in_user_scope(int argc, char **argv)
{
	char runtime[PATH_MAX], self[PATH_MAX];
	if (getenv(USER_SCOPE_ENV) || !user_manager_runs(runtime, sizeof(runtime)))
		return;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return;
	self[n] = '\0';
	static const char *const scope[] = { "systemd-run", "--user", "--scope", "--quiet", "--collect",
					     "-p",	   "Delegate=yes", "--" };
	enum { NSCOPE = sizeof(scope) / sizeof(scope[0]) };
	char **args = calloc((size_t)argc + NSCOPE + 1, sizeof(*args));
	if (!args)
		return;
	memcpy(args, scope, sizeof(scope));
	args[NSCOPE] = self;
	memcpy(args + NSCOPE + 1, argv + 1, (size_t)argc * sizeof(*args)); /* with argv's NULL */
	if (setenv(USER_SCOPE_ENV, "1", 1) == 0 && setenv("XDG_RUNTIME_DIR", runtime, 0) == 0)
		execvp(args[0], args);
	log_warn("cannot start systemd-run for a cgroup of your own: %s", strerror(errno));
	unsetenv(USER_SCOPE_ENV);
	free(args);
}
