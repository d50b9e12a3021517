"""Graph pages: interactive pyvis networks of aid and of contacts that open offline.

`write_pages(graph, out_dir)` writes the aid network (arrows donor -> recipient), the
contact network (calls, visits, meetings...) and one ego page per country, plus an index.
Node size is degree centrality, colour the actor's kind, edge width the number of aid flows.
Hovering an edge lists its flows (items, amounts, dates, status) with the source sentence
and document; hovering a node gives the actor's names, kind, positions and totals.

Pages need no internet: vis-network (shipped inside pyvis) and the page's own script and
style are copied into `lib/` beside them. `screenshot_pages` photographs them with Debian's
headless Chromium driven by Playwright.
"""
from __future__ import annotations

import html
import math
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import pyvis
from pyvis.network import Network

from kg.graph import KnowledgeGraph
from kg.namespace import ACTOR_CLASSES

WEB_DIR = Path(__file__).resolve().parent / "web"
PAGE_TEMPLATE = "network.html"
INDEX_TEMPLATE = "index.html"
#: Files copied into `lib/` beside the pages: source -> name there.
PAGE_LIBRARY = {
    Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js": "vis-network.min.js",
    Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.css": "vis-network.css",
    WEB_DIR / "network.js": "cckg-network.js",
    WEB_DIR / "network.css": "cckg-network.css",
}
KIND_COLOURS = {"country": "#3b75af", "organization": "#ef8636", "subnational": "#519e3e",
                "person": "#c53a32", "group": "#8d69b8"}
KIND_NAMES = {"country": "country", "organization": "organization", "subnational": "subnational government",
              "person": "person", "group": "group of actors"}
AID_EDGE = {"color": {"color": "#6f8aa6", "highlight": "#d35400", "hover": "#d35400"}, "arrows": "to"}
CONTACT_EDGE = {"color": {"color": "#9a9a9a", "highlight": "#d35400", "hover": "#d35400"}, "dashes": True,
                "arrows": {"to": {"enabled": False}}, "smooth": {"enabled": False}}
NETWORK_OPTIONS = {
    "physics": {"enabled": True, "solver": "forceAtlas2Based",
                "forceAtlas2Based": {"gravitationalConstant": -70, "springLength": 130, "avoidOverlap": 0.5},
                "stabilization": {"enabled": True, "iterations": 400, "fit": True}},
    "layout": {"randomSeed": 7},  # the same page lays out the same way each time it opens
    "interaction": {"hover": True, "tooltipDelay": 100},
    "nodes": {"shape": "dot", "borderWidth": 1, "font": {"size": 14, "face": "system-ui, sans-serif"}},
    "edges": {"smooth": {"enabled": True, "type": "curvedCW", "roundness": 0.25},
              "arrows": {"to": {"scaleFactor": 0.6}}, "hoverWidth": 1.5, "selectionWidth": 2},
}
#: Size of the smallest and the most central node, in pixels.
NODE_SIZES = (8, 40)
#: How many flows or contacts an edge's tooltip lists before "and N more".
TOOLTIP_ENTRIES = 12
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

_ACTORS = """SELECT ?actor ?class ?label ?iso3 WHERE {
  VALUES ?class { cckg:Country cckg:Organization cckg:SubnationalGovernment cckg:Person cckg:ActorGroup }
  ?actor a ?class ; rdfs:label ?label . OPTIONAL { ?actor cckg:iso3 ?iso3 } }"""
_ALT_LABELS = "SELECT ?actor ?name WHERE { ?actor skos:altLabel ?name } ORDER BY ?name"
_POSITIONS = """SELECT ?person ?title ?of WHERE { ?person cckg:holdsPosition ?position .
  ?position cckg:title ?title . OPTIONAL { ?position cckg:positionOf/rdfs:label ?of } } ORDER BY ?title"""
_FLOWS = """SELECT ?flow ?donor ?recipient ?status ?date WHERE { ?flow a cckg:AidFlow ;
  cckg:donor ?donor ; cckg:recipient ?recipient . OPTIONAL { ?flow cckg:status/rdfs:label ?status }
  OPTIONAL { ?flow cckg:date ?date } } ORDER BY ?flow"""
_FLOW_TYPES = "SELECT ?flow ?type WHERE { ?flow a cckg:AidFlow ; cckg:aidType/skos:prefLabel ?type } ORDER BY ?type"
_FLOW_ITEMS = """SELECT ?flow ?thing ?quantity ?unit WHERE { ?flow a cckg:AidFlow ; cckg:item ?item .
  ?item rdfs:label ?thing . OPTIONAL { ?item cckg:quantity ?quantity } OPTIONAL { ?item cckg:unit ?unit } }
  ORDER BY ?item"""
