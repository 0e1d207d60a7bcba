#define _GNU_SOURCE
#include "rootfs.h"
#include "elfdeps.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MULTIARCH
#define MULTIARCH "x86_64-linux-gnu"
#endif

/* Without /etc/ld.so.cache (a fresh chroot has none) glibc's loader looks
 * in its built-in trusted directories; Debian's are the multiarch ones. */
static const char *const default_dirs[] = {
	"/lib/" MULTIARCH, "/usr/lib/" MULTIARCH, "/lib64", "/usr/lib64", "/lib", "/usr/lib",
};

#define MAX_DIRS 32
#define MAX_LIBS 256

struct copy_job {
	const char *root;
	char done[MAX_LIBS][PATH_MAX]; /* host paths already copied */
	size_t n_done;
	char *err;
	size_t err_size;
};

static void set_err(struct copy_job *job, const char *path)
{
	if (job->err)
		snprintf(job->err, job->err_size, "%s", path);
}

size_t rootfs_search_dirs(const char *runpath, const char *origin_dir, char dirs[][4096],
			  size_t max_dirs)
{
	size_t n = 0;
	const char *p = runpath ? runpath : "";

	while (*p && n < max_dirs) {
		size_t len = strcspn(p, ":");
		char entry[4096];
		if (len > 0 && len < sizeof(entry)) {
			memcpy(entry, p, len);
			entry[len] = '\0';
			if (strncmp(entry, "$ORIGIN", 7) == 0)
				snprintf(dirs[n++], 4096, "%s%s", origin_dir, entry + 7);
			else
				snprintf(dirs[n++], 4096, "%s", entry);
		}
		p += len + (p[len] == ':');
	}
	for (size_t i = 0; i < sizeof(default_dirs) / sizeof(*default_dirs) && n < max_dirs; i++)
		snprintf(dirs[n++], 4096, "%s", default_dirs[i]);
	return n;
}

/* Copy the content of src (following symlinks) to <root><dst>, keeping the
 * mode, creating parent directories. */
static int copy_into_root(const char *root, const char *src, const char *dst)
{
	char target[PATH_MAX], parent[PATH_MAX];
	if (snprintf(target, sizeof(target), "%s%s", root, dst) >= (int)sizeof(target))
		return -ENAMETOOLONG;
	snprintf(parent, sizeof(parent), "%s", target);
	int rc = mkdir_p(dirname(parent), 0755);
	if (rc)
		return rc;

	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	struct stat st;
	if (fstat(in, &st) < 0) {
		rc = -errno;
		close(in);
		return rc;
	}
	int out = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777);
	if (out < 0) {
		rc = -errno;
		close(in);
		return rc;
	}
	off_t done = 0;
	while (rc == 0 && done < st.st_size) {
		ssize_t n = sendfile(out, in, &done, (size_t)(st.st_size - done));
		if (n < 0 && errno != EINTR)
			rc = -errno;
		else if (n == 0)
			rc = -EIO; /* the file shrank under us */
	}
	if (close(out) < 0 && rc == 0)
		rc = -errno;
	close(in);
	return rc;
}

static int read_deps(const char *path, struct elf_deps *deps)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size == 0) {
		int rc = st.st_size == 0 ? -ENOEXEC : -errno;
		close(fd);
		return rc;
	}
	void *image = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (image == MAP_FAILED)
		return -errno;
	int rc = elf_parse_deps(image, (size_t)st.st_size, deps);
	munmap(image, (size_t)st.st_size);
	return rc;
}

static int already_done(struct copy_job *job, const char *path)
{
	for (size_t i = 0; i < job->n_done; i++)
		if (strcmp(job->done[i], path) == 0)
			return 1;
	return 0;
}

static int copy_with_deps(struct copy_job *job, const char *host_path);

static int copy_needed(struct copy_job *job, const char *name, const char *runpath,
		       const char *origin)
{
	char dirs[MAX_DIRS][4096], candidate[PATH_MAX];
	size_t n = rootfs_search_dirs(runpath, origin, dirs, MAX_DIRS);

	for (size_t i = 0; i < n; i++) {
		if (snprintf(candidate, sizeof(candidate), "%s/%s", dirs[i], name) >=
		    (int)sizeof(candidate))
			continue;
		if (access(candidate, R_OK) == 0)
			return copy_with_deps(job, candidate);
	}
	set_err(job, name);
	return -ENOENT;
}

/* Copy one ELF object at its own path, then what it needs, depth first. */
static int copy_with_deps(struct copy_job *job, const char *host_path)
{
	if (already_done(job, host_path))
		return 0;
	if (job->n_done == MAX_LIBS)
		return -E2BIG;
	snprintf(job->done[job->n_done++], PATH_MAX, "%s", host_path);

	struct elf_deps deps;
	int rc = read_deps(host_path, &deps);
	if (rc == 0)
		rc = copy_into_root(job->root, host_path, host_path);
	if (rc) {
		set_err(job, host_path);
		return rc;
	}
	char origin[PATH_MAX];
	snprintf(origin, sizeof(origin), "%s", host_path);
	dirname(origin);
	for (size_t i = 0; i < deps.n_needed; i++)
		if ((rc = copy_needed(job, deps.needed[i], deps.runpath, origin)))
			return rc;
	return 0;
}

int rootfs_prepare(const char *root, const char *program, char *err, size_t err_size)
{
	static struct copy_job job; /* large: keep it off the stack */
	char base[PATH_MAX], dst[PATH_MAX + 1];
	struct elf_deps deps;
	int rc;

	memset(&job, 0, sizeof(job));
	job.root = root;
	job.err = err;
	job.err_size = err_size;
	if (err_size)
		err[0] = '\0';

	/* The steps: make the root (mkdir_p), read the program's ELF dependencies
	 * (read_deps), copy the program to /<its name> (copy_into_root), then its
	 * loader (PT_INTERP) and every DT_NEEDED library, transitively
	 * (copy_with_deps, copy_needed; $ORIGIN is the program's directory).
	 * On failure, set_err() records which file it was and rc is returned. */
	/* BEGIN SOLUTION: fill the root with the program, its loader and its libraries (man 8 ld.so) */
	/* STUB: return -ENOSYS; */
	if ((rc = mkdir_p(root, 0755)))
		return set_err(&job, root), rc;
	if ((rc = read_deps(program, &deps)))
		return set_err(&job, program), rc;
	snprintf(base, sizeof(base), "%s", program);
	snprintf(dst, sizeof(dst), "/%s", basename(base));
	if ((rc = copy_into_root(root, program, dst)))
		return set_err(&job, program), rc;
	if (deps.interp[0] && (rc = copy_with_deps(&job, deps.interp)))
		return rc;
	char origin[PATH_MAX];
	snprintf(origin, sizeof(origin), "%s", program);
	dirname(origin);
	for (size_t i = 0; i < deps.n_needed; i++)
		if ((rc = copy_needed(&job, deps.needed[i], deps.runpath, origin)))
			return rc;
	/* END SOLUTION */
	return 0;
}
