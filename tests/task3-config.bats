# bats file_tags=task3
# Task 3 image configuration: the Conductorfile's ENV, WORKDIR, USER, CMD,
# ENTRYPOINT and EXPOSE (Docker's meaning and syntax), their place in the
# layer cache, Docker's rules for combining CMD, ENTRYPOINT and run's
# command, and run's and exec's -e, --env-file and -w. Images are built
# from Conductorfiles on the shared test base, as in task3-images.bats;
# every test has its own state root and build context.

# shellcheck disable=SC2016,SC2030,SC2031,SC2154 # single-quoted code is expanded in the container; a test's exports are its own (bats runs each test in a subshell); stderr, stderr_lines: set by run --separate-stderr
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
	cd /
	task3_suite_down
}

cfile() { printf '%s\n' "$@" >"$CTX/Conductorfile"; }

# build IMAGE LINE...: build IMAGE from a Conductorfile of these lines.
build() {
	local image=$1
	shift
	cfile "$@"
	"$C" build "$image" >/dev/null
}

# step_cached N: in $output (a build's), step N was taken from the cache.
step_cached() {
	local next
	next=$(grep -A1 "^Step $1/" <<<"$output" | sed -n 2p)
	[[ $next == ' ---> Using cache' ]]
}

# Run a command (or the image's default one) in a throwaway container.
in_image() {
	"$C" run --rm "$@" </dev/null
}

@test "config: ENV sets variables for later RUN steps and every container, in both forms" {
	build envimg 'FROM debian:bookworm' 'RUN echo "early=[$GREETING]" > /early' \
		'ENV GREETING="hello world" EMPTY= ESC=a\ b' 'ENV OLD the old form' "ENV LIT='\$HOME' DOLLAR=\\\$X" \
		'RUN echo "late=[$GREETING][$OLD][$ESC]" > /late'
	run in_image envimg e1 -- sh -c 'cat /early /late; echo "[$GREETING][$EMPTY][${EMPTY+set}][$ESC][$OLD][$LIT][$DOLLAR]"'
	assert_success
	assert_line --index 0 'early=[]'
	assert_line --index 1 'late=[hello world][the old form][a b]'
	assert_line --index 2 '[hello world][][set][a b][the old form][$HOME][$X]'
}

@test "config: WORKDIR is the directory of later RUN steps and of the container; a relative one follows the one before" {
	build wdimg 'FROM debian:bookworm' 'RUN pwd > /before' 'WORKDIR /usr' 'WORKDIR share' 'RUN pwd > /after'
	run in_image wdimg w1 -- sh -c 'cat /before /after; pwd'
	assert_success
	assert_output $'/\n/usr/share\n/usr/share'
}

@test "config: a WORKDIR that does not exist in the image is made" {
	build newwd 'FROM debian:bookworm' 'WORKDIR /srv/app' 'RUN pwd > here' 'WORKDIR /opt/later'
	run in_image newwd w2 -- sh -c 'pwd; cat /srv/app/here'
	assert_success
	assert_output $'/opt/later\n/srv/app'
}

@test "config: USER runs later RUN steps, the container and exec as that user" {
	build userimg 'FROM debian:bookworm' 'RUN id -u > /tmp/before' 'USER nobody' 'RUN id -u > /tmp/after'
	run in_image userimg u1 -- sh -c 'cat /tmp/before /tmp/after; id -u; id -g'
	assert_success
	assert_output $'0\n65534\n65534\n65534'
	"$C" run -d userimg u2 -- sleep infinity
	run "$C" exec u2 -- id -u
	assert_success
	assert_output 65534
	# USER is part of the cache key: another user re-runs the step after it
	cfile 'FROM debian:bookworm' 'RUN id -u > /tmp/before' 'USER daemon' 'RUN id -u > /tmp/after'
	run "$C" build userimg2
	assert_success
	step_cached 2 || fail "the step before USER was rebuilt: $output"
	! step_cached 4 || fail "the step after a changed USER came from the cache: $output"
	run in_image userimg2 u3 -- cat /tmp/after
	assert_output 1
}

