"""Known-vulnerability audit of the pinned dependency closure (constraints.txt), run by .ci/run.

    python tools/audit_deps.py [constraints.txt] [--snapshot .ci/advisories.json] [--strict]

1. pip-audit against OSV (`pip-audit -r constraints.txt --no-deps --disable-pip -s osv --strict`).
   When it can audit every pin, its answer is the answer.
2. When OSV cannot be reached (as on this project's machines, where only PyPI and Debian are), every
   pin is checked through PyPI's JSON API instead:
   - a pin equal to the project's latest release: the `vulnerabilities` PyPI lists for it (PyPI's own
     advisory data, from OSV / the PyPA advisory database);
   - an older pin: PyPI's per-release endpoint when it answers, else the dated advisory snapshot
     (.ci/advisories.json) for the few pins that cannot be latest (held back by spaCy 3.7.5).
   A pin none of these can speak for is "unaudited" and named.

Exit 0: no known vulnerability in any audited pin. Exit 1: at least one (each printed with its id and
the fixed version). Exit 2: with --strict, some pin could not be audited. Prints one line per finding
and a summary line; never prints anything but package names, versions and advisory ids.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from packaging.version import InvalidVersion, Version

REPO = Path(__file__).resolve().parent.parent
PYPI = "https://pypi.org/pypi"


@dataclass
class Audit:
    name: str
    version: str
    source: str = "unaudited"          # pip-audit/osv | pypi-latest | pypi-release | snapshot | unaudited
    vulns: list[dict] = field(default_factory=list)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path) -> list[tuple[str, str]]:
    pins = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins.append((name.strip(), version.strip().split(";")[0].strip()))
    return pins


def affected_by_fixed(version: str, fixed: str) -> bool:
    """True when `version` is older than the first fixed release `fixed`."""
    try:
        return Version(version) < Version(fixed)
    except InvalidVersion:
        return True                       # cannot compare: report rather than hide


def audit_from_snapshot(name: str, version: str, snapshot: dict) -> Audit | None:
    reviewed = snapshot.get("reviewed", {})
    if canonical(name) not in reviewed:
        return None
    vulns = [{"id": adv["id"], "fixed": adv["fixed"]} for adv in reviewed[canonical(name)]
             if affected_by_fixed(version, adv["fixed"])]
    return Audit(name, version, f"snapshot {snapshot.get('read_on', '?')}", vulns)


def vulns_from_pypi(entries: list[dict]) -> list[dict]:
    return [{"id": v.get("id", "?"), "fixed": ",".join(v.get("fixed_in") or []) or "none"}
            for v in entries if not v.get("withdrawn")]


def _get_json(url: str, timeout: float) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return None


def audit_via_pypi(name: str, version: str, snapshot: dict, timeout: float) -> Audit:
    project = _get_json(f"{PYPI}/{name}/json", timeout)
    if project is not None and project.get("info", {}).get("version") == version:
        return Audit(name, version, "pypi-latest", vulns_from_pypi(project.get("vulnerabilities") or []))
    release = _get_json(f"{PYPI}/{name}/{version}/json", timeout)
    if release is not None:
        return Audit(name, version, "pypi-release", vulns_from_pypi(release.get("vulnerabilities") or []))
    return audit_from_snapshot(name, version, snapshot) or Audit(name, version)


def run_pip_audit(constraints: Path) -> list[Audit] | None:
    """pip-audit's own answer, or None when it could not audit every pin (service unreachable)."""
    exe = shutil.which("pip-audit") or str(Path(sys.executable).with_name("pip-audit"))
    if not Path(exe).exists():
        return None
    cmd = [exe, "-r", str(constraints), "--no-deps", "--disable-pip", "-s", "osv", "--strict",
           "--format", "json", "--progress-spinner", "off"]
    try:
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=600)
    except (subprocess.TimeoutExpired, OSError):
        return None
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        return None
    deps = report.get("dependencies", [])
    if not deps or any("skip_reason" in d for d in deps):
        return None
    return [Audit(d["name"], d.get("version", "?"), "pip-audit/osv",
                  [{"id": v["id"], "fixed": ",".join(v.get("fix_versions") or []) or "none"} for v in d.get("vulns", [])])
            for d in deps]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("constraints", nargs="?", default=str(REPO / "constraints.txt"))
    parser.add_argument("--snapshot", default=str(REPO / ".ci" / "advisories.json"))
    parser.add_argument("--strict", action="store_true", help="exit 2 when a pin could not be audited")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--no-pip-audit", action="store_true", help="skip step 1 (OSV through pip-audit)")
    args = parser.parse_args(argv)
    constraints = Path(args.constraints)
    snapshot = json.loads(Path(args.snapshot).read_text(encoding="utf-8"))
    audits = None if args.no_pip_audit else run_pip_audit(constraints)
    if audits is None:
        pins = read_pins(constraints)
        with ThreadPoolExecutor(8) as pool:
            audits = list(pool.map(lambda p: audit_via_pypi(p[0], p[1], snapshot, args.timeout), pins))
    found = [a for a in audits if a.vulns]
    unaudited = [a for a in audits if a.source == "unaudited"]
    for audit in found:
        for vuln in audit.vulns:
            print(f"VULNERABLE {audit.name}=={audit.version}: {vuln['id']} (fixed in {vuln['fixed']}) [{audit.source}]")
    for audit in unaudited:
        print(f"UNAUDITED {audit.name}=={audit.version}")
    by_source: dict[str, int] = {}
    for audit in audits:
        by_source[audit.source] = by_source.get(audit.source, 0) + 1
    sources = ", ".join(f"{k} {v}" for k, v in sorted(by_source.items()))
    print(f"dependency audit: {len(audits)} pins, {sum(len(a.vulns) for a in found)} known vulnerabilities, "
          f"{len(unaudited)} unaudited ({sources})")
    if found:
        return 1
    return 2 if (unaudited and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
