"""The `kg analyze` command (registered on `kg.cli.app`): a thin shell over `kg.analysis`."""
from __future__ import annotations

import json
import math
import numbers
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from kg.cli import app, console

if TYPE_CHECKING:  # pandas comes with the analysis, not with every `kg` command
    import pandas as pd

#: How many members of a community the terminal table names.
COMMUNITY_NAMES_SHOWN = 8
#: Width of the tables when the output is not a terminal (a pipe or a file).
PIPED_WIDTH = 120
#: Centrality columns of the terminal tables and their headers.
AID_COLUMNS = {"in_degree": "in", "out_degree": "out", "weighted_in_degree": "in (w)",
               "weighted_out_degree": "out (w)", "pagerank": "PageRank", "betweenness": "betweenness",
               "eigenvector": "eigenvector"}
INTERACTION_COLUMNS = {"degree": "degree", "weighted_degree": "degree (w)", "pagerank": "PageRank",
                       "betweenness": "betweenness", "eigenvector": "eigenvector"}


class Window(str, Enum):
    month = "month"
    quarter = "quarter"
    year = "year"


class Weight(str, Enum):
    flows = "flows"
    items = "items"
    usd = "usd"


class AnalysisFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
def analyze(
    build_dir: str = typer.Argument(..., help="Folder written by `kg build`, or a SPARQL server's URL (--store)."),
    by: Window | None = typer.Option(None, "--by", help="Also measure within time windows."),
    fmt: AnalysisFormat = typer.Option(AnalysisFormat.table, "--format", "-f",
                                       help="table: print tables; csv, json: write files to --out "
                                            "(json is printed too)."),
    out: Path | None = typer.Option(None, "--out", "-o",
                                    help="Folder for csv/json files [default: BUILD_DIR/analysis; "
                                         "for a server, ./analysis]."),
    roll_up: bool = typer.Option(True, "--roll-up/--no-roll-up",
                                 help="Count sub-national governments and organizations as their country."),
    weight: Weight = typer.Option(Weight.flows, "--weight", "-w", help="Edge weight of the aid network."),
    top: int = typer.Option(10, "--top", "-n", min=1, help="Rows per table (and top actors per measure)."),
    write_back: bool = typer.Option(True, "--write-back/--no-write-back",
                                    help="Write the scores into the store (named graph id/graph/analysis)."),
) -> None:
    """Reciprocity, centrality and communities of the aid and interaction networks."""
    import kg
    from kg.analysis import write_back as write_scores

    graph = kg.open_graph(build_dir)
    result = kg.analyze(graph, roll_up=roll_up, by=by.value if by else None, weight=weight.value)
    notes = Console(stderr=True) if fmt is AnalysisFormat.json else console
    if write_back:
        count = write_scores(graph, result)
        store = build_dir if graph.url else Path(build_dir) / "store"
        notes.print(f"wrote {count} analysis triples into {store} (graph id/graph/analysis)")
    if fmt is AnalysisFormat.table:
        print_tables(result, top)
    else:
        folder = out or (Path("analysis") if graph.url else Path(build_dir) / "analysis")
        write_files(result, folder, fmt, top, notes)