@test "run and exec -u: uid, gid, the user's groups and HOME from the image's own files; -u wins over USER" {
	# a user of the image with supplementary groups; the host has no "cfapp"
	build uimg 'FROM debian:bookworm' 'RUN groupadd -g 2001 cfapp && groupadd -g 2002 cfextra && groupadd -g 2003 cfother && useradd -u 2001 -g cfapp -G cfextra,cfother -d /home/cfapp -m cfapp' 'USER nobody'
	run in_image -u cfapp uimg uu1 -- sh -c 'id; echo "HOME=$HOME"'
	assert_success
	assert_line --index 0 'uid=2001(cfapp) gid=2001(cfapp) groups=2001(cfapp),2002(cfextra),2003(cfother)'
	assert_line --index 1 'HOME=/home/cfapp'
	# :group replaces the primary group; a uid with no entry: gid 0, HOME /
	run in_image -u cfapp:cfother uimg uu2 -- id -g
	assert_output 2003
	run in_image --user 4242 uimg uu3 -- sh -c 'echo "$(id -u) $(id -g) $HOME"'
	assert_output '4242 0 /'
	# exec runs as the container's user unless -u says otherwise
	"$C" run -d -u cfapp uimg uu4 -- sleep infinity
	run "$C" exec uu4 -- id -un
	assert_output cfapp
	run "$C" exec -u root uu4 -- id -un
	assert_output root
	run "$C" exec -u 0:cfextra uu4 -- id -gn
	assert_output cfextra
	# a non-root user has no capabilities left
	run "$C" exec uu4 -- grep CapEff /proc/self/status
	assert_output --regexp $'^CapEff:\t0+$'
}

@test "run and exec -u: an unknown user or group is refused with its name, and nothing is left" {
	build uimg2 'FROM debian:bookworm'
	run --separate-stderr in_image -u cfnobody uimg2 uu5 -- true
	assert_failure 125
	assert_equal "$stderr" "dl-run: cannot run as 'cfnobody': no user 'cfnobody' in the image's /etc/passwd"
	run --separate-stderr in_image -u root:cfnogroup uimg2 uu5 -- true
	assert_failure 125
	assert_equal "$stderr" "dl-run: cannot run as 'root:cfnogroup': no group 'cfnogroup' in the image's /etc/group"
	run ls -A "$CONDUCTOR_ROOT/.containers"
	assert_output ""
	refute grep -q "$CONDUCTOR_ROOT" /proc/self/mountinfo
	"$C" run -d uimg2 uu6 -- sleep infinity
	run --separate-stderr "$C" exec -u cfnobody uu6 -- true
	assert_failure 125
	assert_equal "$stderr" "dl-exec: cannot run as 'cfnobody': no user 'cfnobody' in the image's /etc/passwd"
	run --separate-stderr "$C" run -u 'a b' uimg2 uu7 -- true
	assert_failure
	assert_equal "$stderr" "conductor.sh: invalid -u: USER 'a b': use one name|uid[:group|gid], e.g. nobody or 1000:1000"
}

@test "run and exec: the container's environment is its own: no variable of the caller, TERM only with -t" {
	build envclean 'FROM debian:bookworm'
	export CF_LEAK_TEST=from-the-host TERM=xterm-cf
	run in_image envclean ec1 -- env
	assert_success
	refute_output --partial CF_LEAK_TEST
	refute_line --partial TERM=
	assert_line HOSTNAME=ec1
	assert_line HOME=/root
	assert_line --regexp '^PATH=/'
	assert_equal "${#lines[@]}" 3
	run "$C" run --rm -t envclean ec2 -- sh -c 'echo "[$TERM]"' </dev/null
	assert_success
	assert_output --partial '[xterm-cf]'
	"$C" run -d envclean ec3 -- sleep infinity
	run "$C" exec ec3 -- env
	refute_output --partial CF_LEAK_TEST
	refute_line --partial TERM=
	assert_equal "${#lines[@]}" 3
}

