# bats file_tags=task3
# Task 3 images: build (Conductorfile FROM/RUN/COPY, debootstrap base cache,
# overlay layers with chained cache keys), images, rmi, rmcache.
# The Debian base is made once per machine in $CONDUCTOR_BASE_CACHE (the
# first build of the whole run pays for debootstrap); every test gets its
# own state root and build context.

# shellcheck disable=SC2030,SC2031 # a test's exports are its own: bats runs each test in a subshell
load helpers/common
load helpers/conductor
bats_require_minimum_version 1.5.0

setup_file() {
	task3_prepare
}

setup() {
	task3_test_up
}

teardown() {
	stop_containers
	for pid in ${KILL_GROUPS:-}; do kill -KILL -- "-$pid" 2>/dev/null || true; done
	cd /
	# a base cache of the test's own is inside the root; unmount anything a
	# killed debootstrap left mounted there before deleting
	grep -F " $CONDUCTOR_ROOT/" /proc/self/mountinfo | awk '{ print $5 }' | sort -r |
		while read -r mp; do umount -l "$mp" || true; done
	rm -rf --one-file-system "$CONDUCTOR_ROOT"
}

cfile() { printf '%s\n' "$@" >"$CTX/Conductorfile"; }

layers() { find "$CONDUCTOR_ROOT/.cache/layers" -mindepth 1 -maxdepth 1 2>/dev/null | sort; }

image_layer_keys() { sed -n 's/^layers=//p' "$CONDUCTOR_ROOT/.images/$1/image"; }

# Run a command in a throwaway container of IMAGE and print its output.
in_image() {
	local image=$1
	shift
	"$C" run "$image" "probe$$" -- "$@"
	"$C" stop "probe$$" >/dev/null 2>&1
}

@test "build: without a Conductorfile makes a plain Debian image with ps, ip and ping" {
	run "$C" build plain
	assert_success
	assert_line 'Step 1/1 : FROM debian:bookworm'
	assert_line 'Image plain built: 0 layers'
	# shellcheck disable=SC2016 # expanded inside the container
	run in_image plain sh -c '. /etc/os-release; echo $ID $VERSION_CODENAME; for c in ps top ip ping; do command -v $c; done'
	assert_success
	assert_line --index 0 'debian bookworm'
	assert_line --index 1 /usr/bin/ps
	assert_line --index 2 /usr/bin/top
	assert_line --index 3 --regexp '^/(usr/)?s?bin/ip$'
	assert_line --index 4 --regexp '^/(usr/)?bin/ping$'
}

@test "build: RUN and COPY make layers; later layers shadow earlier ones and the base" {
	mkdir -p app/sub
	echo hello >app/sub/hello.txt
	printf '#!/bin/sh\necho tool\n' >tool.sh
	chmod 750 tool.sh
	# shellcheck disable=SC1003 # a Conductorfile line ending in a backslash
	cfile '# a comment, then a blank line' '' 'FROM debian:bookworm' \
		'RUN echo "from layer 1" > /etc/debian_version && \' '    echo gone-later > /root/tmpfile' \
		'COPY app /opt/app' 'COPY tool.sh /usr/local/bin/' \
		'run cat /opt/app/sub/hello.txt > /root/seen && rm /root/tmpfile'
	run "$C" build layered
	assert_success
	assert_line 'Step 2/5 : RUN echo "from layer 1" > /etc/debian_version && echo gone-later > /root/tmpfile'
	assert_line 'Step 5/5 : RUN cat /opt/app/sub/hello.txt > /root/seen && rm /root/tmpfile'
	assert_line 'Image layered built: 4 layers'
	assert_equal "$(layers | wc -l)" 4
	run in_image layered sh -c 'cat /etc/debian_version /opt/app/sub/hello.txt /root/seen; stat -c "%a %U" /usr/local/bin/tool.sh; tool.sh; ls /root'
	assert_success
	assert_equal "${lines[*]}" "from layer 1 hello hello 750 root tool seen"
}

