"""Benchmark: issue 654,006 credentials and email them to a local SMTP sink; print Markdown.

    python bench/bench_credentials.py                  # the 2016 electorate, 654,006 voters
    python bench/bench_credentials.py --voters 20000   # a quick run

Builds a frozen roll of ``--voters`` members on PostgreSQL (not timed), then times the two steps
the returning officer runs: opening the ballot (one credential row per voter, and the count key)
and `credentials send` (draw each secret, store its keyed hash, render the HTML and text email
from the Django templates, hand it to the SMTP server) with ``--senders`` processes side by side
(they claim batches with SKIP LOCKED). The SMTP sink is a minimal asyncio SMTP server written
here (no extra dependency) that accepts and counts messages in a separate process.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
sys.path[:0] = [str(SRC), str(ROOT / "bench")]
VOTERS_2016 = 654_006


# -- A minimal SMTP sink ------------------------------------------------------------------------


async def _session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, counter) -> None:  # type: ignore[no-untyped-def]
    writer.write(b"220 omov-bench-sink ESMTP\r\n")
    while True:
        line = await reader.readline()
        if not line:
            break
        verb = line[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            writer.write(b"250-omov-bench-sink\r\n250 8BITMIME\r\n")
        elif verb == b"DATA":
            writer.write(b"354 go ahead\r\n")
            await writer.drain()
            await reader.readuntil(b"\r\n.\r\n")
            with counter.get_lock():
                counter.value += 1
            writer.write(b"250 queued\r\n")
        elif verb == b"QUIT":
            writer.write(b"221 bye\r\n")
            await writer.drain()
            break
        else:  # MAIL, RCPT, RSET, NOOP
            writer.write(b"250 ok\r\n")
        await writer.drain()
    writer.close()


def run_sink(port: int, counter) -> None:  # type: ignore[no-untyped-def]
    async def main() -> None:
        server = await asyncio.start_server(
            lambda r, w: _session(r, w, counter), "127.0.0.1", port, limit=1 << 20
        )
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# -- Setup and senders ------------------------------------------------------------------------


def environment(database_url: str, smtp_port: int) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "OMOV_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "OMOV_CREDENTIAL_KEY": "bench-credential-key-" + "y" * 40,
        "OMOV_DATA_DIR": str(ROOT / "var" / "bench"),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "OMOV_PUBLIC_URL": "https://vote.example.org",
        "LOG_LEVEL": "ERROR",
    }


def recreate_database(database_url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def build_roll(voters: int) -> int:
    """Create ``voters`` members on the frozen roll of a contest; return the contest's id."""
    from django.core.management import call_command

    from omov.contests.models import Candidate, Contest
    from omov.core import clock
    from omov.electorate.models import Person, RollEntry

    call_command("migrate", verbosity=0)
    contest = Contest.objects.create(
        slug="labour-2016", title="Labour Party leadership election 2016", status="roll_frozen"
    )
    for position, name in enumerate(("Jeremy Corbyn", "Owen Smith"), start=1):
        Candidate.objects.create(
            contest=contest, name=name, status="nominated", ballot_position=position
        )
    frozen_at = clock.now()
    batch = 20_000
    for start in range(0, voters, batch):
        people = Person.objects.bulk_create(
            Person(
                external_id=f"L{n:07d}",
                category="member",
                first_name="Member",
                last_name=str(n),
                email=f"member{n}@example.org",
                consent_email=True,
            )
            for n in range(start, min(voters, start + batch))
        )
        RollEntry.objects.bulk_create(
            RollEntry(
                contest=contest, person=p, category="member", is_eligible=True, frozen_at=frozen_at
            )
            for p in people
        )
    return contest.pk


def reset_ballot() -> int:
    """Put the earlier run's contest back to a frozen roll without a ballot; return its id."""
    from omov.ballots.models import Ballot, BallotBox, Credential, PaperRecord
    from omov.contests.models import Contest

    contest = Contest.objects.get(slug="labour-2016")
    Ballot.objects.filter(contest=contest).delete()
    PaperRecord.objects.filter(contest=contest).delete()
    Credential.objects.filter(contest=contest).delete()
    BallotBox.objects.filter(contest=contest).delete()
    Contest.objects.filter(pk=contest.pk).update(status="roll_frozen", ballot_opened_at=None)
    return contest.pk


def sender(contest_id: int, env: dict[str, str], batch_size: int) -> None:
    os.environ.update(env)
    from omov.cli.django_setup import setup_django

    setup_django()
    from omov.ballots import services
    from omov.contests.models import Contest

    contest = Contest.objects.get(pk=contest_id)
    services.credentials_send(contest=contest, actor_label="bench", rate=0, batch_size=batch_size)


