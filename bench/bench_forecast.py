"""Benchmark: the campaigns' forecast model (decision 0018) on a 2016-sized roll.

    python bench/bench_forecast.py [--answers 100000] [--candidates 2]

The roll has Labour's 2016 shape in strata: 632 branches × 3 categories, each with 100–900
eligible voters; the canvass answers (``--answers``, spread unevenly over the strata, as a phone
bank reaches some branches far more than others) lean 60/40 with noise. Reported: the model's
CPU time and peak memory for two candidates and for three (AV, with next preferences). The
database part of the page (reading the answers) is measured by bench_phonebank.py's dashboard.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from omov.campaigns.forecast import forecast_compute

CATEGORIES = ("member", "registered_supporter", "affiliated_supporter")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(2016)
    roll = {(c, f"B{b:03d}"): rng.randint(100, 900) for c in CATEGORIES for b in range(632)}
    strata = list(roll)
    reach = [rng.paretovariate(1.5) for _ in strata]
    chosen = rng.choices(range(len(strata)), weights=reach, k=args.answers)
    lean = {stratum: min(0.95, max(0.05, rng.gauss(0.6, 0.1))) for stratum in strata}
    two: dict[tuple[str, str], list[int]] = {}
    three: dict[tuple[str, str], list[int]] = {}
    for index in chosen:
        stratum = strata[index]
        first = 0 if rng.random() < lean[stratum] else 1
        two.setdefault(stratum, [0, 0])[first] += 1
        pick = first if first == 0 or rng.random() < 0.6 else 2
        three.setdefault(stratum, [0, 0, 0])[pick] += 1
    print(f"{len(strata):,} strata, {sum(roll.values()):,} voters, {args.answers:,} answers")
    for label, answers, following in (
        ("2 candidates", two, None),
        ("3 candidates, AV", three, {"C": [300, 500, 0, 200]}),
    ):
        candidates = ["A", "B"] if label.startswith("2") else ["A", "B", "C"]
        started = time.process_time()
        forecast = forecast_compute(
            candidates=candidates, roll=roll, answers=answers, next_preferences=following
        )
        spent = time.process_time() - started
        shares = ", ".join(f"{s.candidate} {s.mean:.1%}" for s in forecast.shares)
        print(f"{label}: {spent:.2f} s CPU ({shares}; win {forecast.win_chance})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
