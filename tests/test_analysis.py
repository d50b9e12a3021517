"""Analysis: each measure on small hand-built graphs whose right answers are known."""
from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from decimal import Decimal

import networkx as nx
import pandas as pd
import pytest
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python
from rdflib import RDF, RDFS, XSD, Literal, URIRef

from kg.analysis import (ANALYSIS_GRAPH, AnalysisResult, aid_network, analysis_quads, analyze, by_period,
                         centrality, communities, interaction_network, pagerank, pair_iri, period_centrality,
                         reciprocity, to_usd, usd_rates)
from kg.graph import KnowledgeGraph
from kg.namespace import CCKG, ID, SCHEMA
from kg.store import memory_dataset

GRAPH = ID["graph/test"]
CHN, JPN, KOR, ITA = (ID[f"country/{code}"] for code in ("CHN", "JPN", "KOR", "ITA"))
HUBEI = ID["subnational/CHN/hubei"]
JACK_MA = ID["org/jack-ma-foundation"]
XI = ID["person/xi-jinping"]


def country(iri: URIRef, label: str) -> list[tuple]:
    return [(iri, RDF.type, CCKG.Country, GRAPH), (iri, RDFS.label, Literal(label), GRAPH),
            (iri, CCKG.iso3, Literal(str(iri)[-3:]), GRAPH)]


def member(iri: URIRef, cls: URIRef, label: str, of: URIRef | None = None) -> list[tuple]:
    quads = [(iri, RDF.type, cls, GRAPH), (iri, RDFS.label, Literal(label), GRAPH)]
    return quads + ([(iri, CCKG.country, of, GRAPH)] if of else [])


def flow(name: str, donor: URIRef, recipient: URIRef, date: Literal | None = None, items: int = 0,
         amount: tuple[str, str] | None = None) -> list[tuple]:
    iri = ID[f"aid/{name}"]
    quads = [(iri, RDF.type, CCKG.AidFlow, GRAPH), (iri, CCKG.donor, donor, GRAPH),
             (iri, CCKG.recipient, recipient, GRAPH), (iri, CCKG.status, CCKG.Delivered, GRAPH)]
    if date is not None:
        quads.append((iri, CCKG.date, date, GRAPH))
    for n in range(items):
        item = URIRef(f"{iri}/item/{n}")
        quads += [(iri, CCKG.item, item, GRAPH), (item, CCKG.quantity, Literal(Decimal(10), datatype=XSD.decimal), GRAPH)]
    if amount:
        money = URIRef(f"{iri}/amount")
        quads += [(iri, CCKG.amount, money, GRAPH), (money, SCHEMA.currency, Literal(amount[1]), GRAPH),
                  (money, SCHEMA.value, Literal(Decimal(amount[0]), datatype=XSD.decimal), GRAPH)]
    return quads


def day(text: str) -> Literal:
    return Literal(text, datatype={4: XSD.gYear, 7: XSD.gYearMonth}.get(len(text), XSD.date))


def knowledge_graph(*parts: list[tuple]) -> KnowledgeGraph:
    return KnowledgeGraph(memory_dataset([quad for part in parts for quad in part]))


ACTORS = [*country(CHN, "China"), *country(JPN, "Japan"), *country(KOR, "South Korea"), *country(ITA, "Italy"),
          *member(HUBEI, CCKG.SubnationalGovernment, "Hubei", CHN),
          *member(JACK_MA, CCKG.Organization, "Jack Ma Foundation", CHN), *member(XI, CCKG.Person, "Xi Jinping")]


@pytest.fixture
def exchange():
    """Japan gives China twice (Jan 25, Feb 17), China gives back once (some day in Feb)."""
    return knowledge_graph(ACTORS, flow("j1", JPN, CHN, day("2020-01-25"), items=2),
                           flow("j2", JPN, CHN, day("2020-02-17"), items=1, amount=("1067700", "JPY")),
                           flow("c1", CHN, JPN, day("2020-02"), items=3, amount=("690080", "CNY")),
                           flow("c2", CHN, KOR, day("2020"), amount=("5", "XYZ")))


# --- reciprocity --------------------------------------------------------------------------


def test_reciprocity_of_three_nodes_is_two_thirds():
    overall, pairs = reciprocity(nx.MultiDiGraph([("a", "b"), ("b", "a"), ("b", "c"), ("b", "c")]))
    assert overall == pytest.approx(2 / 3)
    assert pairs[["a", "b", "flows_ab", "flows_ba", "mutual"]].values.tolist() == [
        ["a", "b", 1, 1, True], ["b", "c", 2, 0, False]]