def seed_figures(contest: object, voters: int) -> list[str]:
    """Time the demo's bulk cast: 2016's turnout, valid and spoilt shares of ``voters``."""
    from omov.ballots import services
    from omov.electorate.models import RollEntry

    valid = round(voters * 506_438 / VOTERS_2016)
    spoilt = round(voters * 1_042 / VOTERS_2016)
    entries = RollEntry.objects.filter(contest=contest).order_by("?").values_list("pk", flat=True)
    chosen = list(entries[: valid + spoilt])
    corbyn = round(valid * 313_209 / 506_438)

    def votes():  # type: ignore[no-untyped-def]
        for index, entry_id in enumerate(chosen):
            if index < spoilt:
                yield entry_id, None
            elif index < spoilt + corbyn:
                yield entry_id, ["Jeremy Corbyn", "Owen Smith"]
            else:
                yield entry_id, ["Owen Smith"]

    started = time.monotonic()
    totals = services.ballots_seed_demo(contest=contest, votes=votes())  # type: ignore[arg-type]
    seconds = time.monotonic() - started
    return [
        f"| demo bulk cast (ballots_seed_demo) | {totals['ballots']:,} ballots + "
        f"{totals['spoilt']:,} spoilt in {seconds:.1f} s |"
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voters", type=int, default=VOTERS_2016)
    parser.add_argument("--senders", type=int, default=2, help="Sender processes (2).")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/omov_bench_credentials"
    )
    parser.add_argument("--write", type=Path, help="Also append the Markdown to this file.")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Reuse the roll built by an earlier run (reset its ballot) instead of rebuilding.",
    )
    parser.add_argument(
        "--seed",
        action="store_true",
        help="Then time ballots_seed_demo casting the 2016 result's share of ballots in bulk.",
    )
    args = parser.parse_args()

    smtp_port = free_port()
    env = environment(args.database_url, smtp_port)
    os.environ.update(env)
    if not args.reuse:
        recreate_database(args.database_url)
    from omov.cli.django_setup import setup_django

    setup_django()
    from django.db import connections
    from tqdm import tqdm

    from omov.ballots import services
    from omov.ballots.models import Credential
    from omov.contests.models import Contest

    if args.reuse:
        contest_id = reset_ballot()
    else:
        print(f"Building a frozen roll of {args.voters:,} voters (not timed)…", file=sys.stderr)
        started = time.monotonic()
        contest_id = build_roll(args.voters)
        print(f"Roll built in {time.monotonic() - started:.0f} s.", file=sys.stderr)

    contest = Contest.objects.get(pk=contest_id)
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    opening = services.ballot_open(contest=contest, hand_over_key=True, actor_label="bench")
    open_seconds = time.monotonic() - started
    connections.close_all()

    counter = multiprocessing.Value("q", 0)
    sink = multiprocessing.Process(target=run_sink, args=(smtp_port, counter), daemon=True)
    sink.start()
    time.sleep(0.5)
    started = time.monotonic()
    senders = [
        multiprocessing.Process(target=sender, args=(contest_id, env, args.batch_size))
        for _ in range(args.senders)
    ]
    for process in senders:
        process.start()
    with tqdm(total=args.voters, unit="email", file=sys.stderr) as bar:
        while any(process.is_alive() for process in senders):
            time.sleep(1)
            bar.update(counter.value - bar.n)
        bar.update(counter.value - bar.n)
    send_seconds = time.monotonic() - started
    load_after = os.getloadavg()[0]
    failed = [process.exitcode for process in senders if process.exitcode != 0]
    sink.terminate()
    pending = Credential.objects.filter(contest_id=contest_id, issued_at__isnull=True).count()
    hashed = Credential.objects.filter(contest_id=contest_id, reference_hash__isnull=False).count()
    total = open_seconds + send_seconds
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    created = opening.credentials_created
    lines = [
        f"### Issuing and emailing credentials ({stamp})",
        "",
        f"PostgreSQL, {args.voters:,} voters, {args.senders} sender processes, batches of "
        f"{args.batch_size}, local asyncio SMTP sink, {os.cpu_count()} cores shared by senders, "
        f"sink and database; load average {load_before:.1f} before, {load_after:.1f} at the end.",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| credentials created at opening | {created:,} in {open_seconds:.1f} s |",
        f"| emails rendered and accepted by the sink | {counter.value:,} in {send_seconds:.1f} s |",
        f"| email rate | {counter.value / send_seconds:,.0f} per second |",
        f"| total (open + send) | {total:.1f} s ({total / 60:.1f} min) |",
        f"| credentials stored as hashes | {hashed:,} |",
        f"| left unsent | {pending:,} |",
        f"| sender failures | {len(failed)} |",
        "",
    ]
    if args.seed:
        lines[-1:-1] = seed_figures(contest, args.voters)
    text = "\n".join(lines)
    print(text)
    if args.write:
        with args.write.open("a") as handle:
            handle.write(text + "\n")
    return 0 if not failed and pending == 0 and counter.value == args.voters else 1


if __name__ == "__main__":
    sys.exit(main())
