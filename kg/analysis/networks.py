"""The graph projected into NetworkX: the aid network and the interaction network.

The *aid network* is a MultiDiGraph with one edge per `cckg:AidFlow`, from donor to
recipient, carrying the flow's date, status, item count and money in US dollars. The
*interaction network* is a Graph joining every two actors that took part in the same
`cckg:Interaction`, weighted by how many they shared.

With the country roll-up on (the default), an organization or sub-national government
that belongs to a country (`cckg:country`) stands for that country: a gift by Hubei, by a
Chinese company or by China's embassy counts as China's. Gifts within one actor (Hubei to
China, once rolled up) are left out: they are not exchanges between two actors.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import combinations

import networkx as nx
import pandas as pd

from kg.gazetteer import DATA_DIR, read_table
from kg.graph import KnowledgeGraph
from kg.namespace import ACTOR_CLASSES, CCKG, INTERACTION_CLASSES

#: 2020 average exchange rates, units of currency per US dollar (source named in the file).
RATES_FILE = DATA_DIR / "usd_rates_2020.tsv"
#: Actor kinds that stand for their country (`cckg:country`) under the roll-up.
ROLL_UP_KINDS = ("subnational", "organization")
#: Edge weights of the aid network.
AID_WEIGHTS = ("flows", "items", "usd")

_KIND_OF_CLASS = {str(cls): kind for kind, cls in ACTOR_CLASSES.items()}
_FLOWS_QUERY = """
SELECT ?flow ?donor ?recipient (SAMPLE(?when) AS ?date) (SAMPLE(?state) AS ?status)
       (COUNT(DISTINCT ?item) AS ?items) (SAMPLE(?money) AS ?value) (SAMPLE(?code) AS ?currency)
