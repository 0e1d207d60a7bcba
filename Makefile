# docker-lite - top-level entry points. Run as root for anything that
# installs, tests or runs containers: `sudo make test`, `sudo make demo`.
#
#   all            install what is missing (not root: name it, stop), build common/ and every task
#   test           install what is missing, build, run every suite
#   test-unit      cmocka unit tests only
#   test-vm        the suites that differ on a stock Debian 12 VM (systemd, cgroup v2, AppArmor), under qemu;
#                  SUITES="task1 task2" picks others
#   test-task1..4  one task's suites     test-netlab / test-reliability / test-workbook / test-lint / test-demo
#   demo           the main job, narrated (tasks 1-2, then task 4's deployment)
#   grade          grade the tree (TASK=N for one task)
#   student-edition  write dist/student/ with the solutions stubbed out
#   gradescope-autograder  write dist/autograder.zip (Gradescope: setup.sh, run_autograder, the student edition)
#   bench          benchmarks against real runtimes (installs them)
#   bench-vm       the bench's cases 1 and 7 inside the stock Debian 12 VM (ratios: emulation is slow);
#                  BENCH_CASES="1 7 2" BENCH_RUNS=10 pick others
#   deps           install build and test dependencies (Debian packages; not root: check only)
#   clean          remove build artefacts

SHELL := /bin/bash
TASK_DIRS := task1 task2 task3 task4/counter-service task4/external-service
ROOT_USER := $(filter 0,$(shell id -u))

# dependencies first: as root they are installed, otherwise missing ones are
# named with the command that installs them (not a compiler error later)
all: deps
	@$(MAKE) -s common
	@for d in $(TASK_DIRS); do \
		if [ -f $$d/Makefile ]; then $(MAKE) -s -C $$d || exit 1; fi; \
	done

common:
	@$(MAKE) -s -C common

# Installing needs root; without it, say what is missing and stop if anything is.
deps:
	@if [ -n "$(ROOT_USER)" ]; then scripts/install-deps; \
	else scripts/install-deps --check; fi

test: deps
	@$(MAKE) -s all
	@tests/run all

test-unit: deps
	@tests/run unit

test-task%: deps
	@$(MAKE) -s all
	@tests/run task$*

test-netlab test-reliability test-workbook test-lint test-demo: test-%: deps
	@$(MAKE) -s all
	@tests/run $*

# the stock machine the users have, booted from an image cached under
# /var/cache/docker-lite-test/vm (built once from Debian's packages)
test-vm: deps
	@scripts/install-deps --vm
	@$(MAKE) -s all
	@scripts/vm/run $(SUITES)

demo: deps
	@$(MAKE) -s all
	@scripts/demo

# the grader builds its own scratch copy: this tree need not build
# Below full marks the grader says so in its last line and exits non-zero;
# make would add "make: *** [...] Error 1", which reads like a broken build:
# scripts/make-quiet-fail ends make silently instead (status 130; the
# grader's own codes are scripts/grade's).
grade: deps
	@scripts/grade $(TASK) || scripts/make-quiet-fail $$?

student-edition:
	@scripts/make-student-edition

gradescope-autograder: deps
	@scripts/make-gradescope-autograder

bench:
	@scripts/install-deps --bench
	@$(MAKE) -s all
	@scripts/bench/run

# in the VM, `install-deps --bench` fetches the peers from the mirror the
# VM's apt uses; the tables are printed (the VM's disk is thrown away)
BENCH_CASES ?= 1 7
BENCH_RUNS ?= 10
bench-vm: deps
	@scripts/install-deps --vm
	@$(MAKE) -s all
	@scripts/vm/run --command 'scripts/install-deps --bench && scripts/bench/run --cases "$(BENCH_CASES)" --runs $(BENCH_RUNS)'

clean:
	@$(MAKE) -s -C common clean
	@for d in $(TASK_DIRS) tests/unit; do \
		if [ -f $$d/Makefile ]; then $(MAKE) -s -C $$d clean; fi; \
	done
	rm -rf dist results

.PHONY: all common deps test test-unit test-vm bench-vm test-netlab test-reliability test-workbook test-lint test-demo demo grade \
	student-edition gradescope-autograder bench clean
