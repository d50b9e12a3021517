"""Everything at once (`analyze`), and the scores written back into the graph."""
from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pandas as pd
from rdflib import RDF, XSD, Literal, URIRef

from kg.analysis.measures import actor_slug, centrality, communities, reciprocity, top_actors
from kg.analysis.networks import AID_WEIGHTS, RATES_FILE, aid_network, flow_table, interaction_network
from kg.analysis.periods import by_period, period_centrality
from kg.errors import StoreError
from kg.graph import KnowledgeGraph
from kg.namespace import CCKG, ID
from kg.rdf import Quad, date_literal
from kg.store import STORE_DIR

#: The named graph the scores are written into (replaced on every run).
ANALYSIS_GRAPH = ID["graph/analysis"]


@dataclass
class AnalysisResult:
    """What `analyze` computes: one overall number and a DataFrame per table.

    `pairs` comes from `reciprocal_pairs`, the two centrality tables from `centrality`
    (aid network under `weight`, interaction network under shared interactions),
    `communities` from Louvain on the interaction network, `flows` from `flow_table`;
    `periods` and `period_centrality` are filled when a time window was asked for.
    """

    reciprocity: float
    pairs: pd.DataFrame
    aid_centrality: pd.DataFrame
    interaction_centrality: pd.DataFrame
    communities: pd.DataFrame
    flows: pd.DataFrame
    periods: pd.DataFrame | None = None
    period_centrality: pd.DataFrame | None = None
    weight: str = "flows"
    roll_up: bool = True

    @property
    def mutual_pairs(self) -> pd.DataFrame:
        """The pairs in which each actor gave aid to the other."""
        return self.pairs[self.pairs["mutual"]].reset_index(drop=True)

    def top(self, measure: str, n: int = 5, *, network: str = "aid") -> pd.DataFrame:
        """The top `n` actors by `measure` in the "aid" or "interaction" network."""
        return top_actors(self.aid_centrality if network == "aid" else self.interaction_centrality, measure, n)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name (the file names of `kg analyze --format csv`)."""
        named = {"pairs": self.pairs, "aid_centrality": self.aid_centrality.reset_index(),
                 "interaction_centrality": self.interaction_centrality.reset_index(),
                 "communities": self.communities, "flows": self.flows,
                 "periods": self.periods, "period_centrality": self.period_centrality}
        return {name: table for name, table in named.items() if table is not None}

    def to_dict(self, top: int = 10) -> dict:
        """Everything as plain JSON-ready values; top actors by each measure, `top` of them."""
        measures = {name: [c for c in table.columns if c not in {"label", "kind"}]
                    for name, table in (("aid", self.aid_centrality), ("interaction", self.interaction_centrality))}
        document = {"weight": self.weight, "roll_up": self.roll_up, "usd_rates": RATES_FILE.name,
                    "reciprocity": None if math.isnan(self.reciprocity) else self.reciprocity,
                    "mutual_pairs": _records(self.mutual_pairs),
                    "top_actors": {name: {m: _records(self.top(m, top, network=name).reset_index()) for m in columns}
                                   for name, columns in measures.items()}}
        document.update({name: _records(table) for name, table in self.tables().items()})
        return document


def _records(table: pd.DataFrame) -> list[dict]:
    return json.loads(table.to_json(orient="records", date_format="iso", force_ascii=False))


def analyze(graph: KnowledgeGraph, *, roll_up: bool = True, by: str | None = None, weight: str = "flows",
            seed: int = 0) -> AnalysisResult:
    """Reciprocity, centrality and communities of a graph, and per time window when `by` is given.

    Args:
        graph: the knowledge graph to analyse.
        roll_up: count sub-national governments and organizations as their country.
        by: a time window ("month", "quarter", "year"), or None for none.
        weight: the aid network's edge weight: "flows", "items" or "usd".
        seed: the Louvain seed.

    Examples:
        >>> from kg.store import memory_dataset
        >>> analyze(KnowledgeGraph(memory_dataset([]))).pairs.empty
        True
    """
    return analyze_networks(aid_network(graph, roll_up=roll_up), interaction_network(graph, roll_up=roll_up),
                            by=by, weight=weight, seed=seed)


def analyze_networks(aid: nx.MultiDiGraph, interactions: nx.Graph | None = None, *, by: str | None = None,
                     weight: str = "flows", seed: int = 0) -> AnalysisResult:
    """What `analyze` computes, from networks already made (or built by hand).

    Examples:
        >>> aid = nx.MultiDiGraph([("a", "b", {"flows": 1}), ("b", "a", {"flows": 1}), ("a", "c", {"flows": 1})])
        >>> result = analyze_networks(aid)
        >>> result.reciprocity, result.mutual_pairs[["a", "b"]].values.tolist()
        (0.6666666666666666, [['a', 'b']])
    """
    if weight not in AID_WEIGHTS:
        raise ValueError(f"unknown weight {weight!r}; use one of {', '.join(AID_WEIGHTS)}")
    interactions = nx.Graph() if interactions is None else interactions
    overall, pairs = reciprocity(aid)
    result = AnalysisResult(reciprocity=overall, pairs=pairs, aid_centrality=centrality(aid, weight=weight),
                            interaction_centrality=centrality(interactions, weight="interactions"),
                            communities=communities(interactions, seed=seed), flows=flow_table(aid),
                            weight=weight, roll_up=aid.graph.get("roll_up", True))
    if by:
        result.periods = by_period(aid, freq=by, weight=weight)
        result.period_centrality = period_centrality(aid, freq=by, weight=weight)
    return result


#: Actor scores written back: term -> column of the aid centrality table.
_ACTOR_SCORES = {CCKG.inDegree: "weighted_in_degree", CCKG.outDegree: "weighted_out_degree",
                 CCKG.pagerank: "pagerank", CCKG.betweenness: "betweenness", CCKG.eigenvector: "eigenvector"}


def analysis_quads(result: AnalysisResult) -> Iterator[Quad]:
    """The scores as quads of `ANALYSIS_GRAPH`: actor scores, communities, reciprocal pairs.

    Examples:
        >>> result = analyze_networks(nx.MultiDiGraph([("a", "b", {"flows": 1}), ("b", "a", {"flows": 1})]))
        >>> sum(1 for _, _, o, _ in analysis_quads(result) if o == CCKG.ReciprocalPair)
        1
    """
    for actor, row in result.aid_centrality.iterrows():
        for term, column in _ACTOR_SCORES.items():
            if not pd.isna(row[column]):
                yield URIRef(actor), term, _decimal(row[column]), ANALYSIS_GRAPH
    for row in result.communities.itertuples():
        yield URIRef(row.actor), CCKG.community, Literal(int(row.community), datatype=XSD.integer), ANALYSIS_GRAPH
    for row in result.pairs.to_dict(orient="records"):
        yield from ((*triple, ANALYSIS_GRAPH) for triple in _pair_triples(row))


def _pair_triples(row: dict) -> Iterator[tuple]:
    pair = URIRef(row["pair"])
    yield pair, RDF.type, CCKG.ReciprocalPair
    yield pair, CCKG.pairMember, URIRef(row["a"])
    yield pair, CCKG.pairMember, URIRef(row["b"])
    yield pair, CCKG.mutual, Literal(bool(row["mutual"]))
    if not pd.isna(row["lag_days"]):
        yield pair, CCKG.lagDays, Literal(int(row["lag_days"]), datatype=XSD.integer)
    for giver, receiver, way in ((row["a"], row["b"], "ab"), (row["b"], row["a"], "ba")):
        if not row[f"flows_{way}"]:
            continue
        direction = URIRef(f"{pair}/from/{actor_slug(giver)}")
        yield pair, CCKG.direction, direction
        yield direction, RDF.type, CCKG.AidDirection
        yield direction, CCKG.fromMember, URIRef(giver)
        yield direction, CCKG.toMember, URIRef(receiver)
        yield direction, CCKG.flowCount, Literal(int(row[f"flows_{way}"]), datatype=XSD.integer)
        yield direction, CCKG.itemCount, Literal(int(row[f"items_{way}"]), datatype=XSD.integer)
        yield direction, CCKG.usdValue, _decimal(row[f"usd_{way}"])
        if not pd.isna(row[f"first_flow_{way}"]):
            yield direction, CCKG.firstFlow, URIRef(row[f"first_flow_{way}"])
        if not pd.isna(row[f"first_{way}"]):
            yield direction, CCKG.firstDate, date_literal(row[f"first_{way}"])


def _decimal(value: float) -> Literal:
    text = f"{float(value):.8f}".rstrip("0").rstrip(".")
    return Literal(text if text not in {"", "-0"} else "0", datatype=XSD.decimal)


def write_back(target: KnowledgeGraph | str | Path, result: AnalysisResult) -> int:
    """Replace the analysis named graph of a built graph's store with `result`'s scores.

    `target` is the build folder or the URL of the SPARQL server holding the graph (or a
    graph opened from either; a server's graph is sent with the Graph Store Protocol).
    Returns the number of quads written. Raises `StoreError` when the store is missing or
    cannot be opened for writing, or the server refuses the graph.
    """
    import pyoxigraph as ox
    from oxrdflib._converter import to_ox

    from kg.remote import is_url, put_graphs

    url = target.url if isinstance(target, KnowledgeGraph) else str(target) if is_url(target) else None
    if url is not None:
        quads = list(analysis_quads(result))
        put_graphs(url, quads, [str(ANALYSIS_GRAPH)])
        return len(quads)
    build_dir = target.path if isinstance(target, KnowledgeGraph) else Path(target)
    if build_dir is None or not (Path(build_dir) / STORE_DIR).is_dir():
        raise StoreError(f"{build_dir}: no graph store here (run `kg build` first)")
    path = Path(build_dir) / STORE_DIR
    try:
        store = ox.Store(str(path))
    except OSError as err:
        raise StoreError(f"{path}: cannot open the graph store for writing ({err})") from err
    graph = ox.NamedNode(str(ANALYSIS_GRAPH))
    quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph) for s, p, o, _ in analysis_quads(result)]
    if store.contains_named_graph(graph):
        store.remove_graph(graph)
    store.extend(quads)
    store.flush()
    return len(quads)
