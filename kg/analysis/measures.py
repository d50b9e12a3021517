"""Measures of the networks: reciprocity and actor pairs, centrality, communities."""
from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
from rdflib import URIRef

from kg.analysis.networks import as_aid_network, collapse, first_day, label_of
from kg.graph import KnowledgeGraph
from kg.namespace import ID

@dataclass(frozen=True)
class _Direction:
    """The aid one actor gave another: counts, dollars and the first flow."""

    flows: int = 0
    items: int = 0
    usd: float = 0.0
    first_date: str | None = None
    first_flow: str | None = None


def reciprocity(source: KnowledgeGraph | nx.Graph, *, roll_up: bool = True) -> tuple[float, pd.DataFrame]:
    """NetworkX's overall reciprocity of the aid network, and the table of actor pairs.

    Examples:
        >>> network = nx.MultiDiGraph([("a", "b"), ("b", "a"), ("b", "c")])
        >>> overall, pairs = reciprocity(network)
        >>> round(overall, 3), pairs["mutual"].tolist()
        (0.667, [True, False])
    """
    network = as_aid_network(source, roll_up)
    simple = collapse(network)
    overall = nx.reciprocity(simple) if simple.number_of_edges() else math.nan
    return overall, reciprocal_pairs(network)


def reciprocal_pairs(network: nx.MultiDiGraph) -> pd.DataFrame:
    """One row per pair of actors with aid between them, mutual pairs first.

    Member `a` is the one that gave first (by the first dated flow each way), `b` the
    other; `_ab` columns describe aid from a to b, `_ba` back. `lag_days` is the time from
    a's first gift to b's first gift back (a month or year counts as its first day).

    Examples:
        >>> network = nx.MultiDiGraph()
        >>> _ = network.add_edge("jp", "cn", date="2020-01-25", flows=1, items=2, usd=0.0)
        >>> _ = network.add_edge("cn", "jp", date="2020-02-04", flows=1, items=1, usd=0.0)
        >>> reciprocal_pairs(network)[["a", "b", "items_ab", "lag_days", "mutual"]].values.tolist()
        [['jp', 'cn', 2, 10, True]]
    """
    directions = _directions(network)
    rows = [_pair_row(network, *_giving_order(network, u, v, directions), directions)
            for u, v in sorted({tuple(sorted(key)) for key in directions})]
    frame = pd.DataFrame(rows, columns=_PAIR_COLUMNS)
    frame["lag_days"] = frame["lag_days"].astype("Int64")
    order = frame.assign(total=frame["flows_ab"] + frame["flows_ba"])
    order = order.sort_values(["mutual", "total", "label_a", "label_b"], ascending=[False, False, True, True])
    return frame.loc[order.index].reset_index(drop=True)


_PAIR_COLUMNS = ["pair", "a", "b", "label_a", "label_b", "flows_ab", "flows_ba", "items_ab", "items_ba",
                 "usd_ab", "usd_ba", "first_ab", "first_ba", "first_flow_ab", "first_flow_ba", "lag_days", "mutual"]


def _directions(network: nx.MultiDiGraph) -> dict[tuple[str, str], _Direction]:
    edges: dict[tuple[str, str], list[dict]] = {}
    for u, v, data in network.edges(data=True):
        edges.setdefault((u, v), []).append(data)
    return {key: _direction(group) for key, group in edges.items()}


def _direction(edges: list[dict]) -> _Direction:
    first = min(edges, key=lambda e: (first_day(e.get("date")) is None, first_day(e.get("date")) or pd.Timestamp.min,
                                      e.get("flow") or ""))
    usd = sum(e.get("usd", 0.0) for e in edges if not math.isnan(e.get("usd", 0.0)))
    return _Direction(flows=sum(e.get("flows", 1) for e in edges), items=sum(e.get("items", 0) for e in edges),
                      usd=usd, first_date=first.get("date"), first_flow=first.get("flow"))


