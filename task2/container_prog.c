/* container_prog.c - the program task 2 runs inside its containers.
 *
 * It shows what a process can see of its container: its PID and a child's
 * (PID namespace), the entries of "/" (chroot), for subtask2 a hostname it
 * sets (UTS namespace), and for subtask2/3 how long a fixed amount of CPU
 * work takes (cgroup CPU limit).  Deliberately free of docker-lite's common
 * library: it must run chrooted with nothing but its shared objects.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HOSTNAME_IN_CONTAINER "new_hostname"
#define SEPARATOR "_ _ _ _ _ _ _ _ _ _ _ _ _ _ "

/* The benchmark adds STEP, ITERATIONS times: the answer is known
 * (107375219085276240) so a wrong build is visible, and the step is read
 * through a volatile so the compiler cannot fold the loop into a multiply. */
#define ITERATIONS 1535954070ULL
#define STEP 69907832ULL
static volatile uint64_t step = STEP;

static void fail(const char *what)
{
	fprintf(stderr, "container_prog: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void print_pids(void)
{
	printf("Process PID: %d\n", (int)getpid());
	fflush(stdout); /* nothing buffered may be copied into the child */
	pid_t child = fork();
	if (child < 0)
		fail("fork");
	if (child == 0) {
		printf("Child Process PID: %d\n", (int)getpid());
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(child, NULL, 0) < 0)
		fail("waitpid");
}

static void list_root(void)
{
	DIR *dir = opendir("/");
	if (!dir)
		fail("opendir /");
	puts(SEPARATOR);
	puts("Files/Directories in root directory:");
	struct dirent *entry;
	while ((entry = readdir(dir)))
		puts(entry->d_name);
	closedir(dir);
	puts(SEPARATOR);
}

static void set_and_print_hostname(void)
{
	char name[256];
	if (sethostname(HOSTNAME_IN_CONTAINER, strlen(HOSTNAME_IN_CONTAINER)) < 0)
		fail("sethostname (needs its own UTS namespace)");
	if (gethostname(name, sizeof(name)) < 0)
		fail("gethostname");
	printf("\nHostname within container: %s\n", name);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void run_benchmark(void)
{
	uint64_t value = 0;
	double start = now_ms();
	for (uint64_t i = 0; i < ITERATIONS; i++)
		value += step;
	double elapsed = now_ms() - start;
	puts("Computation Benchmark:");
	printf("Time Taken: %.3f ms\n", elapsed);
	printf("Value (Ignore): %llu\n", (unsigned long long)value);
}

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "subtask1") && strcmp(argv[1], "subtask2") &&
			  strcmp(argv[1], "subtask3"))) {
		fprintf(stderr, "usage: %s subtask1|subtask2|subtask3\n", argv[0]);
		return 2;
	}
	print_pids();
	list_root();
	if (strcmp(argv[1], "subtask2") == 0)
		set_and_print_hostname();
	if (strcmp(argv[1], "subtask1") != 0)
		run_benchmark();
	fflush(stdout);
	return 0;
}
