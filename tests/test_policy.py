"""Policies as data: loading (and failing precisely), revisions by date, a second payer, the CLI."""
from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any

import pytest
from pydantic import TypeAdapter

from chartsift.cli import main
from evaluator import PolicyFileError, UnknownPolicyError, available_policies, evaluate_case, load_policy
from evaluator.loader import parse_policy
from models import Fact, Request

_FACT = TypeAdapter(Fact)
CP = resources.files("evaluator").joinpath("policies", "cp_mp_126.yaml").read_text(encoding="utf-8")


def fact(kind: str, **attributes: Any) -> Any:
    evidence = [{"document": "note.txt", "start": 0, "end": 4, "text": "note"}]
    return _FACT.validate_python({"type": kind, "evidence": evidence, **attributes})


def numbered(facts: list) -> list:
    for i, f in enumerate(facts, 1):
        f.id = f"f{i}"
    return facts


# ---------------------------------------------------------------- malformed policy files
@pytest.mark.parametrize("old, new, expected", [
    pytest.param("        n: 2\n        days: 14\n", "        n: 2\n        days: 14\n        dayz: 3\n",
                 ["bad.yaml: criteria[1](II).of[6](II.G).dayz: unknown key 'dayz'", "allowed keys: date_attribute, days"],
                 id="unknown-key-in-leaf"),
    pytest.param("payer: Centene\n", "payer: Centene\nowner: me\n",
                 ["bad.yaml: owner: unknown key 'owner'; allowed keys: always, criteria"], id="unknown-top-level-key"),
    pytest.param("          relief_percent: {gte: 75}\n", "          relief_percent: {atleast: 75}\n",
                 ["criteria[1](II).of[6](II.G).where[0].relief_percent.atleast: unknown key 'atleast'",
                  "allowed keys: contains_any, contains_none, eq, gt, gte, in, ipsilateral"],
                 id="unknown-condition-key"),
    pytest.param("        op: apart\n", "        op: pairwise\n",
                 ["criteria[1](II).of[6](II.G): Input tag 'pairwise'", "'present', 'absent', 'count'"],
                 id="unknown-operator"),
    pytest.param("        fact: injection\n        n: 2\n", "        fact: injections\n        n: 2\n",
                 ["criteria[1](II).of[6](II.G).fact: unknown fact type 'injections'; allowed: pain_pattern"],
                 id="unknown-fact-type"),
    pytest.param("          relief_percent: {gte: 75}\n", "          relief_pct: {gte: 75}\n",
                 ["criteria[1](II).of[6](II.G): unknown attribute 'relief_pct' of fact type 'injection'",
                  "allowed attributes: anesthetic, assertion"], id="unknown-attribute"),
    pytest.param("        where: {condition: pelvic_ring_fracture}\n", "        where: {condition: pelvic_fracture}\n",
                 ["criteria[0](I).of[0](I.A): unknown value 'pelvic_fracture' for diagnosis.condition",
                  "pelvic_ring_fracture"], id="unknown-attribute-value"),
    pytest.param("M46.1, M46.28", "M46.1, M46-28", ["criteria[3](codes).codes: not an ICD-10-CM code or range"],
                 id="malformed-icd10-code"),
    pytest.param("always: [III, codes]", "always: [III, code]", ["criterion 'code' is not a top-level criterion"],
                 id="pathway-names-missing-criterion"),
    pytest.param("      - id: II.B\n", "      - id: II.A\n", ["duplicate criterion ids: II.A"], id="duplicate-id"),
    pytest.param("id: CP.MP.126\n", "id: [CP.MP.126\n", ["bad.yaml: invalid YAML at line"], id="invalid-yaml"),
])
def test_malformed_policy_fails_precisely(old, new, expected):
    assert old in CP
    with pytest.raises(PolicyFileError) as err:
        parse_policy("bad.yaml", CP.replace(old, new, 1))
    for part in expected:
        assert part in str(err.value)


def test_bundled_policies_load():
    ids = {p.id for p in available_policies()}
    assert {"CP.MP.126", "eviCore-CMM-611"} <= ids
    cp = load_policy("CP.MP.126")
    assert (cp.revision, cp.effective.from_) == ("06/22", dt.date(2022, 6, 1))
    assert {p.name: p.cpt for p in cp.pathways} == {"minimally_invasive": ["27279"], "open": ["27280"]}


def test_every_spec_criterion_is_in_the_policy_with_its_wording():
    cp = load_policy("CP.MP.126")
    spec = ["I", "I.A", "I.B", "I.C", "I.D", "II", "II.A", "II.A.1", "II.A.2", "II.A.3", "II.B", "II.C", "II.D",
            "II.E", "II.F", "II.F.1", "II.F.2", "II.F.3", "II.G", "II.H", "III", "codes"]
    for criterion in spec:
        assert cp.node(criterion).text, criterion


def test_unknown_policy_id_lists_the_available_ones():
    with pytest.raises(UnknownPolicyError, match="available: CP.MP.126"):
        load_policy("CP.MP.999")


# ---------------------------------------------------------------- revisions by request date
REVISION = """
id: AMB.SIJ
title: SIJ fusion
payer: Ambetter
revision: "{revision}"
effective: {{from: {start}, to: {end}}}
pathways: [{{name: minimally_invasive, cpt: ["27279"], criterion: G}}]
criteria:
  - id: G
    op: apart
    fact: injection
    days: {days}
    where: {{site: sacroiliac_joint, purpose: diagnostic, relief_percent: {{gte: 75}}}}
"""


