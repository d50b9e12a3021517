"""Saved queries (`ontology/queries/*.rq`): each one answers its question on the seed graph."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from kg.errors import QueryError
from kg.saved_queries import (
    QUERY_DIR,
    bind_params,
    bound_sparql,
    load_saved_query,
    page_sparql,
    parse_param_options,
    parse_saved_query,
    run_saved_query,
    saved_queries,
)
from kg.store import STORE_DIR

SAVED_NAMES = [query.name for query in saved_queries()]
JAPAN = URIRef("https://w3id.org/cckg/id/country/JPN")
#: The analysts' questions the issue asks for, each answered by one saved query.
REQUIRED = ["aid-received", "who-gave-to-whom", "mutual-aid-pairs", "first-foreign-leaders",
            "facts-with-sources", "medical-teams", "aid-by-month", "actors-by-kind", "positions-of-person",
            "organization-donors", "pledged-not-delivered", "facts-from-document"]


def rows(graph, name, **values):
    """The rows of a saved query as dicts of plain strings ("" where unbound)."""
    result = run_saved_query(graph, name, values)
    names = [str(v) for v in result.vars]
    return [{n: "" if v is None else str(v) for n, v in zip(names, row)} for row in result]


def count(graph, sparql):
    return int(next(iter(graph.query(sparql)))[0])


# --- the files -------------------------------------------------------------------------------

def test_there_is_a_saved_query_for_each_question():
    assert len(SAVED_NAMES) >= 12
    assert set(REQUIRED) <= set(SAVED_NAMES)


@pytest.mark.parametrize("name", SAVED_NAMES)
def test_each_file_says_what_it_asks_and_declares_its_prefixes(name):
    query = load_saved_query(name)
    assert len(query.question) > 30 and query.question.endswith(".")
    used = set(re.findall(r"\b([a-z]+):[A-Za-z]", re.sub(r"(?m)^#.*$|<[^>]*>|\"[^\"]*\"", "", query.sparql)))
    declared = set(re.findall(r"PREFIX\s+(\w+):", query.sparql))
    assert used <= declared, f"{name} uses undeclared prefixes {used - declared}"
    for param in query.params:
        assert param.default and param.help, f"{name}: parameter {param.name} needs a default and a help text"
        assert f"?{param.name}" in query.sparql


def test_the_readme_lists_every_saved_query():
    readme = (QUERY_DIR / "README.md").read_text(encoding="utf-8")
    for name in SAVED_NAMES:
        assert f"`{name}`" in readme


# --- parsing and binding -----------------------------------------------------------------------

def test_header_gives_question_and_params():
    query = parse_saved_query("q", '# Who helped?\n# More on it.\n'
                                   '# param: donor (actor, default "China") the donor\n#\n# A note.\nSELECT * {}')
    assert query.question == "Who helped? More on it."
    assert [(p.name, p.kind, p.default, p.help) for p in query.params] == [("donor", "actor", "China", "the donor")]


@pytest.mark.parametrize("line", ["# param: country", "# param: country (planet)", "# param: 1x (actor)"])
def test_malformed_param_lines_are_refused(line):
    with pytest.raises(QueryError, match="bad parameter line"):
        parse_saved_query("q", f"# A question.\n{line}\nSELECT * {{}}")


@pytest.mark.parametrize("options", [["country"], ["=Japan"]])
def test_param_options_need_key_and_value(options):
    with pytest.raises(QueryError, match="KEY=VALUE"):
        parse_param_options(options)


@pytest.mark.parametrize("name", SAVED_NAMES)
def test_saved_queries_leave_paging_to_the_runner(name):
    assert not re.search(r"(?im)^\s*(LIMIT|OFFSET)\b", load_saved_query(name).sparql)


@pytest.mark.parametrize(("limit", "offset", "modifiers"), [
    (10, 0, "LIMIT 11"), (10, 20, "LIMIT 11 OFFSET 20"), (0, 5, "OFFSET 5"), (0, 0, None)])
def test_page_asks_for_one_row_more_than_the_page(limit, offset, modifiers):
    text = page_sparql("SELECT ?f WHERE { ?f a ?c }\nORDER BY ?f # last", limit, offset)
    if modifiers is None:
        assert text.endswith("# last")
    else:
        assert text.endswith(f"# last\n{modifiers}")


def test_page_goes_before_a_trailing_values_clause():
    query = parse_saved_query("q", "# Q.\nSELECT * { ?f a ?c }")
    assert page_sparql(bound_sparql(query, {"c": JAPAN}), 5).endswith(f"LIMIT 6\nVALUES (?c) {{ (<{JAPAN}>) }}")


def test_negative_pages_are_refused():
    with pytest.raises(QueryError, match="0 or more"):
        page_sparql("SELECT * {}", -1)


def test_subqueries_that_project_a_parameter_bind_it_too():
    query = parse_saved_query("q", "# Q.\nSELECT ?f WHERE {\n ?f cckg:recipient ?country .\n OPTIONAL {\n"
                                   "  SELECT ?f ?country (COUNT(?i) AS ?n) WHERE { ?f cckg:recipient ?country ; cckg:item ?i }\n"
                                   "  GROUP BY ?f ?country }\n OPTIONAL {\n  SELECT ?f (COUNT(?d) AS ?m) WHERE { ?f cckg:date ?d }\n"
                                   "  GROUP BY ?f }\n}")
    text = bound_sparql(query, {"country": JAPAN})
    assert text.count(f"VALUES (?country) {{ (<{JAPAN}>) }}") == 2  # the outer block and the projecting subquery
    graph_quads = [(URIRef("urn:f"), URIRef("https://w3id.org/cckg/ontology#recipient"), JAPAN, URIRef("urn:g")),
                   (URIRef("urn:f"), URIRef("https://w3id.org/cckg/ontology#item"), URIRef("urn:i"), URIRef("urn:g"))]
    from kg.graph import KnowledgeGraph
    from kg.store import memory_dataset

    assert [tuple(map(str, row)) for row in KnowledgeGraph(memory_dataset(graph_quads)).query(text)] == [("urn:f",)]


def test_unknown_saved_query_names_the_known_ones():
    with pytest.raises(QueryError, match="aid-received"):
        load_saved_query("no-such-question")
    with pytest.raises(QueryError):
        load_saved_query("../kg/cckg")


# --- on the seed graph -------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("name", SAVED_NAMES)
def test_every_saved_query_returns_rows_on_the_seeds(seed_build, name):
    _, graph = seed_build
    assert rows(graph, name), f"{name} returned no rows"


@pytest.mark.slow
@pytest.mark.parametrize("name", SAVED_NAMES)
def test_saved_queries_run_as_they_are_in_any_sparql_client(seed_build, name):
    """No predeclared prefixes, parameters left open: the files are plain SPARQL."""
    out_dir, _ = seed_build
    store = ox.Store.read_only(str(out_dir / STORE_DIR))
    answers = list(store.query(load_saved_query(name).sparql, use_default_graph_as_union=True))
    assert answers


@pytest.mark.slow
@pytest.mark.parametrize("value", ["Japan", "japan", "JPN", str(JAPAN)])
def test_actor_params_are_looked_up_by_name_or_code(seed_build, value):
    _, graph = seed_build
    assert bind_params(graph, load_saved_query("aid-received"), {"country": value}) == {"country": JAPAN}


@pytest.mark.slow
@pytest.mark.parametrize("value", ['Japan" } ; DROP ALL ; #', "Japan> } #", "?country"])
def test_param_values_cannot_change_the_query(seed_build, value):
    _, graph = seed_build
    with pytest.raises(QueryError, match="no actor of that name"):
        run_saved_query(graph, "aid-received", {"country": value})


@pytest.mark.slow
def test_unknown_param_is_refused(seed_build):
    _, graph = seed_build
    with pytest.raises(QueryError, match="no parameter 'land'"):
        run_saved_query(graph, "aid-received", {"land": "Japan"})


@pytest.mark.slow
def test_aid_received_by_japan(seed_build):
    _, graph = seed_build
    answers = rows(graph, "aid-received", country="Japan")
    assert answers and {row["recipient"] for row in answers} == {"Japan"}
    assert "China" in {row["donor"] for row in answers}
    for row in answers:
        assert row["sentence"] and row["document"].endswith(".txt") and row["status"] in {"Delivered", "Pledged"}


@pytest.mark.slow
def test_aid_received_lists_items_amounts_and_dates(seed_build):
    _, graph = seed_build
    answers = rows(graph, "aid-received", country="China")
    assert {"Japan", "Russia", "Pakistan"} <= {row["donor"] for row in answers}
    assert any(row["items"] for row in answers) and any(row["date"] for row in answers)
    everyone = rows(graph, "aid-received", country="WHO")
    assert any(row["amount"] and row["currency"] == "USD" for row in everyone)


@pytest.mark.slow
def test_aid_given_by_japan(seed_build):
    _, graph = seed_build
    answers = rows(graph, "aid-given", donor="Japan")
    assert answers and {row["giver"] for row in answers} == {"Japan"}
    assert "China" in {row["recipient"] for row in answers}


@pytest.mark.slow
def test_who_gave_to_whom_counts_every_flow_once(seed_build):
    _, graph = seed_build
    answers = rows(graph, "who-gave-to-whom")
    flows = count(graph, "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a cckg:AidFlow ; cckg:donor ?d ; cckg:recipient ?r }")
    assert sum(int(row["flows"]) for row in answers) == flows
    for row in answers:
        assert int(row["delivered"]) + int(row["pledged"]) == int(row["flows"])
    pairs = {(row["donor"], row["recipient"]): row for row in answers}
    assert int(pairs[("China", "Pakistan")]["flows"]) >= 2
    assert "USD" in pairs[("China", "World Health Organization")]["amounts"]


@pytest.mark.slow
def test_mutual_aid_pairs_helped_each_other(seed_build):
    _, graph = seed_build
    answers = rows(graph, "mutual-aid-pairs")
    pairs = {frozenset((row["actorA"], row["actorB"])) for row in answers}
    assert frozenset(("China", "Japan")) in pairs and frozenset(("China", "South Korea")) in pairs
    given = {(row["donor"], row["recipient"]) for row in rows(graph, "who-gave-to-whom")}
    for row in answers:
        assert (row["actorA"], row["actorB"]) in given and (row["actorB"], row["actorA"]) in given


@pytest.mark.slow
def test_first_foreign_leaders_to_contact_china(seed_build):
    _, graph = seed_build
    answers = rows(graph, "first-foreign-leaders", country="China")
    assert "Hun Sen" in {row["leader"] for row in answers}
    assert all(row["leaderOf"] != "China" for row in answers)
    assert {row["contact"] for row in answers} <= {"Visit", "Phone call"}
    dates = [row["date"] for row in answers]
    dated = [d for d in dates if d]
    assert dated == sorted(dated) and dates[:len(dated)] == dated  # earliest first, undated last
    assert answers[0]["leader"] == "Hun Sen"


@pytest.mark.slow
def test_facts_with_sources_cover_every_fact(seed_build):
    _, graph = seed_build
    answers = rows(graph, "facts-with-sources")
    facts = count(graph, "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f prov:wasDerivedFrom ?m }")
    assert len({row["fact"] for row in answers}) == facts
    assert {"Aid flow", "Phone call", "Position"} <= {row["kind"] for row in answers}
    for row in answers:
        assert row["sentence"] and int(row["startChar"]) < int(row["endChar"]) and row["document"].endswith(".txt")


@pytest.mark.slow
def test_medical_teams_by_country(seed_build):
    _, graph = seed_build
    answers = rows(graph, "medical-teams")
    teams = count(graph, "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a cckg:AidFlow ; cckg:aidType cckg:MedicalTeam }")
    assert sum(int(row["flows"]) for row in answers) == teams
    assert ("China", "Pakistan") in {(row["donor"], row["recipient"]) for row in answers}


@pytest.mark.slow
def test_aid_by_month(seed_build):
    _, graph = seed_build
    answers = rows(graph, "aid-by-month")
    months = [row["month"] for row in answers]
    assert months == sorted(months) and all(re.fullmatch(r"\d{4}-\d{2}", m) for m in months)
    assert "2020-03" in months
    for row in answers:
        assert int(row["delivered"]) + int(row["pledged"]) == int(row["flows"])


@pytest.mark.slow
def test_actors_by_kind(seed_build):
    _, graph = seed_build
    answers = {row["kind"]: int(row["actors"]) for row in rows(graph, "actors-by-kind")}
    assert answers["Country"] == count(graph, "SELECT (COUNT(?c) AS ?n) WHERE { ?c a cckg:Country }")
    assert {"Country", "Organization", "Person"} <= set(answers)


@pytest.mark.slow
def test_positions_of_xi_jinping(seed_build):
    _, graph = seed_build
    answers = rows(graph, "positions-of-person", person="Xi Jinping")
    assert {row["name"] for row in answers} == {"Xi Jinping"}
    assert ("President", "China") in {(row["title"], row["heldIn"]) for row in answers}


@pytest.mark.slow
def test_organizations_that_gave(seed_build):
    _, graph = seed_build
    answers = rows(graph, "organization-donors")
    names = {row["organization"] for row in answers}
    assert "Alibaba Foundation" in names
    organizations = {str(row[0]) for row in graph.query("SELECT ?l WHERE { ?o a cckg:Organization ; rdfs:label ?l }")}
    assert names <= organizations


@pytest.mark.slow
def test_pledged_flows_not_stated_as_delivered(seed_build):
    _, graph = seed_build
    answers = rows(graph, "pledged-not-delivered")
    assert ("China", "Italy", "medical team") in {(row["donor"], row["recipient"], row["aidType"]) for row in answers}
    for row in answers:
        status = graph.query("SELECT ?s WHERE { ?f cckg:status ?s }", {"f": URIRef(row["flow"])})
        assert [str(s[0]) for s in status] == [str(URIRef("https://w3id.org/cckg/ontology#Pledged"))]


@pytest.mark.slow
@pytest.mark.parametrize("document", ["003_dab448edb443605a.txt", "Forging Powerful Synergy for the Global Fight Against Covid-19"])
def test_facts_from_one_document(seed_build, document):
    _, graph = seed_build
    answers = rows(graph, "facts-from-document", document=document)
    assert answers and {row["fileName"] for row in answers} == {"003_dab448edb443605a.txt"}
    starts = [int(row["startChar"]) for row in answers]
    assert starts == sorted(starts)
    assert "Aid flow" in {row["kind"] for row in answers}


@pytest.mark.slow
def test_contacts_of_japan(seed_build):
    _, graph = seed_build
    answers = rows(graph, "contacts-of-actor", actor="Japan")
    assert answers and {row["name"] for row in answers} == {"Japan"}
    assert "Phone call" in {row["contact"] for row in answers}


@pytest.mark.slow
def test_commercial_flows_are_not_aid(seed_build):
    _, graph = seed_build
    answers = rows(graph, "commercial-flows")
    for row in answers:
        assert not graph.query("ASK { ?f a cckg:AidFlow }", {"f": URIRef(row["flow"])}).askAnswer


@pytest.mark.slow
@pytest.mark.parametrize(("name", "value", "column"), [
    ("aid-received", "China", "recipient"), ("aid-given", "China", "giver"), ("contacts-of-actor", "China", "name")])
def test_a_bound_parameter_answers_as_the_open_query_does_for_that_value(seed_build, name, value, column):
    out_dir, graph = seed_build
    bound = [tuple(map(str, row)) for row in run_saved_query(graph, name, {load_saved_query(name).params[0].name: value}, limit=0)]
    store = ox.Store.read_only(str(out_dir / STORE_DIR))
    answers = store.query(load_saved_query(name).sparql, use_default_graph_as_union=True)
    open_rows = [tuple("None" if t is None else t.value for t in s) for s in answers if s[column].value == value]
    plain = [tuple("None" if v == "None" else v for v in row) for row in bound]
    assert bound and sorted(plain) == sorted(open_rows)


@pytest.mark.slow
def test_pages_follow_each_other_in_the_query_order(seed_build):
    _, graph = seed_build
    everything = run_saved_query(graph, "facts-with-sources", limit=0)
    assert not everything.more and len(everything) > 30
    whole = [tuple(row) for row in everything]
    pages, offset = [], 0
    while True:
        page = run_saved_query(graph, "facts-with-sources", limit=13, offset=offset)
        pages += [tuple(row) for row in page]
        assert len(page) <= 13 and page.more == (offset + 13 < len(whole))
        if not page.more:
            break
        offset += 13
    assert pages == whole
    assert len(run_saved_query(graph, "facts-with-sources")) == min(len(whole), 1000)


@pytest.mark.slow
def test_kg_query_pages_a_saved_query_and_says_more_follow(seed_build):
    out_dir, graph = seed_build
    whole = [tuple(map(str, row)) for row in run_saved_query(graph, "facts-with-sources", limit=0)]
    run = subprocess.run([sys.executable, "-m", "kg.cli", "query", str(out_dir), "--saved", "facts-with-sources",
                          "--limit", "5", "--offset", "5", "--format", "json"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert [row["fact"] for row in json.loads(run.stdout)] == [row[1] for row in whole[5:10]]
    assert "rows 6-10 only, more follow: --offset 10" in run.stderr
    plain = subprocess.run([sys.executable, "-m", "kg.cli", "query", str(out_dir), "SELECT * { ?s ?p ?o }", "--limit", "5"],
                           capture_output=True, text=True)
    assert plain.returncode == QueryError.exit_code and "--limit and --offset page a saved query" in plain.stderr


@pytest.mark.slow
def test_kg_query_saved_with_params(seed_build):
    out_dir, _ = seed_build
    run = subprocess.run([sys.executable, "-m", "kg.cli", "query", str(out_dir), "--saved", "aid-received",
                          "--param", "country=Japan", "--format", "json"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    answers = json.loads(run.stdout)
    assert answers and {row["recipient"] for row in answers} == {"Japan"}
    listed = subprocess.run([sys.executable, "-m", "kg.cli", "query", str(out_dir), "--list-saved"],
                            capture_output=True, text=True)
    assert all(name in listed.stdout for name in SAVED_NAMES)
    wrong = subprocess.run([sys.executable, "-m", "kg.cli", "query", str(out_dir), "--saved", "aid-received",
                            "--param", "country=Atlantis"], capture_output=True, text=True)
    assert wrong.returncode == QueryError.exit_code and "no actor of that name" in wrong.stderr


def test_a_name_written_exactly_so_wins_over_one_differing_by_case():
    """The exact form is looked up first (a few literals, not every name of the graph);
    case is ignored only where no name is written so."""
    from rdflib import RDF, RDFS, Literal

    from kg.graph import KnowledgeGraph
    from kg.namespace import CCKG
    from kg.store import memory_dataset

    shout, plain = URIRef("https://w3id.org/cckg/id/org/a"), URIRef("https://w3id.org/cckg/id/org/b")
    graph_iri = URIRef("https://w3id.org/cckg/id/graph/g")
    quads = [(shout, RDF.type, CCKG.Organization, graph_iri), (shout, RDFS.label, Literal("ACME", lang="en"), graph_iri),
             (plain, RDF.type, CCKG.Organization, graph_iri), (plain, RDFS.label, Literal("Acme"), graph_iri)]
    graph = KnowledgeGraph(memory_dataset(quads))
    query = load_saved_query("aid-given")
    assert bind_params(graph, query, {"donor": "Acme"}) == {"donor": plain}
    assert bind_params(graph, query, {"donor": "ACME"}) == {"donor": shout}
    assert bind_params(graph, query, {"donor": "acme"}) == {"donor": shout}  # by IRI among those ignoring case
