"""Settings of the reviewer web app: one frozen object handed to the app factory and the worker."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024
#: the review worker's address-space limit in MiB, as the batch's workers (chartsift.screen.DEFAULT_MEMORY_MB):
#: spaCy and PDFium reserve ~1 GB of it
DEFAULT_WORKER_MEMORY_MB = 3072


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    db_url: str = ""
    max_upload_bytes: int = 50 * MB       # whole request body, enforced while streaming
    max_pages: int = 500                  # per document (too_many_pages beyond it)
    idle_timeout_s: int = 15 * 60         # idle logout
    secure_cookies: bool | None = None    # None: Secure when the request came over https
    page_scale: float = 1.5               # page images: pixels per PDF point
    poll_interval_s: float = 0.5          # worker: how often an idle worker looks for jobs
    job_timeout_s: int = 600              # worker: a review taking longer fails with `timeout`
    timezone: str = ""                    # times on pages and exports (IANA name); "": the server's local zone
    # the web import of a `screen` output .zip (the .zip itself is bounded by max_upload_bytes): zip bombs and
    # archives of many small files are refused from the central directory, and again while a member is read
    import_max_members: int = 10_000      # entries in the .zip (a screen run writes ~2 per case)
    import_max_unpacked_bytes: int = 512 * MB  # summary.csv + results.jsonl unpacked, as read (not as declared)
    import_max_ratio: int = 200           # unpacked / packed size of a member over 1 MiB (JSON packs ~10-20x)

    @property
    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.data_dir / 'chartsift.db'}"

    @property
    def upload_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def result_dir(self) -> Path:
        return self.data_dir / "results"

    @property
    def audit_head_file(self) -> Path:
        """The audit trail's head checkpoints, kept outside the database (see audit.py)."""
        return self.data_dir / "audit-head.log"

    def ensure_dirs(self) -> None:
        for d in (self.data_dir, self.upload_dir, self.cache_dir, self.result_dir, self.data_dir / "work"):
            d.mkdir(parents=True, exist_ok=True, mode=0o700)


def default_data_dir() -> Path:
    return Path(os.environ.get("CHARTSIFT_DATA_DIR", "chartsift-data"))
