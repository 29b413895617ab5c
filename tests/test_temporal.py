"""Table tests for the date forms the injection, relief and conservative-care modules rely on."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.text.temporal import find_dates

ANCHOR = dt.date(2025, 9, 8)


@pytest.mark.parametrize("text, expected", [
    pytest.param("since January of this year", [(dt.date(2025, 1, 1), True)], id="since-month"),
    pytest.param("from May through June 2025", [(dt.date(2025, 5, 1), True), (dt.date(2025, 6, 1), True)],
                 id="month-range"),
    pytest.param("since last October", [(dt.date(2024, 10, 1), True)], id="last-month-name"),
    pytest.param("since this past March", [(dt.date(2025, 3, 1), True)], id="this-past-month-name"),
    pytest.param("after the 3/2 injection", [(dt.date(2025, 3, 2), False)], id="month-day"),
    pytest.param("PT 6/2/25-7/14/25", [(dt.date(2025, 6, 2), False), (dt.date(2025, 7, 14), False)],
                 id="short-year-range"),
    pytest.param("05-Jan-2026", [(dt.date(2026, 1, 5), False)], id="day-mon-year"),
    pytest.param("last month", [(dt.date(2025, 8, 8), True)], id="last-month-relative"),
    pytest.param("since last September", [(dt.date(2024, 9, 1), True)], id="last-same-month-is-a-year-ago"),
    pytest.param("since last August", [(dt.date(2025, 8, 1), True)], id="last-previous-month"),
])
def test_dates(text, expected):
    assert [(d.date, d.approximate) for d in find_dates(text, ANCHOR)] == expected


@pytest.mark.parametrize("text", [
    pytest.param("pain diary: pre 8/10, 30 min 2/10, 2 h 1/10, 6 h 4/10", id="diary-hours-label"),
    pytest.param("Pain 7/10 pre, 1/10 at 30 min", id="score-before-pre"),
    pytest.param("pain 6/10 at rest", id="pain-score"),
])
def test_pain_scores_are_not_dates(text):
    assert find_dates(text, ANCHOR) == []



DATE_PIECES = ["03/02/2026", "3/2", "2026-03-02", "2 March 2026", "March 2, 2026", "Mar 2", "March 2026", "3/2026",
               "in March", "since last October", "two weeks later", "3 months ago", "in 6 weeks", "last month",
               "today", "yesterday", "quit in 2019", "7/10", "80%", "SEPT", "ſeptember", "İn March", "٣/٢/٢٠٢٦",
               "mid-May", "pain", "block", " ", ", ", "\n", "x", "ago", "later"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(DATE_PIECES), max_size=10).map(" ".join))
def test_patterns_ruled_out_by_digits_and_words_change_nothing(text):
    """A pattern is skipped when the text lacks a digit or every word its matches need: the mentions are
    those that running every pattern finds."""
    from extractor.text import temporal

    quick = find_dates(text, ANCHOR)
    saved = temporal._RULED_OUT_BY
    temporal._RULED_OUT_BY = [(kind, pattern, False, ()) for kind, pattern, _, _ in saved]
    try:
        assert quick == find_dates(text, ANCHOR)
    finally:
        temporal._RULED_OUT_BY = saved


def test_what_rules_a_pattern_out_is_read_from_the_patterns():
    from extractor.text import temporal

    needs = {kind: (digit, words) for kind, _, digit, words in temporal._RULED_OUT_BY}
    assert needs["mdy"][0] and needs["iso"][0] and not needs["mon"][0] and not needs["day"][0]
    assert "jan" in needs["mon"][1] and "sep" in needs["mon"][1] and needs["day"][1] == ("today", "tomorrow", "yesterday")


@pytest.mark.parametrize("text, expected", [
    pytest.param("ſeptember 3, 2025", [(dt.date(2025, 9, 3), False)], id="long-s-month"),
    pytest.param("APRİL 2025", [(dt.date(2025, 4, 1), True)], id="dotted-capital-i-month"),
    pytest.param("ſix weeks ago", [(dt.date(2025, 7, 28), False)], id="long-s-number-word"),
    pytest.param("yeſterday", [(dt.date(2025, 9, 7), False)], id="long-s-day-word"),
    pytest.param("mıd-May 2025", [(dt.date(2025, 5, 15), True)], id="dotless-i-quarter"),
    pytest.param("Sept. 3, 2025 and six weeks ago", [(dt.date(2025, 9, 3), False), (dt.date(2025, 7, 28), False)],
                 id="distractor-plain-letters"),
])
def test_letters_a_caseless_regex_folds_are_read_not_crashed_on(text, expected):
    """The patterns match case-insensitively, and "ſ", "ı", "İ" match s and i there while str.lower() keeps
    them: looking the matched word up by str.lower() raised KeyError (found by the hypothesis test above)."""
    assert [(d.date, d.approximate) for d in find_dates(text, ANCHOR)] == expected


@pytest.mark.parametrize(("text", "expected"), [
    # a fraction before a quantity is no month/day
    pytest.param("Former smoker, 1/2 pack per day for 24 years, quit 2016.", ["2016-01-01"], id="half-pack-then-quit-year"),
    pytest.param("smoked 3/4 of a pack daily", [], id="fraction-of-a-pack"),
    pytest.param("1/2 ppd x 30 yrs", [], id="fraction-ppd"),
    pytest.param("takes 1/2 tab of tramadol at night", [], id="fraction-tab"),
    pytest.param("can walk 1/4 mile before stopping", [], id="fraction-mile"),
    pytest.param("relief lasted 1/2 hour", [], id="fraction-hour"),
    # distractors: the same shape that is a date
    pytest.param("seen 1/2 for follow-up", ["2025-01-02"], id="date-before-words"),
    pytest.param("on 3/4 she had an SI joint injection", ["2025-03-04"], id="date-before-pronoun"),
    pytest.param("Injection 2/3, packed the site with gauze", ["2025-02-03"], id="date-before-comma"),
])
def test_fractions_of_quantities_are_no_dates(text, expected):
    from extractor.text.temporal import find_dates

    found = [m.date.isoformat() for m in find_dates(text, dt.date(2025, 8, 25))]
    assert found == expected
