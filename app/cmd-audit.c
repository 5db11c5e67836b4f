/* cmd-audit.c — scaffolding, replaced by its owner */
#include "config.h"
#include "ra-cli.h"

int
ra_cmd_audit (int argc, char **argv)
{
  return ra_cli_fail (argv[0], RA_EXIT_USAGE, "not built yet");
}

int
ra_cmd_plan (int argc, char **argv)
{
  return ra_cli_fail (argv[0], RA_EXIT_USAGE, "not built yet");
}
