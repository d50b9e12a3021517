"""The aid network in time windows: the same measures month by month (or by quarter, year)."""
from __future__ import annotations

import networkx as nx
import pandas as pd

from kg.analysis.measures import centrality, reciprocal_pairs
from kg.analysis.networks import as_aid_network, collapse, label_of
from kg.graph import KnowledgeGraph

#: Time windows of `by_period`: name -> pandas period code.
FREQUENCIES = {"month": "M", "quarter": "Q", "year": "Y"}
_PRECISION = {"month": 7, "quarter": 7, "year": 4}  # characters of an ISO date a window needs


def period_of(date: str | None, freq: str = "month") -> str | None:
    """The time window a date falls in; None when the date is missing or coarser than it.

    Examples:
        >>> period_of("2020-02-17"), period_of("2020-02"), period_of("2020"), period_of("2020-02", "quarter")
        ('2020-02', '2020-02', None, '2020Q1')
    """
    if freq not in FREQUENCIES:
        raise ValueError(f"unknown time window {freq!r}; use one of {', '.join(FREQUENCIES)}")
    if not isinstance(date, str) or len(date) < _PRECISION[freq]:
        return None
    return str(pd.Period(date[:10], freq=FREQUENCIES[freq]))


def period_networks(network: nx.MultiDiGraph, *, freq: str = "month") -> dict[str, nx.MultiDiGraph]:
    """The aid network cut into time windows, in time order; flows dated too coarsely are left out.

    Examples:
        >>> network = nx.MultiDiGraph()
        >>> _ = network.add_edge("a", "b", date="2020-02-03")
        >>> _ = network.add_edge("b", "a", date="2020-04")
        >>> _ = network.add_edge("b", "a", date="2020")
        >>> {period: window.number_of_edges() for period, window in period_networks(network).items()}
        {'2020-02': 1, '2020-04': 1}
    """
    windows: dict[str, nx.MultiDiGraph] = {}
    for u, v, key, data in network.edges(keys=True, data=True):
        period = period_of(data.get("date"), freq)
        if period is None:
            continue
        window = windows.setdefault(period, nx.MultiDiGraph(**network.graph))
        window.add_nodes_from([(u, network.nodes[u]), (v, network.nodes[v])])
        window.add_edge(u, v, key=key, **data)
    return dict(sorted(windows.items()))


def by_period(source: KnowledgeGraph | nx.Graph, *, freq: str = "month", weight: str = "flows",
              roll_up: bool = True) -> pd.DataFrame:
    """Per time window: flows, actors, reciprocity, mutual pairs, the top donor and recipient.

    Examples:
        >>> network = nx.MultiDiGraph()
        >>> _ = network.add_edge("jp", "cn", date="2020-02-03", flows=1)
        >>> _ = network.add_edge("cn", "jp", date="2020-04-01", flows=1)
        >>> by_period(network)[["period", "top_donor", "top_recipient"]].values.tolist()
        [['2020-02', 'jp', 'cn'], ['2020-04', 'cn', 'jp']]
    """
    rows = []
    for period, window in period_networks(as_aid_network(source, roll_up), freq=freq).items():
        simple = collapse(window)
        donor, given = _leader(simple, dict(simple.out_degree(weight=weight)))
        recipient, received = _leader(simple, dict(simple.in_degree(weight=weight)))
        rows.append({"period": period, "flows": window.number_of_edges(), "actors": len(window),
                     "reciprocity": nx.reciprocity(simple),
                     "mutual_pairs": int(reciprocal_pairs(window)["mutual"].sum()),
                     "top_donor": donor, "top_donor_weight": given, "top_recipient": recipient,
                     "top_recipient_weight": received})
    return pd.DataFrame(rows, columns=["period", "flows", "actors", "reciprocity", "mutual_pairs", "top_donor",
                                       "top_donor_weight", "top_recipient", "top_recipient_weight"])


def period_centrality(source: KnowledgeGraph | nx.Graph, *, freq: str = "month", weight: str = "flows",
                      roll_up: bool = True) -> pd.DataFrame:
    """The `centrality` table of each time window, stacked, with a `period` column.

    Examples:
        >>> network = nx.MultiDiGraph()
        >>> _ = network.add_edge("jp", "cn", date="2020-02-03", flows=1)
        >>> period_centrality(network)[["period", "label", "in_degree"]].values.tolist()
        [['2020-02', 'cn', 1], ['2020-02', 'jp', 0]]
    """
    tables = [centrality(window, weight=weight).reset_index().assign(period=period)
              for period, window in period_networks(as_aid_network(source, roll_up), freq=freq).items()]
    if not tables:
        return pd.DataFrame(columns=["period", "actor", "label", "kind"])
    frame = pd.concat(tables, ignore_index=True)
    return frame[["period", *[c for c in frame.columns if c != "period"]]]


def pair_timeline(source: KnowledgeGraph | nx.Graph, a: str, b: str, *, freq: str = "month",
                  weight: str = "flows", roll_up: bool = True) -> pd.DataFrame:
    """Aid between two actors in each time window of the network, one column each way.

    Examples:
        >>> network = nx.MultiDiGraph()
        >>> _ = network.add_edge("jp", "cn", date="2020-01-25", flows=1)
        >>> _ = network.add_edge("cn", "jp", date="2020-03-02", flows=1)
        >>> _ = network.add_edge("cn", "kr", date="2020-02-10", flows=1)
        >>> pair_timeline(network, "jp", "cn").to_dict(orient="list")
        {'jp → cn': [1, 0, 0], 'cn → jp': [0, 0, 1]}
    """
    network = as_aid_network(source, roll_up)
    columns = {(a, b): f"{label_of(network, a)} → {label_of(network, b)}",
               (b, a): f"{label_of(network, b)} → {label_of(network, a)}"}
    rows = {}
    for period, window in period_networks(network, freq=freq).items():
        simple = collapse(window)
        rows[period] = {name: simple.edges[edge].get(weight, 1) if simple.has_edge(*edge) else 0
                        for edge, name in columns.items()}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(columns.values()))
    frame.index.name = "period"
    return frame


def _leader(network: nx.Graph, scores: dict[str, float]) -> tuple[str | None, float]:
    """The label of the best-scoring actor (all of them, comma-joined, on a tie) and its score."""
    best = max(scores.values(), default=0)
    if not best:  # nobody gave (or got) anything under this weight
        return None, 0
    return ", ".join(sorted(label_of(network, n) for n, score in scores.items() if score == best)), best