def test_pair_measures_each_way(exchange):
    overall, pairs = reciprocity(exchange)
    assert overall == pytest.approx(2 / 3)  # CHN->JPN, JPN->CHN reciprocated; CHN->KOR not
    japan = pairs.iloc[0].to_dict()
    assert (japan["label_a"], japan["label_b"], japan["mutual"]) == ("Japan", "China", True)
    assert (japan["flows_ab"], japan["flows_ba"], japan["items_ab"], japan["items_ba"]) == (2, 1, 3, 3)
    assert japan["usd_ab"] == pytest.approx(10_000) and japan["usd_ba"] == pytest.approx(100_000)
    assert (japan["first_ab"], japan["first_ba"]) == ("2020-01-25", "2020-02")
    assert japan["first_flow_ab"] == str(ID["aid/j1"])
    assert japan["lag_days"] == 7  # Jan 25 -> Feb 1 (a month counts as its first day)
    assert japan["pair"] == str(ID["pair/CHN--JPN"]) == str(pair_iri(str(CHN), str(JPN)))
    korea = pairs.iloc[1]
    assert (korea["label_a"], bool(korea["mutual"]), korea["flows_ba"]) == ("China", False, 0)
    assert korea["usd_ab"] == 0  # an amount in an unknown currency adds nothing
    assert korea["lag_days"] is pd.NA


def test_first_giver_is_the_earlier_dated_direction():
    network = nx.MultiDiGraph()
    network.add_edge("b", "a", date="2020-03-01")
    network.add_edge("a", "b", date="2020-04-15")
    network.add_edge("a", "b")  # undated: not the first flow
    [row] = reciprocity(network)[1].to_dict(orient="records")
    assert (row["a"], row["b"], row["first_ab"], row["first_ba"], row["lag_days"]) == ("b", "a", "2020-03-01",
                                                                                    "2020-04-15", 45)


@pytest.mark.parametrize(("value", "currency", "usd"), [
    (100, "USD", 100.0), (6.9008, "CNY", 1.0), (106.77, "JPY", 1.0), (1180.3, "KRW", 1.0), (0.87551, "EUR", 1.0),
    (161.84, "PKR", 1.0), (2813.3, "MNT", 1.0), (None, None, 0.0), (Decimal("6.9008"), "cny", 1.0),
])
def test_usd_conversion(value, currency, usd):
    assert to_usd(value, currency) == pytest.approx(usd)


def test_unknown_currency_is_nan_and_rates_cover_the_common_ones():
    assert math.isnan(to_usd(5, "XYZ"))
    assert {"CNY", "JPY", "KRW", "EUR", "GBP", "INR", "PKR", "PHP", "RUB", "THB", "MYR", "IDR", "VND", "KHR",
            "LAK", "MNT", "KZT", "CHF", "AED", "SAR", "HKD", "SGD", "AUD", "CAD", "TRY", "BRL", "MXN", "ZAR",
            "EGP", "NGN", "KES"} <= set(usd_rates())


# --- roll-up --------------------------------------------------------------------------------


def test_subnational_and_company_donors_count_for_their_country():
    graph = knowledge_graph(ACTORS, flow("h", HUBEI, ITA), flow("m", JACK_MA, ITA), flow("x", XI, JPN),
                            flow("home", HUBEI, CHN))
    rolled = aid_network(graph)
    assert sorted(rolled.edges()) == [(str(CHN), str(ITA)), (str(CHN), str(ITA)), (str(XI), str(JPN))]
    assert {d["donor_actor"] for _, _, d in rolled.edges(data=True)} == {str(HUBEI), str(JACK_MA), str(XI)}
    assert rolled.nodes[str(CHN)]["label"] == "China"


def test_roll_up_switched_off_keeps_each_actor():
    graph = knowledge_graph(ACTORS, flow("h", HUBEI, ITA), flow("m", JACK_MA, ITA), flow("home", HUBEI, CHN))
    plain = aid_network(graph, roll_up=False)
    assert sorted(plain.edges()) == sorted([(str(HUBEI), str(ITA)), (str(JACK_MA), str(ITA)), (str(HUBEI), str(CHN))])
    assert centrality(plain).loc[str(ITA), "in_degree"] == 2


