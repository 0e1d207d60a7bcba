/* launch_2a - subtask 2a: file system isolation with chroot.
 * Fills the root with the program and its shared objects, then chroots and
 * execs it in place: the program keeps our PID (no namespaces yet). */
#include "launcher.h"

int main(int argc, char **argv)
{
	struct launch_opts opts;
	launch_parse(argc, argv, "subtask1", 0, &opts);
	launch_prepare(&opts);
	launch_exec_in_root(&opts);
}
