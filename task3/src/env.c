#include "env.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Length of the key of "KEY=VALUE", or 0 when it is not a valid name. */
static size_t key_len(const char *kv)
{
	size_t i = 0;
	if (!(isalpha((unsigned char)kv[0]) || kv[0] == '_'))
		return 0;
	while (isalnum((unsigned char)kv[i]) || kv[i] == '_')
		i++;
	return kv[i] == '=' ? i : 0;
}

void env_init(struct env *e, const char *hostname, const char *term)
{
	memset(e, 0, sizeof(*e));
	e->vars[e->n++] = ENV_DEFAULT_PATH;
	e->vars[e->n++] = "HOME=/root";
	if (hostname) {
		snprintf(e->hostname, sizeof(e->hostname), "HOSTNAME=%s", hostname);
		e->vars[e->n++] = e->hostname;
	}
	if (term && *term && strlen(term) < sizeof(e->term) - 5) {
		snprintf(e->term, sizeof(e->term), "TERM=%s", term);
		e->vars[e->n++] = e->term;
	}
}

int env_set(struct env *e, const char *kv)
{
	size_t len = key_len(kv);
	if (!len)
		return -EINVAL;
	for (size_t i = 0; i < e->n; i++) {
		if (strncmp(e->vars[i], kv, len + 1) == 0) {
			e->vars[i] = (char *)kv;
			return 0;
		}
	}
	if (e->n == ENV_MAX)
		return -E2BIG;
	e->vars[e->n++] = (char *)kv;
	e->vars[e->n] = NULL;
	return 0;
}

const char *env_get(const struct env *e, const char *key)
{
	size_t len = strlen(key);
	for (size_t i = 0; i < e->n; i++)
		if (strncmp(e->vars[i], key, len) == 0 && e->vars[i][len] == '=')
			return e->vars[i] + len + 1;
	return NULL;
}
