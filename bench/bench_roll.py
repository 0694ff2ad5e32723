"""Benchmark the roll: import and evaluate a 654,006-person electorate (Labour's 2016 size).

Usage (from the repository root):

    python bench/bench_roll.py                      # SQLite and PostgreSQL
    python bench/bench_roll.py --backends sqlite    # one backend
    python bench/bench_roll.py --people 50000       # a smaller roll

PostgreSQL is reached at ``--postgres-url`` (default postgres://postgres@127.0.0.1:5432/omov_bench);
the benchmark drops and re-creates that database. The roll file is generated deterministically (seed
2016): 500,000 members across 632 branches (a quarter joined after the 12 January 2016 freeze date,
as in the 2016 surge), 100,000 registered supporters (some unpaid, pending vetting, duplicates or
supporters of another party) and 54,006 affiliated supporters of 12 unions.

Each backend runs in its own process (Django settings are per process); progress bars go to stderr.
Before omov touches a backend, the same file is loaded the database's own way into a bare table
with a primary key (the sqlite3 shell's ``.import``, or Python's ``executemany`` in one
transaction when the shell is missing; PostgreSQL's ``COPY … FROM STDIN`` through psycopg): omov's
times are given as multiples of that bare load, which carries from machine to machine where
seconds do not. The headline is (import + evaluate) / bare load.

The figures are printed as a Markdown table and written to bench/RESULTS-roll.md. Peak memory is the
worker process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TOTAL = 654_006
SHARE = {"member": 500_000, "registered_supporter": 100_000, "affiliated_supporter": 54_006}
BRANCHES = 632
UNIONS = [
    "UNITE",
    "UNISON",
    "GMB",
    "CWU",
    "USDAW",
    "FBU",
    "TSSA",
    "ASLEF",
    "MU",
    "BFAWU",
    "UCATT",
    "NUM",
]
FIRST = ["Ada", "Ben", "Cara", "Dev", "Ella", "Finn", "Gita", "Hal", "Isla", "Jon", "Kemi", "Liam"]
LAST = ["Smith", "Jones", "Patel", "Williams", "Brown", "Khan", "Taylor", "Davies", "Evans", "Ali"]
COLUMNS = [
    "external_id",
    "category",
    "first_name",
    "last_name",
    "email",
    "phone",
    "postcode",
    "branch",
    "joined_on",
    "status",
    "arrears_paid_on",
    "date_of_birth",
    "affiliate",
    "consent_email",
    "consent_phone",
    "branch_name",
    "supporter_fee_paid",
    "is_on_electoral_register",
    "is_duplicate",
    "supports_another_party",
]


def _day(rng: random.Random, start: dt.date, end: dt.date) -> str:
    return (start + dt.timedelta(days=rng.randrange((end - start).days + 1))).isoformat()


def generate(path: Path, people: int) -> None:
    """Write a deterministic roll file of ``people`` rows in Labour's 2016 proportions."""
    rng = random.Random(2016)
    scale = people / TOTAL
    counts = {category: round(share * scale) for category, share in SHARE.items()}
    counts["member"] += people - sum(counts.values())
    surge = dt.date(2016, 1, 13)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        number = 0
        for category, count in counts.items():
            for _ in range(count):
                number += 1
                branch = rng.randrange(BRANCHES)
                first, last = rng.choice(FIRST), rng.choice(LAST)
                roll = rng.random()
                row = {
                    "external_id": f"L{number:07d}",
                    "category": category,
                    "first_name": first,
                    "last_name": last,
                    "email": f"{first.lower()}.{last.lower()}{number}@example.org",
                    "phone": f"07700 {number % 1_000_000:06d}" if roll < 0.6 else "",
                    "postcode": f"N{branch % 20 + 1} {number % 9 + 1}AA",
                    "branch": f"CLP{branch:03d}",
                    "branch_name": f"Constituency {branch:03d}",
                    "joined_on": "",
                    "status": "active",
                    "arrears_paid_on": "",
                    "date_of_birth": _day(rng, dt.date(1930, 1, 1), dt.date(2001, 12, 31)),
                    "affiliate": "",
                    "consent_email": "yes" if roll < 0.8 else "no",
                    "consent_phone": "yes" if roll < 0.3 else "no",
                    "supporter_fee_paid": "",
                    "is_on_electoral_register": "",
                    "is_duplicate": "",
                    "supports_another_party": "",
                }
                if category == "member":
                    late = rng.random() < 0.26
                    row["joined_on"] = (
                        _day(rng, surge, dt.date(2016, 7, 12))
                        if late
                        else _day(rng, dt.date(1960, 1, 1), dt.date(2016, 1, 12))
                    )
                    status_roll = rng.random()
                    row["status"] = (
                        "lapsed"
                        if status_roll < 0.03
                        else "suspended"
                        if status_roll < 0.035
                        else "active"
                    )
                    if rng.random() < 0.02:
                        row["arrears_paid_on"] = _day(
                            rng, dt.date(2016, 6, 1), dt.date(2016, 8, 20)
                        )
                elif category == "registered_supporter":
                    row["supporter_fee_paid"] = "yes" if rng.random() < 0.97 else "no"
                    vetting = rng.random()
                    row["is_on_electoral_register"] = (
                        "yes" if vetting < 0.85 else "no" if vetting < 0.9 else ""
                    )
                    row["is_duplicate"] = "yes" if rng.random() < 0.02 else "no"
                    row["supports_another_party"] = "yes" if rng.random() < 0.01 else "no"
                else:
                    row["affiliate"] = rng.choice(UNIONS)
                    row["joined_on"] = _day(rng, dt.date(1990, 1, 1), dt.date(2016, 3, 1))
                writer.writerow([row[column] for column in COLUMNS])


