"""The `kg viz` command (registered on `kg.cli.app`): a thin shell over `kg.viz`."""
from __future__ import annotations

from pathlib import Path

import typer

from kg.cli import app, console


@app.command()
def viz(
    build_dir: str = typer.Argument(..., help="Folder written by `kg build`, or a SPARQL server's URL (--store)."),
    out: Path = typer.Option(None, "--out", "-o",
                             help="Folder for the pages (default: BUILD_DIR/pages; for a server, ./pages)."),
    screenshot: bool = typer.Option(False, "--screenshot", help="Also photograph each page into a .png beside it "
                                    "(headless Chromium from /usr/bin/chromium)."),
) -> None:
    """Write interactive graph pages (aid network, contact network, one page per country)."""
    import kg
    from kg.viz import screenshot_pages, write_pages

    graph = kg.open_graph(build_dir)
    out = out if out is not None else Path("pages") if graph.url else Path(build_dir) / "pages"
    pages = write_pages(graph, out)
    console.print(f"wrote {len(pages)} pages and an index to {out}/ (open {out / 'index.html'})",
                  highlight=False, soft_wrap=True)
    if screenshot:
        shots = screenshot_pages(page.path for page in pages)
        console.print(f"wrote {len(shots)} screenshots (.png beside the pages)", highlight=False, soft_wrap=True)
