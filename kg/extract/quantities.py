"""Numbers, money and dates as written in English news.

Pure functions over strings, driven by the gazetteer's number words, currency forms and
vague-quantity phrases; they know nothing of spaCy.
"""
from __future__ import annotations

import datetime
from collections.abc import Iterator
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from kg.gazetteer import Gazetteer, load_gazetteer
from kg.types import Money

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(_MONTHS)} | {"sept": 9}
_MONTH_WORD = r"(?:" + "|".join(_MONTHS) + r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_DATE_MD = re.compile(rf"\b({_MONTH_WORD})\s+{_DAY}\b(?:,?\s+((?:19|20)\d\d))?", re.I)
_DATE_DM = re.compile(rf"\b{_DAY}\s+({_MONTH_WORD})\b(?:,?\s+((?:19|20)\d\d))?", re.I)
_DATE_M = re.compile(rf"\b(?:(?:early|mid|late|end of|beginning of|the end of)[-\s]+)?({_MONTH_WORD})\b(?:\s+((?:19|20)\d\d))?", re.I)
_DATE_ISO = re.compile(r"\b((?:19|20)\d\d)-(\d\d)(?:-(\d\d))?\b")
_NUMBER = r"\d[\d,]*(?:\.\d+)?"
_DIGIT = re.compile(r"\d")
_NUMERAL = re.compile(rf"^{_NUMBER}$")
_RANGE = re.compile(rf"({_NUMBER})\s*(?:-|–|—|to)\s*({_NUMBER})")


def month_number(word: str) -> int | None:
    """The month a word names ("Feb." -> 2), or None.

    Examples:
        >>> month_number("Sept."), month_number("March"), month_number("Friday")
        (9, 3, None)
    """
    word = word.lower().rstrip(".")
    if word in _MONTHS:
        return _MONTHS.index(word) + 1
    return _MONTH_ABBR.get(word)


def parse_date(text: str, year: int | None) -> str | None:
    """An ISO date (or year-month) from a date expression; `year` completes it.

    Examples:
        >>> parse_date("On March 28th", 2020)
        '2020-03-28'
        >>> parse_date("Jan. 22", 2020)
        '2020-01-22'
        >>> parse_date("mid-May", 2020)
        '2020-05'
        >>> parse_date("28 February 2021", None)
        '2021-02-28'
        >>> parse_date("on Friday", 2020) is None
        True
    """
    if match := _DATE_ISO.search(text):
        return match.group(0)
    if match := _DATE_MD.search(text):
        month, day, written_year = month_number(match.group(1)), int(match.group(2)), match.group(3)
        return _iso(written_year or year, month, day)
    if match := _DATE_DM.search(text):
        day, month, written_year = int(match.group(1)), month_number(match.group(2)), match.group(3)
        return _iso(written_year or year, month, day)
    if match := _DATE_M.search(text):
        month, written_year = month_number(match.group(1)), match.group(2)
        y = written_year or year
        # "may" alone is a modal verb far more often than a month
        if month and y and not (match.group(1).lower() == "may" and not re.search(r"(mid|early|late|end|of)[-\s]+may|May", match.group(0))):
            return f"{int(y):04d}-{month:02d}"
    return None


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def weekday_date(text: str, published: str | None) -> str | None:
    """The date of a weekday named in news ("on Wednesday"): the last such day up to publication.

    Examples:
        >>> weekday_date("on Wednesday", "2021-01-22")   # a Friday
        '2021-01-20'
        >>> weekday_date("on Friday", "2021-01-22")
        '2021-01-22'
        >>> weekday_date("on Friday", "2021-01") is None
        True
    """
    match = re.search(r"\b(" + "|".join(_WEEKDAYS) + r")\b", text, re.I)
    if not match or not published or len(published) != 10:
        return None
    day = datetime.date.fromisoformat(published)
    back = (day.weekday() - _WEEKDAYS.index(match.group(1).lower())) % 7
    return (day - datetime.timedelta(days=back)).isoformat()


_RELATIVE = re.compile(r"\b(?:(\w+)\s+(day|days|week|weeks)\s+(?:later|after(?:wards)?)|"
                       r"(?:the\s+)?(next|following)\s+(day|week))\b", re.I)


def shift_date(date: str | None, text: str) -> str | None:
    """A date stated relative to the one before: "ten days later", "the next day".

    Examples:
        >>> shift_date("2020-04-06", "Ten days later, the team landed.")
        '2020-04-16'
        >>> shift_date("2020-03-31", "The following day it arrived.")
        '2020-04-01'
        >>> shift_date("2020-04", "Ten days later") is None
        True
    """
    match = _RELATIVE.search(text)
    if not match or not date or len(date) != 10:
        return None
    if match.group(3):
        days = 7 if match.group(4).lower() == "week" else 1
    else:
        count = match.group(1).lower()
        number = to_decimal(count) if count[0].isdigit() else load_gazetteer().number_words.get(count)
        if number is None and count in {"a", "one"}:
            number = Decimal(1)
        if number is None:
            return None
        days = int(number) * (7 if match.group(2).lower().startswith("week") else 1)
    shifted = datetime.date.fromisoformat(date) + datetime.timedelta(days=days)
    return shifted.isoformat()


def _iso(year: int | str | None, month: int | None, day: int) -> str | None:
    if not year or not month or not 1 <= day <= 31:
        return None
    return f"{int(year):04d}-{month:02d}-{day:02d}"


def to_decimal(numeral: str) -> Decimal | None:
    """A numeral as written ("5,220", "2.27") as a Decimal.

    Examples:
        >>> to_decimal("5,220")
        Decimal('5220')
        >>> to_decimal("abc") is None
        True
    """
    try:
        return Decimal(numeral.replace(",", ""))
    except InvalidOperation:
        return None


