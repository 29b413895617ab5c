"""Arguments shared by `chartsift serve`, `user`, `queue` and `audit`: where the data and the database are, and the
reviewers' time zone."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from .config import Settings, default_data_dir


def add_storage_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", type=Path, default=None, metavar="DIR",
                   help="uploads, page cache and the SQLite database (default $CHARTSIFT_DATA_DIR or ./chartsift-data)")
    p.add_argument("--db", default=None, metavar="URL",
                   help="database URL (default: SQLite DATA_DIR/chartsift.db; or $CHARTSIFT_DB; "
                        "postgresql://user@host/db for PostgreSQL)")
    p.add_argument("--timezone", default=None, metavar="ZONE",
                   help="the reviewers' time zone, an IANA name such as America/Chicago: times shown to the minute, "
                        "due dates on its calendar (default $CHARTSIFT_TIMEZONE, else the server's zone)")


def settings_from(args: argparse.Namespace, **overrides) -> Settings:
    data_dir = args.data_dir or default_data_dir()
    zone = getattr(args, "timezone", None) or os.environ.get("CHARTSIFT_TIMEZONE", "")
    if zone:
        _check_zone(zone)
    return Settings(data_dir=data_dir, db_url=args.db or os.environ.get("CHARTSIFT_DB", ""), timezone=zone,
                    **overrides)


def _check_zone(zone: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SystemExit(f"chartsift: error: unknown time zone {zone!r} (an IANA name such as America/Chicago)") \
            from None


def open_db(settings: Settings):
    """Migrated engine and session factory for a command-line tool."""
    from .db import make_engine, make_sessionmaker, upgrade

    settings.ensure_dirs()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine, make_sessionmaker(engine, settings.audit_head_file)
