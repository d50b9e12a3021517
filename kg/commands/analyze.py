"""The `kg analyze` command (registered on `kg.cli.app`)."""
