"""The cckg ontology's terms as an rdflib namespace: a typo is an AttributeError."""
from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

#: Where every resource of a built graph lives (actors, flows, mentions, documents).
ID = Namespace("https://w3id.org/cckg/id/")
WIKIDATA = Namespace("http://www.wikidata.org/entity/")
SCHEMA = Namespace("https://schema.org/")


class CCKG(DefinedNamespace):
    """Terms of `ontology/cckg.ttl` (a test checks the two agree)."""

    _NS = Namespace("https://w3id.org/cckg/ontology#")
    _fail = True

    # actors
    Actor: URIRef
    Country: URIRef
    Organization: URIRef
    SubnationalGovernment: URIRef
    Person: URIRef
    ActorGroup: URIRef
    iso3: URIRef
    country: URIRef
    groupSize: URIRef
    # aid
    AidFlow: URIRef
    CommercialFlow: URIRef
    AidItem: URIRef
    AidTypeScheme: URIRef
    donor: URIRef
    recipient: URIRef
    supplier: URIRef
    buyer: URIRef
    aidType: URIRef
    item: URIRef
    amount: URIRef
    date: URIRef
    status: URIRef
    disputed: URIRef
    quantity: URIRef
    quantityMax: URIRef
    quantityText: URIRef
    approximate: URIRef
    unit: URIRef
    Delivered: URIRef
    Pledged: URIRef
    MedicalSupplies: URIRef
    Cash: URIRef
    MedicalTeam: URIRef
    Expertise: URIRef
    Food: URIRef
    Animals: URIRef
    Equipment: URIRef
    DebtRelief: URIRef
    Vaccine: URIRef
    Training: URIRef
    InKindOther: URIRef
    # interactions and positions
    Interaction: URIRef
    PhoneCall: URIRef
    Visit: URIRef
    Meeting: URIRef
    Letter: URIRef
    VideoConference: URIRef
    StatementOfSupport: URIRef
    JointStatement: URIRef
    participant: URIRef
    initiator: URIRef
    host: URIRef
    Position: URIRef
    holdsPosition: URIRef
    title: URIRef
    positionOf: URIRef
    inferred: URIRef
    # provenance
    Mention: URIRef
    Document: URIRef
    text: URIRef
    inDocument: URIRef
    startChar: URIRef
    endChar: URIRef
    fileName: URIRef
    copyFileName: URIRef
    contentHash: URIRef
    extractorVersion: URIRef
    sentenceCount: URIRef
    citesSource: URIRef
    # analysis
    ReciprocalPair: URIRef
    pairMember: URIRef
    mutual: URIRef
    pagerank: URIRef
    betweenness: URIRef
    eigenvector: URIRef
    inDegree: URIRef
    outDegree: URIRef
    lagDays: URIRef
    AidDirection: URIRef
    direction: URIRef
    fromMember: URIRef
    toMember: URIRef
    flowCount: URIRef
    itemCount: URIRef
    usdValue: URIRef
    firstFlow: URIRef
    firstDate: URIRef
    community: URIRef


#: Aid types (snake case, as in the records) -> SKOS concepts of the AidTypeScheme.
AID_TYPE_CONCEPTS = {
    "medical_supplies": CCKG.MedicalSupplies, "cash": CCKG.Cash, "medical_team": CCKG.MedicalTeam,
    "expertise": CCKG.Expertise, "food": CCKG.Food, "animals": CCKG.Animals,
    "equipment": CCKG.Equipment, "debt_relief": CCKG.DebtRelief, "vaccine": CCKG.Vaccine,
    "training": CCKG.Training, "in_kind_other": CCKG.InKindOther,
}
#: Interaction kinds -> classes.
INTERACTION_CLASSES = {
    "phone_call": CCKG.PhoneCall, "visit": CCKG.Visit, "meeting": CCKG.Meeting,
    "letter": CCKG.Letter, "video_conference": CCKG.VideoConference,
    "statement_of_support": CCKG.StatementOfSupport, "joint_statement": CCKG.JointStatement,
}
#: Actor kinds -> classes.
ACTOR_CLASSES = {
    "country": CCKG.Country, "organization": CCKG.Organization,
    "subnational": CCKG.SubnationalGovernment, "person": CCKG.Person, "group": CCKG.ActorGroup,
}
#: Flow statuses -> individuals.
STATUS_INDIVIDUALS = {"delivered": CCKG.Delivered, "pledged": CCKG.Pledged}
