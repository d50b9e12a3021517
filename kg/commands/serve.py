"""The `kg serve` command (registered on `kg.cli.app`): a thin shell over `kg.server`."""
from __future__ import annotations

import signal

import typer

from kg.cli import app, console
from kg.server import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, make_server


@app.command()
def serve(
    build_dir: str = typer.Argument(..., help="Folder written by `kg build`, or a SPARQL server's URL (--store)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (127.0.0.1: this machine only)."),
    port: int = typer.Option(7878, "--port", min=0, max=65535, help="Port to listen on."),
    timeout: float = typer.Option(DEFAULT_TIMEOUT, "--timeout", min=0.1, metavar="SECONDS",
                                  help="Stop a query running longer than this (the answer is 503)."),
    max_rows: int = typer.Option(DEFAULT_MAX_ROWS, "--max-rows", min=1, metavar="N",
                                 help="Refuse an answer of more rows (or triples) than this (the answer is 422)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not log each request."),
    in_memory: bool = typer.Option(False, "--in-memory",
                                   help="Answer from a copy of the store in memory in each query worker: queries "
                                        "reading much of a large graph run several times faster, for about 9 s of "
                                        "start-up and 400 MB per million triples per worker (and again for a worker "
                                        "started after one was stopped at the time limit)."),
) -> None:
    """Serve the graph read-only over the SPARQL 1.1 Protocol, with a query page at /.

    Given a server's URL, queries are sent to that server, within this endpoint's limits."""
    server = make_server(build_dir, host, port, quiet=quiet, timeout=timeout, max_rows=max_rows, in_memory=in_memory)
    bound_host, bound_port = server.server_address[:2]
    console.print(f"SPARQL endpoint: http://{bound_host}:{bound_port}/sparql  "
                  f"query page: http://{bound_host}:{bound_port}/  (Ctrl-C stops)", highlight=False, soft_wrap=True)
    on_terminate = signal.signal(signal.SIGTERM, _interrupt)  # a terminated server stops its query workers too
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        server.server_close()
        signal.signal(signal.SIGTERM, on_terminate)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
