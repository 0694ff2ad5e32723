"""Benchmark: IRV over a 1,000,000-ballot, 8-candidate CSV, omov against three other libraries.

    python bench/bench_irv_1m.py [--ballots N] [--limit SECONDS] [--repeat K] [--output FILE]

Generates (seeded, so every run uses the same file) a CSV in a temporary directory: a few popular
orderings, each truncated at a random length (most voters rank 1 to 4 candidates), plus noise
(neighbouring preferences swapped, and some fully random partial rankings). Then, each in a fresh
subprocess so memory and start-up are measured honestly:

* omov, in-process timings: reading the file, counting, and both together (the end-to-end
  figure); peak resident memory of that process (``VmHWM``). Best and median of ``--repeat``
  fresh processes.
* omov, the whole ``omov count FILE`` command, including Python start-up and imports.
* pyrankvote, pref_voting and votekit, each loading the same CSV its own idiomatic way and
  counting IRV (imports are not timed, for them as for omov). A peer still running after
  ``--limit`` seconds is stopped; it is then measured on the first 100,000 ballots (or 10,000)
  and its full time extrapolated linearly (stated as such).
* Wall-clock and CPU time (``time.process_time``) are both reported: on a shared machine the
  CPU time is the steadier figure.

Every finished count must name the same winner. Prints a Markdown table; ``--output`` also writes
it to a file (bench/RESULTS.md keeps the latest figures).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CANDIDATES = ["Abbott", "Burnham", "Cooper", "Dugher", "Eagle", "Flint", "Greenwood", "Hoey"]


def generate_csv(path: Path, ballots: int, seed: int = 2015) -> None:
    """Write ``ballots`` rows: popular orderings with truncation and noise, deterministically."""
    generator = random.Random(seed)
    popular = [generator.sample(CANDIDATES, len(CANDIDATES)) for _ in range(6)]
    popularity = [34, 27, 16, 11, 7, 5]
    lengths = [1, 2, 3, 4, 5, 6, 7, 8]
    length_weights = [22, 20, 18, 14, 8, 5, 4, 9]
    lines = ["rank 1,rank 2,rank 3,rank 4,rank 5,rank 6,rank 7,rank 8"]
    choices = generator.choices(range(len(popular)), weights=popularity, k=ballots)
    cut = generator.choices(lengths, weights=length_weights, k=ballots)
    noise = [generator.random() for _ in range(ballots)]
    for index in range(ballots):
        if noise[index] < 0.04:
            order = generator.sample(CANDIDATES, cut[index])
        else:
            order = list(popular[choices[index]])
            if noise[index] < 0.16:
                swap = generator.randrange(len(order) - 1)
                order[swap], order[swap + 1] = order[swap + 1], order[swap]
            order = order[: cut[index]]
        lines.append(",".join(order))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


OMOV_CHILD = """
import json, resource, sys, time
from pathlib import Path
started, started_cpu = time.perf_counter(), time.process_time()
from omov.count import count
from omov.count.formats import read_ballot_file
imported, imported_cpu = time.perf_counter(), time.process_time()
ballot_file = read_ballot_file(Path(sys.argv[1]))
read, read_cpu = time.perf_counter(), time.process_time()
result = count(ballot_file, method="irv")
counted, counted_cpu = time.perf_counter(), time.process_time()

def peak_mb():
    # VmHWM is this process's own high-water mark; ru_maxrss would also count the parent's
    # memory at fork time, which survives exec on Linux.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

print(json.dumps({
    "import": imported - started, "read": read - imported, "count": counted - read,
    "total": counted - imported, "read_cpu": read_cpu - imported_cpu,
    "count_cpu": counted_cpu - read_cpu, "total_cpu": counted_cpu - imported_cpu,
    "winner": list(result.elected),
    "distinct": len(ballot_file.ballots), "rounds": len(result.rounds),
    "peak_mb": peak_mb(),
}))
"""

PEERS = {
    "pyrankvote": """
import csv, json, sys, time
import pyrankvote
from pyrankvote import Ballot, Candidate
started, started_cpu = time.perf_counter(), time.process_time()
with open(sys.argv[1], newline="", encoding="utf-8") as stream:
    rows = csv.reader(stream)
    next(rows)
    people = {}
    ballots = []
    for row in rows:
        ranked = [people.setdefault(name, Candidate(name)) for name in row if name]
        ballots.append(Ballot(ranked_candidates=ranked))
loaded, loaded_cpu = time.perf_counter(), time.process_time()
result = pyrankvote.instant_runoff_voting(list(people.values()), ballots)
counted, counted_cpu = time.perf_counter(), time.process_time()
print(json.dumps({"load": loaded - started, "count": counted - loaded,
                  "cpu": counted_cpu - started_cpu,
                  "winner": [c.name for c in result.get_winners()]}))
""",
    "pref_voting": """
