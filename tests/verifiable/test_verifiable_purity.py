"""``omov.verifiable`` is a pure library: it loads neither Django nor any other omov package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

PROBE = """
import json, pkgutil, importlib, sys
import omov.verifiable
for info in pkgutil.iter_modules(omov.verifiable.__path__):
    importlib.import_module("omov.verifiable." + info.name)
print(json.dumps(sorted(sys.modules)))
"""


def test_importing_every_module_loads_no_django_and_no_other_omov_package() -> None:
    environment = {**os.environ, "PYTHONPATH": str(SRC)}
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=environment, check=True
    )
    modules = json.loads(completed.stdout)
    assert "omov.verifiable.shuffle" in modules
    assert not [name for name in modules if name == "django" or name.startswith("django.")]
    foreign = [
        name
        for name in modules
        if name.startswith("omov.") and not name.startswith("omov.verifiable")
    ]
    assert foreign == []
