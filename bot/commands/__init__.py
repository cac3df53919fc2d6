"""Subcommands of `aliat`, discovered by module: NAME, HELP, configure(parser), run(args) -> int."""