import json, sys, time
import numpy as np
from pref_voting.io.readers import csv_to_profile
from pref_voting.iterative_methods import instant_runoff
started, started_cpu = time.perf_counter(), time.process_time()
profile = csv_to_profile(sys.argv[1], csv_format="rank_columns", items_to_skip=[np.nan, "nan"])
loaded, loaded_cpu = time.perf_counter(), time.process_time()
winners = instant_runoff(profile)
counted, counted_cpu = time.perf_counter(), time.process_time()
print(json.dumps({"load": loaded - started, "count": counted - loaded,
                  "cpu": counted_cpu - started_cpu,
                  "winner": [profile.cmap[w] for w in winners]}))
""",
    "votekit": """
import json, sys, time
from votekit.cvr_loaders import load_ranking_csv
from votekit.elections import IRV
started, started_cpu = time.perf_counter(), time.process_time()
profile = load_ranking_csv(sys.argv[1], rank_cols=list(range(8)), header_row=0,
                           print_profile=False)
loaded, loaded_cpu = time.perf_counter(), time.process_time()
election = IRV(profile)
winners = [name for group in election.get_elected() for name in group]
counted, counted_cpu = time.perf_counter(), time.process_time()
print(json.dumps({"load": loaded - started, "count": counted - loaded,
                  "cpu": counted_cpu - started_cpu, "winner": winners}))
