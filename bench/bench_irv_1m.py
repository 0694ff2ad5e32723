"""Benchmark: IRV over 1,000,000-ballot CSVs of two shapes, omov against other libraries.

    python bench/bench_irv_1m.py [--ballots N] [--limit SECONDS] [--repeat K] [--output FILE]
                                 [--shapes few,varied,varied-13] [--peers pyrankvote,...]

Generates (seeded, so every run uses the same files) in a temporary directory:

* ``few``: 8 candidates, a few popular orderings each truncated at a random length plus a little
  noise (about 11,500 distinct rankings): a shape that flatters a reader grouping equal lines.
* ``varied``: 8 candidates drawn from a Plackett–Luce model with random truncation (about
  100,000 distinct rankings: real preference elections spread at least this much).
* ``varied-13``: the same for 13 candidates (over 500,000 distinct rankings: a big-city primary).

For each, the number of distinct rankings is reported, and each measurement runs in a fresh
process so memory and start-up are measured honestly:

* **headline**: the whole ``omov count FILE`` command, with Python start-up and imports, wall
  and CPU time (user + system, from ``wait4``) and peak resident memory;
* beside it, omov in-process: reading the file, counting, both together;
* the peers (pyrankvote, pref_voting, votekit) loading the same CSV their own idiomatic way and
  counting IRV (their imports not timed). A peer still running after ``--limit`` seconds is
  stopped, measured on the first 100,000 ballots and extrapolated linearly (stated as such).

Every finished count must name the same winner. Prints Markdown; ``--output`` also writes it
(bench/RESULTS.md keeps the latest figures). Report the load average: the machine is shared.
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


CANDIDATES_13 = [
    *CANDIDATES,
    "Irving",
    "Jarvis",
    "Kendall",
    "Lammy",
    "Miliband",
]


def generate_plackett_luce_csv(path: Path, ballots: int, candidates: list[str], seed: int) -> None:
    """Write ``ballots`` rankings drawn from a Plackett–Luce model, each cut at a random length.

    Each candidate gets a worth (a gamma draw); a ranking is drawn by the Gumbel trick (sort
    log-worth plus Gumbel noise), then cut after 1 to all candidates, longer cuts a little
    likelier, as real ranked ballots are often but not mostly complete.
    """
    import numpy as np

    generator = np.random.default_rng(seed)
    count = len(candidates)
    worth = generator.gamma(4.0, size=count)
    lengths = np.arange(1, count + 1)
    weights = 1.0 + 0.15 * lengths
    weights[-1] *= 1.3
    with path.open("w", encoding="utf-8") as stream:
        stream.write(",".join(f"rank {i}" for i in range(1, count + 1)) + "\n")
        names = np.array(candidates, dtype=object)
        for start in range(0, ballots, 100_000):
            size = min(100_000, ballots - start)
            noise = generator.gumbel(size=(size, count))
            orders = np.argsort(-(np.log(worth)[None, :] + noise), axis=1)
            cuts = generator.choice(lengths, size=size, p=weights / weights.sum())
            stream.write(
                "\n".join(",".join(names[row[:cut]]) for row, cut in zip(orders, cuts, strict=True))
                + "\n"
            )


OMOV_CHILD = """
import json, resource, sys, time
from pathlib import Path
started, started_cpu = time.perf_counter(), time.process_time()
from omov.count import build_profile, count
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
    "distinct": int(build_profile(ballot_file)[0].rankings.shape[0]),
    "candidates": len(ballot_file.candidates),
    "rounds": len(result.rounds),
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
with open(sys.argv[1], encoding="utf-8") as stream:
    columns = len(stream.readline().split(","))
