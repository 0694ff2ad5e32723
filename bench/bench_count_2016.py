"""Benchmark: count the full 2016 Labour leadership contest from its stored, sealed ballots.

    python bench/bench_count_2016.py [--divisor N] [--workers W] [--output FILE]

Builds the contest the 2016 declaration describes (omov/demo/data/labour-contests.json): 654,006
people on the roll, each issued a credential; 506,438 valid ballots sealed to the count key with
the published split by category (members, registered and affiliated supporters) and 1,042 spoilt
papers. Then times what the returning officer's count does, ``results.services.result_count``:
open (decrypt) every sealed ballot, count by IRV, break the result down by category, write the
reports and the anonymised BLT, and store it all. Checks every published figure and prints the
timings as Markdown; ``--output`` (default bench/RESULTS-count-2016.md) keeps them.

The fixture is built with the same sealing as the booth (``ballots.crypto``), in bulk and in
``--workers`` processes; its time is printed separately. The database is a fresh SQLite file in
a temporary directory unless ``DATABASE_URL`` is set (then a new contest is added there).
``--divisor 100`` builds a contest a hundred times smaller, for a quick run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, TypeVar

from omov.demo.figures import published_figures_path

REPO = Path(__file__).resolve().parents[1]
CANDIDATES = ("Jeremy Corbyn", "Owen Smith")
PUBLISHED_CATEGORY = {
    "members": "member",
    "registered_supporters": "registered_supporter",
    "affiliated_supporters": "affiliated_supporter",
}
BATCH = 5000
T = TypeVar("T")


def published_2016() -> dict[str, Any]:
    contests = json.loads(published_figures_path().read_text(encoding="utf-8"))["contests"]
    return next(item for item in contests if item["id"] == "labour-leader-2016")


def scaled(value: int, divisor: int) -> int:
    return int((Decimal(value) / divisor).to_integral_value(ROUND_HALF_UP))


def split(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Share ``total`` among ``weights`` in proportion, by largest remainder (exact sum)."""
    whole = sum(weights.values())
    shares = {key: total * weight // whole for key, weight in weights.items()}
    remainders = sorted(weights, key=lambda key: -(total * weights[key] % whole))
    for key in remainders[: total - sum(shares.values())]:
        shares[key] += 1
    return shares


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _seal_chunk(job: tuple[bytes, list[bytes]]) -> list[bytes]:
    from omov.ballots import crypto

    public_key, plaintexts = job
    return [crypto.seal(public_key, plaintext) for plaintext in plaintexts]


def timed(label: str, timings: dict[str, float], action: Callable[[], T]) -> T:
    started = time.perf_counter()
    value = action()
    timings[label] = time.perf_counter() - started
    print(f"  {label}: {timings[label]:.1f} s", file=sys.stderr, flush=True)
    return value


def build_fixture(data: dict[str, Any], divisor: int, workers: int) -> tuple[Any, str, dict]:
    """Create the contest, its roll, credentials, sealed ballots and spoilt papers; close it."""
    from django.db import transaction

    from omov.ballots import crypto
    from omov.ballots.models import Ballot, BallotBox, Credential, PaperRecord
    from omov.ballots.services import ballot_close, ballot_open
    from omov.contests.models import Candidate, CandidateStatus, Contest, ContestStatus
    from omov.core import clock
    from omov.electorate.models import Person, RollEntry

    votes = {
        PUBLISHED_CATEGORY[key]: {name: scaled(n, divisor) for name, n in value.items()}
        for key, value in data["by_category"].items()
    }
    valid_by_category = {key: sum(value.values()) for key, value in votes.items()}
    valid = sum(valid_by_category.values())
    spoilt = split(scaled(data["spoilt"], divisor), valid_by_category)
    abstaining = split(
        scaled(data["ballots_issued"], divisor) - valid - sum(spoilt.values()), valid_by_category
    )
    issued = {key: valid_by_category[key] + spoilt[key] + abstaining[key] for key in votes}
    timings: dict[str, float] = {}
    slug = f"labour-2016-bench-{uuid.uuid4().hex[:8]}"
    contest = Contest.objects.create(
        slug=slug,
        title="Labour Party leadership election 2016",
        method="irv",
        status=ContestStatus.ROLL_FROZEN,
        tie_break_seed="labour-2016",
    )
    for position, name in enumerate(CANDIDATES, start=1):
        Candidate.objects.create(
            contest=contest, name=name, status=CandidateStatus.NOMINATED, ballot_position=position
        )

    def make_roll() -> None:
        frozen_at = clock.now()
        with transaction.atomic():
            for category, number in issued.items():
                for block in chunks(range(number), BATCH):
                    people = Person.objects.bulk_create(
                        Person(
                            external_id=f"{slug}-{category}-{index}",
                            category=category,
                            first_name="Voter",
                            last_name=str(index),
                        )
                        for index in block
                    )
                    if people[0].pk is None:
                        people = list(
                            Person.objects.filter(
                                external_id__in=[person.external_id for person in people]
                            )
                        )
                    RollEntry.objects.bulk_create(
                        RollEntry(
                            contest=contest,
                            person=person,
                            category=category,
                            is_eligible=True,
                            frozen_at=frozen_at,
                        )
                        for person in people
                    )

    timed("roll of the electorate", timings, make_roll)
    opening = timed(
        "ballot opened (credentials)",
        timings,
        lambda: ballot_open(contest=contest, hand_over_key=True, actor_label="bench"),
    )
    contest.refresh_from_db()
    box = BallotBox.objects.get(contest=contest)
    public_key = bytes(box.public_key)
    ids = {
        name: pk for pk, name in Candidate.objects.filter(contest=contest).values_list("pk", "name")
    }

    def plaintexts() -> list[bytes]:
        texts = []
        for category, by_candidate in votes.items():
            for name, number in by_candidate.items():
                others = [ids[other] for other in CANDIDATES if other != name]
                for index in range(number):
                    ranking = [ids[name], *others] if index % 3 == 0 else [ids[name]]
                    texts.append(
                        crypto.payload_encode(
                            ranking, category, "online", pad_to=box.payload_length
                        )
                    )
        return texts

    texts = plaintexts()

    def seal_all() -> list[bytes]:
        jobs = [(public_key, list(block)) for block in chunks(texts, BATCH)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return [sealed for block in pool.map(_seal_chunk, jobs) for sealed in block]

    sealed = timed(f"ballots sealed ({workers} processes)", timings, seal_all)

    def store() -> None:
        with transaction.atomic():
            for block in chunks(sealed, BATCH):
                Ballot.objects.bulk_create(
                    Ballot(
                        id=uuid.UUID(bytes=os.urandom(16)),
                        contest=contest,
                        sealed=item,
                        receipt=crypto.receipt_of(item),
                    )
                    for item in block
                )
            PaperRecord.objects.bulk_create(
                PaperRecord(
                    id=uuid.UUID(bytes=os.urandom(16)),
                    contest=contest,
                    outcome="spoilt",
                    reason="no_preference",
                )
                for _ in range(sum(spoilt.values()))
            )
            for category in votes:
                voted = valid_by_category[category] + spoilt[category]
                pks = Credential.objects.filter(contest=contest, category=category).order_by("pk")
                last = pks.values_list("pk", flat=True)[voted - 1]
                pks.filter(pk__lte=last).update(has_voted=True)

    timed("ballots and spoilt papers stored", timings, store)
    timed(
        "ballot closed",
        timings,
        lambda: ballot_close(contest=contest, actor_label="bench"),
    )
    contest.refresh_from_db()
    expected = {
        "votes": votes,
        "valid": valid,
        "spoilt": sum(spoilt.values()),
        "issued": sum(issued.values()),
        "timings": timings,
    }
    return contest, opening.key_text, expected


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--divisor", type=int, default=1, help="scale the contest down N times")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "RESULTS-count-2016.md")
    args = parser.parse_args(argv)

    temporary = None
    if not os.environ.get("DATABASE_URL"):
        temporary = tempfile.TemporaryDirectory(prefix="omov-bench-")
        os.environ["OMOV_DATA_DIR"] = temporary.name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omov.config.settings")
    os.environ.setdefault("OMOV_ENV", "development")  # keys of its own, drawn into the data folder
    sys.path.insert(0, str(REPO / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)

    from django.db import connection

    import omov.ballots.services as ballot_services
    from omov.results.selectors import declaration_for, percent
    from omov.results.services import result_count

    data = published_2016()
    print("Building the fixture:", file=sys.stderr)
    started = time.perf_counter()
    contest, key_text, expected = build_fixture(data, args.divisor, args.workers)
    fixture_seconds = time.perf_counter() - started

    phases: dict[str, float] = {}
    opened = ballot_services.ballots_for_count

    def timed_open(**kwargs: Any) -> Any:
        began = time.perf_counter()
        value = opened(**kwargs)
        phases["open (decrypt) the sealed ballots"] = time.perf_counter() - began
        return value

    ballot_services.ballots_for_count = timed_open  # type: ignore[assignment]
    print("Counting:", file=sys.stderr)
    began = time.perf_counter()
    result = result_count(contest=contest, private_key_bytes=key_text.encode(), actor_label="bench")
    total = time.perf_counter() - began
    ballot_services.ballots_for_count = opened  # type: ignore[assignment]
    phases["count, breakdown, reports, store"] = total - phases["open (decrypt) the sealed ballots"]
    declaration = declaration_for(result)

    votes = {name: int(value) for name, value in result.report["rounds"][-1]["votes"].items()}
    expected_totals = {
        name: sum(item[name] for item in expected["votes"].values()) for name in CANDIDATES
    }
    checks = {
        "valid ballots": (result.valid, expected["valid"]),
        "spoilt": (result.spoilt_total, expected["spoilt"]),
        "issued": (result.credentials_issued, expected["issued"]),
        "Jeremy Corbyn": (votes["Jeremy Corbyn"], expected_totals["Jeremy Corbyn"]),
        "Owen Smith": (votes["Owen Smith"], expected_totals["Owen Smith"]),
        "categories": (
            {key: item["votes"] for key, item in result.categories.items()},
            expected["votes"],
        ),
        "elected": (result.elected, ["Jeremy Corbyn"]),
    }
    if args.divisor == 1:
        checks["turnout %"] = (declaration.turnout_percent, "77.6")
        checks["Corbyn %"] = (percent(votes["Jeremy Corbyn"], result.valid), "61.8")
        checks["Smith %"] = (percent(votes["Owen Smith"], result.valid), "38.2")
    failed = [name for name, (got, want) in checks.items() if got != want]

    command = "python bench/bench_count_2016.py"
    if args.divisor != 1:
        command += f" --divisor {args.divisor}"
    lines = [
        "# Count of the 2016 Labour leadership contest from its sealed ballots",
        "",
        f"`{command}`"
        f" on {platform.python_implementation()} {platform.python_version()}, "
        f"{connection.vendor}, {os.cpu_count()} CPUs, {args.workers} sealing processes "
        f"(load average at the end: {os.getloadavg()[0]:.1f}).",
        "",
        "| Figure | Value |",
        "|---|---:|",
        f"| Ballots issued (credentials) | {result.credentials_issued:,} |",
        f"| Valid ballots | {result.valid:,} |",
        f"| Spoilt ballots | {result.spoilt_total:,} |",
        f"| Turnout (returned of issued) | {declaration.turnout_percent}% |",
    ]
    for line in declaration.rounds[-1].lines:
        lines.append(f"| {line.name} | {line.votes} ({line.percent}%) |")
    for category in declaration.categories:
        figures = " / ".join(f"{row.name} {row.votes}" for row in category.rows)
        lines.append(f"| {category.label} | {figures} |")
    lines += [
        f"| Elected | {', '.join(result.elected)} |",
        f"| Published figures reproduced | {'yes' if not failed else 'NO: ' + ', '.join(failed)} |",
        "",
        "| Count (what the returning officer waits for) | Seconds |",
        "|---|---:|",
    ]
    for label, seconds in phases.items():
        lines.append(f"| {label} | {seconds:.1f} |")
    opening_seconds = phases["open (decrypt) the sealed ballots"]
    rate = (result.valid + result.rejected_total) / opening_seconds if opening_seconds else 0
    lines += [
        f"| **total: decrypt + count + report** | **{total:.1f}** |",
        f"| sealed ballots opened per second | {rate:,.0f} |",
        "",
        "| Fixture (built once, not part of the count) | Seconds |",
        "|---|---:|",
    ]
    for label, seconds in expected["timings"].items():
        lines.append(f"| {label} | {seconds:.1f} |")
    lines.append(f"| total fixture | {fixture_seconds:.1f} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if args.output:
        args.output.write_text(report)
    if temporary is not None:
        connection.close()
        temporary.cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
