"""The `kg` command: a thin shell over the Python API (`kg.build`, `kg.query`, `kg.validate`)."""
from __future__ import annotations

import csv
import io
import json
import sys
from enum import Enum
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg.errors import CckgError, InputError, QueryError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Build and read a knowledge graph of international cooperation.")
console = Console()


class ExportFormat(str, Enum):
    ttl = "ttl"
    nt = "nt"
    trig = "trig"
    jsonld = "jsonld"


class TableFormat(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"


def main() -> None:
    """Entry point: run the app, turning cckg errors into one line and an exit code."""
    try:
        # without standalone mode, click returns the code of a typer.Exit instead of exiting
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except CckgError as err:
        for line in err.lines():
            sys.stderr.write(f"error: {line}\n")  # one line per problem, never wrapped
        sys.exit(err.exit_code)
    except (typer.Exit, typer.Abort) as stop:
        sys.exit(getattr(stop, "exit_code", 1))
    except Exception as err:  # click usage errors carry their own exit code
        code = getattr(err, "exit_code", None)
        if code is None:
            raise
        if hasattr(err, "show"):
            err.show()
        sys.exit(code)


@app.command()
def build(
    paths: list[Path] = typer.Argument(..., help="Document files or folders."),
    out: Path = typer.Option(Path("build"), "--out", "-o", help="Folder for the store and exports."),
    formats: list[ExportFormat] = typer.Option([ExportFormat.ttl], "--format", "-f",
                                               help="Export format(s); repeat for several."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes extracting documents."),
    full: bool = typer.Option(False, "--full", help="Extract every document again (ignore the cache)."),
    executor: str = typer.Option("local", "--executor", help="Where extraction runs: local or dask."),
    scheduler: str = typer.Option(None, "--scheduler", help="Dask scheduler address (none: a local cluster)."),
    store: str = typer.Option(None, "--store", help="Also send the graph to this SPARQL server (Graph Store Protocol)."),
    strict: bool = typer.Option(False, "--strict", help="Write nothing if any file cannot be read."),
) -> None:
    """Read documents, extract facts and write the graph (store + exports).

    Facts are cached per document in OUT/cache/: a rebuild extracts only new or changed documents.
    A file that cannot be read is reported and left out (exit code 2); the others are built.
    """
    import kg

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[name]}"), TimeElapsedColumn(), console=console,
                  transient=not console.is_terminal) as bar:
        task = bar.add_task("extracting", total=None, name="")

        def step(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, name=name)

        graph = kg.build(paths, out, formats=[f.value for f in formats], progress=step, jobs=jobs,
                         full=full, executor=executor, scheduler=scheduler, store=store, strict=strict)
    summary = graph.summary
    table = Table(title=f"built {out}", show_header=False)
    table.add_row("documents", str(summary.documents))
    table.add_row("re-extracted (others cached)", str(summary.extracted))
    table.add_row("sentences", str(summary.sentences))
    for kind, count in summary.actors_by_kind.items():
        table.add_row(f"actors: {kind}", str(count))
    table.add_row("aid flows", str(summary.aid_flows))
    table.add_row("commercial flows", str(summary.commercial_flows))
    table.add_row("interactions", str(summary.interactions))
    table.add_row("positions", str(summary.positions))
    table.add_row("triples", str(summary.triples))
    table.add_row("seconds", f"{summary.seconds:.1f}")
    if summary.copies:
        table.add_row("copies (read once)", ", ".join(summary.copies))
    console.print(table)
    if summary.rejected:
        for line in summary.rejected:
            sys.stderr.write(f"error: {line}\n")
        raise typer.Exit(InputError.exit_code)