@test "build: COPY in Docker's JSON form takes paths with blanks; a malformed one is refused" {
	mkdir -p 'my app'
	echo notes >'my app/my notes.txt'
	echo '"quoted"' >'say "hi".txt'
	cfile 'FROM debian:bookworm' 'COPY ["my app/my notes.txt", "/srv/my dir/"]' \
		'COPY [ "say \"hi\".txt" , "/srv/say.txt" ]'
	run "$C" build spaced
	assert_success
	assert_line 'Image spaced built: 2 layers'
	run in_image spaced cat '/srv/my dir/my notes.txt' /srv/say.txt
	assert_success
	assert_equal "${lines[*]}" 'notes "quoted"'
	local bad
	for bad in '["my app/my notes.txt" "/x"]' '["a", /x]' '["my app", "/x"] extra' '["my app", '; do
		cfile 'FROM debian:bookworm' "COPY $bad"
		run "$C" build broken
		assert_failure 125
		assert_output --partial 'Conductorfile:2: malformed COPY [...]'
		refute_output --partial 'Step 1/2'
	done
	[[ ! -e $CONDUCTOR_ROOT/.images/broken ]]
}

@test "build: an unchanged Conductorfile is taken from the cache, step by step" {
	echo v1 >data.txt
	cfile 'FROM debian:bookworm' 'RUN echo one > /one' 'COPY data.txt /data.txt' 'RUN cat /data.txt > /copy'
	"$C" build cached
	local before
	before=$(layers)
	run "$C" build cached
	assert_success
	assert_equal "$(grep -c -- '---> Using cache' <<<"$output")" 4
	assert_equal "$(layers)" "$before"
	run in_image cached cat /copy
	assert_output v1
}

@test "build: a changed COPY source rebuilds that layer and those above it, not those below" {
	echo v1 >data.txt
	cfile 'FROM debian:bookworm' 'RUN echo one > /one' 'COPY data.txt /data.txt' 'RUN cat /data.txt > /copy'
	"$C" build chain
	local k1 k2 k3
	read -r k1 k2 k3 < <(image_layer_keys chain)
	echo v2 >data.txt
	run "$C" build chain
	assert_success
	local n1 n2 n3
	read -r n1 n2 n3 < <(image_layer_keys chain)
	assert_equal "$n1" "$k1"
	[[ $n2 != "$k2" && $n3 != "$k3" ]]
	assert_equal "$(grep -c -- '---> Using cache' <<<"$output")" 2
	run in_image chain cat /copy
	assert_output v2
	# a mode change alone is a change too
	chmod 600 data.txt
	"$C" build chain
	read -r _ n2b _ < <(image_layer_keys chain)
	[[ $n2b != "$n2" ]]
}

@test "build: keys chain: the same instruction on another parent is another layer" {
	cfile 'FROM debian:bookworm' 'RUN echo a > /f' 'RUN echo b >> /f'
	"$C" build ab
	cfile 'FROM debian:bookworm' 'RUN echo b >> /f'
	"$C" build b
	local ab_top b_top
	ab_top=$(image_layer_keys ab | awk '{ print $2 }')
	b_top=$(image_layer_keys b)
	[[ $ab_top != "$b_top" ]]
	run in_image b cat /f
	assert_output b
	run in_image ab cat /f
	assert_output "$(printf 'a\nb')"
}

@test "build: a failing RUN fails the build and leaves no layer, no image, no temp dir" {
	cfile 'FROM debian:bookworm' 'RUN echo kept > /kept' 'RUN echo half > /half; exit 7'
	run "$C" build broken
	assert_failure 125
	assert_output --partial 'Conductorfile:3: RUN failed with exit code 7'
	assert_equal "$(layers | wc -l)" 1
	[[ ! -e $CONDUCTOR_ROOT/.images/broken ]]
	run "$C" images
	assert_output 'No images found'
}