_FLOW_AMOUNTS = """SELECT ?flow ?value ?currency WHERE { ?flow a cckg:AidFlow ; cckg:amount ?money .
  ?money schema:value ?value ; schema:currency ?currency }"""
_SOURCES = """SELECT ?fact ?sentence ?file ?title WHERE { ?fact prov:wasDerivedFrom ?mention .
  ?mention cckg:text ?sentence ; cckg:startChar ?start ; cckg:inDocument ?document .
  ?document cckg:fileName ?file . OPTIONAL { ?document dcterms:title ?title } } ORDER BY ?file ?start"""
_CONTACTS = """SELECT ?contact ?kind ?date ?participant WHERE { ?contact a ?class ; cckg:participant ?participant .
  ?class rdfs:subClassOf cckg:Interaction ; rdfs:label ?kind . OPTIONAL { ?contact cckg:date ?date } }
  ORDER BY ?contact ?participant"""


@dataclass(frozen=True)
class Source:
    """Where a fact was read: the sentence, the document's file name and title."""

    sentence: str
    document: str
    title: str = ""


@dataclass(frozen=True)
class Actor:
    """An actor as the pages show it."""

    iri: str
    label: str
    kind: str
    names: tuple[str, ...] = ()
    positions: tuple[str, ...] = ()
    iso3: str | None = None


@dataclass(frozen=True)
class Flow:
    """One aid flow as the pages show it."""

    iri: str
    donor: str
    recipient: str
    status: str = ""
    date: str = ""
    aid_types: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    amounts: tuple[tuple[float, str], ...] = ()  # (value, ISO 4217 currency)
    sources: tuple[Source, ...] = ()

    @property
    def month(self) -> str:
        """The flow's month ("2020-03"), or "" where its date says no month."""
        return _month(self.date)


@dataclass(frozen=True)
class Contact:
    """One interaction (call, visit, meeting...) as the pages show it."""

    iri: str
    kind: str
    participants: tuple[str, ...]
    date: str = ""
    sources: tuple[Source, ...] = ()

    @property
    def month(self) -> str:
        """The contact's month ("2020-03"), or "" where its date says no month."""
        return _month(self.date)


def _month(date: str) -> str:
    return date[:7] if len(date) >= 7 else ""


@dataclass
class Cooperation:
    """Everything the pages draw: actors by IRI, aid flows and contacts."""

    actors: dict[str, Actor] = field(default_factory=dict)
    flows: list[Flow] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)


@dataclass(frozen=True)
class Page:
    """A written page: its file and how many nodes and edges it draws."""

    path: Path
    title: str
    nodes: int
    edges: int


def read_cooperation(graph: KnowledgeGraph) -> Cooperation:
    """Read actors, aid flows and contacts from a built graph."""
    sources = _grouped(graph, _SOURCES, lambda row: Source(str(row[1]), str(row[2]), _text(row[3])))
    actors = _read_actors(graph)
    types = _grouped(graph, _FLOW_TYPES, lambda row: str(row[1]))
    items = _grouped(graph, _FLOW_ITEMS, lambda row: _item_text(row[1], row[2], row[3]))
    amounts = _grouped(graph, _FLOW_AMOUNTS, lambda row: (float(row[1]), str(row[2])))
    flows = [Flow(str(f), str(d), str(r), _text(s).lower(), _text(date), tuple(types[str(f)]),
                  tuple(items[str(f)]), tuple(amounts[str(f)]), tuple(sources[str(f)]))
             for f, d, r, s, date in graph.query(_FLOWS) if str(d) in actors and str(r) in actors]
    return Cooperation(actors, flows, _read_contacts(graph, actors, sources))


def _read_actors(graph: KnowledgeGraph) -> dict[str, Actor]:
    kinds = {str(cls): kind for kind, cls in ACTOR_CLASSES.items()}
    names = _grouped(graph, _ALT_LABELS, lambda row: str(row[1]))
    positions = _grouped(graph, _POSITIONS, lambda row: f"{row[1]} of {row[2]}" if row[2] else str(row[1]))
    return {str(iri): Actor(str(iri), str(label), kinds[str(cls)], tuple(names[str(iri)]),
                            tuple(dict.fromkeys(positions[str(iri)])), _text(iso3) or None)
            for iri, cls, label, iso3 in graph.query(_ACTORS)}


