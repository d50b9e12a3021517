"""The analysis stage: reciprocity, centrality, communities and time windows of a built graph.

The graph is projected into NetworkX (`networks`): an aid network, one edge per aid flow
from donor to recipient, and an interaction network of the actors that met, called or
wrote to each other. `measures` computes reciprocity and the table of actor pairs,
centrality and Louvain communities; `periods` does the same within time windows;
`results` runs everything (`analyze`) and writes the scores back into the graph, in the
named graph `ANALYSIS_GRAPH`, where SPARQL can read them.

Functions take the graph (or a network) first and return DataFrames or plain values; the
edge weight is a parameter (`"flows"`, `"items"` or `"usd"`)::

    from kg.analysis import analyze
    result = analyze(graph, by="month")        # -> AnalysisResult of DataFrames
    result.mutual_pairs, result.top("out_degree", 5), result.periods
"""
from kg.analysis.measures import (actor_slug, centrality, communities, pagerank, pair_iri, reciprocal_pairs,
                                  reciprocity, top_actors)
from kg.analysis.networks import (AID_WEIGHTS, RATES_FILE, ROLL_UP_KINDS, aid_network, as_aid_network, collapse,
                                  first_day, flow_table, interaction_network, label_of, to_usd, usd_rates)
from kg.analysis.periods import FREQUENCIES, by_period, pair_timeline, period_centrality, period_networks, period_of
from kg.analysis.results import (ANALYSIS_GRAPH, AnalysisResult, analysis_quads, analyze, analyze_networks,
                                 write_back)

__all__ = [
    "AID_WEIGHTS", "ANALYSIS_GRAPH", "FREQUENCIES", "RATES_FILE", "ROLL_UP_KINDS", "AnalysisResult",
    "actor_slug", "aid_network", "analysis_quads", "analyze", "analyze_networks", "as_aid_network", "by_period",
    "centrality", "collapse", "communities", "first_day", "flow_table", "interaction_network", "label_of",
    "pagerank", "pair_iri", "pair_timeline", "period_centrality", "period_networks", "period_of",
    "reciprocal_pairs", "reciprocity", "to_usd", "top_actors", "usd_rates", "write_back",
]
