/*
 * main.c: the cara executable.
 */
#include "cli.h"

int main(int argc, char **argv) { return cli_main(argc, argv); }
