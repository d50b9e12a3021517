"""The `kg serve` command (registered on `kg.cli.app`)."""
