#define _GNU_SOURCE
#include "runlimits.h"

#include "fsutil.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define CPU_DECIMALS 5

int parse_cpus(const char *text, long period_us, long ncpus, long *quota_us)
{
	long long whole = 0, frac = 0, scale = 1;
	const char *p = text;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > 100000)
			return -ERANGE;
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		for (int digits = 0; isdigit((unsigned char)*p); p++, digits++) {
			if (digits == CPU_DECIMALS)
				return -EINVAL;
			frac = frac * 10 + (*p - '0');
			scale *= 10;
		}
	}
	if (*p)
		return -EINVAL;
	/* integer arithmetic: "0.1" must give exactly 10000, not 9999 */
	long long quota = whole * period_us + frac * period_us / scale;
	if (quota < period_us / 100 || quota < 1000 || quota > (long long)ncpus * period_us)
		return -ERANGE;
	*quota_us = (long)quota;
	return 0;
}

int parse_memory(const char *text, long long *bytes)
{
	long long value;
	int rc = cg_parse_size(text, &value);
	if (rc == -ERANGE)
		return -EOVERFLOW;
	if (rc)
		return rc;
	if (value < DL_MEMORY_MIN)
		return -ERANGE;
	*bytes = value;
	return 0;
}

int parse_pids(const char *text, long *pids)
{
	char *end;
	if (!isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	long value = strtol(text, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno || value < 1 || value > DL_PIDS_MAX)
		return -ERANGE;
	*pids = value;
	return 0;
}

/* ---- block I/O ----------------------------------------------------------- */

int parse_device_value(const char *text, int iops, char *dev, size_t size, unsigned long long *value)
{
	const char *colon = strrchr(text, ':');
	if (!colon || colon == text || text[0] != '/')
		return -EINVAL;
	size_t len = (size_t)(colon - text);
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(dev, text, len);
	dev[len] = '\0';
	const char *v = colon + 1;
	if (!iops) {
		long long bytes;
		if (cg_parse_size(v, &bytes))
			return -ERANGE;
		*value = (unsigned long long)bytes;
		return 0;
	}
	char *end;
	if (!isdigit((unsigned char)v[0]))
		return -ERANGE;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno || *end || n == 0)
		return -ERANGE;
	*value = n;
	return 0;
}

int parse_io_weight(const char *text, unsigned *weight)
{
	char *end;
	if (!isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	unsigned long n = strtoul(text, &end, 10);
	if (errno || *end || n < CG_IO_WEIGHT_MIN || n > CG_IO_WEIGHT_MAX)
		return -ERANGE;
	*weight = (unsigned)n;
	return 0;
}

static int read_dev_numbers(const char *path, unsigned *major, unsigned *minor)
{
	char text[32];
	ssize_t n = read_file(path, text, sizeof(text));
	if (n < 0)
		return (int)n;
	return sscanf(text, "%u:%u", major, minor) == 2 ? 0 : -EINVAL;
}

int block_disk_from_sysfs(const char *sysfs, unsigned major, unsigned minor, struct block_disk *disk)
{
	char link[PATH_MAX], real[PATH_MAX], file[PATH_MAX + 16];
	struct stat st;
	memset(disk, 0, sizeof(*disk));
	if ((size_t)snprintf(link, sizeof(link), "%s/dev/block/%u:%u", sysfs, major, minor) >= sizeof(link))
		return -ENAMETOOLONG;
	if (!realpath(link, real))
		return -errno;
	/* a partition's directory has a "partition" file and sits in its disk's */
	snprintf(file, sizeof(file), "%s/partition", real);
	disk->partition = stat(file, &st) == 0;
	if (disk->partition)
		*strrchr(real, '/') = '\0';
	snprintf(file, sizeof(file), "%s/dev", real);
	int rc = read_dev_numbers(file, &disk->major, &disk->minor);
	if (rc)
		return rc;
	snprintf(disk->name, sizeof(disk->name), "%s", strrchr(real, '/') + 1);
	return 0;
}

int block_disk_of(const char *sysfs, const char *dev, struct block_disk *disk)
{
	struct stat st;
	if (stat(dev, &st) < 0)
		return -errno;
	if (!S_ISBLK(st.st_mode))
		return -ENOTBLK;
	return block_disk_from_sysfs(sysfs, major(st.st_rdev), minor(st.st_rdev), disk);
}

int block_disk_has_bfq(const char *sysfs, const struct block_disk *disk, char *active, size_t size)
{
	char path[PATH_MAX], text[256];
	if ((size_t)snprintf(path, sizeof(path), "%s/block/%s/queue/scheduler", sysfs, disk->name) >= sizeof(path))
		return -ENAMETOOLONG;
	ssize_t n = read_file(path, text, sizeof(text));
	if (n < 0)
		return (int)n;
	/* "none [mq-deadline] kyber bfq": the one in brackets is in use */
	char *open = strchr(text, '['), *close = open ? strchr(open, ']') : NULL;
	if (!close)
		return -EINVAL;
	*close = '\0';
	snprintf(active, size, "%s", open + 1);
	return strcmp(open + 1, "bfq") == 0;
}