@test "build: COPY outside the build context, missing or absolute is refused before anything is built" {
	local bad
	for bad in '../../etc/shadow /x' 'nothere /x' '/etc/passwd /x' 'only-one-arg'; do
		cfile 'FROM debian:bookworm' 'RUN touch /ran' "COPY $bad"
		run "$C" build evil
		assert_failure 125
		assert_output --regexp 'Conductorfile:3: COPY (source|needs)'
		refute_output --partial 'Step 2/3'
	done
	# a symlink in the context that leads out is followed and refused too
	ln -s /etc/shadow shadow-link
	cfile 'FROM debian:bookworm' 'COPY shadow-link /x'
	run "$C" build evil
	assert_failure 125
	assert_output --partial 'outside the build context'
	assert_equal "$(layers | wc -l)" 0
	[[ ! -e $CONDUCTOR_ROOT/.images/evil ]]
}

@test "build: malformed Conductorfiles are refused with the line number" {
	local -a cases=(
		'RUN true|Conductorfile:1: the first instruction must be FROM'
		'FROM debian:bookworm\nFROM debian:bookworm|Conductorfile:2: a second FROM'
		'FROM debian:bookworm\nADD x /x|Conductorfile:2: unknown instruction'
		'FROM debian:bookworm\nRUN|Conductorfile:2: RUN needs an argument'
		'FROM debian:bookworm\nRUN echo \\|Conductorfile:2: the last line ends in'
		'FROM alpine:3|unknown distro'
		'FROM debian|use <distro>:<suite>'
		'FROM debian:no-such-suite|does not know the suite'
		'# only a comment|no instructions'
	)
	local c
	for c in "${cases[@]}"; do
		printf '%b\n' "${c%%|*}" >Conductorfile
		run "$C" build bad
		assert_failure 125
		assert_output --partial "${c#*|}"
	done
	[[ ! -e $CONDUCTOR_ROOT/.images/bad ]]
	run "$C" build 'bad/../x' Conductorfile
	assert_failure 125
	assert_output --partial "invalid image name"
	run "$C" build ok /no/such/file
	assert_failure 125
	assert_output --partial "cannot read the Conductorfile"
}

@test "build: a failed debootstrap caches nothing" {
	export CONDUCTOR_BASE_CACHE=$CONDUCTOR_ROOT/base
	# a port nothing listens on: debootstrap fails at once, no packet leaves
	DEBIAN_MIRROR=http://127.0.0.1:9/debian run "$C" build nobase
	assert_failure 125
	assert_output --partial 'debootstrap of debian:bookworm failed'
	assert_equal "$(find "$CONDUCTOR_BASE_CACHE" -mindepth 1 -maxdepth 1 ! -name '.*.lock')" ""
	[[ ! -e $CONDUCTOR_ROOT/.images/nobase ]]
}

debootstrap_writing() {
	compgen -G "$CONDUCTOR_BASE_CACHE/.tmp-debian-bookworm.*/var/lib/dpkg" >/dev/null
}

# debootstrap is writing, or process $1 has ended (a zombie not yet waited
# for counts as ended)
debootstrap_writing_or_ended() {
	debootstrap_writing || [[ ! -e /proc/$1 || $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == Z ]]
}

@test "build: a debootstrap killed half-way leaves no base, and the next build clears its remains" {
	export CONDUCTOR_BASE_CACHE=$CONDUCTOR_ROOT/base
	mkdir -p "$CONDUCTOR_BASE_CACHE"
	setsid "$C" build killed >"$CONDUCTOR_ROOT/build.log" 2>&1 </dev/null 3>&- &
	local pid=$!
	KILL_GROUPS=$pid
	# wait until debootstrap is writing the root filesystem, then kill
	# the whole build (the tool and debootstrap) at once; a build that ends
	# first (it never ran debootstrap) fails the test at once
	wait_until 1200 debootstrap_writing_or_ended "$pid"
	debootstrap_writing ||
		fail "the build ended before debootstrap wrote the base: $(cat "$CONDUCTOR_ROOT/build.log")"
	kill -KILL -- "-$pid"
	wait "$pid" || true
	[[ ! -e $CONDUCTOR_BASE_CACHE/debian-bookworm ]]
	compgen -G "$CONDUCTOR_BASE_CACHE/.tmp-*" >/dev/null
	# the next build (with a mirror that fails at once) removes the remains
	DEBIAN_MIRROR=http://127.0.0.1:9/debian run "$C" build killed
	assert_failure 125
	[[ ! -e $CONDUCTOR_BASE_CACHE/debian-bookworm ]]
	run compgen -G "$CONDUCTOR_BASE_CACHE/.tmp-*"
	assert_failure
	run grep -F "$CONDUCTOR_BASE_CACHE" /proc/self/mountinfo
	assert_failure
}

