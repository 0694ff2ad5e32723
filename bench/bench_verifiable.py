"""Time the verifiable count: key ceremony, encryption, two mixes, decryption, tally and verify.

Builds a real election record (3 trustees, threshold 2, 2016's five options) at each size through
``omov.verifiable.ceremony``, timing each trustee's work (each mix's shuffle with its proof, each
trustee's decryption shares with proofs) and each entry's check, then runs ``omov verify`` on the
whole record in a fresh process for its wall time and peak memory. Per-ballot costs are
extrapolated linearly to the 2016 size (506,438 ballots): every step is linear in the ballots.

    python bench/bench_verifiable.py                       # 1/100 and 1/10 of 506,438
    python bench/bench_verifiable.py --sizes 506438 --write bench/RESULTS-verifiable.md

Prints wall time and CPU time (this process and its workers) for each step, and the load average,
because the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from omov.verifiable.ceremony import (
    dealing_entry,
    decryption_entry,
    key_entry,
    mix_entry,
    parameters_entry,
    result_entry,
    secret_share_compute,
    trustee_identity,
)
from omov.verifiable.elgamal import encrypt
from omov.verifiable.group import Point
from omov.verifiable.record import entry_append, row_to_json, tracker
from omov.verifiable.verifier import RecordState

FULL = 506_438
OPTIONS = [["A"], ["B"], ["A", "B"], ["B", "A"], []]
TARGETS = {"mix": 15 * 60, "decryption": 10 * 60, "verify": 30 * 60}


def _cpu() -> float:
    """CPU seconds of this process, its finished children, and its live children (the pool)."""
    times = os.times()
    total = times.user + times.system + times.children_user + times.children_system
    ticks = os.sysconf("SC_CLK_TCK")
    me = os.getpid()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:  # fields[1] is the parent's pid; 11, 12 are utime, stime
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


class Clock:
    """Time steps in wall and CPU seconds (CPU includes finished workers)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float]] = []

    def run(self, label: str, action: Callable[[], Any]) -> Any:
        wall, cpu = time.perf_counter(), _cpu()
        value = action()
        self.rows.append((label, time.perf_counter() - wall, _cpu() - cpu))
        print(
            f"  {label:<44} {self.rows[-1][1]:8.1f} s wall {self.rows[-1][2]:8.1f} s CPU",
            flush=True,
        )
        return value