def test_interaction_network_counts_shared_interactions():
    call = ID["interaction/call"]
    visit = ID["interaction/visit"]
    quads = [(call, RDF.type, CCKG.PhoneCall, GRAPH), (visit, RDF.type, CCKG.Visit, GRAPH)]
    quads += [(call, CCKG.participant, who, GRAPH) for who in (CHN, JPN, XI)]
    quads += [(visit, CCKG.participant, who, GRAPH) for who in (HUBEI, JPN)]
    network = interaction_network(knowledge_graph(ACTORS, quads))
    assert network.edges[str(CHN), str(JPN)]["interactions"] == 2  # Hubei counts as China
    assert network.edges[str(CHN), str(XI)]["interactions"] == 1
    assert interaction_network(knowledge_graph(ACTORS, quads), roll_up=False).has_node(str(HUBEI))


# --- centrality ---------------------------------------------------------------------------


def test_pagerank_of_a_symmetric_pair_is_one_half_each():
    ranks = pagerank(nx.DiGraph([("a", "b"), ("b", "a")]))
    assert ranks == pytest.approx({"a": 0.5, "b": 0.5})


@pytest.mark.parametrize("directed", [True, False])
def test_pagerank_agrees_with_networkx(directed):
    network = nx.gnp_random_graph(25, 0.15, seed=7, directed=directed)
    for n, (u, v) in enumerate(network.edges()):
        network.edges[u, v]["flows"] = n % 4  # zero weights included
    expected = _pagerank_python(network, weight="flows", tol=1e-12, max_iter=1000)
    assert pagerank(network, weight="flows", tol=1e-12) == pytest.approx(expected, abs=1e-8)


def test_betweenness_of_the_middle_of_a_path():
    undirected = centrality(nx.path_graph(["a", "b", "c"]), weight=None)
    assert undirected["betweenness"].to_dict() == {"b": 1.0, "a": 0.0, "c": 0.0}
    directed = centrality(nx.DiGraph([("a", "b"), ("b", "c")]), weight=None)
    assert directed.loc["b", "betweenness"] == 0.5  # one of the two ordered pairs (a, c) passes b


def test_degrees_weighted_and_unweighted():
    network = nx.MultiDiGraph()
    for donor, usd in [("a", 10.0), ("a", 5.0), ("c", 1.0)]:
        network.add_edge(donor, "b", flows=1, items=2, usd=usd)
    by_flows = centrality(network, weight="flows")
    assert by_flows.loc["b", ["in_degree", "weighted_in_degree"]].tolist() == [2, 3]
    assert by_flows.loc["a", ["out_degree", "weighted_out_degree"]].tolist() == [1, 2]
    by_usd = centrality(network, weight="usd")
    assert by_usd.loc["b", "weighted_in_degree"] == 16.0 and by_usd.loc["a", "weighted_out_degree"] == 15.0
    assert centrality(network, weight="items").loc["b", "weighted_in_degree"] == 6


def test_eigenvector_of_a_symmetric_pair_and_a_star():
    pair = centrality(nx.DiGraph([("a", "b"), ("b", "a")]), weight=None)
    assert pair["eigenvector"].tolist() == pytest.approx([1 / math.sqrt(2)] * 2)
    star = centrality(nx.star_graph(3), weight=None)  # centre 0, leaves 1..3
    assert star.loc[0, "eigenvector"] == pytest.approx(1 / math.sqrt(2))
    assert star.loc[0, "degree"] == 3


def test_an_unknown_weight_is_an_error():
    with pytest.raises(ValueError, match="weight"):
        centrality(nx.DiGraph([("a", "b")]), weight="flowz")


def test_louvain_finds_two_triangles():
    network = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")])
    table = communities(network, weight=None)
    assert table.groupby("community")["actor"].apply(sorted).tolist() == [["a", "b", "c"], ["x", "y", "z"]]


# --- time windows -------------------------------------------------------------------------


def test_monthly_windows_show_the_direction_reverse(exchange):
    periods = by_period(exchange, freq="month")
    assert periods["period"].tolist() == ["2020-01", "2020-02"]  # the year-only flow fits no month
    assert periods[["flows", "top_donor", "top_recipient"]].values.tolist() == [
        [1, "Japan", "China"], [2, "China, Japan", "China, Japan"]]
    assert periods["reciprocity"].tolist() == [0.0, 1.0]
    february = period_centrality(exchange, freq="month").query("period == '2020-02'").set_index("label")
    assert february.loc["China", ["in_degree", "out_degree"]].tolist() == [1, 1]
    assert by_period(exchange, freq="year")["flows"].tolist() == [4]