def _read_contacts(graph: KnowledgeGraph, actors: dict[str, Actor], sources: dict) -> list[Contact]:
    rows = defaultdict(list)
    for contact, kind, date, participant in graph.query(_CONTACTS):
        rows[(str(contact), str(kind), _text(date))].append(str(participant))
    return [Contact(iri, kind, tuple(p for p in participants if p in actors), date, tuple(sources[iri]))
            for (iri, kind, date), participants in rows.items()]


def _grouped(graph: KnowledgeGraph, sparql: str, value) -> defaultdict[str, list]:
    """Rows of a query whose first column is a key, as key -> [value(row), ...]."""
    groups = defaultdict(list)
    for row in graph.query(sparql):
        groups[str(row[0])].append(value(row))
    return groups


def _text(term) -> str:
    return "" if term is None else str(term)


def _number(value) -> str:
    """A number for people: 5000.0 -> "5,000"; 1.5 -> "1.5"."""
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,}"


def _item_text(thing, quantity, unit) -> str:
    """ "face masks (100,000 piece)", or the bare thing where no quantity is stated."""
    if quantity is None:
        return str(thing)
    return f"{thing} ({_number(quantity)}{' ' + str(unit) if unit else ''})"


def aid_network(cooperation: Cooperation) -> nx.MultiDiGraph:
    """The aid network: one edge donor -> recipient per flow (key: the flow's IRI, `flow`: the Flow).

    Examples:
        >>> flow = Flow("f1", "a", "b", "delivered", "2020-03-01")
        >>> actors = {i: Actor(i, i.upper(), "country") for i in "ab"}
        >>> network = aid_network(Cooperation(actors, [flow], []))
        >>> list(network.edges(keys=True))
        [('a', 'b', 'f1')]
    """
    network = nx.MultiDiGraph()
    for flow in cooperation.flows:
        network.add_edge(flow.donor, flow.recipient, key=flow.iri, flow=flow)
    return network


def contact_network(cooperation: Cooperation) -> nx.MultiGraph:
    """The contact network: an edge between each two participants of each contact (`contact`: the Contact).

    Examples:
        >>> contact = Contact("c1", "Phone call", ("a", "b", "c"))
        >>> network = contact_network(Cooperation({}, [], [contact]))
        >>> sorted(network.edges())
        [('a', 'b'), ('a', 'c'), ('b', 'c')]
    """
    network = nx.MultiGraph()
    for contact in cooperation.contacts:
        for position, first in enumerate(contact.participants):
            for second in contact.participants[position + 1:]:
                if first != second:
                    network.add_edge(first, second, key=contact.iri, contact=contact)
    return network


def ego_networks(aid: nx.MultiDiGraph, contacts: nx.MultiGraph, ego: str) -> tuple[nx.MultiDiGraph, nx.MultiGraph]:
    """The parts of both networks among `ego` and the actors it gave to, got from or met."""
    neighbours = {ego}
    for network in (aid, contacts):
        if ego in network:
            neighbours.update(nx.all_neighbors(network, ego))
    return aid.subgraph(neighbours).copy(), contacts.subgraph(neighbours).copy()


def write_pages(graph: KnowledgeGraph, out_dir: str | Path) -> list[Page]:
    """Write the aid network, the contact network, one ego page per country and an index.

    Returns:
        The pages written, the index last.
    """
    out_dir = Path(out_dir)
    _copy_library(out_dir)
    cooperation = read_cooperation(graph)
    aid, contacts = aid_network(cooperation), contact_network(cooperation)
    pages = [
        render_page(cooperation, aid, None, "Aid network: who gave to whom", out_dir / "aid-network.html"),
        render_page(cooperation, None, contacts, "Contact network: calls, visits, meetings and letters",
                    out_dir / "contact-network.html"),
    ]
    for actor in sorted(cooperation.actors.values(), key=lambda a: a.label):
        if actor.kind == "country" and (actor.iri in aid or actor.iri in contacts):
            ego_aid, ego_contacts = ego_networks(aid, contacts, actor.iri)
            pages.append(render_page(cooperation, ego_aid, ego_contacts, f"{actor.label}: aid and contacts",
                                     out_dir / f"country-{_file_key(actor)}.html", ego=actor.iri))
    index = out_dir / "index.html"
    index.write_text(_index_html(pages), encoding="utf-8")
    return pages


def _file_key(actor: Actor) -> str:
    return actor.iso3 or actor.iri.rstrip("/").rsplit("/", 1)[-1]


def _copy_library(out_dir: Path) -> None:
    """Put vis-network and the pages' own script and style in `lib/` beside the pages."""
    library = out_dir / "lib"
    library.mkdir(parents=True, exist_ok=True)
    for source, name in PAGE_LIBRARY.items():
        shutil.copyfile(source, library / name)


