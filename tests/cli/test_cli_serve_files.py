"""`omov serve` keeps its run-time files (gunicorn's control socket) in the data folder, never
in the user's home folder (issue 15, item 11)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from omov.cli.serve import run_gunicorn


def test_the_control_socket_is_in_the_data_folder(
    tmp_path: Path, settings: Any, monkeypatch: Any
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    seen: dict[str, Any] = {}

    def run(self: BaseApplication) -> None:  # instead of serving: read the configuration
        seen["control_socket"] = self.cfg.control_socket
        seen["bind"] = self.cfg.bind

    monkeypatch.setattr(BaseApplication, "run", run)
    run_gunicorn(bind="127.0.0.1:8765", workers=1)
    assert seen["control_socket"] == str(tmp_path / "data" / "gunicorn.ctl")
    assert seen["bind"] == ["127.0.0.1:8765"]
    assert (tmp_path / "data").is_dir()
