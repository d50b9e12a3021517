"""The CCKG namespace class and the ontology file agree."""
from __future__ import annotations

from rdflib import RDFS, Graph, URIRef

from kg.namespace import AID_TYPE_CONCEPTS, CCKG, INTERACTION_CLASSES
from kg.validation import ONTOLOGY_DIR


def test_every_namespace_term_is_defined_with_label_and_comment():
    ontology = Graph().parse(ONTOLOGY_DIR / "cckg.ttl")
    for name in CCKG.__annotations__:
        term = URIRef(CCKG._NS + name)
        assert ontology.value(term, RDFS.label) is not None, name
        assert ontology.value(term, RDFS.comment) is not None, name


def test_contract_terms_are_in_the_ontology():
    ontology = Graph().parse(ONTOLOGY_DIR / "cckg.ttl")
    subjects = set(ontology.subjects())
    for term in [*AID_TYPE_CONCEPTS.values(), *INTERACTION_CLASSES.values()]:
        assert term in subjects


def test_typo_is_an_error():
    import pytest

    with pytest.raises(AttributeError):
        CCKG.aidFlow  # noqa: B018