def _peak_megabytes() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _bare_table(name: str) -> str:
    columns = ", ".join(
        f"{column} TEXT PRIMARY KEY" if column == "external_id" else f"{column} TEXT"
        for column in COLUMNS
    )
    return f"CREATE TABLE {name} ({columns})"


def bare_load_sqlite(csv_path: Path, directory: Path) -> float:
    """Load the file into a fresh SQLite table with a primary key; return the seconds taken."""
    database = directory / "bare.sqlite3"
    database.unlink(missing_ok=True)
    with sqlite3.connect(database) as connection:
        connection.execute(_bare_table("roll"))
    shell = shutil.which("sqlite3")
    started = time.perf_counter()
    if shell:
        subprocess.run(
            [shell, str(database), f".import --csv --skip 1 {csv_path} roll"], check=True
        )
    else:
        with (
            sqlite3.connect(database) as connection,
            csv_path.open(newline="", encoding="utf-8") as handle,
        ):
            rows = csv.reader(handle)
            next(rows)
            marks = ", ".join("?" * len(COLUMNS))
            connection.executemany(f"INSERT INTO roll VALUES ({marks})", rows)
    elapsed = time.perf_counter() - started
    database.unlink()
    return elapsed


def bare_load_postgres(csv_path: Path, url: str) -> float:
    """COPY the file into a fresh PostgreSQL table with a primary key; return the seconds taken."""
    import psycopg

    with psycopg.connect(url) as connection:
        connection.execute("DROP TABLE IF EXISTS bench_bare_roll")
        connection.execute(_bare_table("bench_bare_roll"))
        connection.commit()
        started = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.copy("COPY bench_bare_roll FROM STDIN (FORMAT csv, HEADER true)") as copy,
            csv_path.open("rb") as handle,
        ):
            while block := handle.read(1 << 20):
                copy.write(block)
        connection.commit()
        elapsed = time.perf_counter() - started
        connection.execute("DROP TABLE bench_bare_roll")
        connection.commit()
    return elapsed


