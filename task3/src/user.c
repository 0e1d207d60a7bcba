#define _GNU_SOURCE
#include "user.h"
#include "syscalls.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE_MAX_LEN 4096
/* fields of a passwd line: name:password:uid:gid:gecos:home:shell */
#define PW_FIELDS 7
/* fields of a group line: name:password:gid:members */
#define GR_FIELDS 4

static int failf(char *err, size_t errsz, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return rc;
}

/* A decimal id (no sign, no blanks, below the kernel's (uid_t)-1). */
static int parse_id(const char *s, unsigned long *id)
{
	char *end;
	if (!*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v >= UINT_MAX)
		return -EINVAL;
	*id = v;
	return 0;
}

/* Split a line at ':' into at most n fields; the count found. */
static size_t split_fields(char *line, char **f, size_t n)
{
	size_t i = 0;
	line[strcspn(line, "\n")] = '\0';
	while (i < n && line) {
		f[i++] = strsep(&line, ":");
	}
	return i;
}

/* The passwd entry whose name is key (by_uid == 0) or whose uid is id. */
static int find_passwd(FILE *f, const char *key, int by_uid, unsigned long id, struct user_id *u,
		       char *name, size_t namesz)
{
	char line[LINE_MAX_LEN], *fld[PW_FIELDS];
	unsigned long uid, gid;
	if (!f)
		return -ENOENT;
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		if (split_fields(line, fld, PW_FIELDS) < PW_FIELDS || parse_id(fld[2], &uid) ||
		    parse_id(fld[3], &gid))
			continue;
		if (by_uid ? uid != id : strcmp(fld[0], key) != 0)
			continue;
		u->uid = (uid_t)uid;
		u->gid = (gid_t)gid;
		snprintf(u->home, sizeof(u->home), "%s", *fld[5] ? fld[5] : "/");
		snprintf(name, namesz, "%s", fld[0]);
		return 0;
	}
	return -ENOENT;
}

/* Is name in a comma-separated member list? */
static int is_member(const char *members, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = members; *p;) {
		size_t n = strcspn(p, ",");
		if (n == len && strncmp(p, name, len) == 0)
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

/* The group named key (its gid in *gid), and, when user is not empty, the
 * gids of every group listing user among its members. */
static int scan_groups(FILE *f, const char *key, gid_t *gid, const char *user, struct user_id *u)
{
	char line[LINE_MAX_LEN], *fld[GR_FIELDS];
	unsigned long id;
	int found = 0;
	if (!f)
		return key ? -ENOENT : 0;
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		if (split_fields(line, fld, GR_FIELDS) < GR_FIELDS || parse_id(fld[2], &id))
			continue;
		if (key && !found && strcmp(fld[0], key) == 0) {
			*gid = (gid_t)id;
			found = 1;
		}
		if (*user && is_member(fld[3], user) && u->ngroups < USER_GROUPS_MAX)
			u->groups[u->ngroups++] = (gid_t)id;
	}
	return key && !found ? -ENOENT : 0;
}

int user_resolve(const char *spec, FILE *passwd, FILE *group, struct user_id *u, char *err,
		 size_t errsz)
{
	char user[256], name[256] = "";
	const char *colon = strchr(spec, ':'), *grp = colon ? colon + 1 : NULL;
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	unsigned long id;

	memset(u, 0, sizeof(*u));
	if (ulen == 0 || ulen >= sizeof(user) || (grp && !*grp))
		return failf(err, errsz, -EINVAL, "invalid user '%s': use name|uid[:group|gid]", spec);
	memcpy(user, spec, ulen);
	user[ulen] = '\0';
	if (parse_id(user, &id) == 0) {
		/* a uid need not have an entry (Docker's rule) */
		if (find_passwd(passwd, NULL, 1, id, u, name, sizeof(name))) {
			u->uid = (uid_t)id;
			u->gid = 0;
			strcpy(u->home, "/");
		}
	} else if (find_passwd(passwd, user, 0, 0, u, name, sizeof(name))) {
		return failf(err, errsz, -ENOENT, "no user '%s' in the image's /etc/passwd", user);
	}
	gid_t gid = u->gid;
	int rc = 0;
	if (grp && parse_id(grp, &id) == 0) {
		gid = (gid_t)id;
		rc = scan_groups(group, NULL, &gid, name, u);
	} else {
		rc = scan_groups(group, grp, &gid, name, u);
	}
	if (rc)
		return failf(err, errsz, rc, "no group '%s' in the image's /etc/group", grp);
	u->gid = gid;
	snprintf(u->home_env, sizeof(u->home_env), "HOME=%s", u->home);
	return 0;
}

int user_lookup(const char *spec, struct user_id *u, char *err, size_t errsz)
{
	FILE *passwd = fopen("/etc/passwd", "re"), *group = fopen("/etc/group", "re");
	int rc = user_resolve(spec, passwd, group, u, err, errsz);
	if (passwd)
		fclose(passwd);
	if (group)
		fclose(group);
	return rc;
}

int user_switch(const struct user_id *u)
{
	/* BEGIN SOLUTION: setgroups(u->ngroups, u->groups), then setgid(u->gid), then setuid(u->uid): groups and gid while still root (man 2 setgroups) */
	/* This order: setgroups and setgid need CAP_SETGID, which setuid to a
	 * non-zero uid takes away; the other way round the process would keep
	 * root's groups (gid 0) as a non-root user. */
	if (sys_setgroups(u->ngroups, u->groups) < 0 || sys_setgid(u->gid) < 0 ||
	    sys_setuid(u->uid) < 0)
		return -errno;
	/* END SOLUTION */
	return 0;
}
