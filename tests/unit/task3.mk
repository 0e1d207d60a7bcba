# Unit tests of task 3's C helpers (task3/src): the pure parts (argument
# parsing, overlay options, /proc/PID/stat, exit codes, limits, environment,
# state-file merging, cgroup paths), and the capability dropping and fd
# closing with their system calls replaced by fakes (-Wl,--wrap: the
# wrappers live in syscalls.c, a separate object).
T3_SRC := $(ROOT)/task3/src
T3_CFLAGS := $(CFLAGS) -I$(COMMON_DIR) -I$(T3_SRC)
T3_COMMON := $(COMMON_DIR)/err.c $(COMMON_DIR)/fsutil.c $(COMMON_DIR)/cgroup.c $(COMMON_DIR)/sys.c
T3_HEADERS := $(wildcard $(T3_SRC)/*.h)

UNIT_TESTS += test_task3_cli test_task3_pure test_task3_caps test_task3_fds test_task3_safepath test_task3_relay test_task3_tty test_task3_liveroot test_task3_user test_task3_volume test_task3_userns

test_task3_cli: test_task3_cli.c $(addprefix $(T3_SRC)/,cli.c runlimits.c procstat.c volume.c syscalls.c) $(T3_COMMON) $(T3_HEADERS)
	$(CC) $(T3_CFLAGS) -o $@ $(filter %.c,$^) -lcmocka

test_task3_pure: test_task3_pure.c $(addprefix $(T3_SRC)/,overlay.c procstat.c status.c runlimits.c env.c keyfile.c cgjoin.c forward.c) $(T3_COMMON) $(T3_HEADERS)
	$(CC) $(T3_CFLAGS) -o $@ $(filter %.c,$^) -lcmocka

# the container's directory: claimed and removed in a real scratch tree
UNIT_TESTS += test_task3_statedir
test_task3_statedir: test_task3_statedir.c $(addprefix $(T3_SRC)/,statedir.c keyfile.c) $(T3_COMMON) $(T3_HEADERS)
	$(CC) $(T3_CFLAGS) -o $@ $(filter %.c,$^) -lcmocka

# stats: the cgroup files of fake v1 and v2 leaves in a scratch directory
UNIT_TESTS += test_task3_stats
test_task3_stats: test_task3_stats.c $(addprefix $(T3_SRC)/,stats.c) $(T3_COMMON) $(T3_HEADERS)
	$(CC) $(T3_CFLAGS) -o $@ $(filter %.c,$^) -lcmocka

# the user switch: passwd/group rules on memory streams, the calls wrapped
test_task3_user: test_task3_user.c $(addprefix $(T3_SRC)/,user.c syscalls.c) $(T3_HEADERS)
	$(CC) $(T3_CFLAGS) -o $@ $(filter %.c,$^) -Wl,--wrap=sys_setgroups,--wrap=sys_setgid,--wrap=sys_setuid -lcmocka

test_task3_caps: test_task3_caps.c $(addprefix $(T3_SRC)/,caps.c syscalls.c) $(T3_HEADERS)
	$(CC) $(T3_CFLAGS) -o $@ $(filter %.c,$^) -Wl,--wrap=sys_prctl,--wrap=sys_capget,--wrap=sys_capset -lcmocka

test_task3_fds: test_task3_fds.c $(addprefix $(T3_SRC)/,fds.c syncpipe.c syscalls.c) $(T3_HEADERS)
	$(CC) $(T3_CFLAGS) -o $@ $(filter %.c,$^) -Wl,--wrap=sys_close_range -lcmocka

# real files in a temporary directory: the kernel's openat2 decides
test_task3_safepath: test_task3_safepath.c $(addprefix $(T3_SRC)/,safepath.c syscalls.c) $(T3_HEADERS)
	$(CC) $(T3_CFLAGS) -o $@ $(filter %.c,$^) -lcmocka

# dl-cp's copying, in a real tree full of symlinks leading out; openat2
# wrapped to play a kernel without it
UNIT_TESTS += test_task3_copy
test_task3_copy: test_task3_copy.c $(addprefix $(T3_SRC)/,copy.c syscalls.c) $(T3_COMMON) $(T3_HEADERS)
	$(CC) $(T3_CFLAGS) -o $@ $(filter %.c,$^) -Wl,--wrap=sys_openat2 -lcmocka
# real pipes and a real child: what the relay copies is what the kernel's
# pipes and pidfds deliver
test_task3_relay: test_task3_relay.c $(addprefix $(T3_SRC)/,relay.c tty.c) $(COMMON_DIR)/err.c $(T3_HEADERS)
	$(CC) $(T3_CFLAGS) -o $@ $(filter %.c,$^) -lcmocka

# real ptys (/dev/ptmx) and a real socketpair: raw mode, sizes, fd passing
test_task3_tty: test_task3_tty.c $(addprefix $(T3_SRC)/,tty.c) $(T3_HEADERS)
	$(CC) $(T3_CFLAGS) -o $@ $(filter %.c,$^) -lcmocka

# the live root's mounts, with mount and umount2 replaced by fakes
test_task3_liveroot: test_task3_liveroot.c $(addprefix $(T3_SRC)/,liveroot.c mounts.c overlay.c safepath.c syscalls.c) $(T3_COMMON) $(T3_HEADERS)
	$(CC) $(T3_CFLAGS) -o $@ $(filter %.c,$^) -Wl,--wrap=sys_mount,--wrap=sys_umount2 -lcmocka

# -v: Docker's spec rules, and the mount point made and resolved inside a
# real scratch root full of symlinks to the host; mount() recorded
test_task3_volume: test_task3_volume.c $(addprefix $(T3_SRC)/,volume.c syscalls.c) $(T3_COMMON) $(T3_HEADERS)
	$(CC) $(T3_CFLAGS) -o $@ $(filter %.c,$^) -Wl,--wrap=sys_mount -lcmocka

# rootless: the user's subordinate range found in /etc/subuid's text, and
# the map newuidmap gets for it (or the one-id map)
test_task3_userns: test_task3_userns.c $(addprefix $(T3_SRC)/,userns.c syncpipe.c status.c syscalls.c) $(T3_COMMON) $(T3_HEADERS)
	$(CC) $(T3_CFLAGS) -o $@ $(filter %.c,$^) -lcmocka

# pause: the freezer of fake v1 and v2 leaves, read_file and write_file
# wrapped to play the kernel (FREEZING before FROZEN, cgroup.events)
UNIT_TESTS += test_task3_freeze
test_task3_freeze: test_task3_freeze.c $(addprefix $(T3_SRC)/,freeze.c) $(T3_COMMON) $(T3_HEADERS)
	$(CC) $(T3_CFLAGS) -o $@ $(filter %.c,$^) -Wl,--wrap=read_file,--wrap=write_file -lcmocka

# the init's start: clone3 into a v2 leaf (CLONE_INTO_CGROUP), clone() on
# v1 or an old kernel; both calls wrapped, the leaf a real directory
UNIT_TESTS += test_task3_spawn
test_task3_spawn: test_task3_spawn.c $(addprefix $(T3_SRC)/,spawn.c syscalls.c) $(T3_HEADERS)
	$(CC) $(T3_CFLAGS) -o $@ $(filter %.c,$^) -Wl,--wrap=sys_clone3_into,--wrap=sys_clone -lcmocka