def worker(csv_path: Path) -> dict[str, Any]:
    """Run every phase in this process against the configured database; return the figures."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omov.config.settings")
    os.environ.setdefault("OMOV_ENV", "development")  # keys of its own, drawn into the data folder
    os.environ.setdefault("OMOV_PUBLIC_URL", "http://localhost:8000")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from tqdm import tqdm

    from omov.contests.services import contest_create, contest_take_step, contest_transition
    from omov.electorate.models import Person, RollEntry
    from omov.electorate.services import (
        RuleChange,
        roll_evaluate,
        roll_import,
        rules_change,
        rules_preview_change,
    )

    call_command("migrate", interactive=False, verbosity=0)
    contest = contest_create(
        title="Labour Party leadership election 2016",
        slug="labour-leader-2016",
        freeze_date=dt.date(2016, 1, 12),
        arrears_deadline=dt.date(2016, 8, 8),
        ballot_closes_at=dt.datetime(2016, 9, 21, 11, tzinfo=dt.UTC),
        candidates=[
            {"name": "Jeremy Corbyn", "is_incumbent": True, "consented": True},
            "Owen Smith",
        ],
    )
    contest_transition(contest=contest, step="open_nominations")
    figures: dict[str, Any] = {"backend": connection.vendor}

    def timed(name: str, function: Any) -> Any:
        started, cpu_started = time.perf_counter(), time.process_time()
        result = function()
        figures[name] = round(time.perf_counter() - started, 2)
        figures[name.replace("_s", "_cpu_s")] = round(time.process_time() - cpu_started, 2)
        return result

    def do_import() -> Any:
        size = csv_path.stat().st_size
        with (
            csv_path.open("rb") as lines,
            tqdm(total=size, unit="B", unit_scale=True, file=sys.stderr, desc="import") as bar,
        ):
            return roll_import(
                source=lines,
                file_name=csv_path.name,
                contest=contest,
                actor_label="bench",
                progress=bar.update,
            )

    def do_evaluate() -> Any:
        with tqdm(
            total=Person.objects.count(), unit="people", file=sys.stderr, desc="evaluate"
        ) as bar:
            return roll_evaluate(contest=contest, actor_label="bench", progress=bar.update)

    batch = timed("import_s", do_import).batch
    figures["people"] = batch.created
    summary = timed("evaluate_s", do_evaluate)
    figures["eligible"] = summary.eligible
    figures["import_and_evaluate_s"] = round(figures["import_s"] + figures["evaluate_s"], 2)
    figures["import_and_evaluate_cpu_s"] = round(
        figures["import_cpu_s"] + figures["evaluate_cpu_s"], 2
    )

    moved = RuleChange(
        freeze_date=dt.date(2016, 6, 1),
        arrears_deadline=dt.date(2016, 8, 8),
        minimum_age=18,
        age_on=None,
        eligible_categories=("member", "registered_supporter", "affiliated_supporter"),
        affiliated_supporters_must_register=True,
    )
    preview = timed("preview_s", lambda: rules_preview_change(contest=contest, change=moved))
    figures["preview_gains"] = preview.gains
    changed = timed(
        "freeze_date_change_s",
        lambda: rules_change(
            contest=contest, change=moved, reason="High Court ruling", actor_label="bench"
        ),
    )
    figures["gained"] = changed.gained
    reimport = timed("reimport_unchanged_s", do_import).batch
    figures["reimport_unchanged"] = reimport.unchanged
    timed("evaluate_again_s", do_evaluate)
    timed("freeze_s", lambda: contest_take_step(contest=contest, step="freeze_roll"))
    figures["roll_entries"] = RollEntry.objects.filter(contest=contest).count()
    opening = timed(
        "open_s",
        lambda: contest_take_step(contest=contest, step="open_ballot", hand_over_key=True),
    )
    figures["credentials"] = opening.credentials_created
    figures["peak_memory_mb"] = round(_peak_megabytes())
    figures["load_average"] = round(os.getloadavg()[1], 1)
    print(json.dumps(figures), file=sys.stderr)
    return figures


ROWS = [
    ("people", "People on the roll", ""),
    ("bare_load_s", "The database's own bulk load of the file (bare table, primary key)", "s"),
    ("ratio_import_and_evaluate", "**Import + evaluate ÷ bare load (target ≤ 5×)**", "×"),
    ("ratio_reimport_unchanged", "Re-import unchanged ÷ bare load (target ≤ 2×)", "×"),
    ("ratio_freeze_date_change", "Move the freeze date + re-evaluate ÷ bare load (≤ 2×)", "×"),
    ("ratio_freeze", "Freeze (roll entries) ÷ bare load (target ≤ 1×)", "×"),
    ("ratio_open", "Open the ballot (credentials) ÷ bare load (target ≤ 1×)", "×"),
    ("import_s", "Import (CSV → people)", "s"),
    ("evaluate_s", "Evaluate every rule (first time)", "s"),
    ("import_and_evaluate_s", "Import + evaluate (target < 60 s)", "s"),
    ("preview_s", "Preview moving the freeze date (no writes)", "s"),
    ("freeze_date_change_s", "Apply the freeze-date change + re-evaluate (target < 20 s)", "s"),
    ("gained", "People who gained a vote", ""),
    ("reimport_unchanged_s", "Re-import the same file (all unchanged)", "s"),
    ("evaluate_again_s", "Evaluate again (nothing changed)", "s"),
    ("freeze_s", "Freeze the roll (snapshot roll entries)", "s"),
    ("open_s", "Open the ballot (one credential per eligible voter)", "s"),
    ("credentials", "Credentials issued", ""),
    ("peak_memory_mb", "Peak memory (target < 500 MB)", "MB"),
    ("load_average", "Machine load average during the run (5 min; 2 cores)", ""),
]


RATIOS = {
    "ratio_import_and_evaluate": "import_and_evaluate_s",
    "ratio_reimport_unchanged": "reimport_unchanged_s",
    "ratio_freeze_date_change": "freeze_date_change_s",
    "ratio_freeze": "freeze_s",
    "ratio_open": "open_s",
}


def markdown(results: list[dict[str, Any]], people: int, generate_s: float) -> str:
    """Return the results as a Markdown table, one column per backend."""
    header = "| Measure | " + " | ".join(r["backend"] for r in results) + " |"
    lines = [
        f"# Roll benchmark ({people:,} people)",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} {platform.release()}. "
        f"Generated by `python bench/bench_roll.py` on {dt.date.today().isoformat()}; "
        f"writing the roll file took {generate_s:.1f} s (not counted).",
        "",
        "Times are wall-clock seconds; in brackets the CPU seconds of the omov process itself",
        "(the database server's own work is not included). Other jobs shared the machine when the",
        "load average is above 2, which stretches the wall-clock times.",
        "",
        header,
        "|---|" + "---:|" * len(results),
    ]
    for key, label, unit in ROWS:
        cells = []
        for result in results:
            value = result.get(key, "—")
            cell = f"{value:,}" if isinstance(value, int) else f"{value}"
            if unit == "×" and isinstance(value, float):
                cell = f"**{value}×**" if label.startswith("**") else f"{value}×"
            cpu = result.get(key.replace("_s", "_cpu_s")) if key.endswith("_s") else None
            cells.append(f"{cell} (CPU {cpu})" if cpu is not None else cell)
        suffix = f" ({unit})" if unit and unit != "×" else ""
        lines.append(f"| {label}{suffix} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=TOTAL)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/omov_bench")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS-roll.md")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        print(json.dumps(worker(args.csv)))
        return 0

    with tempfile.TemporaryDirectory(prefix="omov-bench-") as directory:
        csv_path = Path(directory) / "roll-2016.csv"
        started = time.perf_counter()
        generate(csv_path, args.people)
        generate_s = time.perf_counter() - started
        results = []
        for backend in [name.strip() for name in args.backends.split(",") if name.strip()]:
            env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
            env.pop("DATABASE_URL", None)
            if backend == "postgres":
                _reset_postgres(args.postgres_url)
                env["DATABASE_URL"] = args.postgres_url
            elif backend == "sqlite":
                env["OMOV_DATA_DIR"] = str(Path(directory) / "sqlite")
            else:
                parser.error(f"unknown backend {backend!r}: use sqlite or postgres")
            print(f"== {backend}", file=sys.stderr)
            bare_s = (
                bare_load_postgres(csv_path, args.postgres_url)
                if backend == "postgres"
                else bare_load_sqlite(csv_path, Path(directory))
            )
            completed = subprocess.run(
                [sys.executable, __file__, "--worker", backend, "--csv", str(csv_path)],
                env=env,
                stdout=subprocess.PIPE,
                text=True,
                check=False,
            )
            if completed.returncode != 0:
                print(f"The {backend} run failed (exit {completed.returncode}).", file=sys.stderr)
                return 1
            figures = json.loads(completed.stdout.strip().splitlines()[-1])
            figures["bare_load_s"] = round(bare_s, 2)
            for ratio, key in RATIOS.items():
                figures[ratio] = round(figures[key] / bare_s, 1)
            print(json.dumps(figures), file=sys.stderr)
            results.append(figures)
    table = markdown(results, args.people, generate_s)
    print(table)
    args.output.write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