def write_files(result, folder: Path, fmt: AnalysisFormat, top: int, notes: Console) -> None:
    """Write `analysis.json` (also printed to stdout) or one CSV file per table into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    if fmt is AnalysisFormat.json:
        text = json.dumps(result.to_dict(top), indent=2, ensure_ascii=False)
        (folder / "analysis.json").write_text(text + "\n", encoding="utf-8")
        sys.stdout.write(text + "\n")
        notes.print(f"wrote {folder / 'analysis.json'}")
        return
    for name, table in result.tables().items():
        table.to_csv(folder / f"{name}.csv", index=False)
        notes.print(f"wrote {folder / f'{name}.csv'} ({len(table)} rows)")


def print_tables(result, top: int) -> None:
    """Print an `AnalysisResult` as terminal tables, `top` rows each."""
    tables = [_summary_table(result), _pairs_table(result.pairs, top),
              _centrality_table("Aid network: centrality (by PageRank)", result.aid_centrality, AID_COLUMNS, top),
              _leaders_table("Aid network: top actors by each measure", result.aid_centrality, AID_COLUMNS, top),
              _centrality_table("Interaction network: centrality (by PageRank)", result.interaction_centrality,
                                INTERACTION_COLUMNS, top),
              _communities_table(result, top)]
    if result.periods is not None:
        tables.append(_periods_table(result.periods))
    screen = console if console.is_terminal else Console(width=PIPED_WIDTH)
    for table in tables:
        screen.print(table)


def _summary_table(result) -> Table:
    table = Table(title="Aid and interaction networks", show_header=False)
    roll_up = "on" if result.roll_up else "off"
    table.add_row("aid network", f"{len(result.aid_centrality)} actors, {len(result.flows)} flows "
                                 f"(weight: {result.weight}; roll-up to countries: {roll_up})")
    table.add_row("reciprocity", "n/a" if math.isnan(result.reciprocity) else f"{result.reciprocity:.3f}")
    table.add_row("actor pairs", f"{len(result.pairs)}, of which mutual: {len(result.mutual_pairs)}")
    table.add_row("mutual pairs", ", ".join(f"{a}–{b}" for a, b in zip(result.mutual_pairs["label_a"],
                                                                        result.mutual_pairs["label_b"])) or "none")
    table.add_row("interaction network", f"{len(result.interaction_centrality)} actors, "
                                         f"{result.communities['community'].nunique()} communities")
    return table


def _pairs_table(pairs: pd.DataFrame, top: int) -> Table:
    table = Table("A", "B", "flows A→B / B→A", "items", "USD", "first A→B", "first B→A", "lag (days)", "mutual",
                  title=f"Reciprocity: top {min(top, len(pairs))} of {len(pairs)} pairs (A: the first dated giver)")
    for row in pairs.head(top).itertuples():
        table.add_row(row.label_a, row.label_b, f"{row.flows_ab} / {row.flows_ba}", f"{row.items_ab} / {row.items_ba}",
                      f"{_money(row.usd_ab)} / {_money(row.usd_ba)}", _text(row.first_ab), _text(row.first_ba),
                      _text(row.lag_days), "yes" if row.mutual else "no")
    return table


def _centrality_table(title: str, frame: pd.DataFrame, columns: dict[str, str], top: int) -> Table:
    table = Table("actor", *columns.values(), title=title)
    for label, values in zip(frame["label"].head(top), frame[list(columns)].head(top).itertuples(index=False)):
        table.add_row(label, *(_number(v) for v in values))
    return table


def _leaders_table(title: str, frame: pd.DataFrame, columns: dict[str, str], top: int) -> Table:
    from kg.analysis import top_actors

    table = Table("measure", f"top {top}", title=title)
    for column, header in columns.items():
        leaders = top_actors(frame, column, top)
        names = (f"{label} ({_number(value)})" for label, value in leaders.itertuples(index=False))
        table.add_row(header, ", ".join(names))
    return table


def _communities_table(result, top: int) -> Table:
    degree = result.interaction_centrality["weighted_degree"]
    table = Table("community", "size", "members (most connected first)",
                  title="Interaction network: Louvain communities")
    for number, members in list(result.communities.groupby("community"))[:top]:
        ordered = members.assign(degree=members["actor"].map(degree)).sort_values(["degree", "label"],
                                                                                  ascending=[False, True])
        names = ordered["label"].tolist()
        shown = ", ".join(names[:COMMUNITY_NAMES_SHOWN]) + (", …" if len(names) > COMMUNITY_NAMES_SHOWN else "")
        table.add_row(str(number), str(len(names)), shown)
    return table


def _periods_table(periods: pd.DataFrame) -> Table:
    table = Table("period", "flows", "actors", "reciprocity", "mutual pairs", "top donor", "top recipient",
                  title="Aid network by period")
    for row in periods.itertuples():
        table.add_row(row.period, str(row.flows), str(row.actors), f"{row.reciprocity:.3f}", str(row.mutual_pairs),
                      f"{row.top_donor} ({_number(row.top_donor_weight)})",
                      f"{row.top_recipient} ({_number(row.top_recipient_weight)})")
    return table


def _missing(value) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


def _number(value) -> str:
    if _missing(value):
        return "–"
    if isinstance(value, numbers.Integral):
        return str(value)
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3f}"


def _money(value: float) -> str:
    return "0" if not value else f"{value:,.0f}"


def _text(value) -> str:
    return "–" if _missing(value) else str(value)
