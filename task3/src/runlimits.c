#include "runlimits.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

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
	if (!isdigit((unsigned char)text[0]) || text[0] == '0')
		return -EINVAL;
	errno = 0;
	long value = strtol(text, &end, 10);
	if (errno || *end)
		return -EINVAL;
	if (value > DL_PIDS_MAX)
		return -ERANGE;
	*pids = value;
	return 0;
}

const char *cgroup_root(void)
{
	const char *root = getenv("DL_CGROUP_ROOT");
	return root && *root ? root : CG_DEFAULT_ROOT;
}