@test "config: changing one instruction rebuilds the RUN steps after it, not those before" {
	local pair first second
	local -a pairs=('ENV X=1|ENV X=2' 'WORKDIR /usr|WORKDIR /tmp' 'CMD ["a"]|CMD ["b"]'
		'ENTRYPOINT ["a"]|ENTRYPOINT a' 'EXPOSE 80|EXPOSE 81/udp')
	for pair in "${pairs[@]}"; do
		first=${pair%|*} second=${pair#*|}
		cfile 'FROM debian:bookworm' "RUN echo before > /before" "$first" 'RUN echo after > /after'
		run "$C" build cacheimg
		assert_success
		run "$C" build cacheimg
		assert_success
		step_cached 2 && step_cached 4 || fail "unchanged '$first': not everything from the cache: $output"
		cfile 'FROM debian:bookworm' "RUN echo before > /before" "$second" 'RUN echo after > /after'
		run "$C" build cacheimg
		assert_success
		step_cached 2 || fail "'$first' -> '$second' rebuilt the step before it: $output"
		! step_cached 4 || fail "'$first' -> '$second' kept the step after it from the cache: $output"
		# a configuration instruction makes no layer of its own
		assert_equal "$(sed -n 's/^layers=//p' "$CONDUCTOR_ROOT/.images/cacheimg/image" | wc -w)" 2
	done
	# the first variant's layers are still cached
	cfile 'FROM debian:bookworm' "RUN echo before > /before" 'ENV X=1' 'RUN echo after > /after'
	run "$C" build cacheimg
	step_cached 2 && step_cached 4 || fail "ENV X=1 again was rebuilt: $output"
}

@test "config: CMD, ENTRYPOINT and run's command combine as in Docker's table" {
	# image|command after the name|output
	local -a cases=(
		'cmdexec|-|cmd from exec form'
		'cmdexec|echo given|given'
		'cmdshell|-|shell /root'
		'cmdshell|echo given|given'
		'epexec|-|ep'
		'epexec|a b|ep a b'
		'epexec_cmdexec|-|ep c1 c2'
		'epexec_cmdexec|a|ep a'
		'epexec_cmdshell|-|ep /bin/sh -c echo c'
		'epshell_cmdexec|-|ep-shell /bin/sh'
		'epshell_cmdexec|a b|ep-shell /bin/sh'
	)
	build cmdexec 'FROM debian:bookworm' 'CMD ["echo", "cmd from exec form"]'
	build cmdshell 'FROM debian:bookworm' 'CMD echo shell $HOME'
	build epexec 'FROM debian:bookworm' 'ENTRYPOINT ["echo", "ep"]'
	build epexec_cmdexec 'FROM debian:bookworm' 'ENTRYPOINT ["echo", "ep"]' 'CMD ["c1", "c2"]'
	build epexec_cmdshell 'FROM debian:bookworm' 'ENTRYPOINT ["echo", "ep"]' 'CMD echo c'
	build epshell_cmdexec 'FROM debian:bookworm' 'ENTRYPOINT echo ep-shell $0' 'CMD ["c1"]'
	local c image args want words
	for c in "${cases[@]}"; do
		IFS='|' read -r image args want <<<"$c"
		words=()
		[[ $args == - ]] || read -r -a words <<<"$args"
		run in_image "$image" t1 -- "${words[@]}"
		assert_success
		assert_output "$want"
	done
	# no CMD and no ENTRYPOINT: bash, as before
	build plain 'FROM debian:bookworm' 'ENV X=1'
	"$C" run -d plain p1
	run "$C" inspect -f command p1
	assert_output /bin/bash
}

@test "run: -e, -e KEY, --env-file and -w apply over the image's ENV and WORKDIR" {
	build runenv 'FROM debian:bookworm' 'ENV A=image B=image C=image' 'WORKDIR /usr'
	printf '%s\n' '# a comment' '' 'B=from file "quotes kept"' '  C=file' 'FROMHOST' 'UNSETHOST' >"$CTX/envs"
	export FROMHOST=host-value
	unset UNSETHOST
	run in_image -e C=cli -e FROMHOST -e UNSETHOST --env-file "$CTX/envs" -e D=x=y runenv r1 -- \
		sh -c 'echo "$A|$B|$C|$D|$FROMHOST|${UNSETHOST-unset}"; pwd'
	assert_success
	assert_line --index 0 'image|from file "quotes kept"|cli|x=y|host-value|unset'
	assert_line --index 1 /usr
	run in_image -w /etc runenv r2 -- pwd
	assert_output /etc
	run in_image --workdir=/var --env=A=long runenv r3 -- sh -c 'echo $A; pwd'
	assert_output $'long\n/var'
}

@test "exec: the container's environment (image ENV, run's -e) and directory, then exec's -e and -w" {
	build execenv 'FROM debian:bookworm' 'ENV A=image B=image' 'WORKDIR /usr'
	"$C" run -d -e B=run -w /var execenv x1 -- sleep infinity
	run "$C" exec x1 -- sh -c 'echo "$A|$B|${C-unset}"; pwd'
	assert_success
	assert_output $'image|run|unset\n/var'
	export FROMHOST=host-value
	run "$C" exec -e C=exec -e B=exec2 -e FROMHOST -w /tmp x1 -- sh -c 'echo "$A|$B|$C|$FROMHOST"; pwd'
	assert_success
	assert_output $'image|exec2|exec|host-value\n/tmp'
	# exec's options are its own: the next exec starts from the container's again
	run "$C" exec x1 -- sh -c 'echo "$B"; pwd'
	assert_output $'run\n/var'
}

@test "build: bad ENV, WORKDIR, CMD, ENTRYPOINT, EXPOSE and USER are refused with their line, nothing built" {
	local -a cases=(
		'ENV|Conductorfile:3: ENV needs an argument'
		'ENV X|Conductorfile:3: ENV X has no value'
		'ENV A=1 B|Conductorfile:3: ENV '"'"'B'"'"' has no value'
		'ENV 1X=2|Conductorfile:3: invalid environment variable name '"'"'1X'"'"
		'ENV X="open|Conductorfile:3: ENV X: unbalanced quote'
		'ENV PATH=/app/bin:$PATH|Conductorfile:3: ENV: $VAR in a value is not expanded here'
		'ENV A="${B}"|Conductorfile:3: ENV: $VAR in a value is not expanded here'
		'WORKDIR relative|Conductorfile:3: WORKDIR '"'"'relative'"'"' is relative and no WORKDIR came before'
		'CMD ["echo", |Conductorfile:3: malformed CMD'
		'ENTRYPOINT [echo]|Conductorfile:3: malformed ENTRYPOINT'
		'CMD ["a"] x|Conductorfile:3: malformed CMD'
		'EXPOSE 0|Conductorfile:3: EXPOSE '"'"'0'"'"
		'EXPOSE 65536|Conductorfile:3: EXPOSE '"'"'65536'"'"
		'EXPOSE 80/sctp|Conductorfile:3: EXPOSE '"'"'80/sctp'"'"
		'EXPOSE 80 x|Conductorfile:3: EXPOSE '"'"'x'"'"
		'USER|Conductorfile:3: USER needs an argument'
		'USER a b|Conductorfile:3: USER '"'"'a b'"'"
	)
	local c
	for c in "${cases[@]}"; do
		# a RUN before the bad line: it must not have run
		cfile 'FROM debian:bookworm' 'RUN echo ran > /ran' "${c%%|*}" 'RUN true'
		run --separate-stderr "$C" build bad
		assert_failure 125
		assert_equal "${#stderr_lines[@]}" 1
		[[ $stderr == "conductor.sh: ${c#*|}"* ]] || fail "'${c%%|*}': $stderr"
		[[ $output != *'Step 2/'* ]] || fail "'${c%%|*}': a step ran before the check"
	done
	[[ ! -e $CONDUCTOR_ROOT/.images/bad ]]
	assert_equal "$(find "$CONDUCTOR_ROOT/.cache/layers" -mindepth 1 2>/dev/null)" ""
	# a relative WORKDIR after an absolute one is fine
	build good 'FROM debian:bookworm' 'WORKDIR /usr' 'WORKDIR lib'
	run "$C" inspect -f workdir good
	assert_output /usr/lib
}

@test "run, exec: bad -e, --env-file and -w are refused before anything is made" {
	build optimg 'FROM debian:bookworm'
	printf 'GOOD=1\nBAD KEY=2\n' >"$CTX/bad.env"
	local -a cases=(
		'-e|1X=2|invalid environment variable name' '-e|=x|invalid environment variable name'
		'-w|relative|must be an absolute path' '-w||must be an absolute path'
		'--env-file|/no/such/file|cannot read the --env-file'
		"--env-file|$CTX/bad.env|bad.env:2: invalid environment variable name 'BAD KEY'"
	)
	local c opt val want
	for c in "${cases[@]}"; do
		IFS='|' read -r opt val want <<<"$c"
		run --separate-stderr "$C" run "$opt" "$val" optimg o1 -- true
		assert_failure 125
		assert_equal "${#stderr_lines[@]}" 1
		[[ $stderr == *"$want"* ]] || fail "run $opt $val: $stderr"
		[[ ! -e $CONDUCTOR_ROOT/.containers/o1 ]]
	done
	# checked before the container is even looked for
	for c in '-e|1X=2|invalid environment variable name' '-w|relative|must be an absolute path' \
		'-w||must be an absolute path'; do
		IFS='|' read -r opt val want <<<"$c"
		run --separate-stderr "$C" exec "$opt" "$val" nosuch -- true
		assert_failure 125
		[[ $stderr == *"$want"* ]] || fail "exec $opt $val: $stderr"
	done
	run "$C" run -e
	assert_failure 125
	assert_output --partial "option -e needs a value"
}

@test "inspect and images show an image's configuration" {
	cfile 'FROM debian:bookworm' 'RUN echo layer > /layer' 'ENV A=1 B="two words"' 'WORKDIR /srv' \
		'USER nobody:nogroup' 'EXPOSE 8080 53/udp' 'ENTRYPOINT ["/bin/echo", "hi"]' 'CMD there'
	"$C" build confimg >/dev/null
	run "$C" inspect confimg
	assert_success
	jq -e . >/dev/null <<<"$output"
	assert_equal "$(jq -c '.env' <<<"$output")" '["A=1","B=two words"]'
	assert_equal "$(jq -r '.workdir, .user, (.layers | length)' <<<"$output")" $'/srv\nnobody:nogroup\n1'
	assert_equal "$(jq -c '.expose' <<<"$output")" '["8080/tcp","53/udp"]'
	assert_equal "$(jq -c '.entrypoint, .cmd, .command' <<<"$output")" \
		$'["/bin/echo","hi"]\n["/bin/sh","-c","there"]\n["/bin/echo","hi","/bin/sh","-c","there"]'
	run "$C" inspect -f expose confimg
	assert_output $'8080/tcp\n53/udp'
	run "$C" inspect --type image -f '{{.workdir}}' confimg
	assert_output /srv
	run "$C" inspect --type container confimg
	assert_failure 125
	assert_output --partial "no container named 'confimg'"
	run "$C" inspect -f ip confimg
	assert_failure 125
	assert_output --partial "unknown field 'ip'"
	run "$C" images
	assert_success
	assert_line --regexp "^confimg +[0-9.]+[KMG] +1 +[0-9-]{10} [0-9:]{8} +/bin/echo hi /bin/sh -c there$"
	# an image without configuration
	build bare 'FROM debian:bookworm'
	run "$C" inspect bare
	assert_equal "$(jq -c '[.env, .workdir, .user, .entrypoint, .cmd, .expose, .command]' <<<"$output")" \
		'[[],null,null,null,null,[],["/bin/bash"]]'
}

@test "build, run, exec, inspect -h: the help names the new instructions and options" {
	run "$C" build -h
	for word in 'ENV KEY=VALUE' 'WORKDIR /path' 'USER name' 'CMD [' 'ENTRYPOINT [' 'EXPOSE port'; do
		assert_output --partial "$word"
	done
	run "$C" run -h
	for word in '-e, --env' '--env-file FILE' '-w, --workdir'; do
		assert_output --partial "$word"
	done
	run "$C" exec -h
	for word in '-e, --env' '-w, --workdir'; do
		assert_output --partial "$word"
	done
	run "$C" inspect -h
	assert_output --partial '--type container|image'
}