def parse_quantity(text: str, gaz: Gazetteer | None = None) -> tuple[Decimal | None, Decimal | None, bool]:
    """(value, upper bound of a range, approximate) from a quantity as written.

    Examples:
        >>> parse_quantity("2.27 million")
        (Decimal('2270000.00'), None, False)
        >>> parse_quantity("60-70 thousand")
        (Decimal('60000'), Decimal('70000'), False)
        >>> parse_quantity("hundreds of thousands")
        (None, None, True)
        >>> parse_quantity("some 400")
        (Decimal('400'), None, True)
        >>> parse_quantity("ten")
        (Decimal('10'), None, False)
    """
    gaz = gaz or load_gazetteer()
    lowered = " ".join(text.lower().split())
    approximate = _approximators().search(lowered) is not None
    words = re.findall(r"\d[\d,]*(?:\.\d+)?|[a-z]+", lowered)
    multiplier = Decimal(1)
    for word in words:
        if word in gaz.number_words and gaz.number_words[word] >= 100 and not _NUMERAL.match(word):
            multiplier *= gaz.number_words[word]
    if match := _RANGE.search(lowered):
        low, high = to_decimal(match.group(1)), to_decimal(match.group(2))
        if low is not None and high is not None:
            return low * multiplier, high * multiplier, approximate
    numerals = [to_decimal(w) for w in words if _NUMERAL.match(w)]
    if numerals and numerals[0] is not None:
        return numerals[0] * multiplier, None, approximate
    small = [gaz.number_words[w] for w in words if w in gaz.number_words and gaz.number_words[w] < 100]
    if small:
        return small[0] * multiplier, None, approximate
    if multiplier != 1 and not re.search(r"\b(hundreds|thousands|millions|billions|dozens|tens)\b", lowered):
        return multiplier, None, approximate  # "a million masks"
    return None, None, True if words else approximate


@lru_cache(maxsize=1)
def _approximators() -> re.Pattern[str]:
    """A vague quantity or a hedge where a word starts: "hundreds of", "some 400"."""
    gaz = load_gazetteer()
    hedges = ("some", "about", "around", "roughly", "nearly", "almost", "approximately",
              "over", "more than", "up to", "at least", "as many as", "close to", "an estimated")
    return re.compile("(?:^| )(?:" + "|".join(re.escape(v) for v in (*gaz.vague_quantities, *hedges)) + ")")


@lru_cache(maxsize=1)
def _money_pattern() -> re.Pattern[str]:
    gaz = load_gazetteer()
    def alternatives(position: str) -> str:
        forms = sorted((f for f, (_, p) in gaz.currencies.items() if p in (position, "both")), key=len, reverse=True)
        return "|".join(re.escape(f) for f in forms)
    scale = r"(?:\s*(?:thousand|million|billion|trillion|mn|bn|m\b))?"
    amount = rf"{_NUMBER}(?:\s*(?:-|–|to)\s*{_NUMBER})?{scale}"
    return re.compile(
        rf"(?:(?P<pre>{alternatives('prefix')})\s?(?P<a1>{amount})(?:\s+(?P<post1>{alternatives('suffix')})\b)?)"
        rf"|(?:(?P<a2>{amount})\s+(?P<post2>{alternatives('suffix')})\b)",
        re.I)


def find_money(text: str) -> list[tuple[int, int, Money]]:
    """Every monetary amount in `text` as (start, end, Money).

    Examples:
        >>> [m.value for _, _, m in find_money("Laos donated US$700,000 and RMB 4 million yuan")]
        [Decimal('700000'), Decimal('4000000')]
        >>> [m.currency for _, _, m in find_money("600 million won and 5,000 yen")]
        ['KRW', 'JPY']
    """
    return list(_money_in(text))


@lru_cache(maxsize=8)  # the aid and the trade extractors read the same sentence
def _money_in(text: str) -> tuple[tuple[int, int, Money], ...]:
    gaz = load_gazetteer()
    found = []
    for match in _money_matches(text):
        amount = match.group("a1") or match.group("a2")
        form = match.group("pre") or match.group("post1") or match.group("post2")
        value, _, approximate = parse_quantity(amount.replace(" mn", " million").replace(" bn", " billion"), gaz)
        if value is None:
            continue
        code = _currency_code(form, gaz)
        found.append((match.start(), match.end(), Money(value=value, currency=code, text=match.group(0),
                                                        approximate=approximate)))
    return tuple(found)


def _money_matches(text: str) -> Iterator[re.Match[str]]:
    """The matches `_money_pattern().finditer(text)` gives, tried only where one can start.

    Every amount has a digit, and a match starts at most a currency prefix and a space
    before its first digit; trying the long pattern at those places alone (in order, each
    search going on after the last match, as `finditer` does) is many times faster on text
    with few numbers.
    """
    pattern, reach = _money_pattern(), _longest_prefix() + 1
    digits = [m.start() for m in _DIGIT.finditer(text)]
    after = 0
    for start in sorted({p for d in digits for p in range(max(0, d - reach), d + 1)}):
        if start >= after and (match := pattern.match(text, start)) is not None:
            after = match.end()
            yield match


@lru_cache(maxsize=1)
def _longest_prefix() -> int:
    return max(len(f) for f, (_, position) in load_gazetteer().currencies.items() if position in ("prefix", "both"))


def _currency_code(form: str, gaz: Gazetteer) -> str | None:
    if form in gaz.currencies:
        return gaz.currencies[form][0]
    lowered = {f.lower(): code for f, (code, _) in gaz.currencies.items()}
    return lowered.get(form.lower())
