"""The house's one rule of flow: the simulation core never imports ``analysis``.

DESIGN.md: ``scenario``, ``register``, ``weather``, ``network``, ``dispatch`` and ``adequacy``
never import ``analysis/``; only the layer on top (the commands, the run pipeline and the sweep
case runner) may combine the two.
"""

from __future__ import annotations

import ast
from pathlib import Path

from model import ROOT

#: Orchestration modules allowed to use analysis (DESIGN.md, "The house"): the commands (cli and
#: what they print, console), the run pipeline and the sweep case runner.
ORCHESTRATION = {"model/cli.py", "model/console.py", "model/run.py", "model/sweep/case.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_core_never_imports_analysis():
    offenders = []
    for path in sorted((ROOT / "model").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ORCHESTRATION:
            continue
        bad = sorted(m for m in _imports(path) if m == "analysis" or m.startswith("analysis."))
        if bad:
            offenders.append(f"{rel}: {', '.join(bad)}")
    assert not offenders, "model/ imports analysis/ outside orchestration:\n" + "\n".join(offenders)


def test_the_check_sees_an_offender(tmp_path):
    # the scan finds an analysis import when there is one (the test above could otherwise pass on
    # a parser that finds nothing)
    probe = tmp_path / "probe.py"
    probe.write_text("import numpy\nfrom analysis.metrics import metrics\n", encoding="utf-8")
    assert "analysis.metrics" in _imports(probe)
