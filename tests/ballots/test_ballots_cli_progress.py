"""`omov credentials send` shows its progress bar once: in place on a terminal, never in a log."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from ballots_support import make_roll
from django.core import mail

from factories import CandidateFactory, ContestFactory
from omov.cli.main import main

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    """Standard error as a terminal: tqdm draws on it."""

    def isatty(self) -> bool:
        return True


def _open_ballot(tmp_path: Path, voters: int) -> None:
    contest = ContestFactory(slug="cli-contest", status="roll_frozen")
    CandidateFactory(contest=contest, name="A", status="nominated")
    make_roll(contest, voters)
    key = tmp_path / "count.key"
    assert main(["ballot", "open", "--contest", "cli-contest", "--key-out", str(key)]) == 0


def test_on_a_terminal_the_bar_is_drawn_on_one_line_and_cleared(
    settings: Any, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _open_ballot(tmp_path, 7)
    capsys.readouterr()
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    send = ["credentials", "send", "--contest", "cli-contest", "--rate", "0", "--batch-size", "3"]
    assert main(send) == 0
    drawn = terminal.getvalue()
    assert "0/7 [" in drawn, "a bar was drawn"
    # Every redraw goes back to the start of the same line, and the bar is wiped when done: one
    # bar on the screen while sending, none left after it, then the summary.
    assert "\n" not in drawn
    assert drawn.rstrip("\r").rsplit("\r", 1)[-1].strip() == ""
    assert capsys.readouterr().out == "Emailed 7 credentials; 0 still to send.\n"
    assert len(mail.outbox) == 7


def test_in_a_log_there_is_no_bar_only_the_summary(
    settings: Any, tmp_path: Path, capfd: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _open_ballot(tmp_path, 5)
    capfd.readouterr()
    send = ["credentials", "send", "--contest", "cli-contest", "--rate", "0", "--batch-size", "2"]
    assert main(send) == 0
    output = capfd.readouterr()
    assert output.err == ""
    assert output.out == "Emailed 5 credentials; 0 still to send.\n"


def test_no_bar_between_mail_printed_to_the_console(
    settings: Any, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.EMAIL_BACKEND = "omov.core.mail.RedactingConsoleBackend"
    _open_ballot(tmp_path, 3)
    capsys.readouterr()
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["credentials", "send", "--contest", "cli-contest", "--rate", "0"]) == 0
    assert terminal.getvalue() == ""
    assert capsys.readouterr().out.endswith("Emailed 3 credentials; 0 still to send.\n")
