"""The audit trail (append-only, hash-chained, verified) and the user/audit commands."""
from __future__ import annotations

import io
import itertools
import sqlite3

import pytest
from sqlalchemy import delete, select, update

from chartsift.cli import main
from chartsift.web import audit
from chartsift.web.models import AuditEvent

from .conftest import TEST_DB


def _cli(data_dir, *args, stdin: str = "") -> int:
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        return main([*args, "--data-dir", str(data_dir), *(["--db", TEST_DB] if TEST_DB else [])])
    finally:
        sys.stdin = old


def _append(web, n: int) -> None:
    with web.sessions() as s, s.begin():
        for i in range(n):
            audit.append(s, "view_case", f"case:{i}", user="nurse", request_id=f"r{i}")


def test_chain_verifies_and_links_each_row_to_the_one_before(web):
    _append(web, 4)
    with web.sessions() as s:
        rows = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert audit.verify(s).ok and audit.verify(s).rows == 4
    assert rows[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))


@pytest.mark.parametrize("change", ["orm-update", "orm-delete", "bulk-update", "bulk-delete"])
def test_app_layer_refuses_to_change_audit_rows(web, change):
    _append(web, 2)
    with web.sessions() as s, pytest.raises(audit.AuditTamperError), s.begin():
        if change == "orm-update":
            s.scalar(select(AuditEvent)).action = "nothing"
        elif change == "orm-delete":
            s.delete(s.scalar(select(AuditEvent)))
        elif change == "bulk-update":
            s.execute(update(AuditEvent).values(action="nothing"))
        else:
            s.execute(delete(AuditEvent))
    with web.sessions() as s:
        assert audit.verify(s).ok and audit.verify(s).rows == 2


def _tamper(web, sql: str) -> None:
    """Change the database behind the app's back (the sqlite file, or psql on PostgreSQL)."""
    if TEST_DB:
        from sqlalchemy import text

        with web.app.state.engine.begin() as conn:
            conn.execute(text(sql))
        return
    con = sqlite3.connect(web.settings.data_dir / "chartsift.db")
    con.execute(sql)
    con.commit()
    con.close()


@pytest.mark.parametrize("sql,seq,reason", [
    pytest.param("UPDATE audit_log SET user_name = 'mallory' WHERE seq = 3", 3, "content", id="edited-row"),
    pytest.param("DELETE FROM audit_log WHERE seq = 2", 2, "missing", id="deleted-row"),
    pytest.param("DELETE FROM audit_log WHERE seq = 5", 5, "truncated: the head checkpoint records row 5, the "
                 "chain ends at row 4", id="truncated-tail"),
    pytest.param("DELETE FROM audit_log WHERE seq >= 3", 3, "truncated: the head checkpoint records row 5, the "
                 "chain ends at row 2", id="truncated-last-three"),
    pytest.param("DELETE FROM audit_log", 1, "records row 5, the chain ends at row 0", id="emptied"),
])
def test_audit_verify_reports_the_first_broken_link(web, capsys, sql, seq, reason):
    _append(web, 5)
    assert _cli(web.settings.data_dir, "audit", "verify") == 0
    assert "intact: 5 rows" in capsys.readouterr().out
    _tamper(web, sql)
    code = _cli(web.settings.data_dir, "audit", "verify")
    out = capsys.readouterr().out
    assert code == 1 and f"broken at row {seq}" in out and reason in out


def test_a_truncated_chain_written_on_again_is_found(web, capsys):
    """Cut the last two rows, then let the app append three: a whole chain again, but not the one committed."""
    _append(web, 5)
    _tamper(web, "DELETE FROM audit_log WHERE seq >= 4")
    _append(web, 3)
    assert _cli(web.settings.data_dir, "audit", "verify") == 1
    assert "broken at row 4: row does not match its head checkpoint" in capsys.readouterr().out


def test_a_rolled_back_row_leaves_no_checkpoint(web, capsys):
    _append(web, 2)
    with web.sessions() as s:
        s.begin()
        audit.append(s, "view_case", "case:x", user="nurse", request_id="r")
        s.rollback()
    assert audit.read_checkpoints(web.settings.audit_head_file).keys() == {1, 2}
    assert _cli(web.settings.data_dir, "audit", "verify") == 0


def test_the_head_file_removed_or_an_outside_copy(web, capsys, tmp_path):
    """Without the head file a chain's end cannot be checked: that is a failure, not a pass. A copy kept
    elsewhere (--head) finds a truncation that also rewrote the data folder's file."""
    _append(web, 3)
    copy = tmp_path / "head-copy.log"
    copy.write_bytes(web.settings.audit_head_file.read_bytes())
    web.settings.audit_head_file.unlink()
    assert _cli(web.settings.data_dir, "audit", "verify") == 1
    assert "no head checkpoint file (audit-head.log)" in capsys.readouterr().out
    _tamper(web, "DELETE FROM audit_log WHERE seq = 3")
    audit.write_checkpoints(web.settings.audit_head_file, _rows(web))  # someone who can write the data folder
    assert _cli(web.settings.data_dir, "audit", "verify") == 0, "the rewritten file agrees with the cut chain"
    capsys.readouterr()
    assert _cli(web.settings.data_dir, "audit", "verify", "--head", str(copy)) == 1
    assert "truncated: the head checkpoint records row 3, the chain ends at row 2" in capsys.readouterr().out


def _rows(web) -> list[tuple[int, str]]:
    with web.sessions() as s:
        return [(e.seq, e.hash) for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))]


def test_user_add_with_password_stdin_and_login(web, capsys):
    assert _cli(web.settings.data_dir, "user", "add", "carol", "--role", "admin", "--password-stdin",
                stdin="a long secret\n") == 0
    assert "added carol (admin)" in capsys.readouterr().out
    assert web.login("carol", "a long secret").status_code == 303
    assert _cli(web.settings.data_dir, "user", "list") == 0
    assert "carol\tadmin\tactive" in capsys.readouterr().out
    with web.sessions() as s:
        assert "user_change" in s.scalars(select(AuditEvent.action)).all()


@pytest.mark.parametrize("args,stdin,message", [
    pytest.param(["bob", "--password-stdin"], "short\n", "at least 8", id="short-password"),
    pytest.param(["bad/name", "--password-stdin"], "long enough pw\n", "user name", id="bad-name"),
])
def test_user_add_refuses_bad_input(web, capsys, args, stdin, message):
    assert _cli(web.settings.data_dir, "user", "add", *args, stdin=stdin) == 2
    assert message in capsys.readouterr().err


def test_user_disable_ends_sessions(logged_in):
    assert logged_in.client.get("/cases").status_code == 200
    assert _cli(logged_in.settings.data_dir, "user", "disable", "nurse") == 0
    assert logged_in.client.get("/cases").status_code == 401
