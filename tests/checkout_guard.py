"""Refuse, in the test processes, every read of a path beside the checkout (e.g. ../shared).

Not a test file: ``conftest.py`` installs it, and ``test_self_contained.py`` checks it works.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

#: The checkout. Everything the tests read lives inside it (or in a temporary folder).
REPOSITORY = Path(__file__).resolve().parents[1]


#: Every refused read, kept because some callers (pathlib's glob) swallow the PermissionError.
READS_BESIDE_THE_CHECKOUT: list[Path] = []


#: Folders that hold far more than the checkout's neighbours (the temporary folder, where pytest
#: puts its own files, and the root): a checkout placed directly in one of them has no
#: "beside" to guard.
_SHARED_FOLDERS = frozenset({Path(tempfile.gettempdir()).resolve(), Path("/")})


def _outside_checkout(path: object) -> Path | None:
    """Return ``path`` resolved if it lies beside the checkout (in its parent folder, not in it)."""
    if isinstance(path, int) or path is None:
        return None
    try:
        resolved = Path(os.fsdecode(path)).resolve()  # type: ignore[arg-type]
    except (TypeError, ValueError, OSError):
        return None
    if resolved.is_relative_to(REPOSITORY) or resolved.is_relative_to(Path(sys.prefix).resolve()):
        return None
    if resolved.is_relative_to(REPOSITORY.parent) and REPOSITORY.parent not in _SHARED_FOLDERS:
        # Beside the checkout, even when the checkout itself sits in a temporary folder of its
        # own (CI clones into /tmp/omov-ci.XXXX/omov): that folder's other entries are not ours.
        return resolved
    return None


def _refuse_reads_beside_the_checkout(event: str, args: tuple[Any, ...]) -> None:
    """Fail any open, listing or glob of a path beside the checkout (e.g. ../shared).

    People clone omov into an empty folder; code or tests that look beside the checkout work only
    on a developer's machine. An audit hook sees every open, so no module can do it unnoticed.
    """
    if event not in {"open", "os.listdir", "os.scandir", "glob.glob", "os.chdir"} or not args:
        return
    outside = _outside_checkout(args[0])
    if outside is not None:
        READS_BESIDE_THE_CHECKOUT.append(outside)
        raise PermissionError(
            f"The tests read {outside}, beside the checkout {REPOSITORY}: everything omov reads "
            "must live inside the repository."
        )


_installed: list[bool] = []


def install() -> None:
    """Add the audit hook once per process (audit hooks cannot be removed)."""
    if not _installed:
        sys.addaudithook(_refuse_reads_beside_the_checkout)
        _installed.append(True)
