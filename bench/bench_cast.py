"""Benchmark: cast ballots through the real booth against PostgreSQL; print figures as Markdown.

    python bench/bench_cast.py --duration 300 --rate 300

Prepares a contest whose ballot is open with enough voters, and for each voter a booth pass
(the signed cookie the sign-in page gives, as if the voter had typed their reference and
code), then starts the app server (`omov serve`, gunicorn) on loopback and drives the booth's
real confirm POST (`/vote/confirm/`, the same view and service a voter uses) at a fixed rate
from a bounded pool of client threads with keep-alive connections. Afterwards it counts the
stored ballots and voted marks: none may be lost. Latency is measured per request; p99 is over
every request.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
sys.path[:0] = [str(SRC), str(ROOT / "bench")]


def server_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.update(
        DATABASE_URL=database_url,
        OMOV_ENV="production",
        DEBUG="0",
        SECRET_KEY="bench-" + "x" * 50,
        OMOV_CREDENTIAL_KEY="bench-credential-key-" + "y" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_COOKIES="0",
        OMOV_DATA_DIR=str(ROOT / "var" / "bench"),
        PYTHONPATH=os.pathsep.join([str(SRC), str(ROOT / "bench")]),
        DJANGO_SETTINGS_MODULE="bench_settings",
        LOG_LEVEL="ERROR",
    )
    return env


def recreate_database(database_url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def prepare(voters: int, env: dict[str, str]) -> tuple[list[str], str, list[int]]:
    """Migrate, open a ballot for ``voters`` members, give each a booth pass."""
    os.environ.update(env)
    from omov.cli.django_setup import setup_django

    setup_django()

    from django.core.management import call_command

    from omov.ballots import booth_pass, services
    from omov.ballots.models import Credential
    from omov.contests.models import Candidate, Contest
    from omov.core import clock
    from omov.electorate.models import Person, RollEntry

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    contest = Contest.objects.create(slug="bench", title="Benchmark contest", status="roll_frozen")
    candidates = [
        Candidate.objects.create(
            contest=contest, name=name, status="nominated", ballot_position=i
        ).pk
        for i, name in enumerate(("Jeremy Corbyn", "Owen Smith"), start=1)
    ]
    people = Person.objects.bulk_create(
        (
            Person(
                external_id=f"B{n:07d}",
                category="member",
                first_name="V",
                last_name=str(n),
                email=f"v{n}@example.org",
                consent_email=True,
            )
            for n in range(voters)
        ),
        batch_size=5000,
    )
    RollEntry.objects.bulk_create(
        (
            RollEntry(
                contest=contest,
                person=p,
                category="member",
                is_eligible=True,
                frozen_at=clock.now(),
            )
            for p in people
        ),
        batch_size=5000,
    )
    services.ballot_open(contest=contest, hand_over_key=True, actor_label="bench")
    # Issue every voter a known credential (as an email batch would): a booth pass must carry
    # the proof of its voter's security code, so the site's key alone cannot make one.
    from omov.ballots import crypto

    passes = []
    credentials = list(Credential.objects.filter(contest=contest))
    for credential in credentials:
        issued = crypto.credential_generate()
        credential.reference_hash = crypto.reference_hash(issued.reference)
        credential.code_hash = crypto.code_hash(issued.reference, issued.code)
        credential.issued_at = clock.now()
        credential.generation = 1
        passes.append(
            booth_pass.pass_value(
                credential_id=credential.pk,
                generation=1,
                reference=issued.reference,
                code=issued.code,
            )
        )
    Credential.objects.bulk_update(
        credentials, ["reference_hash", "code_hash", "issued_at", "generation"], batch_size=5000
    )
    token = secrets.token_hex(16)  # an unmasked 32-character CSRF secret
    return passes, token, candidates


def stored_counts() -> tuple[int, int]:
    from omov.ballots.models import Ballot, Credential

    return Ballot.objects.count(), Credential.objects.filter(has_voted=True).count()


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "omov",
            "serve",
            "--no-migrate",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/vote/")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    os.killpg(process.pid, signal.SIGKILL)
    raise SystemExit("the server did not start")


def run_load(
    *,
    port: int,
    keys: list[str],
    token: str,
    candidates: list[int],
    rate: float,
    duration: float,
    threads: int,
) -> tuple[list[float], int, int, float]:
    """Send one confirm per prepared booth pass at ``rate`` per second; return latencies etc."""
    total = min(len(keys), int(rate * duration))
    latencies: list[float] = []
    receipts = 0
    errors = 0
    lock = threading.Lock()
    next_index = [0]
    start = time.monotonic() + 0.5
    body_template = {
        "csrfmiddlewaretoken": token,
        f"pref_{candidates[0]}": "1",
        f"pref_{candidates[1]}": "2",
    }
    body = urllib.parse.urlencode(body_template)

    def worker() -> None:
        nonlocal receipts, errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= total:
                break
            due = start + index / rate
            if time.monotonic() > start + duration:
                break  # the duration is up: stop, whatever the server has kept up with
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"omov_booth={keys[index]}; csrftoken={token}",
                "Referer": f"http://127.0.0.1:{port}/vote/ballot/",
            }
            sent = time.monotonic()
            try:
                connection.request("POST", "/vote/confirm/", body=body, headers=headers)
                response = connection.getresponse()
                page = response.read()
                ok = response.status == 200 and b'id="receipt"' in page
            except OSError:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            elapsed = time.monotonic() - sent
            with lock:
                latencies.append(elapsed)
                if ok:
                    receipts += 1
                else:
                    errors += 1
        connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    wall = time.monotonic() - start
    return latencies, receipts, errors, wall


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=300, help="Seconds of load (300).")
    parser.add_argument("--rate", type=float, default=300, help="Casts per second (300).")
    parser.add_argument("--threads", type=int, default=64, help="Client threads (64).")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3).")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/omov_bench_ballots"
    )
    parser.add_argument("--write", type=Path, help="Also append the Markdown to this file.")
    args = parser.parse_args()

    voters = int(args.rate * args.duration) + 10
    env = server_env(args.database_url)
    print(f"Preparing {voters} voters with booth passes…", file=sys.stderr)
    recreate_database(args.database_url)
    started = time.monotonic()
    keys, token, candidates = prepare(voters, env)
    print(f"Prepared in {time.monotonic() - started:.0f} s; starting the server…", file=sys.stderr)
    from django.db import connections

    connections.close_all()
    load_before = os.getloadavg()[0]
    server = start_server(env, args.port, args.workers)
    try:
        latencies, receipts, errors, wall = run_load(
            port=args.port,
            keys=keys,
            token=token,
            candidates=candidates,
            rate=args.rate,
            duration=args.duration,
            threads=args.threads,
        )
        load_after = os.getloadavg()[0]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    ballots, voted = stored_counts()
    lines = [
        f"### Casting through the booth ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        f"PostgreSQL, {args.workers} gunicorn workers × 4 threads, {args.threads} client "
        f"threads on loopback, target {args.rate:.0f} casts/s for {args.duration:.0f} s, "
        f"{os.cpu_count()} cores shared by server, database and load generator; load average "
        f"{load_before:.1f} before, {load_after:.1f} at the end.",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| casts sent | {len(latencies)} |",
        f"| receipts returned | {receipts} |",
        f"| errors | {errors} |",
        f"| sustained rate | {receipts / wall:.1f} casts/s |",
        f"| latency p50 | {statistics.median(latencies) * 1000:.0f} ms |",
        f"| latency p95 | {percentile(latencies, 0.95) * 1000:.0f} ms |",
        f"| latency p99 | {percentile(latencies, 0.99) * 1000:.0f} ms |",
        f"| ballots stored afterwards | {ballots} |",
        f"| voters marked as voted | {voted} |",
        f"| lost (receipts − stored) | {receipts - ballots} |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        with args.write.open("a") as handle:
            handle.write(text + "\n")
    return 0 if receipts == ballots == voted else 1


if __name__ == "__main__":
    sys.exit(main())