@test "images: lists name, size, layers and creation time" {
	run "$C" images
	assert_success
	assert_output 'No images found'
	cfile 'FROM debian:bookworm' 'RUN echo 1 > /1' 'RUN echo 2 > /2'
	"$C" build two
	printf 'FROM debian:bookworm\n' >plain.cf
	"$C" build zero plain.cf
	run "$C" images
	assert_success
	assert_line --index 0 --regexp '^NAME +SIZE +LAYERS +CREATED +COMMAND$'
	assert_line --regexp "^two +[0-9.]+[KMG] +2 +$(date +%Y-%m-%d) [0-9:]{8} +/bin/bash$"
	assert_line --regexp "^zero +[0-9.]+[KMG] +0 +$(date +%Y-%m-%d) [0-9:]{8} +/bin/bash$"
}

@test "rmi: refuses while a container uses the image, then removes it" {
	"$C" build img
	"$C" run -d img user1 -- sleep infinity
	run "$C" rmi img
	assert_failure 125
	assert_output --partial 'used by the container(s) user1'
	[[ -f $CONDUCTOR_ROOT/.images/img/image ]]
	"$C" stop user1
	run "$C" rmi img
	assert_success
	[[ ! -e $CONDUCTOR_ROOT/.images/img ]]
	run "$C" rmi img
	assert_failure 125
	assert_output --partial "no image named 'img'"
	run "$C" rmi ../img
	assert_failure 125
	assert_output --partial 'invalid image name'
}

@test "rmcache: removes only what no image and no container uses; images and containers still run" {
	cfile 'FROM debian:bookworm' 'RUN echo keep > /keep'
	"$C" build keeper
	local old_keeper
	old_keeper=$(image_layer_keys keeper)
	cfile 'FROM debian:bookworm' 'RUN echo drop > /drop' 'RUN echo drop2 > /drop2'
	"$C" build dropper
	"$C" rmi dropper
	"$C" run -d keeper busy -- sleep infinity
	# rebuilt: the image lists a new layer, the running container still
	# stands on the old one
	cfile 'FROM debian:bookworm' 'RUN echo keep2 > /keep'
	"$C" build keeper
	assert_equal "$(layers | wc -l)" 4
	run "$C" rmcache
	assert_success
	assert_output --partial 'Removed 2 cached'
	assert_equal "$(layers | sort)" "$(printf '%s\n' "$CONDUCTOR_ROOT/.cache/layers/"{"$old_keeper","$(image_layer_keys keeper)"} | sort)"
	run "$C" exec busy -- cat /keep
	assert_success
	assert_output keep
	"$C" stop busy
	run "$C" rmcache
	assert_success
	assert_output --partial 'Removed 1 cached'
	assert_equal "$(layers)" "$CONDUCTOR_ROOT/.cache/layers/$(image_layer_keys keeper)"
	# the shared base cache of the test suites is not this root's to remove
	[[ -d $CONDUCTOR_BASE_CACHE/debian-bookworm ]]
	run in_image keeper cat /keep
	assert_success
	assert_output keep2
}

@test "build, images, rmi, rmcache: help and argument counts" {
	local cmd
	for cmd in build images rmi rmcache; do
		run "$C" "$cmd" -h
		assert_success
		assert_output --partial "Usage: conductor.sh $cmd"
	done
	run "$C" build
	assert_failure 125
	run "$C" images extra
	assert_failure 125
	run "$C" rmi
	assert_failure 125
	run "$C" rmcache extra
	assert_failure 125
}