# --- everything, and writing back ---------------------------------------------------------


def test_analyze_and_its_quads(exchange):
    result = analyze(exchange)
    assert isinstance(result, AnalysisResult)
    assert result.mutual_pairs[["label_a", "label_b"]].values.tolist() == [["Japan", "China"]]
    assert result.top("in_degree", 1)["label"].tolist() == ["China"]
    assert result.top("out_degree", 1)["label"].tolist() == ["China"]
    written = KnowledgeGraph(memory_dataset(analysis_quads(result)))
    [row] = written.query("""
        SELECT ?lag ?flows ?first WHERE { ?pair a cckg:ReciprocalPair ; cckg:mutual true ; cckg:lagDays ?lag ;
          cckg:direction ?d . ?d cckg:fromMember ?giver ; cckg:flowCount ?flows ; cckg:firstDate ?first }""",
                          {"giver": JPN})
    assert (int(row.lag), int(row.flows), row.first) == (7, 2, Literal("2020-01-25", datatype=XSD.date))
    scores = {str(p): o for s, p, o, g in analysis_quads(result) if s == CHN and g == ANALYSIS_GRAPH}
    assert Decimal(str(scores[str(CCKG.inDegree)])) == 2 and str(CCKG.pagerank) in scores


def test_analyze_rejects_an_unknown_weight(exchange):
    with pytest.raises(ValueError, match="weight"):
        analyze(exchange, weight="tons")


def test_json_document_is_plain(exchange):
    document = json.loads(json.dumps(analyze(exchange, by="month").to_dict(top=3)))
    assert [(p["label_a"], p["label_b"]) for p in document["mutual_pairs"]] == [("Japan", "China")]
    assert document["top_actors"]["aid"]["in_degree"][0]["label"] == "China"
    assert [p["period"] for p in document["periods"]] == ["2020-01", "2020-02"]


# --- the seeds, end to end ----------------------------------------------------------------

SEED_MUTUAL_PAIRS = [{"China", "Japan"}, {"China", "South Korea"}, {"China", "Pakistan"}, {"China", "Mongolia"}]
# The `kg` command as installed: `python -m kg.cli` runs kg/cli.py as __main__, a second copy of the
# module whose `app` never sees the commands that kg/commands/ register on `kg.cli.app`.
KG = [sys.executable, "-c", "from kg.cli import main; main()"]


@pytest.mark.slow
def test_seed_pairs_and_china_leads(seed_build):
    _, graph = seed_build
    result = analyze(graph)
    mutual = [set(pair) for pair in result.mutual_pairs[["label_a", "label_b"]].values.tolist()]
    assert all(pair in mutual for pair in SEED_MUTUAL_PAIRS)
    for measure in ("in_degree", "out_degree", "weighted_in_degree", "weighted_out_degree"):
        assert result.top(measure, 1)["label"].tolist() == ["China"], measure


@pytest.mark.slow
def test_kg_analyze_prints_json_and_writes_back(seed_build, tmp_path):
    build_dir = tmp_path / "build"
    shutil.copytree(seed_build[0], build_dir)  # write back into a copy: the session build stays as built
    done = subprocess.run([*KG, "analyze", str(build_dir), "--format", "json", "--by",
                           "month"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    mutual = [{p["label_a"], p["label_b"]} for p in document["mutual_pairs"]]
    assert all(pair in mutual for pair in SEED_MUTUAL_PAIRS)
    assert document["top_actors"]["aid"]["in_degree"][0]["label"] == "China"
    assert (build_dir / "analysis" / "analysis.json").is_file()
    written = KnowledgeGraph.open(build_dir).query("""
        SELECT ?label WHERE { GRAPH <https://w3id.org/cckg/id/graph/analysis> {
          ?pair a cckg:ReciprocalPair ; cckg:mutual true ; cckg:pairMember ?member } ?member rdfs:label ?label }""")
    assert {"Japan", "South Korea", "Pakistan", "Mongolia"} <= {str(row.label) for row in written}


@pytest.mark.slow
def test_kg_analyze_prints_tables(seed_build):
    done = subprocess.run([*KG, "analyze", str(seed_build[0]), "--no-write-back",
                           "--top", "5"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Reciprocity" in done.stdout and "China" in done.stdout and "PageRank" in done.stdout