@app.command()
def query(
    build_dir: str = typer.Argument(..., help="Folder written by `kg build`, or a SPARQL server's URL (--store)."),
    sparql: str = typer.Argument(None, help="A SPARQL query, or the path of a .rq file (or use --saved)."),
    fmt: TableFormat = typer.Option(TableFormat.table, "--format", "-f", help="Output format."),
    saved: str = typer.Option(None, "--saved", help="Run a saved query of ontology/queries/ by name."),
    params: list[str] = typer.Option([], "--param", help="KEY=VALUE for a saved query's parameter; repeatable."),
    list_saved: bool = typer.Option(False, "--list-saved", help="List the saved queries and their parameters."),
    limit: int = typer.Option(None, "--limit", min=0,
                              help="Rows of a saved query's answer to show (default 1000; 0: all of them)."),
    offset: int = typer.Option(0, "--offset", min=0, help="Rows of a saved query's answer to skip (the next page)."),
) -> None:
    """Run a SPARQL query (or a saved one) on a built graph and print the results."""
    import kg
    from kg import saved_queries

    if list_saved:
        for entry in saved_queries.saved_queries():
            usage = " ".join(f"[--param {p.name}=...]" for p in entry.params)
            console.print(f"[bold]{entry.name}[/bold] {usage}\n  {entry.question}", highlight=False)
        return
    if (sparql is None) == (saved is None):
        raise QueryError("give either a SPARQL query (or .rq file) or --saved NAME")
    graph = kg.open_graph(build_dir)
    if saved is not None:
        result = saved_queries.run_saved_query(graph, saved, saved_queries.parse_param_options(params),
                                               limit=saved_queries.PAGE_SIZE if limit is None else limit,
                                               offset=offset)
    elif limit is not None or offset:
        raise QueryError("--limit and --offset page a saved query (--saved); write LIMIT and OFFSET in your own query")
    else:
        text = Path(sparql).read_text(encoding="utf-8") if sparql.endswith(".rq") and Path(sparql).is_file() else sparql
        result = kg.query(graph, text)
    if result.type == "ASK":
        console.print(str(bool(result.askAnswer)).lower())
        return
    if result.type in {"CONSTRUCT", "DESCRIBE"}:
        sys.stdout.write(result.graph.serialize(format="turtle"))
        return
    names = [str(v) for v in result.vars]
    rows = [["" if value is None else str(value) for value in row] for row in result]
    print_rows(names, rows, fmt)
    if getattr(result, "more", False):
        sys.stderr.write(f"note: rows {result.offset + 1}-{result.offset + len(rows)} only, more follow: "
                         f"--offset {result.offset + result.limit} for the next page, --limit 0 for all of them\n")


def print_rows(names: list[str], rows: list[list[str]], fmt: TableFormat) -> None:
    """Print result rows as a table, CSV, TSV or JSON."""
    if fmt is TableFormat.json:
        sys.stdout.write(json.dumps([dict(zip(names, row)) for row in rows], indent=2, ensure_ascii=False) + "\n")
    elif fmt in {TableFormat.csv, TableFormat.tsv}:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if fmt is TableFormat.csv else "\t", lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
    else:
        table = Table(*names)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        console.print(f"{len(rows)} row(s)")


@app.command()
def validate(build_dir: str = typer.Argument(..., help="Folder written by `kg build`, or a SPARQL server's URL "
                                                       "(--store).")) -> None:
    """Check the built graph against the SHACL shapes; exit 1 on any violation."""
    import kg

    report = kg.validate(build_dir)
    for violation in report.violations:
        console.print(f"{violation.severity}: {violation.focus} {violation.path}: {violation.message}",
                      markup=False, highlight=False)
    if report.conforms:
        console.print("conforms: 0 violations")
        return
    console.print(f"{len(report.violations)} violation(s)")
    raise typer.Exit(1)


# commands that live in modules of their own (kg/commands/) register themselves on `app`
import kg.commands  # noqa: E402,F401

if __name__ == "__main__":
    # `python -m kg.cli` runs this file as a second module: use the one the commands registered on
    from kg.cli import main as registered_main

    registered_main()
