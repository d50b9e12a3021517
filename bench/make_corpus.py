"""Write N realistic aid-news documents for scale runs: `python bench/make_corpus.py N OUTDIR`.

Each document is a short news report whose sentences are drawn from general templates
(donations, pledges, medical teams, receipts, calls, visits, statements, office holders)
filled with donors and recipients from `kg/data/countries.tsv`, organizations, items from
`kg/data/aid_items.tsv`, made-up person names, numbers and dates. The RNG is seeded, so
the same N and seed give the same files, byte for byte.
"""
from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "kg" / "data"

TITLES = ("President", "Prime Minister", "Foreign Minister", "Health Minister", "Ambassador")
ORGANIZATIONS = ("World Health Organization", "United Nations Children's Fund", "World Food Programme",
                 "Red Cross", "World Bank", "European Union", "African Union")
SYLLABLES = ("ka", "lo", "mi", "ra", "to", "se", "an", "el", "vi", "do", "na", "ur", "be", "ti", "os", "ha")
MONEY_UNITS = (("million", "US dollars"), ("million", "euros"), ("million", "yuan"), ("billion", "yen"))
TEAMS = ("a medical team", "a team of doctors", "a group of medical experts", "an expert team")

SENTENCES = (
    "On {date}, {donor} donated {n} {items} to {recipient}.",
    "{donor} sent {n} {items} and {m} {items2} to {recipient} on {date}.",
    "A shipment of {n} {items} from {donor} arrived in {recipient} on {date}.",
    "{recipient} received {n} {items} from {donor}.",
    "The government of {donor} pledged {money} to {recipient} to fight the pandemic.",
    "{donor} will provide {money} in emergency aid to {recipient}.",
    "{donor} dispatched {team} to {recipient} on {date}.",
    "The {org} delivered {n} {items} to {recipient} with funding from {donor}.",
    "{title} {person} of {donor} held a phone call with {title2} {person2} of {recipient} on {date}.",
    "{title} {person} visited {recipient} on {date} and met {title2} {person2}.",
    "{person}, the {title} of {donor}, said that {donor} stands with the people of {recipient}.",
    "{recipient}'s {title2} {person2} thanked {donor} for its timely support.",
    "{donor} and {recipient} issued a joint statement on cooperation against COVID-19 on {date}.",
    "Hospitals in {recipient} reported {n} new cases on {date}.",
    "The pandemic has put heavy pressure on the health system of {recipient}.",
    "Experts from both countries shared their experience of treatment and prevention by video conference.",
)


def _countries() -> list[str]:
    rows = [line.split("\t") for line in (DATA / "countries.tsv").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith(("#", "iso3\t"))]
    return [row[2] for row in rows]


def _items() -> list[str]:
    rows = [line.split("\t") for line in (DATA / "aid_items.tsv").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith(("#", "term\t"))]
    return [row[0] for row in rows if len(row) > 2 and row[2] == "piece" and " " not in row[0]]


def _plural(item: str) -> str:
    if item.endswith(("s", "x")) or item.isupper():
        return item if item.isupper() or item.endswith("s") else item + "es"
    return item[:-1] + "ies" if item.endswith("y") and item[-2] not in "aeiou" else item + "s"


def _person(rng: random.Random) -> str:
    def word(parts: int) -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()
    return f"{word(rng.randint(1, 2))} {word(rng.randint(2, 3))}"


def _date(rng: random.Random) -> str:
    day = date(2020, 1, 20) + timedelta(days=rng.randrange(330))
    return f"{day:%B} {day.day}, 2020" if rng.random() < 0.7 else f"{day.day} {day:%B} 2020"


def _number(rng: random.Random) -> str:
    return f"{rng.choice((10, 50, 100, 200, 500, 1000, 5000)) * rng.randint(1, 40):,}"


def make_document(rng: random.Random, countries: list[str], items: list[str]) -> str:
    """One report: a title line, then 3 to 6 paragraphs of 2 to 5 sentences."""
    donor, recipient = rng.sample(countries, 2)
    paragraphs = []
    for _ in range(rng.randint(3, 6)):
        sentences = []
        for _ in range(rng.randint(2, 5)):
            if rng.random() < 0.25:
                donor, recipient = rng.sample(countries, 2)
            amount, currency = rng.choice(MONEY_UNITS)
            sentences.append(rng.choice(SENTENCES).format(
                donor=donor, recipient=recipient, date=_date(rng), n=_number(rng), m=_number(rng),
                items=_plural(rng.choice(items)), items2=_plural(rng.choice(items)),
                money=f"{rng.randint(1, 90)} {amount} {currency}", team=rng.choice(TEAMS),
                org=rng.choice(ORGANIZATIONS), title=rng.choice(TITLES), title2=rng.choice(TITLES),
                person=_person(rng), person2=_person(rng)))
        paragraphs.append(" ".join(sentences))
    title = f"{donor} steps up COVID-19 assistance to {recipient}"
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def make_corpus(count: int, out_dir: Path, *, seed: int = 6) -> list[Path]:
    """Write `count` documents into `out_dir` (`doc00000.txt`...); returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    countries, items = _countries(), _items()
    paths = []
    for n in range(count):
        path = out_dir / f"doc{n:05}.txt"
        path.write_text(make_document(rng, countries, items), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="documents to write")
    parser.add_argument("out_dir", type=Path, nargs="?", default=Path("bench/corpus"))
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    make_corpus(args.count, args.out_dir, seed=args.seed)


if __name__ == "__main__":
    main()
