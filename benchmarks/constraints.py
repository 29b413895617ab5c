"""Print pinned constraints (name==version) for the dependency closure of chartsift[dev] as installed in this venv:
    .venv/bin/python benchmarks/constraints.py > constraints.txt   (then put back the header comment)
"""
import re
from importlib.metadata import PackageNotFoundError, distribution

from packaging.requirements import Requirement

roots = [("chartsift", {"dev"})]
seen = {}
stack = list(roots)
while stack:
    name, extras = stack.pop()
    key = re.sub(r"[-_.]+", "-", name).lower()
    try:
        dist = distribution(name)
    except PackageNotFoundError:
        continue
    prev = seen.get(key)
    if prev is not None and extras <= prev[1]:
        continue
    seen[key] = (dist, (prev[1] if prev else set()) | extras)
    for raw in dist.requires or []:
        req = Requirement(raw)
        env_ok = any(req.marker.evaluate({"extra": e}) for e in (extras or {""})) if req.marker else True
        if req.marker and not extras and not req.marker.evaluate({"extra": ""}):
            env_ok = False
        if env_ok:
            stack.append((req.name, set(req.extras)))
for key in sorted(seen):
    if key == "chartsift":
        continue
    dist = seen[key][0]
    print(f"{dist.metadata['Name']}=={dist.version}")