""",
}


def run_child(program: str, path: Path, limit: float) -> dict[str, object] | None:
    """Run ``program`` on ``path`` in a fresh interpreter; None if it outlives ``limit``."""
    try:
        completed = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(program), str(path)],
            capture_output=True,
            text=True,
            timeout=limit,
            check=False,
            env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"},
        )
    except subprocess.TimeoutExpired:
        return None
    if completed.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{completed.stderr}")
    result: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def head(path: Path, ballots: int, directory: Path) -> Path:
    """Write the header and first ``ballots`` rows of ``path`` to a new file."""
    smaller = directory / f"first-{ballots}.csv"
    with path.open(encoding="utf-8") as source:
        lines = [next(source) for _ in range(ballots + 1)]
    smaller.write_text("".join(lines), encoding="utf-8")
    return smaller


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--limit", type=float, default=240.0, help="seconds per peer")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument(
        "--peers",
        default=",".join(PEERS),
        help="comma-separated peers to run (default: all); 'none' measures omov only",
    )
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="omov-bench-") as temporary:
        directory = Path(temporary)
        path = directory / "irv.csv"
        generate_csv(path, args.ballots)
        size_mb = path.stat().st_size / 1e6

        runs = [run_child(OMOV_CHILD, path, 600) for _ in range(args.repeat)]
        omov_runs = [run for run in runs if run is not None]
        winner = omov_runs[0]["winner"]

        def figures(key: str) -> tuple[float, float]:
            values = [float(run[key]) for run in omov_runs]  # type: ignore[arg-type]
            return min(values), statistics.median(values)

        command_times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            completed = subprocess.run(
                [sys.executable, "-m", "omov", "count", str(path)],
                capture_output=True,
                text=True,
                check=False,
                env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"},
            )
            command_times.append(time.perf_counter() - started)
            if completed.returncode != 0:
                raise SystemExit(f"omov count failed:\n{completed.stderr}")
        command_winner = completed.stdout.rstrip().splitlines()[-1].removeprefix("Elected: ")

        peers: dict[str, dict[str, object]] = {}
        chosen = [] if args.peers == "none" else args.peers.split(",")
        for name, program in PEERS.items():
            if name not in chosen:
                continue
            print(f"{name}: counting {args.ballots:,} ballots", file=sys.stderr)
            result = run_child(program, path, args.limit)
            if result is not None:
                print(f"{name}: {result}", file=sys.stderr)
                peers[name] = {**result, "measured": "all ballots"}
                continue
            small, small_ballots = None, 0
            for size in (100_000, 10_000):
                small_ballots = min(size, args.ballots)
                print(
                    f"{name}: stopped at {args.limit:.0f} s; trying {small_ballots:,}",
                    file=sys.stderr,
                )
                small = run_child(program, head(path, small_ballots, directory), args.limit)
                if small is not None:
                    break
            peers[name] = {
                "stopped": True,
                "small": small,
                "small_ballots": small_ballots,
                "extrapolated": (
                    None
                    if small is None
                    else (float(small["load"]) + float(small["count"]))  # type: ignore[arg-type]
                    * args.ballots
                    / small_ballots
                ),
                "winner": None,
                "measured": f"stopped after {args.limit:.0f} s",
            }
            print(f"{name}: {peers[name]}", file=sys.stderr)

    read_best, read_median = figures("read")
    count_best, count_median = figures("count")
    total_best, total_median = figures("total")
    peak_best, peak_median = figures("peak_mb")
    read_cpu = figures("read_cpu")[1]
    count_cpu = figures("count_cpu")[1]
    total_cpu = figures("total_cpu")[1]
    lines = [
        f"### IRV, {args.ballots:,} ballots x {len(CANDIDATES)} candidates "
        f"({size_mb:.0f} MB CSV, {omov_runs[0]['distinct']:,} distinct rankings, "
        f"{omov_runs[0]['rounds']} rounds)",
        "",
        f"Machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; best / median of "
        f"{len(omov_runs)} fresh processes; load average during the run "
        f"{load_before:.1f} to {os.getloadavg()[0]:.1f} (other work shares this machine).",
        "",
        "Wall-clock times suffer when other processes share the CPUs; CPU time (the process's "
        "own user + system time) is the steadier figure on a busy machine.",
        "",
        "| omov | best wall | median wall | median CPU | target |",
        "|---|---:|---:|---:|---:|",
        f"| read the CSV | {seconds(read_best)} | {seconds(read_median)} | {seconds(read_cpu)} | |",
        f"| count (validity rules + IRV) | {seconds(count_best)} | {seconds(count_median)} "
        f"| {seconds(count_cpu)} | < 50 ms |",
        f"| **end to end (read + count)** | **{seconds(total_best)}** | "
        f"**{seconds(total_median)}** | **{seconds(total_cpu)}** | < 0.5 s |",
        f"| `omov count FILE` incl. Python start-up | {seconds(min(command_times))} | "
        f"{seconds(statistics.median(command_times))} | | |",
        f"| peak memory (resident high-water mark) | {peak_best:.0f} MB | "
        f"{peak_median:.0f} MB | | < 300 MB |",
        "",
        "| library | load (wall) | count (wall) | total (wall) | total CPU | winner | measured |",
        "|---|---:|---:|---:|---:|---|---|",
        f"| omov | {seconds(read_median)} | {seconds(count_median)} | "
        f"{seconds(total_median)} | {seconds(total_cpu)} | {', '.join(winner)} | "  # type: ignore[arg-type]
        "all ballots (median) |",
    ]
    finished_totals = []
    all_agree = command_winner == ", ".join(winner)  # type: ignore[arg-type]
    for name, peer in peers.items():
        if peer.get("stopped"):
            estimate = peer["extrapolated"]
            small = peer["small"]
            if small is None or estimate is None:
                lines.append(
                    f"| {name} | – | – | > {args.limit:.0f} s (stopped) | – | – | stopped, also "
                    f"on {peer['small_ballots']:,} ballots |"
                )
                continue
            small_total = float(small["load"]) + float(small["count"])  # type: ignore[index]
            small_cpu = float(small["cpu"])  # type: ignore[index]
            lines.append(
                f"| {name} | – | – | > {args.limit:.0f} s (stopped); "
                f"~{seconds(float(estimate))} extrapolated | – | – | {peer['measured']}; "  # type: ignore[arg-type]
                f"first {peer['small_ballots']:,} ballots: {seconds(small_total)} wall, "
                f"{seconds(small_cpu)} CPU, winner "
                f"{', '.join(small['winner'])} |"  # type: ignore[index]
            )
            finished_totals.append((float(estimate), name, True))  # type: ignore[arg-type]
            continue
        total = float(peer["load"]) + float(peer["count"])  # type: ignore[arg-type]
        finished_totals.append((total, name, False))
        agrees = peer["winner"] == winner
        all_agree = all_agree and agrees
        lines.append(
            f"| {name} | {seconds(float(peer['load']))} | {seconds(float(peer['count']))} | "  # type: ignore[arg-type]
            f"{seconds(total)} | {seconds(float(peer['cpu']))} | "  # type: ignore[arg-type]
            f"{', '.join(peer['winner'])} | {peer['measured']} |"  # type: ignore[arg-type]
        )
    lines.append("")
    if finished_totals:
        fastest_total, fastest, extrapolated = min(finished_totals)
        lines.append(
            f"End to end, omov is **{fastest_total / total_median:.0f}x** faster than the "
            f"fastest other library ({fastest}, {seconds(fastest_total)}"
            f"{' extrapolated' if extrapolated else ''}; wall-clock medians)."
        )
        cpu_totals = [
            (float(peer["cpu"]), name)  # type: ignore[arg-type]
            for name, peer in peers.items()
            if not peer.get("stopped")
        ]
        if cpu_totals:
            fastest_cpu, cpu_name = min(cpu_totals)
            lines.append(
                f"In CPU time, end to end: **{fastest_cpu / total_cpu:.0f}x** ({cpu_name}, "
                f"{seconds(fastest_cpu)})."
            )
    peer_counts = [
        (float(peer["count"]), name)  # type: ignore[arg-type]
        for name, peer in peers.items()
        if not peer.get("stopped")
    ]
    if peer_counts:
        fastest_count, counter = min(peer_counts)
        lines.append(
            f"Counting alone (file already loaded), omov is **{fastest_count / count_median:.0f}x**"
            f" faster than the fastest other library ({counter}, {seconds(fastest_count)})."
        )
    lines.append(f"All finished counts name the same winner: {'yes' if all_agree else 'NO'}.")
    output = "\n".join(lines) + "\n"
    print(output)
    if args.output:
        args.output.write_text(output, encoding="utf-8")
    if not all_agree:
        raise SystemExit("The libraries disagree about the winner.")


if __name__ == "__main__":
    main()
