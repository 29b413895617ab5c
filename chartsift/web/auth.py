"""Accounts, server-side sessions and CSRF tokens."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .models import ROLES, LoginSession, User, utcnow

SESSION_COOKIE = "chartsift_session"
PRELOGIN_COOKIE = "chartsift_prelogin"   # double-submit CSRF token of the login form
_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile
_dummy: str | None = None


def use_hasher(hasher: PasswordHasher) -> None:
    """Swap the password hasher (tests use cheap parameters; stored hashes carry their own)."""
    global _hasher, _dummy
    _hasher, _dummy = hasher, None


def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist (same work either way)."""
    global _dummy
    if _dummy is None:
        _dummy = _hasher.hash("not a password")
    return _dummy


class UserError(ValueError):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_user(session: Session, name: str, role: str, password: str) -> User:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if not name or len(name) > 80 or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise UserError("user name: 1-80 letters, digits, '.', '-' or '_'")
    if len(password) < 8:
        raise UserError("password: at least 8 characters")
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise UserError(f"user {name!r} exists")
    user = User(name=name, role=role, password_hash=hash_password(password), active=True)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.name == name))
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    return user if user is not None and user.active else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def open_session(session: Session, user: User) -> tuple[str, LoginSession]:
    """A new session for `user`: the cookie token (only ever given to the browser) and its row."""
    token = secrets.token_urlsafe(32)
    row = LoginSession(token_hash=_digest(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32))
    session.add(row)
    session.flush()
    return token, row


def current_session(session: Session, token: str | None, idle_timeout_s: int) -> LoginSession | None:
    """The live session of a cookie token; an idle or unknown one is None (and an idle one is removed)."""
    if not token:
        return None
    row = session.get(LoginSession, _digest(token))
    if row is None or not row.user.active:
        return None
    now = utcnow()
    last = row.last_seen if row.last_seen.tzinfo else row.last_seen.replace(tzinfo=dt.UTC)
    if (now - last).total_seconds() > idle_timeout_s:
        session.delete(row)
        return None
    if (now - last).total_seconds() > 15:  # sliding expiry, without a write per request
        row.last_seen = now
    return row


def close_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(LoginSession).where(LoginSession.token_hash == _digest(token)))


def tokens_match(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))
