"""Numbers, money and dates as written in news."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract.quantities import _money_matches, _money_pattern, find_money, parse_date, parse_quantity


@pytest.mark.parametrize("text, year, expected", [
    ("On March 28", 2020, "2020-03-28"),
    ("on February 5th", 2020, "2020-02-05"),
    ("Jan. 22", 2021, "2021-01-22"),
    ("12 April 2019", 2020, "2019-04-12"),
    ("in late February", 2020, "2020-02"),
    ("As of mid-May", 2020, "2020-05"),
    ("2020-03-18", None, "2020-03-18"),
    ("on Friday", 2020, None),
    ("ten days later", 2020, None),
    ("March 3", None, None),
])
def test_parse_date(text, year, expected):
    assert parse_date(text, year) == expected


@pytest.mark.parametrize("text, value, high, approximate", [
    ("5,220", "5220", None, False),
    ("2 million", "2000000", None, False),
    ("100 thousand", "100000", None, False),
    ("2.27 million", "2270000", None, False),
    ("60-70 thousand", "60000", "70000", False),
    ("some 400", "400", None, True),
    ("more than 150", "150", None, True),
    ("hundreds of thousands", None, None, True),
    ("twelve", "12", None, False),
])
def test_parse_quantity(text, value, high, approximate):
    got_value, got_high, got_approximate = parse_quantity(text)
    assert got_value == (Decimal(value) if value else None)
    assert got_high == (Decimal(high) if high else None)
    assert got_approximate is approximate


@pytest.mark.parametrize("text, value, currency", [
    ("The city donated US$700,000 in cash.", "700000", "USD"),
    ("a gift of RMB 4 million yuan", "4000000", "CNY"),
    ("aid worth 600 million won", "600000000", "KRW"),
    ("each gave 5,000 yen", "5000", "JPY"),
    ("a total of 50 million U.S. dollars", "50000000", "USD"),
    ("€2.5 million for vaccines", "2500000", "EUR"),
    ("39 million Philippine pesos", "39000000", "PHP"),
])
def test_find_money(text, value, currency):
    [(start, end, money)] = find_money(text)[:1]
    assert money.value == Decimal(value)
    assert money.currency == currency
    assert text[start:end] == money.text


def test_no_money_in_plain_counts():
    assert find_money("They sent 5,000 masks and 300 ventilators.") == []


_MONEY_PIECES = ["US$", "U.S.$", "$", "USD", "usd", "RMB", "Rs.", "Rs", "¥", "€", "yuan", "dollars", "US dollars",
                 "million", "billion", "bn", "mn", "m", "to", "-", "–", " ", "  ", ",", ".", "and", "gave", "\n",
                 "1", "20", "3,000", "4.5", "600", "2020", "07", "a"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_MONEY_PIECES), max_size=14))
def test_money_search_finds_what_the_whole_pattern_finds(pieces):
    """`_money_matches` tries the pattern only near digits: it must find exactly the matches
    that trying it everywhere (`finditer`) finds."""
    text = "".join(pieces)
    assert [m.span() for m in _money_matches(text)] == [m.span() for m in _money_pattern().finditer(text)]