@pytest.fixture
def revisions(tmp_path):
    """Two revisions of one id: the later one drops "at least two weeks apart" (OTHER_PAYERS.md)."""
    (tmp_path / "amb_2023.yaml").write_text(REVISION.format(revision="2023", start="2023-01-01",
                                                            end="2024-06-30", days=14))
    (tmp_path / "amb_2024.yaml").write_text(REVISION.format(revision="2024", start="2024-07-01",
                                                            end="null", days=1))
    return str(tmp_path)


@pytest.mark.parametrize("on, revision", [
    pytest.param(dt.date(2024, 6, 30), "2023", id="last-day-of-old-revision"),
    pytest.param(dt.date(2024, 7, 1), "2024", id="first-day-of-new-revision"),
    pytest.param(None, "2024", id="no-date-latest"),
    pytest.param(dt.date(2020, 1, 1), "2024", id="before-any-revision-latest"),
])
def test_revision_in_force_on_the_request_date(revisions, on, revision):
    assert load_policy("AMB.SIJ", on, directory=revisions).revision == revision


@pytest.mark.parametrize("request_date, expected", [
    pytest.param("2024-06-30", "not_met", id="old-revision-needs-14-days"),
    pytest.param("2024-07-01", "met", id="new-revision-dropped-14-days"),
])
def test_revision_changes_the_determination(revisions, request_date, expected):
    blocks = numbered([fact("injection", site="sacroiliac_joint", purpose="diagnostic", relief_percent=80,
                            date=day) for day in ("2024-03-01", "2024-03-08")])
    result = evaluate_case(blocks, Request(cpt="27279", date=request_date), policy_id="AMB.SIJ",
                           policy_dir=revisions)
    assert result.determinations[0].status == expected


def test_request_before_any_revision_warns(revisions):
    result = evaluate_case([], Request(cpt="27279", date="2020-01-01"), policy_id="AMB.SIJ", policy_dir=revisions)
    assert any("no revision of AMB.SIJ is in force on 2020-01-01" in w for w in result.warnings)


# ---------------------------------------------------------------- a second payer, no code change
def evicore_case(smoking: str, tests: int) -> list:
    names = ["thigh_thrust", "compression", "distraction", "gaenslen", "faber"]
    return numbered([
        fact("tenderness", site="posterior_sij", side="left"),
        *[fact("provocative_test", test=name, result="positive") for name in names[:tests]],
        *[fact("provocative_test", test=name, result="negative") for name in names[tests:]],
        fact("smoking_status", status=smoking),
        fact("imaging", modality="ct", site="si_joint", date="2026-03-01"),
        fact("injection", site="sacroiliac_joint", purpose="diagnostic", guidance="ct", relief_percent=80,
             date="2026-02-01"),
        fact("injection", site="sacroiliac_joint", purpose="diagnostic", guidance="fluoroscopy",
             relief_percent=90, date="2026-02-08"),
    ])


@pytest.mark.parametrize("smoking, tests, statuses, recommendation", [
    pytest.param("never", 3, {"MIS.provocative": "met", "MIS.nicotine": "met"}, "meets_criteria",
                 id="any-three-tests-never-smoker"),
    pytest.param("current", 5, {"MIS.nicotine": "not_met"}, "physician_review", id="current-smoker-not-met"),
    pytest.param("former", 2, {"MIS.provocative": "not_met"}, "physician_review", id="three-negative-tests"),
    pytest.param("unknown", 3, {"MIS.nicotine": "insufficient"}, "missing_documentation", id="smoking-unknown"),
])
def test_evicore_policy_selected_by_id(smoking, tests, statuses, recommendation):
    request = Request(cpt="27279", side="left", date="2026-05-04")
    result = evaluate_case(evicore_case(smoking, tests), request, policy_id="eviCore-CMM-611")
    assert (result.policy.id, result.policy.revision) == ("eviCore-CMM-611", "summary")
    got = {d.criterion: d.status for d in result.determinations}
    assert {k: got[k] for k in statuses} == statuses
    assert result.recommendation.status == recommendation
    assert not result.flags  # smoking is a criterion here, not a flag


def test_same_chart_differs_between_payers():
    """Thigh thrust and compression negative: CP.MP.126 II.D fails, eviCore's any-3-of-5 passes."""
    facts = numbered([fact("provocative_test", test=t, result="negative") for t in ("thigh_thrust", "compression")]
                     + [fact("provocative_test", test=t, result="positive") for t in ("distraction", "gaenslen", "faber")])
    request = Request(cpt="27279", side="left", date="2026-05-04")
    cp = {d.criterion: d.status for d in evaluate_case(facts, request).determinations}
    ev = {d.criterion: d.status for d in evaluate_case(facts, request, policy_id="eviCore-CMM-611").determinations}
    assert (cp["II.D"], ev["MIS.provocative"]) == ("not_met", "met")


# ---------------------------------------------------------------- CLI
def test_cli_policy_list(capsys):
    assert main(["policy", "list"]) == 0
    out = capsys.readouterr().out
    assert "CP.MP.126" in out and "06/22" in out and "eviCore-CMM-611" in out


def test_cli_policy_show_prints_tree_with_wording(capsys):
    assert main(["policy", "show", "CP.MP.126"]) == 0
    out = capsys.readouterr().out
    assert "II.G [apart] diagnostic SIJ injections" in out
    assert "At least 75% reduction in pain" in out and "relief_percent gte 75" in out
    assert out.index("II.A.1 [present]") < out.index("II.B [all]") < out.index("III [present]")


def test_cli_policy_show_unknown(capsys):
    assert main(["policy", "show", "nope"]) == 2
    assert "unknown policy 'nope'" in capsys.readouterr().err
