"""`chartsift serve --demo`: a demo reviewer and the demo case (corpora/demo), seeded once."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import select

from . import audit, worklist
from .auth import add_user, hash_password
from .config import Settings
from .models import Case, Document, User
from .worker import enqueue

DEMO_USER = "demo"
DEMO_FOLDER = Path(__file__).resolve().parents[2] / "corpora" / "demo"

def demo_packet() -> Path:
    packet = DEMO_FOLDER / "packet.pdf"
    if not packet.is_file():
        subprocess.run([sys.executable, str(DEMO_FOLDER / "make_demo.py")], check=True, stdout=subprocess.DEVNULL)
    return packet

def seed(settings: Settings, sessions, password: str | None = None) -> tuple[str, str, int]:
    """Ensure the demo user (password reset to `password` or a fresh random one) and the demo case;
    returns (user, password, case pk)."""
    password = password or os.environ.get("CHARTSIFT_DEMO_PASSWORD") or secrets.token_urlsafe(9)
    meta = json.loads((DEMO_FOLDER / "case.json").read_text(encoding="utf-8"))
    with sessions() as session, session.begin():
        user = session.scalar(select(User).where(User.name == DEMO_USER))
        if user is None:
            user = add_user(session, DEMO_USER, "reviewer", password)
            audit.append(session, "user_change", f"user:{DEMO_USER}/add:reviewer", user="demo-seed", request_id=None)
        else:
            user.password_hash, user.active = hash_password(password), True
        case = session.scalar(select(Case).where(Case.case_id == meta["case_id"]))
        if case is None:
            case = _demo_case(session, settings, meta, user)
        return DEMO_USER, password, case.id

def _demo_case(session, settings: Settings, meta: dict, user: User) -> Case:
    req = meta.get("request", {})
    case = Case(case_id=meta["case_id"], cpt=req.get("cpt"), side=req.get("side"),
                request_date=dt.date.fromisoformat(req["date"]) if req.get("date") else None,
                icd10=req.get("icd10", []), status="queued", created_by=user.id, source="upload",
                urgency=meta.get("urgency") or "standard")
    worklist.set_receipt(case, None, settings.timezone)  # the request date's start: the demo case is overdue
    session.add(case)
    session.flush()
    for name in meta.get("documents", ["packet.pdf"]):
        source = demo_packet() if name == "packet.pdf" else DEMO_FOLDER / name
        storage = f"{uuid.uuid4().hex}{source.suffix.lower()}"
        shutil.copyfile(source, settings.upload_dir / storage)

        data = source.read_bytes()
        session.add(Document(case_pk=case.id, display_name=name, storage_name=storage,
                             media_type="pdf" if data.startswith(b"%PDF-") else "text", size=len(data),
                             sha256=hashlib.sha256(data).hexdigest(), uploaded_by=user.id))
    audit.append(session, "case_create", f"case:{case.id}", user="demo-seed", request_id=None)
    enqueue(session, case)
    return case
