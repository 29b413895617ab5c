"""`chartsift corpus check`: a good corpus passes; a bad gold file of each kind is rejected, named."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chartsift.cli import main
from chartsift.evaluation import CorpusError, check_corpus, load_corpus
from chartsift.evaluation.check import logic_errors, quote_in_text

MINICORPUS = Path(__file__).parent / "fixtures" / "minicorpus"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    shutil.copytree(MINICORPUS, tmp_path / "corpus")
    return tmp_path / "corpus"


def edit_gold(corpus: Path, case: str, change) -> None:
    path = corpus / case / "gold.json"
    gold = json.loads(path.read_text())
    change(gold)
    path.write_text(json.dumps(gold))


def _set_fact(index: int, key: str, value):
    def change(gold):
        gold["facts"][index][key] = value
    return change


def _set_quote(index: int, quote: str, document: str | None = None):
    def change(gold):
        evidence = gold["facts"][index]["evidence"][0]
        evidence["quote"] = quote
        if document:
            evidence["document"] = document
    return change


def _drop_determination(criterion: str):
    def change(gold):
        del gold["determinations"][criterion]
    return change


def _set_determination(criterion: str, status: str):
    def change(gold):
        gold["determinations"][criterion] = status
    return change


def _duplicate_fact(index: int):
    def change(gold):
        gold["facts"].append(gold["facts"][index])
    return change


def test_good_corpus_passes(corpus):
    assert check_corpus(corpus) == []
    assert [c.case_id for c in load_corpus(corpus)] == ["MINI-01", "MINI-02"]


@pytest.mark.parametrize("case, change, where, reason", [
    pytest.param("MINI-01", _set_quote(5, "FABER positive on the right"), "facts[5].evidence[0]",
                 "quote is not verbatim in office_visit_2026-01-12.txt", id="quote-not-verbatim"),
    pytest.param("MINI-01", _set_quote(5, "faber positive on the left"), "facts[5].evidence[0]",
                 "not verbatim", id="quote-case-differs"),
    pytest.param("MINI-01", _set_quote(5, "FABER positive on the left", "missing.txt"), "facts[5].evidence[0]",
                 "'missing.txt' is not a readable document of the case", id="quote-unknown-document"),
    pytest.param("MINI-01", _set_fact(5, "result", "pos"), "facts[5].provocative_test.result",
                 "Input should be 'positive' or 'negative'", id="bad-enum-value"),
    pytest.param("MINI-01", _set_fact(3, "site", "sij"), "facts[3].tenderness.site",
                 "Input should be", id="bad-key-value"),
    pytest.param("MINI-01", _set_fact(0, "type", "pain"), "facts[0]", "does not match any of the expected tags",
                 id="bad-fact-type"),
    pytest.param("MINI-01", _set_fact(0, "severity", 7), "facts[0].pain_pattern.severity",
                 "Extra inputs are not permitted", id="unknown-attribute"),
    pytest.param("MINI-01", _set_fact(0, "assertion", "likely"), "facts[0].pain_pattern.assertion",
                 "Input should be", id="bad-assertion"),
    pytest.param("MINI-01", _set_fact(0, "evidence", []), "facts[0].pain_pattern.evidence",
                 "at least 1 item", id="fact-without-evidence"),
    pytest.param("MINI-01", _duplicate_fact(5), "facts[11]", "same type, key and assertion as facts[5]",
                 id="duplicate-key"),
    pytest.param("MINI-01", _drop_determination("II.G"), "determinations",
                 "missing criteria of the minimally_invasive pathway: II.G", id="missing-criterion"),
    pytest.param("MINI-02", _drop_determination("recommendation"), "determinations",
                 "missing criteria of the open pathway: recommendation", id="missing-recommendation"),
    pytest.param("MINI-01", _set_determination("II.Z", "met"), "determinations.II.Z", "unknown criterion",
                 id="unknown-criterion"),
    pytest.param("MINI-01", _set_determination("II.G", "maybe"), "determinations.II.G",
                 "status 'maybe' is not one of met, not_met, insufficient", id="bad-status"),
    pytest.param("MINI-02", _set_determination("recommendation", "deny"), "determinations.recommendation",
                 "is not one of meets_criteria", id="bad-recommendation"),
    pytest.param("MINI-01", _set_determination("II.F", "met"), "determinations",
                 "II.F is met but all of II.F.1, II.F.2, II.F.3 gives insufficient", id="parent-contradicts-parts"),
    pytest.param("MINI-02", _set_determination("recommendation", "physician_review"), "determinations",
                 "recommendation is physician_review but I, III, codes give meets_criteria",
                 id="recommendation-contradicts-criteria"),
    pytest.param("MINI-02", lambda g: g.update(complete=["imaging", "x_ray"]), "complete",
                 "Input should be", id="bad-complete-type"),
])
def test_bad_gold_file_is_rejected_naming_case_file_and_place(corpus, case, change, where, reason):
    edit_gold(corpus, case, change)
    problems = check_corpus(corpus)
    assert problems, "the corpus check accepted a bad gold file"
    assert any(p.case == case and p.file == "gold.json" and where in p.where and reason in p.reason
               for p in problems), [str(p) for p in problems]


def test_case_json_and_gold_case_ids_must_agree(corpus):
    edit_gold(corpus, "MINI-02", lambda g: g.update(case_id="MINI-99"))
    [problem] = check_corpus(corpus)
    assert (problem.where, problem.reason) == ("case_id", "case_id differs from case.json's")


def test_missing_gold_file_is_rejected(corpus):
    (corpus / "MINI-02" / "gold.json").unlink()
    assert [str(p) for p in check_corpus(corpus)] == ["MINI-02: gold.json: missing"]


def test_load_corpus_refuses_invalid_gold(corpus):
    edit_gold(corpus, "MINI-01", _set_fact(5, "result", "pos"))
    with pytest.raises(CorpusError, match="MINI-01/gold.json"):
        load_corpus(corpus)


@pytest.mark.parametrize("quote, found", [
    pytest.param("FABER positive on the left", True, id="verbatim"),
    pytest.param("Thigh thrust positive   on the\nleft", True, id="whitespace-runs-match"),
    pytest.param("FABER Positive on the left", False, id="case-matters"),
    pytest.param("FABER positive on the left.", False, id="extra-character"),
    pytest.param("   ", False, id="blank"),
])
def test_quote_in_text(quote, found):
    text = "EXAM: FABER positive on the left\nThigh thrust positive on the left"
    assert quote_in_text(quote, text) is found


@pytest.mark.parametrize("dets, errors", [
    pytest.param({"I.A": "not_met", "I.B": "insufficient", "I.C": "not_met", "I.D": "not_met", "I": "insufficient"},
                 0, id="any-insufficient"),
    pytest.param({"I.A": "not_met", "I.B": "met", "I.C": "not_met", "I.D": "not_met", "I": "not_met"},
                 1, id="any-met-annotated-not-met"),
    pytest.param({"II.A.1": "met", "II.A.2": "met", "II.A.3": "met", "II.A": "not_met"}, 0,
                 id="II.A-may-fail-on-duration"),
    pytest.param({"II.A.1": "met", "II.A.2": "insufficient", "II.A.3": "met", "II.A": "met"}, 1,
                 id="II.A-met-with-an-insufficient-part"),
])
def test_logic_errors(dets, errors):
    assert len(logic_errors(dets, None)) == errors


def test_cli_corpus_check_exit_codes(corpus, capsys):
    assert main(["corpus", "check", str(corpus)]) == 0
    assert "2 cases OK" in capsys.readouterr().out
    edit_gold(corpus, "MINI-01", _set_quote(5, "FABER negative"))
    assert main(["corpus", "check", str(corpus)]) == 1
    err = capsys.readouterr().err
    assert "MINI-01: gold.json facts[5].evidence[0]: quote is not verbatim" in err
    assert "FABER negative" not in err


# SPEC section 5, written out here once to pin the policy file against the contract
SPEC_CRITERIA = {
    "minimally_invasive": ("II.A.1", "II.A.2", "II.A.3", "II.A", "II.B", "II.C", "II.D", "II.E",
                           "II.F.1", "II.F.2", "II.F.3", "II.F", "II.G", "II.H", "II", "III", "codes"),
    "open": ("I.A", "I.B", "I.C", "I.D", "I", "III", "codes"),
}
SPEC_COMPOSITES = {
    "II.A": ("all", ("II.A.1", "II.A.2", "II.A.3"), False),  # also six months of failed care
    "II.F": ("all", ("II.F.1", "II.F.2", "II.F.3"), True),
    "II": ("all", ("II.A", "II.B", "II.C", "II.D", "II.E", "II.F", "II.G", "II.H"), True),
    "I": ("any", ("I.A", "I.B", "I.C", "I.D"), True),
}


def test_criterion_ids_and_composites_come_from_the_policy_file_and_match_spec():
    from chartsift.evaluation.criteria import logic, pathway_criteria

    assert {p: pathway_criteria(p) for p in SPEC_CRITERIA} == SPEC_CRITERIA
    assert logic() == SPEC_COMPOSITES


SIJ = Path(__file__).parents[1] / "corpora" / "sij"


@pytest.mark.skipif(not SIJ.is_dir(), reason="corpora/sij not present")
def test_the_sij_corpus_passes_the_check():
    assert [str(p) for p in check_corpus(SIJ)] == []
    assert len(load_corpus(SIJ)) >= 30


def test_facts_only_gold_is_checked_without_determinations(corpus):
    """Real notes that are no request (corpora/mtsamples_dev) carry facts-only gold: no determinations
    key at all. Its facts are still checked; an empty determinations object is not facts-only."""
    edit_gold(corpus, "MINI-01", lambda g: g.pop("determinations"))
    assert check_corpus(corpus) == []
    edit_gold(corpus, "MINI-01", _set_quote(5, "FABER positive on the right"))
    assert [p.where for p in check_corpus(corpus)] == ["facts[5].evidence[0]"]
    edit_gold(corpus, "MINI-02", lambda g: g.update(determinations={}))
    assert any("missing criteria" in p.reason for p in check_corpus(corpus) if p.case == "MINI-02")
