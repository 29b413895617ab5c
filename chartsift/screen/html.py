"""HTML of a screening run: `index.html` (a sortable table of every case) and one report per case."""
from __future__ import annotations

import jinja2

_ENV = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
_ENV.tests["status_is"] = lambda criterion, row, status: row.get(criterion) == status

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;font-size:.9em}th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0;cursor:pointer;position:sticky;top:0}
.met,.meets_criteria{background:#dff3df}.not_met,.physician_review{background:#f8dcdc}
.insufficient,.missing_documentation{background:#fff3cd}.error{background:#e8d8f0}
blockquote{margin:.2em 0 .2em 1em;color:#444;font-style:italic}
td.id{white-space:nowrap}td.missing{min-width:18em;max-width:36em;font-size:.85em}
"""

_INDEX_STYLE = """
body{margin:1em 1.2em}
table.cases{width:100%;table-layout:auto}
table.cases td{overflow-wrap:break-word}
table.cases td.id{white-space:normal;max-width:11em;overflow-wrap:anywhere}td.num{text-align:right;white-space:nowrap}
td.missing{min-width:0;max-width:22em;font-size:.82em}td.missing ul{margin:.2em 0;padding-left:1.1em}
td.missing summary{cursor:pointer}
td.crit{max-width:17em;font-size:.82em}td.crit summary{cursor:pointer;white-space:nowrap}
.chips{display:flex;flex-wrap:wrap;gap:2px;margin-top:3px}
.chip{display:inline-block;border-radius:3px;padding:0 4px;font-size:.85em;white-space:nowrap;border:1px solid #ccc}
td.blocking{max-width:12em}
.filters{display:flex;flex-wrap:wrap;gap:.4em 1.2em;align-items:center;margin:.6em 0;padding:.5em .7em;
background:#f6f7f9;border:1px solid #ddd;border-radius:4px}
.filters label{white-space:nowrap}#shown{font-weight:600}
tr[hidden]{display:none}
"""

_SORT_JS = """
document.querySelectorAll('th[data-sort]').forEach(th => th.addEventListener('click', () => {
  const col = th.cellIndex, body = th.closest('table').tBodies[0];
  const asc = th.dataset.asc !== 'true'; th.dataset.asc = asc;
  const key = r => r.cells[col].dataset.v ?? r.cells[col].textContent.trim();
  const rows = Array.from(body.rows).sort((a, b) => {
    const x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
    const c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
    return asc ? c : -c; });
  rows.forEach(r => body.appendChild(r)); }));
"""

#: the filters: plain JavaScript over the rows' data attributes (no network; the page works from file://)
_FILTER_JS = """
const byId = id => document.getElementById(id);
function applyFilters() {
  const rec = byId('f-rec').value, review = byId('f-review').checked, err = byId('f-error').value;
  const q = byId('f-q').value.trim().toLowerCase();
  let shown = 0;
  const rows = document.querySelectorAll('#cases tbody tr');
  rows.forEach(r => {
    const ok = (!rec || r.dataset.rec === rec) && (!review || r.dataset.review !== '0')
      && (!err || (err === 'yes') === (r.dataset.error === '1'))
      && (!q || r.dataset.case.toLowerCase().includes(q));
    r.hidden = !ok; shown += ok; });
  byId('shown').textContent = shown + ' of ' + rows.length + ' cases shown';
}
['f-rec', 'f-review', 'f-error', 'f-q'].forEach(id => byId(id).addEventListener('input', applyFilters));
byId('f-clear').addEventListener('click', () => {
  byId('f-rec').value = ''; byId('f-review').checked = false; byId('f-error').value = ''; byId('f-q').value = '';
  applyFilters(); });
applyFilters();
"""

INDEX = _ENV.from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>chartsift screen: {{ total }} cases</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{{ style }}{{ index_style }}</style></head><body>
<h1>chartsift screen</h1>
<p>{{ total }} cases{% for name, n in counts %} &middot; {{ name }}: {{ n }}{% endfor %}. Click a heading to sort.
<b>Blocking</b>: the criteria that keep a case from meets_criteria (not met or insufficient on its pathway).</p>
<form class="filters" id="filters" onsubmit="return false">
<label>Recommendation <select id="f-rec"><option value="">all</option>
{% for name in recommendations %}<option value="{{ name }}">{{ name }}</option>{% endfor %}</select></label>
<label><input type="checkbox" id="f-review"> needs review only</label>
<label>Error <select id="f-error"><option value="">any</option><option value="yes">with an error</option>
<option value="no">without an error</option></select></label>
<label>Case <input id="f-q" type="search" size="12" placeholder="case id"></label>
<button type="button" id="f-clear">Clear</button> <span id="shown" role="status"></span>
</form>
<table class="cases" id="cases"><thead><tr><th data-sort>case</th><th data-sort>recommendation</th>
<th data-sort>blocking</th><th data-sort title="recommendation confidence">conf.</th>
<th data-sort title="lowest confidence of a criterion">lowest</th>
<th data-sort title="criteria below the routing threshold">review</th><th data-sort>error</th><th data-sort>pages</th>
<th data-sort>missing documentation</th><th>criteria</th></tr></thead><tbody>
{% for r in rows %}
{% set rec = r.recommendation or 'error' %}
<tr data-case="{{ r.case_id }}" data-rec="{{ rec }}" data-review="{{ r.needs_review or 0 }}"
data-error="{{ 1 if r.error_code or r.document_errors else 0 }}">
<td class="id">{% if r.report %}<a href="{{ r.report }}">{{ r.case_id }}</a>{% else %}{{ r.case_id }}{% endif %}</td>
<td class="{{ rec }}" data-v="{{ rec }}">{{ rec | replace('_', ' ') }}</td>
<td class="blocking" data-v="{{ r.blocking_criteria }}">{% for c in r.blocking_criteria.split() %}<span class="chip {{ r.get(c, '') }}" title="{{ r.get(c, '') }}">{{ c }}</span> {% endfor %}</td>
<td class="num" data-v="{{ r.confidence }}">{{ r.confidence }}</td>
<td class="num" data-v="{{ r.lowest_confidence }}">{{ r.lowest_confidence }}</td>
<td class="num" data-v="{{ r.needs_review }}" title="{{ r.needs_review_criteria }}">{{ r.needs_review }}</td>
<td>{{ r.error_code }}{% if r.document_errors %} {{ r.document_errors }}{% endif %}</td>
<td class="num" data-v="{{ r.pages }}">{{ r.pages }}</td>
<td class="missing" data-v="{{ r.missing_documentation }}">{% set missing = r.missing_documentation.split(' | ') if r.missing_documentation else [] %}
{% if missing | length > 1 %}<details><summary>{{ missing[0] }} <b>+{{ missing | length - 1 }}</b></summary><ul>
{% for m in missing[1:] %}<li>{{ m }}</li>{% endfor %}</ul></details>{% else %}{{ missing | join('') }}{% endif %}</td>
<td class="crit">{% set shown = criteria | select('in', r) | list %}{% if shown %}<details><summary>
{%- for status in ('met', 'insufficient', 'not_met') %}{% set n = shown | select('status_is', r, status) | list | length %}{% if n %}<span class="chip {{ status }}">{{ n }} {{ status | replace('_', ' ') }}</span> {% endif %}{% endfor %}</summary>
<div class="chips">{% for c in shown %}<span class="chip {{ r[c] }}" title="{{ c }}: {{ r[c] }}">{{ c }}</span>{% endfor %}</div></details>{% endif %}</td></tr>
{% endfor %}
</tbody></table><script>{{ sort_js | safe }}{{ filter_js | safe }}</script></body></html>
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


RECOMMENDATIONS = ("meets_criteria", "missing_documentation", "physician_review", "error")


def render_index(rows: list[dict], criteria: list[str], counts: list[tuple[str, int]]) -> str:
    return INDEX.render(rows=rows, criteria=criteria, counts=counts, total=len(rows), style=_STYLE,
                        index_style=_INDEX_STYLE, sort_js=_SORT_JS, filter_js=_FILTER_JS,
                        recommendations=RECOMMENDATIONS)


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