WHERE {
  ?flow a cckg:AidFlow ; cckg:donor ?donor ; cckg:recipient ?recipient .
  OPTIONAL { ?flow cckg:date ?when }
  OPTIONAL { ?flow cckg:status ?state }
  OPTIONAL { ?flow cckg:item ?item }
  OPTIONAL { ?flow cckg:amount ?amount . ?amount schema:value ?money .
             OPTIONAL { ?amount schema:currency ?code } }
} GROUP BY ?flow ?donor ?recipient ORDER BY ?flow"""
_PARTICIPANTS_QUERY = """
SELECT DISTINCT ?interaction ?participant WHERE {
  VALUES ?class { %s }
  ?interaction a ?class ; cckg:participant ?participant .
} ORDER BY ?interaction ?participant""" % " ".join(f"<{c}>" for c in [CCKG.Interaction, *INTERACTION_CLASSES.values()])
_ACTORS_QUERY = """
SELECT ?actor (SAMPLE(?class) AS ?type) (SAMPLE(?name) AS ?label) (SAMPLE(?code) AS ?iso3)
       (SAMPLE(?of) AS ?country) WHERE {
  VALUES ?class { %s }
  ?actor a ?class .
  OPTIONAL { ?actor rdfs:label ?name }
  OPTIONAL { ?actor cckg:iso3 ?code }
  OPTIONAL { ?actor cckg:country ?of }
} GROUP BY ?actor""" % " ".join(f"<{c}>" for c in _KIND_OF_CLASS)


@dataclass(frozen=True)
class _Actor:
    label: str
    kind: str
    iso3: str | None = None
    country: str | None = None


@lru_cache(maxsize=1)
def usd_rates() -> dict[str, float]:
    """2020 average exchange rates: ISO 4217 code -> units of that currency per US dollar.

    Examples:
        >>> usd_rates()["USD"], usd_rates()["CNY"]
        (1.0, 6.9008)
    """
    return {row["code"]: float(row["per_usd"]) for row in read_table(RATES_FILE)}


def to_usd(value: float | Decimal | None, currency: str | None) -> float:
    """An amount in US dollars at the 2020 average rate; NaN for an unknown currency.

    Examples:
        >>> round(to_usd(690_080, "CNY"))
        100000
        >>> to_usd(None, None), math.isnan(to_usd(5, "XYZ"))
        (0.0, True)
    """
    if value is None:
        return 0.0
    rate = usd_rates().get((currency or "USD").upper())
    return float(value) / rate if rate else math.nan


def _actors(graph: KnowledgeGraph) -> dict[str, _Actor]:
    actors = {}
    for row in graph.query(_ACTORS_QUERY):
        iri = str(row.actor)
        actors[iri] = _Actor(label=str(row.label) if row.label else iri.rsplit("/", 1)[-1],
                             kind=_KIND_OF_CLASS[str(row.type)],
                             iso3=str(row.iso3) if row.iso3 else None,
                             country=str(row.country) if row.country else None)
    return actors


def _stands_for(iri: str, actors: dict[str, _Actor], roll_up: bool) -> str:
    """The node an actor is counted as: its country under the roll-up, else itself."""
    actor = actors.get(iri)
    if roll_up and actor and actor.kind in ROLL_UP_KINDS and actor.country in actors:
        return actor.country
    return iri


def _add_actor(network: nx.Graph, iri: str, actors: dict[str, _Actor]) -> None:
    actor = actors.get(iri) or _Actor(label=iri.rsplit("/", 1)[-1], kind="actor")
    network.add_node(iri, label=actor.label, kind=actor.kind, iso3=actor.iso3)


def aid_network(graph: KnowledgeGraph, *, roll_up: bool = True) -> nx.MultiDiGraph:
    """The aid network: actors as nodes, one edge per aid flow from donor to recipient.

    Nodes carry `label`, `kind` and `iso3`; edges carry `flow` (its IRI), `date` (ISO,
    as precise as the text), `status`, `flows` (1), `items`, `usd`, and the donor and
    recipient actors before the roll-up (`donor_actor`, `recipient_actor`).

    Examples:
        >>> from kg.store import memory_dataset
        >>> aid_network(KnowledgeGraph(memory_dataset([]))).number_of_edges()
        0
    """
    actors = _actors(graph)
    network = nx.MultiDiGraph(roll_up=roll_up)
    for row in graph.query(_FLOWS_QUERY):
        donor = _stands_for(str(row.donor), actors, roll_up)
        recipient = _stands_for(str(row.recipient), actors, roll_up)
        if donor == recipient:  # a gift within one actor, once rolled up
            continue
        _add_actor(network, donor, actors)
        _add_actor(network, recipient, actors)
        network.add_edge(donor, recipient, key=str(row.flow), flow=str(row.flow),
                         date=str(row.date) if row.date else None,
                         status=str(row.status).rsplit("#", 1)[-1].lower() if row.status else None,
                         flows=1, items=int(row["items"]), usd=to_usd(row.value, row.currency),
                         donor_actor=str(row.donor), recipient_actor=str(row.recipient))
    return network


def interaction_network(graph: KnowledgeGraph, *, roll_up: bool = True) -> nx.Graph:
    """The interaction network: an edge joins two actors of one interaction, weighted by
    how many interactions they shared (`interactions`).

    Examples:
        >>> from kg.store import memory_dataset
        >>> interaction_network(KnowledgeGraph(memory_dataset([]))).number_of_nodes()
        0
    """
    actors = _actors(graph)
    members: dict[str, set[str]] = {}
    for row in graph.query(_PARTICIPANTS_QUERY):
        members.setdefault(str(row.interaction), set()).add(_stands_for(str(row.participant), actors, roll_up))
    network = nx.Graph(roll_up=roll_up)
    for group in members.values():
        for iri in sorted(group):
            _add_actor(network, iri, actors)
        for u, v in combinations(sorted(group), 2):
            shared = network.get_edge_data(u, v, default={}).get("interactions", 0)
            network.add_edge(u, v, interactions=shared + 1)
    return network


def collapse(network: nx.Graph) -> nx.Graph:
    """One edge per ordered pair, summing `flows`, `items` and `usd` (a NaN adds nothing).

    Examples:
        >>> multi = nx.MultiDiGraph([("a", "b", {"flows": 1, "items": 2, "usd": 5.0})] * 2)
        >>> collapse(multi).edges["a", "b"]
        {'flows': 2, 'items': 4, 'usd': 10.0}
    """
    if not network.is_multigraph():
        return network
    simple = nx.DiGraph(**network.graph) if network.is_directed() else nx.Graph(**network.graph)
    simple.add_nodes_from(network.nodes(data=True))
    for u, v, data in network.edges(data=True):
        if not simple.has_edge(u, v):
            simple.add_edge(u, v, flows=0, items=0, usd=0.0)
        edge = simple.edges[u, v]
        edge["flows"] += data.get("flows", 1)
        edge["items"] += data.get("items", 0)
        edge["usd"] += 0.0 if math.isnan(data.get("usd", 0.0)) else data.get("usd", 0.0)
    return simple


def flow_table(network: nx.MultiDiGraph) -> pd.DataFrame:
    """One row per edge of an aid network, sorted by date (`start`: its first day).

    Examples:
        >>> network = nx.MultiDiGraph()
        >>> _ = network.add_edge("a", "b", flow="f1", date="2020-02", flows=1, items=0, usd=0.0)
        >>> flow_table(network)[["donor", "recipient", "date", "start"]].values.tolist()
        [['a', 'b', '2020-02', Timestamp('2020-02-01 00:00:00')]]
    """
    rows = [{"flow": data.get("flow"), "donor": u, "recipient": v,
             "donor_label": label_of(network, u), "recipient_label": label_of(network, v),
             "date": data.get("date"), "start": first_day(data.get("date")), "status": data.get("status"),
             "items": data.get("items", 0), "usd": data.get("usd", 0.0),
             "donor_actor": data.get("donor_actor", u), "recipient_actor": data.get("recipient_actor", v)}
            for u, v, data in network.edges(data=True)]
    frame = pd.DataFrame(rows, columns=["flow", "donor", "recipient", "donor_label", "recipient_label", "date",
                                        "start", "status", "items", "usd", "donor_actor", "recipient_actor"])
    frame["start"] = pd.to_datetime(frame["start"])
    return frame.sort_values(["start", "flow"], na_position="last", ignore_index=True)


def label_of(network: nx.Graph, node: str) -> str:
    """A node's `label` attribute, or the node itself when it has none.

    Examples:
        >>> network = nx.Graph()
        >>> network.add_node("https://w3id.org/cckg/id/country/CHN", label="China")
        >>> label_of(network, "https://w3id.org/cckg/id/country/CHN")
        'China'
    """
    return network.nodes[node].get("label", str(node))


def first_day(date: str | None) -> pd.Timestamp | None:
    """The first day of an ISO date, year-month or year; None when missing or unreadable.

    Examples:
        >>> first_day("2020-02"), first_day("2020"), first_day(None)
        (Timestamp('2020-02-01 00:00:00'), Timestamp('2020-01-01 00:00:00'), None)
    """
    try:
        return pd.Timestamp(date[:10]) if isinstance(date, str) else None
    except ValueError:
        return None


def as_aid_network(source: KnowledgeGraph | nx.Graph, roll_up: bool = True) -> nx.Graph:
    """The aid network of a graph; a network given instead is returned as it is.

    Examples:
        >>> network = nx.MultiDiGraph([("a", "b")])
        >>> as_aid_network(network) is network
        True
    """
    return aid_network(source, roll_up=roll_up) if isinstance(source, KnowledgeGraph) else source
