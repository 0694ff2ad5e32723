"""``omov.count`` is a pure library: it loads neither Django nor any other omov package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

PROBE = """
import json, sys
import omov.count
import omov.count.formats.blt
import omov.count.report
omov.count.count(
    omov.count.BallotFile(
        candidates=("A", "B"),
        ballots=(omov.count.RawBallot((("A",),), 2), omov.count.RawBallot((("B",),), 1)),
    ),
    method="irv",
).to_json_dict()
print(json.dumps(sorted(sys.modules)))
"""


def test_importing_and_counting_loads_no_django_and_no_other_omov_package() -> None:
    environment = {**os.environ, "PYTHONPATH": str(SRC)}
    completed = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )
    modules = json.loads(completed.stdout)

    assert "omov.count" in modules
    assert not [name for name in modules if name == "django" or name.startswith("django.")]
    foreign = [
        name
        for name in modules
        if name.startswith("omov.") and not (name == "omov.count" or name.startswith("omov.count."))
    ]
    assert foreign == []
