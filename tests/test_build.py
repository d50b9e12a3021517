"""End to end: the seed documents built into a graph, validated, scored and rebuilt."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal

import kg
from kg.errors import QueryError

from conftest import FIXTURES, SEEDS

pytestmark = pytest.mark.slow


def load_scorer():
    spec = importlib.util.spec_from_file_location("score", FIXTURES / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_writes_store_and_exports(seed_build):
    out, graph = seed_build
    assert (out / "store").is_dir()
    for name in ("kg.ttl", "kg.nt", "kg.trig", "kg.jsonld"):
        assert (out / name).stat().st_size > 0, name
    summary = graph.summary
    assert summary.documents == 5
    assert summary.sentences > 300
    assert summary.aid_flows > 30 and summary.positions > 20 and summary.interactions > 10
    assert summary.triples == len(Graph().parse(out / "kg.ttl"))


def test_trig_keeps_one_named_graph_per_document(seed_build):
    out, _ = seed_build
    dataset = Dataset().parse(out / "kg.trig", format="trig")
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    documents = {n for n in names if "/graph/" in n and not n.endswith(("/actors", "/ontology"))}
    assert len(documents) == 5


def test_graph_conforms_to_the_shapes(seed_build):
    _, graph = seed_build
    report = kg.validate(graph)
    assert report.violations == ()
    assert report.conforms


def test_every_fact_has_provenance_that_slices_its_document(seed_build):
    _, graph = seed_build
    rows = kg.query(graph, """
        SELECT ?text ?start ?end ?file WHERE {
          ?fact prov:wasDerivedFrom ?m . ?m cckg:text ?text ; cckg:startChar ?start ; cckg:endChar ?end ;
             cckg:inDocument/cckg:fileName ?file }""")
    rows = list(rows)
    assert rows
    for text, start, end, file in rows:
        source = (SEEDS / str(file)).read_text(encoding="utf-8")
        assert source[int(start):int(end)] == str(text)


def test_seed_score_meets_the_pipeline_bar(seed_build):
    out, _ = seed_build
    report = load_scorer().score([str(out / "kg.ttl")], str(FIXTURES / "gold"))
    assert report["aid_flows"]["f1"] >= 0.50, report["aid_flows"]
    assert report["roles"]["recall"] >= 0.50, report["roles"]


def test_one_country_for_its_many_names(seed_build):
    _, graph = seed_build
    [row] = kg.query(graph, "SELECT ?c WHERE { ?c cckg:iso3 'KOR' }")
    labels = {str(r[0]) for r in kg.query(graph, "SELECT ?l WHERE { ?c cckg:iso3 'KOR' ; rdfs:label ?l }")}
    assert labels == {"South Korea"}


def test_building_twice_gives_identical_sorted_ntriples(seed_build, tmp_path):
    out, _ = seed_build
    again = tmp_path / "again"
    kg.build([SEEDS], again, formats=["nt"])
    assert (again / "kg.nt").read_bytes() == (out / "kg.nt").read_bytes()


def test_open_reads_the_built_store(seed_build):
    out, graph = seed_build
    reopened = kg.open_graph(out)
    assert len(reopened) == len(graph)


def test_open_in_memory_copies_the_built_store(seed_build, tmp_path):
    out, graph = seed_build
    build_dir = tmp_path / "copy"
    shutil.copytree(out, build_dir)
    on_disk, in_memory = kg.open_graph(build_dir), kg.open_graph(build_dir, in_memory=True)
    sparql = ("SELECT ?f ?d ?r WHERE { ?f a cckg:AidFlow ; cckg:donor/rdfs:label ?d ; "
              "cckg:recipient/rdfs:label ?r } ORDER BY ?f")
    rows = [tuple(map(str, row)) for row in on_disk.query(sparql)]
    assert len(rows) > 50 and len(in_memory) == len(graph)
    del on_disk
    shutil.rmtree(build_dir)  # the copy in memory does not need the files
    assert [tuple(map(str, row)) for row in in_memory.query(sparql)] == rows


def test_bound_values_cannot_change_the_query(seed_build):
    _, graph = seed_build
    sparql = "SELECT ?c WHERE { ?c a cckg:Country ; rdfs:label ?name }"
    assert [str(r.c) for r in kg.query(graph, sparql, name=Literal("Pakistan", lang="en"))] == [
        "https://w3id.org/cckg/id/country/PAK"]
    assert list(kg.query(graph, sparql, name='x" } ?c ?p ?o . { "')) == []
    with pytest.raises(QueryError):
        kg.query(graph, sparql, **{"c) {": "x"})


def test_pipeline_tokenizer_is_the_one_the_model_package_saved():
    """`load_model` leaves the package's saved tokenizer unread: spaCy's English tokenizer,
    made before it, must be the same (a newer spaCy or model could make them differ)."""
    import spacy

    from kg.nlp import load_model

    nlp = load_model()
    saved = spacy.blank("en").tokenizer.from_disk(Path(nlp.path) / "tokenizer")
    assert nlp.tokenizer.to_bytes(exclude=["vocab"]) == saved.to_bytes(exclude=["vocab"])
    assert [t.text for t in nlp.tokenizer("U.S. aid didn't arrive: 1,000 masks (e.g. N95s) on 3/4.")] == [
        "U.S.", "aid", "did", "n't", "arrive", ":", "1,000", "masks", "(", "e.g.", "N95s", ")", "on", "3/4", "."]


def test_rulers_from_cached_words_are_those_spacy_builds(tmp_path):
    """The rulers' matchers given the hashes of the phrases' words (kept on disk) hold what
    spaCy's `add_patterns` puts in them, and parse the same."""
    import kg.nlp
    from kg.gazetteer import load_gazetteer
    from kg.nlp import add_rulers, load_model

    def rulers(nlp):
        actors, titles = nlp.get_pipe("cckg_actor_ruler"), nlp.get_pipe("cckg_title_ruler")
        return (actors.phrase_matcher.__reduce__()[1][1], dict(actors._ent_ids), actors.patterns, len(actors),
                titles.phrase_matcher.__reduce__()[1][1], dict(titles._match_label_id_map), titles.patterns)

    gaz = load_gazetteer()
    spacys = load_model()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kg.nlp, "_can_add_hashes", lambda *_: False)
        add_rulers(spacys, gaz)
    cache = tmp_path / "words.json"
    cold, warm = load_model(), load_model()
    add_rulers(cold, gaz, token_cache=cache)  # tokenizes the phrases and keeps their words
    assert cache.stat().st_size > 0
    add_rulers(warm, gaz, token_cache=cache)  # reads them
    assert rulers(spacys) == rulers(cold) == rulers(warm)
    text = ("President Moon Jae-in of the Republic of Korea called Prime Minister Shinzo Abe; "
            "the ROK and the People's Republic of China sent masks to the WHO and to Hubei province.")
    def parsed(nlp):
        doc = nlp(text)
        return [(e.text, e.label_, e.ent_id_) for e in doc.ents], [(s.text, s.id_) for s in doc.spans["titles"]]
    assert parsed(spacys) == parsed(warm)
    assert parsed(warm)[0] and parsed(warm)[1]
    # the labels' lexemes are made without lexical attributes, and only they: words keep theirs
    words = [t.text for t in spacys(text)] + ["GPE", "ORG", "PERSON", "TITLE"]

    def attributes(nlp):
        return [(w, nlp.vocab[w].lower_, nlp.vocab[w].shape_, nlp.vocab[w].is_alpha, nlp.vocab[w].like_num)
                for w in words]
    assert attributes(warm) == attributes(spacys)
    assert warm.vocab.lex_attr_getters.keys() == spacys.vocab.lex_attr_getters.keys()
