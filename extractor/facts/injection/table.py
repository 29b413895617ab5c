"""Injection logs laid out as tables (extractor/facts/injection/log.py cuts the rows): one fact per dated row,
read from its cells. `rules` is injection's compiled rules; `attributes(text, rules)` reads guidance, drugs and
flags from text, as for mentions (extractor/facts/injection/mentions.py passes its reader)."""
from __future__ import annotations

import re
from collections.abc import Callable

from extractor.facts.injection.log import LogRow, log_rows
from extractor.facts.injection.numbers import round_half_up
from extractor.facts.injection.relief import side_in, site_in
from extractor.text.temporal import find_dates
from models import Injection

Attributes = Callable[[str, object], dict[str, object]]


def table_facts(text: str, ctx, rules, attributes: Attributes) -> tuple[list[Injection], list[tuple[int, int]]]:
    """One fact per dated row of an injection log ("Date  Side  Type  Injectate  IA  Contrast  Pre  Post").

    The site comes from the table's own "Site" column or from the text above it (the log's
    title); attributes stated above the table ("All injections intra-articular, fluoroscopic
    guidance") hold for every row that does not say otherwise.
    """
    header_at, rows = log_rows(text, rules.rules.table, ctx.date)
    if not rows:
        return [], []
    above = text[:header_at]
    shared = attributes(above, rules)
    facts = [f for row in rows if (f := _row_fact(row, above, shared, ctx, rules, attributes)) is not None]
    return facts, [(row.start, row.end) for row in rows] if facts else []


def _row_fact(row: LogRow, above: str, shared: dict, ctx, rules, attributes: Attributes) -> Injection | None:
    cell = row.cells
    dates = find_dates(cell.get("date", ""), ctx.date)
    row_text = " ; ".join(v for k, v in cell.items() if k != "date")
    site = site_in(cell.get("site", "")) or site_in(row_text) or site_in(above, near=len(above))
    if site is None or not dates:
        return None
    values = dict(shared)
    values.update(attributes(" ; ".join(v for k, v in cell.items() if k not in ("date", "pre", "post", "relief")), rules))
    values.update(attributes(cell.get("drugs", ""), rules))
    if "guidance" in cell and "/" in cell["guidance"]:  # "Guidance/Contrast/IA" over "fluoro / yes / yes"
        for name, part in zip(("guidance", "contrast", "intra_articular"), cell["guidance"].split("/")):
            if name != "guidance" and re.match(rules.rules.table.yes, part.strip(), re.IGNORECASE):
                values[name] = True
            elif name != "guidance" and re.match(rules.rules.table.no, part.strip(), re.IGNORECASE):
                values[name] = False
    for name in ("intra_articular", "contrast"):
        if name in cell:
            yes = re.match(rules.rules.table.yes, cell[name], re.IGNORECASE)
            no = re.match(rules.rules.table.no, cell[name], re.IGNORECASE)
            values[name] = True if yes else False if no else values.get(name)
    purpose = next((p for p, rx in rules.purpose.items() if rx.search(cell.get("purpose", ""))), None)
    purpose = "therapeutic" if values.get("steroid") else purpose or ("diagnostic" if values.get("anesthetic") else None)
    evidence = ctx.evidence(row.start, row.end, rule="injection.table_row")
    return Injection(site=site, date=dates[0].date, date_approximate=dates[0].approximate,
                     side=side_in(cell["side"]) if "side" in cell else side_in(cell.get("site", "") or row_text),
                     purpose=purpose,
                     guidance=values.get("guidance"), contrast=values.get("contrast"),
                     intra_articular=values.get("intra_articular"), anesthetic=values.get("anesthetic"),
                     steroid=values.get("steroid"), relief_percent=_row_relief(cell), evidence=[evidence])


def _row_relief(cell: dict[str, str]) -> float | None:
    num = re.compile(r"^\s*~?(\d{1,3}(?:\.\d+)?)")
    if "relief" in cell and (m := num.match(cell["relief"])):
        arrow = re.match(r"^\s*(\d{1,2})\s*(?:->|\u2192|to)\s*(\d{1,2})\b", cell["relief"])  # "10 -> 2" scores
        if arrow and float(arrow.group(1)) > 0:
            pre, post = float(arrow.group(1)), float(arrow.group(2))
            return float(max(0, round_half_up((pre - post) / pre * 100)))
        if re.match(r"^\s*(?:none|no relief|nil|0\b)", cell["relief"], re.IGNORECASE):
            return 0.0
        return float(m.group(1))
    if "relief" in cell and re.match(r"^\s*(?:none|no relief|nil)\b", cell["relief"], re.IGNORECASE):
        return 0.0
    pre, post = (num.match(cell.get(k, "")) for k in ("pre", "post"))
    if pre and post and float(pre.group(1)) > 0:
        return float(max(0, round_half_up((float(pre.group(1)) - float(post.group(1))) / float(pre.group(1)) * 100)))
    return None
