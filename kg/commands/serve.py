"""The `kg serve` command (registered on `kg.cli.app`): a thin shell over `kg.server`."""
from __future__ import annotations

from pathlib import Path

import typer

from kg.cli import app, console


@app.command()
def serve(
    build_dir: Path = typer.Argument(..., help="Folder written by `kg build`."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (127.0.0.1: this machine only)."),
    port: int = typer.Option(7878, "--port", min=0, max=65535, help="Port to listen on."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not log each request."),
) -> None:
    """Serve the graph read-only over the SPARQL 1.1 Protocol, with a query page at /."""
    from kg.server import make_server

    server = make_server(build_dir, host, port, quiet=quiet)
    bound_host, bound_port = server.server_address[:2]
    console.print(f"SPARQL endpoint: http://{bound_host}:{bound_port}/sparql  "
                  f"query page: http://{bound_host}:{bound_port}/  (Ctrl-C stops)", highlight=False, soft_wrap=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        server.server_close()
