/*
 * main.c: the cara executable.
 */
#include "cli_cmds.h"

int main(int argc, char **argv) { return cli_main(argc, argv); }
