"""Print what the demo built: the declared figures, where to vote, and the staff logins.

Every figure printed about the 2016 replay is read back from the stored result (what the
declaration page shows), not from the figures the build aimed at.
"""

from __future__ import annotations

from typing import TextIO

from django.conf import settings
from django.urls import reverse

from omov.demo.build import DemoReport
from omov.demo.people import KIND_LABELS
from omov.nominations.selectors import nominations_summary
from omov.results.models import Result
from omov.results.selectors import percent
from omov.trustees.selectors import head_hash, record_of

CATEGORY_LABELS = {
    "member": "Members",
    "registered_supporter": "Registered supporters",
    "affiliated_supporter": "Affiliated supporters",
}


def _table(rows: list[list[str]], out: TextIO, indent: str = "  ") -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for number, row in enumerate(rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        print(indent + "  ".join(cells).rstrip(), file=out)
        if number == 0:
            print(indent + "  ".join("-" * width for width in widths), file=out)


def print_report(report: DemoReport, *, bind: str, serving: bool, out: TextIO) -> None:
    """Print the demo's summary for the person at the terminal."""

    base = str(settings.OMOV_PUBLIC_URL).rstrip("/") or f"http://{bind}"
    leadership, deputy = report.leadership, report.deputy
    result = Result.objects.get(contest=leadership)
    total = sum(seconds for _, seconds in report.timings)
    print("", file=out)
    if report.is_reused:
        print(f"omov demo: the demo in {report.data_dir} is already built; reusing it.", file=out)
        print("New passwords and new voter credentials are below.", file=out)
    else:
        print(f"omov demo: built in {total:.1f} s in {report.data_dir}.", file=out)
    database = settings.DATABASES["default"]
    print(f"Database: {database['NAME']} ({database['ENGINE'].rsplit('.', 1)[-1]})", file=out)

    print("", file=out)
    print(f"1. {leadership.title}: {leadership.get_status_display().lower()}", file=out)
    print(f"   {report.figures.describe_scale()}", file=out)
    returned = result.ballots_returned
    print(
        f"   Credentials issued {result.credentials_issued:,}; ballots returned {returned:,} "
        f"(turnout {percent(returned, result.credentials_issued)}%): {result.valid:,} valid, "
        f"{result.spoilt_total:,} spoilt, {result.rejected_total:,} rejected.",
        file=out,
    )
    final = result.outcome.rounds[-1].votes
    print(
        "   "
        + ", ".join(
            f"{name} {int(votes):,} ({percent(int(votes), result.valid)}%)"
            for name, votes in final.items()
        )
        + f". Elected: {', '.join(result.elected)}.",
        file=out,
    )
    for category, item in result.categories.items():
        votes = ", ".join(f"{name} {int(number):,}" for name, number in item["votes"].items())
        print(f"   {CATEGORY_LABELS.get(category, category)}: {votes}", file=out)
    for standing in nominations_summary(leadership).standings:
        if standing.branches:
            print(
                f"   Branch nominations: {standing.candidate.name} {standing.branches} "
                f"({standing.branch_percent})",
                file=out,
            )
    if report.roll_kinds:
        ineligible = {k: n for k, n in report.roll_kinds.items() if k not in CATEGORY_LABELS}
        print(
            f"   Roll: {sum(report.roll_kinds.values()):,} people imported, "
            f"{sum(ineligible.values()):,} of them not eligible:",
            file=out,
        )
        for kind, number in sorted(ineligible.items(), key=lambda item: (-item[1], item[0])):
            print(f"     {number:>7,} {KIND_LABELS[kind]}", file=out)
    print(
        f"   Declaration: {base}{reverse('results:declaration', args=[leadership.slug])}",
        file=out,
    )
    print(f"   Count key: {report.key_paths[leadership.slug]}", file=out)
    if report.problems:
        print("   CHECK FAILED: the stored result differs from the figures:", file=out)
        for problem in report.problems:
            print(f"     - {problem}", file=out)
    else:
        print("   Check: the stored result reproduces every figure above exactly.", file=out)

    print("", file=out)
    print(f"2. {deputy.title}: {deputy.get_status_display().lower()}", file=out)
    print(
        f"   Turnout so far (signed in as returning-officer or scrutineer): "
        f"{base}{reverse('results:turnout', args=[deputy.slug])}",
        file=out,
    )
    print(
        f"   Count key (needed to count it after closing): {report.key_paths[deputy.slug]}",
        file=out,
    )
    if report.credentials:
        print(
            f"   Vote at {base}{reverse('ballots:start')} with one of these credentials "
            "(each votes once; the link fills in the reference):",
            file=out,
        )
        rows = [["Voter", "Ballot reference", "Security code", "Link"]]
        rows += [[c.name, c.reference, c.code, c.booth_url] for c in report.credentials]
        _table(rows, out, indent="   ")
        print(
            "   (Only these printed credentials can be used; run `omov demo` again for new ones.)",
            file=out,
        )
    else:
        print("   The ballot is no longer open, so there are no credentials to print.", file=out)

    verified = report.verified
    if verified is not None:
        record = record_of(verified)
        counted = Result.objects.filter(contest=verified).first()
        print("", file=out)
        print(f"3. {verified.title}: {verified.get_status_display().lower()}", file=out)
        print(
            "   Three trustees (two needed) held the key; ballots were encrypted to it, mixed "
            "twice and decrypted with proofs, each trustee's step run by `omov trustee` in a "
            "process of its own.",
            file=out,
        )
        if counted is not None:
            print(f"   Elected: {', '.join(counted.elected)} ({counted.valid:,} valid).", file=out)
        print(
            f"   Election record: {base}{reverse('trustees:record', args=[verified.slug])} "
            f"(head hash {head_hash(record) if record else '-'})",
            file=out,
        )
        print(
            "   Check it yourself: download record.zip there, unzip it, run "
            "`omov verify record` (it re-checks every proof).",
            file=out,
        )
        print(f"   The trustees' own files: {report.data_dir / 'trustees'}", file=out)

    print("", file=out)
    print(
        f"Staff logins at {base}{reverse('login')} (new passwords each time `omov demo` runs):",
        file=out,
    )
    rows = [["Username", "Password", "Role", "Scope", "Start at"]]
    rows += [
        [a.username, a.password, a.role, a.scope, f"{base}{a.start_url}"] for a in report.accounts
    ]
    _table(rows, out)
    print("", file=out)
    if serving:
        print(f"Open {base}/ to click through the demo. Press Ctrl+C to stop.", file=out)
    else:
        size = "--full" if report.figures.is_full_size else f"--scale {report.figures.divisor}"
        print(
            f"Serve it with `omov demo {size} --data-dir {report.data_dir}` and open {base}/",
            file=out,
        )
        print(
            f"Run other commands on it with `OMOV_DATA_DIR={report.data_dir} omov …` "
            "(for example `omov contest list`).",
            file=out,
        )
    out.flush()