def build_and_time(size: int, workers: int, directory: Path) -> dict[str, Any]:
    """Run one election of ``size`` ballots; return the timings and sizes."""
    clock = Clock()
    state = RecordState(directory)

    def append(kind: str, name: str, lines: list[str], label: str | None = None) -> None:
        link = entry_append(directory, kind, name, lines)
        if label is None:
            state.apply(link)
        else:
            clock.run(label, lambda: state.apply(link))

    identities = [trustee_identity(j, f"Trustee {j}") for j in (1, 2, 3)]
    append(
        "parameters",
        "parameters",
        parameters_entry(
            election="bench", threshold=2, trustees=[i[0] for i in identities], options=OPTIONS
        ),
    )
    for j in (1, 2, 3):
        append("dealing", f"dealing-{j}", dealing_entry(state, dealer=j)[0])
    append("key", "key", key_entry(state))
    shares = {
        j: secret_share_compute(
            state,
            number=j,
            private_key=bytes.fromhex(identities[j - 1][1]["communication_private_key"]),
        )
        for j in (1, 2, 3)
    }
    rng = random.Random(2016)
    weights = [0.59, 0.19, 0.10, 0.07, 0.05]
    choices = [[rng.choices(range(5), weights)[0]] for _ in range(size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        chunk = 2000
        jobs = [choices[low : low + chunk] for low in range(0, size, chunk)]
        lines: list[str] = []

        def encrypt_all() -> None:
            for part in pool.map(_ballots_lines, [(state.public_key.data, job) for job in jobs]):
                lines.extend(part)

        clock.run("server: encrypt ballots", encrypt_all)
        header = json.dumps({"kind": "ballots", "channel": "online", "count": size})
        append("ballots", "ballots-online", [header, *lines], "verify: read ballots, trackers")
        state.mapper = pool.map
        for mixer in (1, 3):
            mix = clock.run(
                f"trustee {mixer}: shuffle + proof",
                lambda m=mixer: mix_entry(state, mixer=m, mapper=pool.map),
            )
            append("mix", f"mix-{mixer}", mix, f"verify: mix {mixer} proof")
        for trustee in (2, 3):
            lines_decryption = clock.run(
                f"trustee {trustee}: decryption shares + proofs",
                lambda t=trustee: decryption_entry(
                    state, trustee=t, secret=shares[t], mapper=pool.map
                ),
            )
            append(
                "decryption",
                f"decryption-{trustee}",
                lines_decryption,
                f"verify: decryption {trustee}",
            )
        result = clock.run(
            "tally: combine and decode", lambda: result_entry(state, mapper=pool.map)
        )
        append("result", "result", result, "verify: result")
    record_bytes = sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    wall, cpu = time.perf_counter(), _cpu()
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "omov",
            "verify",
            str(directory),
            "--quiet",
            "--workers",
            str(workers),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    verify_wall, verify_cpu = time.perf_counter() - wall, _cpu() - cpu
    peak_kib = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    if completed.returncode != 0:
        raise SystemExit(f"omov verify failed:\n{completed.stderr}")
    print(
        f"  {'omov verify (fresh process)':<44} {verify_wall:8.1f} s wall {verify_cpu:8.1f} s CPU"
    )
    return {
        "size": size,
        "rows": clock.rows,
        "verify_wall": verify_wall,
        "verify_cpu": verify_cpu,
        "verify_peak_mib": peak_kib / 1024,
        "record_bytes": record_bytes,
    }


def _ballots_lines(arguments: tuple[bytes, list[list[int]]]) -> list[str]:
    key = Point(arguments[0])
    out = []
    for choice in arguments[1]:
        row = tuple(encrypt(key, index) for index in choice)
        out.append(
            json.dumps(
                {"tracker": tracker(row), "ciphertexts": row_to_json(row)},
                sort_keys=True,
                separators=(",", ":"),
            )
        )
    return out


def report(results: list[dict[str, Any]], workers: int, load_before: tuple[float, ...]) -> str:
    """Markdown: per size, each step, and the extrapolation to 506,438 ballots."""
    out = [
        f"## bench_verifiable ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        f"{os.cpu_count()} cores, {workers} worker processes; load average before "
        f"{load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}. Wall and CPU seconds (CPU counts "
        "the workers).",
        "",
    ]
    for result in results:
        size = result["size"]
        scale = FULL / size
        out += [
            f"### {size:,} ballots",
            "",
            "| step | wall s | CPU s | wall at 506,438 (linear) |",
            "| --- | ---: | ---: | ---: |",
        ]
        for label, wall, cpu in result["rows"]:
            out.append(f"| {label} | {wall:.1f} | {cpu:.1f} | {wall * scale / 60:.1f} min |")
        out.append(
            f"| omov verify, whole record (fresh process) | {result['verify_wall']:.1f} | "
            f"{result['verify_cpu']:.1f} | {result['verify_wall'] * scale / 60:.1f} min |"
        )
        out += [
            "",
            f"Record on disk: {result['record_bytes'] / 2**20:.1f} MiB "
            f"({result['record_bytes'] / size:.0f} bytes a ballot → "
            f"{result['record_bytes'] * scale / 2**30:.2f} GiB at 506,438). "
            f"Peak memory of `omov verify` (largest single process): "
            f"{result['verify_peak_mib']:.0f} MiB.",
            "",
        ]
    if len(results) >= 2:
        small, large = results[0], results[-1]
        slope = (large["verify_peak_mib"] - small["verify_peak_mib"]) / (
            large["size"] - small["size"]
        )
        estimate = large["verify_peak_mib"] + slope * (FULL - large["size"])
        out.append(
            f"Peak memory of `omov verify` extrapolated from the two sizes' slope "
            f"({slope * 1024:.1f} KiB a ballot): {estimate / 1024:.2f} GiB at 506,438."
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[FULL // 100, FULL // 10])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--write", type=Path, help="append the Markdown report to this file")
    args = parser.parse_args()
    load_before = os.getloadavg()
    results = []
    for size in args.sizes:
        print(f"{size:,} ballots, {args.workers} workers", flush=True)
        with tempfile.TemporaryDirectory() as scratch:
            results.append(build_and_time(size, args.workers, Path(scratch) / "record"))
    text = report(results, args.workers, load_before)
    print(text)
    if args.write:
        with args.write.open("a", encoding="utf-8") as handle:
            handle.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
