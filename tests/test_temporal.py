"""Table tests for the date forms the injection, relief and conservative-care modules rely on."""
from __future__ import annotations

import datetime as dt

import pytest

from extractor.temporal import find_dates

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


def test_repeated_reads_give_the_same_mentions_and_their_own_list():
    anchor = dt.date(2026, 3, 10)
    text = "Block on 03/02/2026, relief for 2 weeks; seen again 3 days later."
    first = find_dates(text, anchor)
    first.append("caller's own")
    again = find_dates(text, anchor)
    assert [d.date for d in again] == [dt.date(2026, 3, 2), dt.date(2026, 3, 13)]
    assert [d.date for d in find_dates(text, dt.date(2026, 3, 20))] == [dt.date(2026, 3, 2), dt.date(2026, 3, 23)]
    long_text = "x " * 1500 + text  # over the kept length: read each time, same answer
    assert [d.date for d in find_dates(long_text, anchor)] == [d.date for d in again]
