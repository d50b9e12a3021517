"""The `kg viz` command (registered on `kg.cli.app`)."""