def render_page(cooperation: Cooperation, aid: nx.MultiDiGraph | None, contacts: nx.MultiGraph | None,
                title: str, path: Path, *, ego: str | None = None) -> Page:
    """Write one page drawing the aid edges of `aid` and the contact edges of `contacts`."""
    aid = aid if aid is not None else nx.MultiDiGraph()
    contacts = contacts if contacts is not None else nx.MultiGraph()
    net = Network(height="100%", width="100%", directed=True, heading=title)
    net.options = NETWORK_OPTIONS
    sizes = _node_sizes(aid, contacts)
    for iri in sorted(sizes):
        actor = cooperation.actors[iri]
        net.add_node(iri, label=actor.label, title=actor_tooltip(actor, cooperation, aid, contacts),
                     color=KIND_COLOURS[actor.kind], size=sizes[iri], kind=actor.kind,
                     kindName=KIND_NAMES[actor.kind], ego=iri == ego, borderWidth=4 if iri == ego else 1)
    for number, (donor, recipient, flows) in enumerate(_edge_groups(aid, "flow")):
        _add_aid_edge(net, f"aid-{number}", donor, recipient, flows, cooperation)
    for number, (first, second, met) in enumerate(_edge_groups(contacts, "contact")):
        _add_contact_edge(net, f"contact-{number}", first, second, met, cooperation)
    net.set_template_dir(str(WEB_DIR), PAGE_TEMPLATE)
    path.write_text(net.generate_html(name=path.name), encoding="utf-8")
    return Page(path, title, len(net.nodes), len(net.edges))


def _node_sizes(aid: nx.MultiDiGraph, contacts: nx.MultiGraph) -> dict[str, float]:
    """Node sizes by degree centrality in both networks taken together, as one simple graph."""
    together = nx.Graph()
    together.add_nodes_from(aid)
    together.add_nodes_from(contacts)
    together.add_edges_from((u, v) for u, v, _ in aid.edges(keys=True))
    together.add_edges_from((u, v) for u, v, _ in contacts.edges(keys=True))
    centrality = nx.degree_centrality(together) if len(together) > 1 else dict.fromkeys(together, 1.0)
    top = max(centrality.values(), default=1.0) or 1.0
    smallest, largest = NODE_SIZES
    return {node: round(smallest + (largest - smallest) * value / top, 1) for node, value in centrality.items()}


def _edge_groups(network: nx.MultiGraph, attribute: str) -> Iterable[tuple[str, str, list]]:
    """(one end, other end, [attribute of each parallel edge]) per pair of a multigraph, sorted."""
    groups = defaultdict(list)
    for u, v, data in network.edges(data=True):
        pair = (u, v) if network.is_directed() else tuple(sorted((u, v)))
        groups[pair].append(data[attribute])
    return ((u, v, values) for (u, v), values in sorted(groups.items()))


def _add_aid_edge(net: Network, edge_id: str, donor: str, recipient: str, flows: list[Flow],
                  cooperation: Cooperation) -> None:
    flows = sorted(flows, key=lambda f: (f.date, f.iri))
    net.add_edge(donor, recipient, id=edge_id, relation="aid", width=round(1 + 2 * math.log2(len(flows)), 2),
                 title=flows_tooltip(flows, cooperation),
                 facets=[{"types": list(f.aid_types), "month": f.month} for f in flows], **AID_EDGE)


def _add_contact_edge(net: Network, edge_id: str, first: str, second: str, met: list[Contact],
                      cooperation: Cooperation) -> None:
    met = sorted(set(met), key=lambda c: (c.date, c.iri))
    net.add_edge(first, second, id=edge_id, relation="contact", width=round(1 + math.log2(len(met)), 2),
                 title=contacts_tooltip(first, second, met, cooperation),
                 facets=[{"types": [], "month": c.month} for c in met], **CONTACT_EDGE)


def flows_tooltip(flows: list[Flow], cooperation: Cooperation) -> str:
    """Plain text listing aid flows of one donor to one recipient, each with its sources.

    Examples:
        >>> actors = {"a": Actor("a", "China", "country"), "b": Actor("b", "Italy", "country")}
        >>> flow = Flow("f", "a", "b", "delivered", "2020-03-12", ("medical team",), ("experts (9 person)",),
        ...             (), (Source("China sent nine experts to Italy.", "003.txt"),))
        >>> print(flows_tooltip([flow], Cooperation(actors)))
        China → Italy: 1 aid flow
        • 2020-03-12 · delivered · medical team · experts (9 person)
          “China sent nine experts to Italy.” (003.txt)
    """
    first = flows[0]
    lines = [f"{cooperation.actors[first.donor].label} → {cooperation.actors[first.recipient].label}: "
             f"{len(flows)} aid flow{'s' if len(flows) != 1 else ''}"]
    for flow in flows[:TOOLTIP_ENTRIES]:
        facts = [flow.date or "no date", flow.status, ", ".join(flow.aid_types), "; ".join(flow.items),
                 " + ".join(f"{_number(value)} {currency}" for value, currency in flow.amounts)]
        lines.append("• " + " · ".join(fact for fact in facts if fact))
        lines.extend(_source_lines(flow.sources))
    if len(flows) > TOOLTIP_ENTRIES:
        lines.append(f"… and {len(flows) - TOOLTIP_ENTRIES} more")
    return "\n".join(lines)