def _giving_order(network: nx.Graph, u: str, v: str, directions: dict) -> tuple[str, str]:
    """The pair ordered as (first giver, first receiver); labels break ties."""
    def opening(giver: str, receiver: str) -> tuple:
        direction = directions.get((giver, receiver))
        start = first_day(direction.first_date) if direction else None
        return direction is None, start is None, start or pd.Timestamp.min, label_of(network, giver)

    return (u, v) if opening(u, v) <= opening(v, u) else (v, u)


def _pair_row(network: nx.Graph, a: str, b: str, directions: dict) -> dict:
    ab, ba = directions.get((a, b), _Direction()), directions.get((b, a), _Direction())
    start_ab, start_ba = first_day(ab.first_date), first_day(ba.first_date)
    lag = (start_ba - start_ab).days if start_ab is not None and start_ba is not None else None
    return {"pair": str(pair_iri(a, b)), "a": a, "b": b,
            "label_a": label_of(network, a), "label_b": label_of(network, b),
            "flows_ab": ab.flows, "flows_ba": ba.flows, "items_ab": ab.items, "items_ba": ba.items,
            "usd_ab": ab.usd, "usd_ba": ba.usd, "first_ab": ab.first_date, "first_ba": ba.first_date,
            "first_flow_ab": ab.first_flow, "first_flow_ba": ba.first_flow, "lag_days": lag,
            "mutual": ab.flows > 0 and ba.flows > 0}


def actor_slug(iri: str) -> str:
    """A short, stable name of an actor for IRIs: a country's ISO code, else its path.

    Examples:
        >>> actor_slug("https://w3id.org/cckg/id/country/CHN"), actor_slug("https://w3id.org/cckg/id/org/who")
        ('CHN', 'org-who')
    """
    path = iri.removeprefix(str(ID))
    return path.removeprefix("country/") if path.startswith("country/") else path.replace("/", "-")


def pair_iri(a: str, b: str) -> URIRef:
    """The IRI of the unordered pair of two actors (the same either way round).

    Examples:
        >>> str(pair_iri("https://w3id.org/cckg/id/country/JPN", "https://w3id.org/cckg/id/country/CHN"))
        'https://w3id.org/cckg/id/pair/CHN--JPN'
    """
    return ID["pair/" + "--".join(sorted((actor_slug(a), actor_slug(b))))]


def centrality(network: nx.Graph, *, weight: str | None = "flows") -> pd.DataFrame:
    """Degrees (unweighted and weighted), PageRank, betweenness and eigenvector centrality.

    A directed network gets in- and out-degrees, an undirected one `degree`. The
    `weighted_` degrees, PageRank and eigenvector centrality use the edge attribute
    `weight`; betweenness counts hops (NetworkX reads a weight there as a distance, the
    opposite of a strength). In a directed network eigenvector centrality, as NetworkX
    defines it, scores an actor by the scores of those with edges *to* it: in the aid
    network, a recipient of central donors ranks high. Rows are actors (IRIs), best
    PageRank first.

    Examples:
        >>> table = centrality(nx.DiGraph([("a", "b"), ("b", "c")]), weight=None)
        >>> int(table.loc["b", "in_degree"]), int(table.loc["b", "out_degree"]), float(table.loc["b", "betweenness"])
        (1, 1, 0.5)
    """
    simple = collapse(network)
    _check_weight(simple, weight)
    if simple.is_directed():
        measures = {"in_degree": dict(simple.in_degree()), "out_degree": dict(simple.out_degree()),
                    "weighted_in_degree": dict(simple.in_degree(weight=weight)),
                    "weighted_out_degree": dict(simple.out_degree(weight=weight))}
    else:
        measures = {"degree": dict(simple.degree()), "weighted_degree": dict(simple.degree(weight=weight))}
    measures["pagerank"] = pagerank(simple, weight=weight)
    measures["betweenness"] = nx.betweenness_centrality(simple)
    measures["eigenvector"] = _eigenvector(simple, weight)
    frame = pd.DataFrame(measures, index=pd.Index(list(simple), name="actor"))
    frame.insert(0, "kind", [simple.nodes[node].get("kind") for node in frame.index])
    frame.insert(0, "label", [label_of(simple, node) for node in frame.index])
    return frame.sort_values(["pagerank", "label"], ascending=[False, True])


