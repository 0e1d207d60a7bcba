# Unit tests of common/ and task 2's ELF reader. Where a test replaces
# system calls, the wrappers in sys.c are swapped for the test's __wrap_
# functions with -Wl,--wrap; that works because the callers and sys.c are
# separate objects.
UNIT_TESTS += test_ns test_cgroup test_fsutil test_elfdeps

test_ns: test_ns.c $(COMMON_SRCS) $(COMMON_DIR)/sys.c
	$(CC) $(CFLAGS) -I$(COMMON_DIR) -o $@ $^ -Wl,--wrap=sys_pidfd_open,--wrap=sys_setns -lcmocka

test_cgroup: test_cgroup.c $(COMMON_SRCS) $(COMMON_DIR)/sys.c
	$(CC) $(CFLAGS) -I$(COMMON_DIR) -o $@ $^ -Wl,--wrap=sys_statfs,--wrap=sys_mkdir,--wrap=write_file,--wrap=read_file -lcmocka

test_fsutil: test_fsutil.c $(COMMON_SRCS) $(COMMON_DIR)/sys.c
	$(CC) $(CFLAGS) -I$(COMMON_DIR) -o $@ $^ -lcmocka

# elfdeps reads real ELF files: the system's /bin/true and a static binary
# built here, so the parser is checked against what the loader really sees.
test_elfdeps: test_elfdeps.c $(ROOT)/task2/elfdeps.c $(ROOT)/task2/rootfs.c $(COMMON_DIR)/fsutil.c $(COMMON_DIR)/sys.c | static_hello
	$(CC) $(CFLAGS) -I$(COMMON_DIR) -I$(ROOT)/task2 -o $@ $^ -lcmocka

static_hello: static_hello.c
	$(CC) -static -O2 -o $@ $<
