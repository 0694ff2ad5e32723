"""Helpers for the attack tests: a clean environment as on a fresh server, a free port."""

from __future__ import annotations

import os
import socket
from pathlib import Path


def clean_environment(tmp_path: Path, **variables: str) -> dict[str, str]:
    """Return an environment with nothing of the test run in it: as on a fresh server."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    env.update(variables)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