def _check_weight(network: nx.Graph, weight: str | None) -> None:
    if weight and network.number_of_edges() and not any(weight in d for _, _, d in network.edges(data=True)):
        raise ValueError(f"no edge of this network has the weight {weight!r}")


def _eigenvector(network: nx.Graph, weight: str | None) -> dict[str, float]:
    try:
        return nx.eigenvector_centrality(network, weight=weight, max_iter=1000)
    except nx.NetworkXException:  # no convergence, or an empty network
        return {node: math.nan for node in network}


def pagerank(network: nx.Graph, *, weight: str | None = "flows", alpha: float = 0.85,
             tol: float = 1e-10, max_iter: int = 1000) -> dict[str, float]:
    """PageRank by power iteration in NumPy (`nx.pagerank` needs SciPy), with its rules:
    an undirected edge counts both ways, a missing weight counts 1, and a node that gives
    nothing spreads its rank evenly over all nodes.

    Examples:
        >>> {node: round(rank, 6) for node, rank in pagerank(nx.DiGraph([("a", "b"), ("b", "a")])).items()}
        {'a': 0.5, 'b': 0.5}
    """
    simple = collapse(network)
    nodes = list(simple)
    if not nodes:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    edges = [(index[u], index[v], float(w)) for u, v, w in simple.edges(data=weight or "_", default=1)]
    if not simple.is_directed():
        edges += [(v, u, w) for u, v, w in edges]
    table = np.array(edges, dtype=float).reshape(-1, 3)
    source, target, strength = table[:, 0].astype(int), table[:, 1].astype(int), table[:, 2]
    given = np.bincount(source, weights=strength, minlength=len(nodes))
    share = np.divide(strength, given[source], out=np.zeros(len(source)), where=given[source] > 0)
    rank = np.full(len(nodes), 1.0 / len(nodes))
    for _ in range(max_iter):
        spread = np.bincount(target, weights=rank[source] * share, minlength=len(nodes))
        updated = alpha * (spread + rank[given == 0].sum() / len(nodes)) + (1 - alpha) / len(nodes)
        converged = np.abs(updated - rank).sum() < len(nodes) * tol
        rank = updated
        if converged:
            break
    return {node: float(value) for node, value in zip(nodes, rank)}


def top_actors(table: pd.DataFrame, measure: str, n: int = 5) -> pd.DataFrame:
    """The `n` actors of a `centrality` table scoring highest on `measure` (labels break ties).

    Examples:
        >>> table = centrality(nx.DiGraph([("a", "b"), ("c", "b")]), weight=None)
        >>> top_actors(table, "in_degree", 1)["label"].tolist()
        ['b']
    """
    ordered = table.sort_values([measure, "label"], ascending=[False, True])
    return ordered.head(n)[["label", measure]]


def communities(network: nx.Graph, *, weight: str | None = "interactions", seed: int = 0) -> pd.DataFrame:
    """Louvain communities (NetworkX's, seeded so that runs agree), numbered largest first.

    Examples:
        >>> two_triangles = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z")])
        >>> communities(two_triangles).groupby("community")["actor"].apply(list).tolist()
        [['a', 'b', 'c'], ['x', 'y', 'z']]
    """
    groups = nx.community.louvain_communities(network, weight=weight, seed=seed) if len(network) else []
    ordered = sorted((sorted(group) for group in groups), key=lambda group: (-len(group), group[0]))
    rows = [{"actor": node, "label": label_of(network, node), "kind": network.nodes[node].get("kind"),
             "community": number} for number, group in enumerate(ordered) for node in group]
    return pd.DataFrame(rows, columns=["actor", "label", "kind", "community"])
