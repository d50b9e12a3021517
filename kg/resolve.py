"""Resolution: one actor per real-world entity, one record per act, across all documents.

- Actors met under several names become one actor with every name kept
  ("ROK", "Republic of Korea" -> South Korea, names as alternative labels).
- A person written with a single name ("Xi", "Battulga") is the person of the corpus whose
  full name has that name as its first or last word, when there is exactly one.
- The same act reported twice (same donor, recipient, date and quantities or amount)
  becomes one flow with several pieces of evidence; so do identical interactions and
  positions.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from kg.gazetteer import load_gazetteer
from kg.types import ActorRef, AidFlow, CommercialFlow, DocumentFacts, Interaction, Position, SourceDocument


@dataclass(frozen=True)
class ResolvedFacts:
    """Every fact of a corpus, with actors resolved and repeated acts merged."""

    documents: tuple[SourceDocument, ...]
    sentence_counts: dict[str, int]
    actors: dict[str, ActorRef]
    aid_flows: tuple[AidFlow, ...]
    interactions: tuple[Interaction, ...]
    positions: tuple[Position, ...]
    commercial_flows: tuple[CommercialFlow, ...] = ()


@dataclass
class _ActorTable:
    actors: dict[str, ActorRef] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # merged key -> surviving key

    def add(self, actor: ActorRef) -> None:
        known = self.actors.get(actor.key)
        if known is None:
            self.actors[actor.key] = actor
            return
        names = tuple(dict.fromkeys((*known.names, *actor.names)))
        iso3, group_size = known.iso3 or actor.iso3, known.group_size or actor.group_size
        if names != known.names or iso3 is not known.iso3 or group_size is not known.group_size:
            # most mentions repeat what is known: no new record for them
            self.actors[actor.key] = replace(known, names=names, iso3=iso3, group_size=group_size)

    def get(self, actor: ActorRef) -> ActorRef:
        key = self.aliases.get(actor.key, actor.key)
        return self.actors[key]


def resolve(facts: Iterable[DocumentFacts]) -> ResolvedFacts:
    """Resolve actors and merge repeated facts across documents.

    Examples:
        >>> resolve([]).aid_flows
        ()
    """
    facts = list(facts)
    table = _ActorTable()
    for doc_facts in facts:
        for actor in _actors_of(doc_facts):
            table.add(actor)
    _merge_short_person_names(table)
    _add_home_countries(table)
    trade = _merge_by_key(
        (replace(c, supplier=table.get(c.supplier), buyer=table.get(c.buyer)) for d in facts for c in d.commercial_flows),
        lambda c: (c.supplier.key, c.buyer.key, c.evidence[0].content_hash, c.evidence[0].start))
    flows = _mark_disputed(_merge_flows(_with_actors(f, table) for d in facts for f in d.aid_flows), trade)
    interactions = _merge_by_key(
        (_with_interaction_actors(i, table) for d in facts for i in d.interactions),
        # repeated within a document only: each report of a contact keeps its own record
        lambda i: (i.kind, tuple(sorted(p.key for p in i.participants)), i.evidence[0].content_hash,
                   i.evidence[0].text))
    positions = [replace(p, person=table.get(p.person), of=table.get(p.of)) for d in facts for p in d.positions]
    # a holder guessed for a title yields to one the text states anywhere for that title
    stated = {(p.person.key, p.title) for p in positions if not p.inferred}
    positions = _merge_by_key((p for p in positions if not (p.inferred and (p.person.key, p.title) in stated)),
                              lambda p: (p.person.key, p.title, p.of.key))
    used = {a.key for f in flows for a in (f.donor, f.recipient)}
    used |= {a.key for i in interactions for a in i.participants}
    used |= {a.key for p in positions for a in (p.person, p.of)}
    used |= {a.key for c in trade for a in (c.supplier, c.buyer)}
    used |= {f"country:{a.iso3}" for a in table.actors.values() if a.key in used and a.iso3}
    return ResolvedFacts(
        documents=tuple(d.document for d in facts),
        sentence_counts={d.document.file_name: d.sentence_count for d in facts},
        actors={k: a for k, a in sorted(table.actors.items()) if k in used},
        aid_flows=tuple(flows), interactions=tuple(interactions), positions=tuple(positions),
        commercial_flows=tuple(trade),
    )


def _actors_of(doc_facts: DocumentFacts) -> Iterable[ActorRef]:
    for flow in doc_facts.aid_flows:
        yield flow.donor
        yield flow.recipient
    for interaction in doc_facts.interactions:
        yield from interaction.participants
    for position in doc_facts.positions:
        yield position.person
        yield position.of
    for sale in doc_facts.commercial_flows:
        yield sale.supplier
        yield sale.buyer


def _merge_short_person_names(table: _ActorTable) -> None:
    """Map single-word persons onto the one full-name person sharing that word."""
    persons = [a for a in table.actors.values() if a.kind == "person"]
    # the full names by their first and by their last word (looking a word up in every full
    # name, for every single-word name, grew with the square of the corpus)
    full_by_end_word: dict[str, list[ActorRef]] = {}
    shorts = []
    for person in persons:
        words = person.label.split()
        if len(words) > 1:
            for word in dict.fromkeys((words[0], words[-1])):
                full_by_end_word.setdefault(word, []).append(person)
        elif words:
            shorts.append(person)
    for short in shorts:
        matches = full_by_end_word.get(short.label, [])
        if len(matches) == 1:
            # the table's current record: an earlier short name may have added to its names
            target = table.actors[matches[0].key]
            table.aliases[short.key] = target.key
            table.actors[target.key] = replace(target, names=tuple(dict.fromkeys((*target.names, *short.names))))
    for key in table.aliases:
        table.actors.pop(key, None)


def _add_home_countries(table: _ActorTable) -> None:
    """Add the country of every sub-national government, organization and group."""
    countries = load_gazetteer().actors
    for actor in list(table.actors.values()):
        key = f"country:{actor.iso3}"
        if actor.iso3 and key not in table.actors and key in countries:
            table.add(countries[key])


def _with_actors(flow: AidFlow, table: _ActorTable) -> AidFlow:
    return replace(flow, donor=table.get(flow.donor), recipient=table.get(flow.recipient))


def _with_interaction_actors(interaction: Interaction, table: _ActorTable) -> Interaction:
    participants = tuple(dict.fromkeys(table.get(p) for p in interaction.participants))
    return replace(interaction, participants=participants,
                   initiator=table.get(interaction.initiator) if interaction.initiator else None,
                   host=table.get(interaction.host) if interaction.host else None)


def _flow_identity(flow: AidFlow) -> tuple | None:
    """What makes two reports the same act: donor, recipient, date and what was given."""
    quantities = tuple(sorted(str(i.quantity) for i in flow.items if i.quantity is not None))
    amount = str(flow.amount.value) if flow.amount else None
    if not flow.date or not (quantities or amount):
        return None
    return (flow.donor.key, flow.recipient.key, flow.date, quantities, amount)


def _merge_flows(flows: Iterable[AidFlow]) -> list[AidFlow]:
    merged: dict[tuple, AidFlow] = {}
    for flow in flows:
        identity = _flow_identity(flow) or (flow.donor.key, flow.recipient.key, flow.evidence[0].content_hash,
                                            flow.evidence[0].start, flow.act)
        known = merged.get(identity)
        if known is None:
            merged[identity] = flow
        else:
            evidence = tuple(dict.fromkeys((*known.evidence, *flow.evidence)))
            merged[identity] = replace(known, evidence=evidence)
    return list(merged.values())


def _mark_disputed(flows: list[AidFlow], trade: list[CommercialFlow]) -> list[AidFlow]:
    """Mark an aid flow disputed when a source reports the same goods between the same
    parties as a sale (same supplier and buyer, and a shared item or date)."""
    sales: dict[tuple[str, str], list[CommercialFlow]] = {}
    for sale in trade:
        sales.setdefault((sale.supplier.key, sale.buyer.key), []).append(sale)

    def same_goods(flow: AidFlow, sale: CommercialFlow) -> bool:
        shared_items = {i.label for i in flow.items} & {i.label for i in sale.items}
        return bool(shared_items) or (flow.date is not None and flow.date == sale.date)

    return [replace(f, disputed=True) if any(same_goods(f, s) for s in sales.get((f.donor.key, f.recipient.key), []))
            else f for f in flows]


def _merge_by_key(records, key) -> list:
    merged: dict = {}
    for record in records:
        k = key(record)
        if k in merged:
            evidence = tuple(dict.fromkeys((*merged[k].evidence, *record.evidence)))
            merged[k] = replace(merged[k], evidence=evidence)
        else:
            merged[k] = record
    return list(merged.values())