def contacts_tooltip(first: str, second: str, met: list[Contact], cooperation: Cooperation) -> str:
    """Plain text listing the contacts two actors took part in together, each with its sources."""
    names = cooperation.actors[first].label, cooperation.actors[second].label
    lines = [f"{names[0]} — {names[1]}: {len(met)} contact{'s' if len(met) != 1 else ''}"]
    for contact in met[:TOOLTIP_ENTRIES]:
        lines.append(f"• {contact.date or 'no date'} · {contact.kind}")
        lines.extend(_source_lines(contact.sources))
    if len(met) > TOOLTIP_ENTRIES:
        lines.append(f"… and {len(met) - TOOLTIP_ENTRIES} more")
    return "\n".join(lines)


def _source_lines(sources: Iterable[Source]) -> list[str]:
    return [f"  “{source.sentence}” ({source.document})" for source in sources]


def actor_tooltip(actor: Actor, cooperation: Cooperation, aid: nx.MultiDiGraph, contacts: nx.MultiGraph) -> str:
    """Plain text about an actor: names, kind, positions and the totals of what the page shows."""
    lines = [f"{actor.label} ({KIND_NAMES[actor.kind]})"]
    if actor.names:
        lines.append("also: " + ", ".join(actor.names))
    lines.extend(f"position: {position}" for position in actor.positions)
    given = [data["flow"] for _, _, data in aid.out_edges(actor.iri, data=True)] if actor.iri in aid else []
    received = [data["flow"] for _, _, data in aid.in_edges(actor.iri, data=True)] if actor.iri in aid else []
    if given:
        lines.append(_totals_line("gave", given, lambda f: f.recipient, "recipient"))
    if received:
        lines.append(_totals_line("received", received, lambda f: f.donor, "donor"))
    if actor.iri in contacts:
        met = {data["contact"].iri for _, _, data in contacts.edges(actor.iri, data=True)}
        lines.append(f"contacts: {len(met)}")
    return "\n".join(lines)


def _totals_line(verb: str, flows: list[Flow], other_end, other_name: str) -> str:
    """ "gave 5 aid flows (4 delivered) to 3 recipients; 100,000,000 USD" """
    delivered = sum(flow.status == "delivered" for flow in flows)
    partners = len({other_end(flow) for flow in flows})
    money = Counter()
    for value, currency in (amount for flow in flows for amount in flow.amounts):
        money[currency] += value
    sums = "; ".join(f"{_number(value)} {currency}" for currency, value in sorted(money.items()))
    preposition = "to" if verb == "gave" else "from"
    line = (f"{verb} {len(flows)} aid flow{'s' if len(flows) != 1 else ''} ({delivered} delivered) "
            f"{preposition} {partners} {other_name}{'s' if partners != 1 else ''}")
    return line + (f"; {sums}" if sums else "")


def _index_html(pages: list[Page]) -> str:
    """The index page: a link to each page, with its counts."""
    links = "\n".join(f'<li><a href="{html.escape(page.path.name)}">{html.escape(page.title)}</a> '
                      f"({page.nodes} actors, {page.edges} links)</li>" for page in pages)
    return (WEB_DIR / INDEX_TEMPLATE).read_text(encoding="utf-8").replace("{links}", links)


def screenshot_pages(pages: Iterable[Path], *, width: int = 1400, height: int = 900,
                     timeout_ms: int = 60_000) -> list[Path]:
    """Photograph each page (opened from disk, network blocked) into a PNG beside it.

    Uses Debian's Chromium at /usr/bin/chromium through Playwright; waits until the
    network has settled before each picture.
    """
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                       else route.abort())
            for path in pages:
                page.goto(Path(path).resolve().as_uri())
                page.wait_for_function("window.cckgReady === true", timeout=timeout_ms)
                target = Path(path).with_suffix(".png")
                page.screenshot(path=str(target))
                written.append(target)
        finally:
            browser.close()
    return written
