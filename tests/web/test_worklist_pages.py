"""Worklist pages: 50 cases a page by default, Previous / Next, "cases 51-100 of 123", and the filters and sort kept
across pages (the pager's links, the filter form and the "assign to me" return address)."""
from __future__ import annotations

import datetime as dt
import html as htmllib
import re

from sqlalchemy import select

from chartsift.web.models import Case, User

TOTAL = 123
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _queue(web) -> None:
    """TOTAL queued cases, P-000 due first, one hour apart; the even ones assigned to nurse (62 of them)."""
    with web.sessions() as s, s.begin():
        nurse = s.scalar(select(User).where(User.name == "nurse"))
        for n in range(TOTAL):
            s.add(Case(case_id=f"P-{n:03d}", status="queued", source="upload", created_by=nurse.id, urgency="standard",
                       received_at=START + dt.timedelta(hours=n) - dt.timedelta(days=7),
                       due_at=START + dt.timedelta(hours=n), assignee_id=nurse.id if n % 2 == 0 else None))


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr data-case="([^"]+)"', page)


def _range(page: str) -> str:
    text = re.search(r'id="pager-top".*?<span class="meta page-range">(.*?)</span>', page, re.DOTALL).group(1)
    return htmllib.unescape(text)


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'id="pager-top".*?<a href="([^"]+)" rel="{rel}"', page.split('id="pager-bottom"')[0], re.DOTALL)
    return htmllib.unescape(found.group(1)) if found else None


def test_fifty_a_page_with_previous_and_next(logged_in):
    _queue(logged_in)
    first = logged_in.client.get("/cases").text
    assert _rows(first) == [f"P-{n:03d}" for n in range(50)]
    assert _range(first) == "cases 1–50 of 123 (page 1 of 3)"
    assert _link(first, "prev") is None and '<span class="prev disabled">' in first
    assert _link(first, "next") == "/cases?page=2"
    second = logged_in.client.get(_link(first, "next")).text
    assert _rows(second) == [f"P-{n:03d}" for n in range(50, 100)]
    assert _range(second) == "cases 51–100 of 123 (page 2 of 3)"
    assert _link(second, "prev") == "/cases" and _link(second, "next") == "/cases?page=3"
    third = logged_in.client.get("/cases?page=3").text
    assert _rows(third) == [f"P-{n:03d}" for n in range(100, TOTAL)]
    assert _range(third) == "cases 101–123 of 123 (page 3 of 3)" and _link(third, "next") is None
    assert 'id="pager-bottom"' in third  # the pager under the table too


def test_filters_and_sort_are_kept_across_pages(logged_in):
    _queue(logged_in)
    first = logged_in.client.get("/cases?assignee=me&sort=-due").text
    mine = [f"P-{n:03d}" for n in range(TOTAL - 1, -1, -1) if n % 2 == 0]  # 62, latest due first
    assert _rows(first) == mine[:50]
    assert _range(first) == "cases 1–50 of 62 (page 1 of 2)"
    following = _link(first, "next")
    assert following == "/cases?assignee=me&sort=-due&page=2"
    second = logged_in.client.get(following).text
    assert _rows(second) == mine[50:]
    assert _link(second, "prev") == "/cases?assignee=me&sort=-due"
    # the filter form keeps them too (a new filter starts at page 1), and "assign to me" comes back to this page
    assert '<option value="me" selected>' in second and '<option value="-due" selected>' in second
    unassigned = logged_in.client.get("/cases?assignee=none&page=2").text
    assert 'name="next" value="/cases?assignee=none&amp;page=2"' in unassigned


def test_page_size_and_out_of_range_pages(logged_in):
    _queue(logged_in)
    big = logged_in.client.get("/cases?size=100").text
    assert len(_rows(big)) == 100 and _range(big) == "cases 1–100 of 123 (page 1 of 2)"
    assert _link(big, "next") == "/cases?page=2&size=100"
    assert '<option value="100" selected>100 per page</option>' in big
    past = logged_in.client.get("/cases?page=9").text  # past the end: the last page
    assert _range(past) == "cases 101–123 of 123 (page 3 of 3)"
    for junk in ("0", "-1", "abc", "99999999999"):
        assert _range(logged_in.client.get(f"/cases?page={junk}").text).startswith("cases 1–50 of 123")
    odd = logged_in.client.get("/cases?size=7").text  # a size not offered: the default
    assert len(_rows(odd)) == 50


def test_an_empty_or_short_list_has_one_page(logged_in):
    page = logged_in.client.get("/cases").text
    assert _range(page) == "no cases" and _link(page, "next") is None and _link(page, "prev") is None
    assert "No cases yet." in page
    filtered = logged_in.client.get("/cases?q=nothing-matches").text
    assert "No case matches these filters." in filtered
