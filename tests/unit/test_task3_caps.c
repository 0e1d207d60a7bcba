/* Unit tests for task3/src/caps.c: which capabilities a container keeps,
 * and that hardening drops the others everywhere, with prctl/capget/capset
 * replaced by a fake process (no privilege is lost by running this). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <cmocka.h>

#include "caps.h"

/* ---- the fake process ------------------------------------------------- */
#define FAKE_LAST_CAP 40
static uint64_t bounding;    /* bit n: cap n in the bounding set */
static uint64_t eff, perm, inh;
static int no_new_privs, ambient_cleared, fail_drop_of;

int __wrap_sys_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4,
		     unsigned long a5)
{
	(void)a3, (void)a4, (void)a5;
	switch (option) {
	case PR_CAPBSET_READ:
		if (a2 > FAKE_LAST_CAP) {
			errno = EINVAL;
			return -1;
		}
		return (int)((bounding >> a2) & 1);
	case PR_CAPBSET_DROP:
		if ((int)a2 == fail_drop_of) {
			errno = EPERM;
			return -1;
		}
		bounding &= ~((uint64_t)1 << a2);
		return 0;
	case PR_CAP_AMBIENT:
		ambient_cleared = a2 == PR_CAP_AMBIENT_CLEAR_ALL;
		return 0;
	case PR_SET_NO_NEW_PRIVS:
		no_new_privs = (int)a2;
		return 0;
	default:
		errno = EINVAL;
		return -1;
	}
}

int __wrap_sys_capget(void *header, void *data)
{
	struct __user_cap_header_struct *h = header;
	struct __user_cap_data_struct *d = data;
	assert_int_equal(h->version, _LINUX_CAPABILITY_VERSION_3);
	for (int i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(eff >> (32 * i));
		d[i].permitted = (uint32_t)(perm >> (32 * i));
		d[i].inheritable = (uint32_t)(inh >> (32 * i));
	}
	return 0;
}

int __wrap_sys_capset(void *header, const void *data)
{
	(void)header;
	const struct __user_cap_data_struct *d = data;
	eff = d[0].effective | (uint64_t)d[1].effective << 32;
	perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

static int full_root(void **state)
{
	(void)state;
	bounding = eff = perm = inh = ((uint64_t)1 << (FAKE_LAST_CAP + 1)) - 1;
	no_new_privs = ambient_cleared = 0;
	fail_drop_of = -1;
	return 0;
}

/* ---- tests --------------------------------------------------------------- */

static void docker_default_set(void **state)
{
	(void)state;
	int kept[] = { CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_NET_RAW,
		       CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE,
		       CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE };
	int dropped[] = { CAP_SYS_ADMIN, CAP_SYS_MODULE, CAP_SYS_PTRACE, CAP_SYS_RAWIO, CAP_SYS_BOOT,
			  CAP_SYS_TIME, CAP_NET_ADMIN, CAP_DAC_READ_SEARCH, CAP_SYS_RESOURCE,
			  CAP_MAC_ADMIN, CAP_BPF, CAP_SYSLOG,
			  CAP_MKNOD /* no devices cgroup here: see caps.c */ };
	uint64_t mask = 0;
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		assert_true(cap_is_kept(kept[i]));
		mask |= (uint64_t)1 << kept[i];
	}
	for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
		assert_false(cap_is_kept(dropped[i]));
	assert_true(cap_kept_mask() == mask);
}

static void harden_drops_everything_else_everywhere(void **state)
{
	(void)state;
	const char *what = NULL;
	assert_int_equal(caps_harden(&what), 0);
	uint64_t kept = cap_kept_mask();
	assert_true(bounding == kept);
	assert_true(perm == kept && eff == kept && inh == kept);
	assert_true(ambient_cleared);
	assert_int_equal(no_new_privs, 1);
	assert_false((bounding >> CAP_SYS_ADMIN) & 1);
	assert_false((bounding >> CAP_MKNOD) & 1);
	assert_true((bounding >> CAP_NET_BIND_SERVICE) & 1);
}

static void a_failed_drop_is_reported(void **state)
{
	(void)state;
	const char *what = NULL;
	fail_drop_of = CAP_SYS_MODULE;
	assert_int_equal(caps_harden(&what), -EPERM);
	assert_non_null(what);
	assert_non_null(strstr(what, "bounding"));
	assert_int_equal(no_new_privs, 0); /* stopped at the first failure */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(docker_default_set),
		cmocka_unit_test_setup(harden_drops_everything_else_everywhere, full_root),
		cmocka_unit_test_setup(a_failed_drop_is_reported, full_root),
	};
	return cmocka_run_group_tests_name("task3 capabilities", tests, NULL, NULL);
}
