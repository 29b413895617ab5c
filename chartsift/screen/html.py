"""HTML of a screening run: `index.html` (a sortable table of every case) and one report per case."""
from __future__ import annotations

import jinja2

_ENV = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;font-size:.9em}th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0;cursor:pointer;position:sticky;top:0}
.met,.meets_criteria{background:#dff3df}.not_met,.physician_review{background:#f8dcdc}
.insufficient,.missing_documentation{background:#fff3cd}.error{background:#e8d8f0}
blockquote{margin:.2em 0 .2em 1em;color:#444;font-style:italic}
td.id{white-space:nowrap}td.missing{min-width:18em;max-width:36em;font-size:.85em}
"""

_SORT_JS = """
document.querySelectorAll('th').forEach((th, col) => th.addEventListener('click', () => {
  const body = th.closest('table').tBodies[0];
  const asc = th.dataset.asc !== 'true'; th.dataset.asc = asc;
  const key = r => r.cells[col].dataset.v ?? r.cells[col].textContent.trim();
  const rows = Array.from(body.rows).sort((a, b) => {
    const x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
    const c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
    return asc ? c : -c; });
  rows.forEach(r => body.appendChild(r)); }));
"""

INDEX = _ENV.from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>chartsift screen: {{ total }} cases</title>
<style>{{ style }}</style></head><body>
<h1>chartsift screen</h1>
<p>{{ total }} cases{% for name, n in counts %} &middot; {{ name }}: {{ n }}{% endfor %}. Click a heading to sort.</p>
<table><thead><tr><th>case</th><th>recommendation</th><th>confidence</th><th>lowest</th><th>need review</th>
<th>error</th><th>pages</th><th>missing documentation</th>
{% for c in criteria %}<th>{{ c }}</th>{% endfor %}</tr></thead><tbody>
{% for r in rows %}
<tr><td class="id">{% if r.report %}<a href="{{ r.report }}">{{ r.case_id }}</a>{% else %}{{ r.case_id }}{% endif %}</td>
<td class="{{ r.recommendation or 'error' }}">{{ r.recommendation or 'error' }}</td>
<td data-v="{{ r.confidence }}">{{ r.confidence }}</td><td data-v="{{ r.lowest_confidence }}">{{ r.lowest_confidence }}</td>
<td data-v="{{ r.needs_review }}" title="{{ r.needs_review_criteria }}">{{ r.needs_review }}</td>
<td>{{ r.error_code }}{% if r.document_errors %} {{ r.document_errors }}{% endif %}</td>
<td data-v="{{ r.pages }}">{{ r.pages }}</td><td class="missing">{{ r.missing_documentation }}</td>
{% for c in criteria %}<td class="{{ r.get(c, '') }}">{{ r.get(c, '') }}</td>{% endfor %}</tr>
{% endfor %}
</tbody></table><script>{{ sort_js | safe }}</script></body></html>
""")

CASE = _ENV.from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ r.case_id }}: {{ r.recommendation.status }}</title>
<style>{{ style }}</style></head><body>
<p><a href="../index.html">&larr; all cases</a></p>
<h1>Case {{ r.case_id }}</h1>
<p>Policy {{ r.policy.id }} rev {{ r.policy.revision }} ({{ r.policy.pathway or 'both pathways' }}).
Request: CPT {{ r.request.cpt or '-' }}, side {{ r.request.side or '-' }}, date {{ r.request.date or '-' }},
ICD-10 {{ (r.request.icd10 or []) | join(', ') or '-' }}.</p>
<h2 class="{{ r.recommendation.status }}">{{ r.recommendation.status }}</h2>
<p>{{ r.recommendation.summary }}{% if r.recommendation.confidence is not none %} (confidence
{{ '%.2f' % r.recommendation.confidence }}){% endif %}</p>
{% if r.needs_review %}<p><b>{{ r.needs_review | length }} of {{ r.determinations | length }} criteria need review</b>
(confidence below the threshold): {{ r.needs_review | join(', ') }}</p>{% endif %}
{% for f in r.flags %}<p><b>Flag:</b> {{ f.kind }}{% if f.message %} &ndash; {{ f.message }}{% endif %}</p>{% endfor %}
<h2>Criteria</h2>
<table><thead><tr><th>criterion</th><th>status</th><th>confidence</th><th>rationale</th><th>evidence</th>
<th>missing</th></tr></thead><tbody>
{% for d in r.determinations %}
<tr><td>{{ d.criterion }}{% if d.criterion in r.needs_review %} <b title="needs review">?</b>{% endif %}</td>
<td class="{{ d.status }}">{{ d.status }}</td>
<td>{{ '%.2f' % d.confidence if d.confidence is not none else '' }}</td><td>{{ d.rationale }}</td>
<td>{% for fid in d.evidence %}{% for ev in facts.get(fid, {}).get('evidence', [])[:1] %}
<blockquote>&ldquo;{{ ev.text }}&rdquo; ({{ ev.document }}{% if ev.page %}, p. {{ ev.page }}{% endif %})</blockquote>
{% endfor %}{% endfor %}</td>
<td>{{ d.missing | join('; ') }}</td></tr>
{% endfor %}
</tbody></table>
<h2>Documents</h2><ul>
{% for doc in r.documents %}<li>{{ doc.name }}: {{ doc.pages }} page(s){% if doc.error %}, not read:
{{ doc.error.code }} &ndash; {{ doc.error.message }}{% endif %}</li>{% endfor %}
</ul>
{% if r.warnings %}<h2>Warnings</h2><ul>{% for w in r.warnings %}<li>{{ w }}</li>{% endfor %}</ul>{% endif %}
<p><small>chartsift {{ r.chartsift_version or '' }}</small></p>
</body></html>
""")


def render_index(rows: list[dict], criteria: list[str], counts: list[tuple[str, int]]) -> str:
    return INDEX.render(rows=rows, criteria=criteria, counts=counts, total=len(rows), style=_STYLE, sort_js=_SORT_JS)


def render_case(result: dict) -> str:
    """One case's report from its review JSON (a dict, as stored in the ledger)."""
    facts = {f.get("id"): f for f in result.get("facts", [])}
    return CASE.render(r=_Obj(result), facts=facts, style=_STYLE)


class _Obj(dict):
    """Dict with attribute access for the templates (missing keys read as None)."""

    def __getattr__(self, name):
        value = self.get(name)
        if isinstance(value, dict):
            return _Obj(value)
        if isinstance(value, list):
            return [_Obj(v) if isinstance(v, dict) else v for v in value]
        return value
