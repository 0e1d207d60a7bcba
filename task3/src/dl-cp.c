/* dl-cp - copy files and directories into or out of a container.
 *
 *   dl-cp (--root DIR | --pid PID --starttime T) [--name NAME] (--in | --out) SRC DEST
 *
 * --in copies SRC on the host to DEST in the container, --out SRC in the
 * container to DEST on the host.  The container's root is DIR (its root
 * mounted on the host) or the root of its init, /proc/PID/root, after
 * checking that PID is still the process started at T (a reused PID is
 * never entered).  Either way it must be the root of a mount: the empty
 * directory an overlay was unmounted from is not the container.  NAME only
 * labels messages ("NAME:/etc/motd").  Every path in the container is
 * resolved inside its root (copy.h says how and why).
 */
#define _GNU_SOURCE
#include "copy.h"
#include "err.h"
#include "start.h"
#include "procstat.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define USAGE "usage: dl-cp (--root DIR | --pid PID --starttime T) [--name NAME] (--in | --out) SRC DEST\n"

struct cp_opts {
	const char *root, *name;
	pid_t pid;
	unsigned long long starttime;
	int has_starttime, direction; /* 'i' or 'o' */
	const char *src, *dst;
};

static noreturn void usage_error(const char *what)
{
	fprintf(stderr, "%s: %s\n" USAGE, progname(), what);
	exit(DL_EXIT_FAILURE);
}

static void parse(int argc, char **argv, struct cp_opts *o)
{
	static const struct option longs[] = {
		{ "root", required_argument, NULL, 'r' }, { "pid", required_argument, NULL, 'p' },
		{ "starttime", required_argument, NULL, 's' }, { "name", required_argument, NULL, 'n' },
		{ "in", no_argument, NULL, 'i' }, { "out", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int opt;
	char *end;
	memset(o, 0, sizeof(*o));
	o->name = "container";
	/* "+": options only before SRC, so a path may begin with "-" after "--" */
	while ((opt = getopt_long(argc, argv, "+", longs, NULL)) != -1) {
		switch (opt) {
		case 'r': o->root = optarg; break;
		case 'n': o->name = optarg; break;
		case 'i': case 'o': o->direction = opt; break;
		case 'p':
			errno = 0;
			long pid = strtol(optarg, &end, 10);
			if (errno || *end || pid < 1 || pid > 4194304)
				usage_error("invalid --pid");
			o->pid = (pid_t)pid;
			break;
		case 's':
			if (parse_starttime(optarg, &o->starttime))
				usage_error("invalid --starttime");
			o->has_starttime = 1;
			break;
		case 'h': fputs(USAGE, stdout); exit(0);
		default: usage_error("unknown option");
		}
	}
	if (argc - optind != 2)
		usage_error("give SRC and DEST");
	if (!o->direction || !o->root == !o->pid || (o->pid && !o->has_starttime))
		usage_error("give --in or --out, and --root or --pid with --starttime");
	o->src = argv[optind];
	o->dst = argv[optind + 1];
}

/* /proc/PID, held open, still names the process started at starttime? */
static void verify_init(int proc_fd, const struct cp_opts *o)
{
	struct proc_stat st;
	int rc = proc_stat_read_at(proc_fd, &st);
	if (rc || !proc_stat_is(&st, o->starttime))
		die("the container's init (PID %d) has exited: the container is not running", (int)o->pid);
}

/* The root of the container's init: opened below /proc/PID after the
 * check, and checked again after, so it is that process's root. */
static int open_init_root(const struct cp_opts *o)
{
	char path[32];
	snprintf(path, sizeof(path), "/proc/%d", (int)o->pid);
	int proc_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (proc_fd < 0)
		die("the container's init (PID %d) has exited: the container is not running", (int)o->pid);
	verify_init(proc_fd, o);
	int root = openat(proc_fd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		die_errno("cannot open the root of PID %d", (int)o->pid);
	verify_init(proc_fd, o);
	close(proc_fd);
	return root;
}

static int open_root(const struct cp_opts *o)
{
	int root = o->root ? open(o->root, O_PATH | O_DIRECTORY | O_CLOEXEC) : open_init_root(o);
	if (root < 0)
		die_errno("cannot open the container's root %s", o->root);
	int rc = cp_is_mount_root(root);
	if (rc < 0)
		die_err(rc, "cannot tell whether the container's root is mounted");
	if (!rc)
		die("the root of %s is not mounted (%s): not copying into or out of an empty mount point",
		    o->name, o->root ? o->root : "its init's root");
	return root;
}

int main(int argc, char **argv)
{
	struct cp_opts o;
	struct cp_ctx ctx;
	char src_label[4096], dst_label[4096];

	/* an inherited directory fd would be a way around the root */
	helper_start(argv[0]);
	parse(argc, argv, &o);
	int root = open_root(&o);
	int in = o.direction == 'i';
	struct cp_end src = { in ? AT_FDCWD : root, o.src, src_label };
	struct cp_end dst = { in ? root : AT_FDCWD, o.dst, dst_label };
	snprintf(src_label, sizeof(src_label), "%s%s%s", in ? "" : o.name, in ? "" : ":", o.src);
	snprintf(dst_label, sizeof(dst_label), "%s%s%s", in ? o.name : "", in ? ":" : "", o.dst);
	cp_ctx_init(&ctx, &src, &dst);
	int rc = cp_copy(&ctx, &src, &dst);
	if (rc == -ENOENT)
		die("%s", ctx.msg); /* it says so already */
	if (rc < 0)
		die_err(rc, "%s", ctx.msg);
	close(root);
	return 0;
}
