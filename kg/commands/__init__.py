"""`kg` subcommands defined in modules of their own; each registers itself on `kg.cli.app`."""
from kg.commands import analyze, serve, viz  # noqa: F401
