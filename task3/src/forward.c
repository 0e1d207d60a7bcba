#define _GNU_SOURCE
#include "forward.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

const int forwarded_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
const int forwarded_signals_count = sizeof(forwarded_signals) / sizeof(forwarded_signals[0]);

static volatile sig_atomic_t forward_pid;

int should_forward(int si_code)
{
	return si_code != SI_KERNEL;
}

static void forward(int sig, siginfo_t *info, void *context)
{
	(void)context;
	int saved = errno;
	if (forward_pid > 0 && should_forward(info->si_code))
		kill((pid_t)forward_pid, sig);
	errno = saved;
}

void forward_signals_to(pid_t pid)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	forward_pid = pid;
	for (int i = 0; i < forwarded_signals_count; i++)
		sigaction(forwarded_signals[i], &sa, NULL);
}

