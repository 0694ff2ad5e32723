"""Who the audit trail says acted, for everything done from the `omov` command.

One label for every command (issue 15, item 10): the trail used to say ``cli``, ``cli:root`` or
``omov roles`` for the same person at the same terminal. The label names the operating-system
account and machine, because the command line has no omov user: whoever can run `omov` on the
server holds the database.
"""

from __future__ import annotations

import getpass
import socket

#: What every command-line label starts with, so the trail can be filtered by it.
PREFIX = "command line"


def cli_actor_label() -> str:
    """Return ``command line (account@machine)``, or ``command line`` when neither is known."""
    try:
        account = getpass.getuser()
    except (KeyError, OSError):
        account = ""
    try:
        machine = socket.gethostname()
    except OSError:
        machine = ""
    where = "@".join(part for part in (account, machine) if part)
    return f"{PREFIX} ({where})"[:150] if where else PREFIX