profile = load_ranking_csv(sys.argv[1], rank_cols=list(range(columns)), header_row=0,
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


def run_command(path: Path) -> dict[str, float | str]:
    """Run the whole ``omov count PATH`` command; return wall, CPU, peak memory and winner."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "omov", "count", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert process.stdout is not None and process.stderr is not None
    out = process.stdout.read().decode("utf-8")
    error = process.stderr.read().decode("utf-8")
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"omov count failed:\n{error}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "winner": out.rstrip().splitlines()[-1].removeprefix("Elected: "),
    }


def measure_shape(
    name: str, path: Path, args: argparse.Namespace, directory: Path, chosen: list[str]
) -> tuple[list[str], bool]:
    """Measure omov and the chosen peers on one file; return Markdown lines and agreement."""
    size_mb = path.stat().st_size / 1e6
    commands = [run_command(path) for _ in range(args.repeat)]
    runs = [run_child(OMOV_CHILD, path, 600) for _ in range(args.repeat)]
    omov_runs = [run for run in runs if run is not None]
    winner = omov_runs[0]["winner"]

    def median(key: str) -> float:
        return statistics.median(float(run[key]) for run in omov_runs)  # type: ignore[arg-type]

    command_wall = sorted(float(c["wall"]) for c in commands)
    command_cpu = statistics.median(float(c["cpu"]) for c in commands)
    command_peak = max(float(c["peak_mb"]) for c in commands)
    all_agree = all(c["winner"] == ", ".join(winner) for c in commands)  # type: ignore[arg-type]

    peers: dict[str, dict[str, object]] = {}
    for peer, program in PEERS.items():
        if peer not in chosen:
            continue
        print(f"{name}: {peer}: counting {args.ballots:,} ballots", file=sys.stderr)
        result = run_child(program, path, args.limit)
        if result is not None:
            peers[peer] = {**result, "measured": "all ballots"}
            continue
        small_ballots = min(100_000, args.ballots)
        small = run_child(program, head(path, small_ballots, directory), args.limit)
        peers[peer] = {
            "stopped": True,
            "small": small,
            "small_ballots": small_ballots,
            "extrapolated": None
            if small is None
            else (float(small["load"]) + float(small["count"]))  # type: ignore[arg-type]
            * args.ballots
            / small_ballots,
        }
    lines = [
        f"#### {name}: {args.ballots:,} ballots x {omov_runs[0].get('candidates', '?')} "
        f"candidates, **{omov_runs[0]['distinct']:,} distinct rankings** ({size_mb:.0f} MB CSV, "
        f"{omov_runs[0]['rounds']} rounds)",
        "",
        "| omov | best wall | median wall | median CPU | peak memory |",
        "|---|---:|---:|---:|---:|",
        f"| **`omov count FILE`, whole process** | **{seconds(command_wall[0])}** | "
        f"**{seconds(statistics.median(command_wall))}** | **{seconds(command_cpu)}** | "
        f"**{command_peak:.0f} MB** |",
        f"| in-process: read the CSV | | {seconds(median('read'))} | "
        f"{seconds(median('read_cpu'))} | |",
        f"| in-process: count (validity rules + IRV) | | {seconds(median('count'))} | "
        f"{seconds(median('count_cpu'))} | |",
        f"| in-process: read + count | | {seconds(median('total'))} | "
        f"{seconds(median('total_cpu'))} | {median('peak_mb'):.0f} MB |",
        "",
        "| peer, same file, same run | load (wall) | count (wall) | total (wall) | total CPU "
        "| omov whole process faster by | winner |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    omov_wall = statistics.median(command_wall)
    for peer, result in peers.items():
        if result.get("stopped"):
            estimate = result["extrapolated"]
            lines.append(
                f"| {peer} | | | stopped after {args.limit:.0f} s"
                + (
                    f"; ~{seconds(float(estimate))} extrapolated from the first "  # type: ignore[arg-type]
                    f"{result['small_ballots']:,}"
                    if estimate is not None
                    else ""
                )
                + " | | "
                + (f"~{float(estimate) / omov_wall:.0f}x" if estimate is not None else "")  # type: ignore[arg-type]
                + " | |"
            )
            continue
        total = float(result["load"]) + float(result["count"])  # type: ignore[arg-type]
        agrees = result["winner"] == winner
        all_agree = all_agree and agrees
        lines.append(
            f"| {peer} | {seconds(float(result['load']))} | "  # type: ignore[arg-type]
            f"{seconds(float(result['count']))} | {seconds(total)} | "  # type: ignore[arg-type]
            f"{seconds(float(result['cpu']))} | **{total / omov_wall:.0f}x** | "  # type: ignore[arg-type]
            f"{', '.join(result['winner'])}{'' if agrees else ' (DIFFERENT)'} |"  # type: ignore[arg-type]
        )
    lines += [
        "",
        f"Winner: {', '.join(winner)}; all finished counts agree: "  # type: ignore[arg-type]
        f"{'yes' if all_agree else 'NO'}.",
        "",
    ]
    return lines, all_agree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--limit", type=float, default=120.0, help="seconds per peer")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--shapes", default="few,varied,varied-13")
    parser.add_argument(
        "--peers",
        default="pyrankvote",
        help="comma-separated peers (pyrankvote, pref_voting, votekit); 'none' for omov only",
    )
    args = parser.parse_args()
    chosen = [] if args.peers == "none" else args.peers.split(",")
    load_before = os.getloadavg()[0]
    output_lines = [
        f"### IRV, {args.ballots:,} ballots, two shapes of data",
        "",
    ]
    all_agree = True
    with tempfile.TemporaryDirectory(prefix="omov-bench-") as temporary:
        directory = Path(temporary)
        for shape in args.shapes.split(","):
            path = directory / f"{shape}.csv"
            if shape == "few":
                generate_csv(path, args.ballots)
            elif shape == "varied":
                generate_plackett_luce_csv(path, args.ballots, CANDIDATES, seed=7)
            elif shape == "varied-13":
                generate_plackett_luce_csv(path, args.ballots, CANDIDATES_13, seed=7)
            else:
                raise SystemExit(f"unknown shape {shape!r}")
            print(f"{shape}: generated {path.stat().st_size / 1e6:.0f} MB", file=sys.stderr)
            lines, agree = measure_shape(shape, path, args, directory, chosen)
            all_agree = all_agree and agree
            output_lines += lines
    output_lines.insert(
        2,
        f"Machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; medians of "
        f"{args.repeat} fresh processes; load average {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end (other work shares this machine, so CPU time is "
        "the steadier figure).\n",
    )
    output = "\n".join(output_lines) + "\n"
    print(output)
    if args.output:
        args.output.write_text(output, encoding="utf-8")
    if not all_agree:
        raise SystemExit("The libraries disagree about the winner.")


if __name__ == "__main__":
    main()
