"""The one paced loop of every bulk email: batches, the rate, the limit, the connection."""

from __future__ import annotations

from typing import Any

import pytest

from omov.core import mail


class _Connection:
    def __init__(self) -> None:
        self.opened = self.closed = 0

    def open(self) -> None:
        self.opened += 1

    def close(self) -> None:
        self.closed += 1


@pytest.fixture
def connection(monkeypatch: Any) -> _Connection:
    made = _Connection()
    monkeypatch.setattr(mail, "get_connection", lambda **_: made)
    return made


@pytest.fixture
def clock(monkeypatch: Any) -> list[float]:
    """A clock that moves only when the loop sleeps; returns the sleeps."""
    now = [100.0]
    slept: list[float] = []
    monkeypatch.setattr(mail.time, "monotonic", lambda: now[0])

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(mail.time, "sleep", sleep)
    return slept


def test_batches_run_until_one_sends_nothing_on_one_connection(
    connection: _Connection, clock: list[float]
) -> None:
    left = [7]
    sizes: list[int] = []
    seen: list[object] = []

    def send(conn: object, size: int) -> int:
        seen.append(conn)
        sizes.append(size)
        sent = min(size, left[0])
        left[0] -= sent
        return sent

    progress: list[int] = []
    assert mail.paced_send(send, batch_size=3, rate=0, progress=progress.append) == 7
    assert sizes == [3, 3, 3, 3] and progress == [3, 3, 1]
    assert seen == [connection] * 4 and (connection.opened, connection.closed) == (1, 1)
    assert clock == []  # rate 0: no pause


def test_the_rate_is_kept_and_the_limit_cuts_the_last_batch(
    connection: _Connection, clock: list[float]
) -> None:
    sizes: list[int] = []

    def send(_: object, size: int) -> int:
        sizes.append(size)
        return size

    assert mail.paced_send(send, batch_size=4, rate=2, limit=10) == 10
    assert sizes == [4, 4, 2]
    # 4 messages at 2 a second: 2 s; 8: 4 s; 10: 5 s, on a clock that moves only by sleeping.
    assert clock == [2.0, 2.0, 1.0]


def test_the_setting_is_the_default_rate_and_the_connection_closes_on_error(
    connection: _Connection, clock: list[float], settings: Any
) -> None:
    settings.OMOV_EMAIL_RATE = 1
    calls = [0]

    def send(_: object, size: int) -> int:
        calls[0] += 1
        if calls[0] == 2:
            raise RuntimeError("the mail server went away")
        return size

    with pytest.raises(RuntimeError):
        mail.paced_send(send, batch_size=5)
    assert clock == [5.0] and connection.closed == 1
