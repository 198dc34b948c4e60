"""Subcommands, one module per group; each exposes add_commands(subparsers, common)."""
