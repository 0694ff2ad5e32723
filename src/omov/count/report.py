"""Render a :class:`~omov.count.result.CountResult`: text table, CSV, and JSON-ready data.

Vote values are exact decimals and are written as decimal strings, never floats, so a published
JSON report can be checked digit for digit. The JSON carries ``"format": "omov.count/1"``.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from omov.count.errors import CountInputError
from omov.count.formats.csv import spreadsheet_safe

if TYPE_CHECKING:
    from omov.count.result import CountResult

FORMAT = "omov.count/1"

_METHOD_NAMES = {
    "plurality": "Plurality (first past the post)",
    "irv": "Instant-runoff voting",
    "stv-scottish": "Scottish STV (SSI 2007/42)",
    "stv-meek": "Meek STV",
}


def _text(value: Decimal) -> str:
    """Return ``value`` as a plain decimal string (no exponent)."""
    return f"{value:f}"


def _status(result: CountResult) -> dict[str, str]:
    status: dict[str, str] = {}
    for item in result.rounds:
        for name in item.elected:
            status[name] = f"elected in round {item.number}"
        for name in item.excluded:
            status[name] = f"excluded in round {item.number}"
    return status


def render_table(result: CountResult) -> str:
    """Return a plain-text round-by-round table with each round's reason underneath."""
    title = result.title or result.source or "Count"
    lines = [
        title,
        f"Method: {_METHOD_NAMES.get(result.method, result.method)}; seats: {result.seats}",
        f"Valid ballots: {result.validity.valid}; rejected: {result.validity.rejected}",
    ]
    if result.validity.withdrawn:
        lines.append(f"Withdrawn: {', '.join(result.validity.withdrawn)}")
    for tally in result.validity.problems:
        lines.append(
            f"  {tally.problem.value}: {tally.ballots} ballots "
            f"({tally.rejected} rejected). {tally.reason}"
        )
    if result.seed:
        lines.append(f"Seed: {result.seed}")
    for note in result.notes:
        lines.append(f"Note: {note}")
    lines.append("")
    headers = ["Candidate"] + [f"Round {item.number}" for item in result.rounds]
    body: list[list[str]] = []
    for name in result.candidates:
        body.append([name] + [_text(item.votes[name]) for item in result.rounds])
    body.append(["Exhausted"] + [_text(item.exhausted) for item in result.rounds])
    if any(item.rounding_loss for item in result.rounds):
        body.append(["Rounding loss"] + [_text(item.rounding_loss) for item in result.rounds])
    # The words of the declaration page: IRV's threshold is a majority, not an STV quota.
    threshold = "Votes needed to win" if result.method == "irv" else "Quota"
    body.append(
        [threshold] + [("" if item.quota is None else _text(item.quota)) for item in result.rounds]
    )
    widths = [max(len(row[column]) for row in [headers, *body]) for column in range(len(headers))]
    status = _status(result)

    def line(row: list[str], note: str = "") -> str:
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        return ("  ".join(cells) + (f"  {note}" if note else "")).rstrip()

    lines.append(line(headers))
    lines.append(line(["-" * width for width in widths]))
    for row in body:
        lines.append(line(row, status.get(row[0], "") if row[0] in result.candidates else ""))
    lines.append("")
    for item in result.rounds:
        lines.append(f"Round {item.number}: {item.reason}")
        if item.tie_break:
            lines.append(f"  Tie: {item.tie_break}")
    lines.append("")
    lines.append(f"Elected: {', '.join(result.elected)}")
    return "\n".join(lines) + "\n"


class _CsvRows:
    """Write CSV rows; a row with a lone carriage return in a cell is written fully quoted.

    ``csv`` quotes a cell holding ``\n`` but not one holding only ``\r``, which a reader then
    takes for a line break.
    """

    def __init__(self, buffer: io.StringIO) -> None:
        self._plain = csv.writer(buffer, lineterminator="\n")
        self._quoted = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, row: list[str]) -> None:
        (self._quoted if any("\r" in cell for cell in row) else self._plain).writerow(row)


def render_csv(result: CountResult) -> str:
    """Return CSV: a header row, one row per candidate and rows for exhausted, loss and quota.

    Candidate names go through :func:`spreadsheet_safe`, so a name such as ``=HYPERLINK(...)``
    is shown as text by a spreadsheet, never run. The vote columns are omov's own decimals.
    """
    buffer = io.StringIO()
    writer = _CsvRows(buffer)
    writer.writerow(["candidate"] + [f"round {item.number}" for item in result.rounds] + ["status"])
    status = _status(result)
    for name in result.candidates:
        writer.writerow(
            [spreadsheet_safe(name)]
            + [_text(item.votes[name]) for item in result.rounds]
            + [status.get(name, "")]
        )
    writer.writerow(["exhausted"] + [_text(item.exhausted) for item in result.rounds] + [""])
    writer.writerow(
        ["rounding loss"] + [_text(item.rounding_loss) for item in result.rounds] + [""]
    )
    writer.writerow(
        ["quota"]
        + [("" if item.quota is None else _text(item.quota)) for item in result.rounds]
        + [""]
    )
    return buffer.getvalue()


def render_json_dict(result: CountResult) -> dict[str, Any]:
    """Return the result as JSON-ready data: format ``omov.count/1``, values as strings."""
    validity = result.validity
    return {
        "format": FORMAT,
        "title": result.title,
        "source": result.source,
        "method": result.method,
        "seats": result.seats,
        "seed": result.seed,
        "options": dict(result.options),
        "notes": list(result.notes),
        "candidates": list(result.candidates),
        "withdrawn": list(validity.withdrawn),
        "elected": list(result.elected),
        "ballots": {"valid": validity.valid, "rejected": validity.rejected},
        "validity": {
            "rules": validity.rules.as_dict(),
            "problems": [
                {
                    "problem": tally.problem.value,
                    "policy": tally.policy.value,
                    "ballots": tally.ballots,
                    "rejected": tally.rejected,
                    "reason": tally.reason,
                }
                for tally in validity.problems
            ],
        },
        "rounds": [
            {
                "round": item.number,
                "votes": {name: _text(value) for name, value in item.votes.items()},
                "transfers": {name: _text(value) for name, value in item.transfers.items()},
                "exhausted": _text(item.exhausted),
                "rounding_loss": _text(item.rounding_loss),
                "quota": None if item.quota is None else _text(item.quota),
                "elected": list(item.elected),
                "excluded": list(item.excluded),
                "reason": item.reason,
                "tie_break": item.tie_break,
                **(
                    {}
                    if item.keep_values is None
                    else {
                        "keep_values": {
                            name: _text(value) for name, value in item.keep_values.items()
                        }
                    }
                ),
            }
            for item in result.rounds
        ],
    }


def result_from_json_dict(data: Any, *, source: str = "the count report") -> CountResult:
    """Read back what :func:`render_json_dict` wrote (``omov.count/1``), exactly.

    Anything missing or of the wrong shape raises :class:`CountInputError` naming the field.
    """
    from omov.count.result import CountResult, Round
    from omov.count.validity import Policy, Problem, ProblemTally, ValidityReport, ValidityRules

    def need(mapping: Any, key: str, where: str) -> Any:
        if not isinstance(mapping, dict) or key not in mapping:
            raise CountInputError(f"{where} has no {key!r}.", source=source, field=key)
        return mapping[key]

    def number(value: Any, where: str) -> Decimal:
        try:
            return Decimal(str(value))
        except ArithmeticError:
            raise CountInputError(
                f"{where}: {value!r} is not a number.", source=source, field=where
            ) from None

    if need(data, "format", "The report") != FORMAT:
        raise CountInputError(
            f"The report's format is {data['format']!r}; this omov reads {FORMAT!r}.",
            source=source,
            field="format",
        )
    try:
        validity = need(data, "validity", "The report")
        ballots = need(data, "ballots", "The report")
        report = ValidityReport(
            valid=int(need(ballots, "valid", "ballots")),
            rejected=int(need(ballots, "rejected", "ballots")),
            problems=tuple(
                ProblemTally(
                    problem=Problem(need(item, "problem", "a validity problem")),
                    policy=Policy(need(item, "policy", "a validity problem")),
                    ballots=int(need(item, "ballots", "a validity problem")),
                    rejected=int(need(item, "rejected", "a validity problem")),
                )
                for item in need(validity, "problems", "validity")
            ),
            rules=ValidityRules.from_mapping(need(validity, "rules", "validity")),
            withdrawn=tuple(data.get("withdrawn", ())),
        )
    except (TypeError, ValueError) as error:
        raise CountInputError(
            f"The report's validity section is malformed: {error}.", source=source
        ) from None
    rounds = []
    for item in need(data, "rounds", "The report"):
        where = f"round {item.get('round', '?') if isinstance(item, dict) else '?'}"
        keep = item.get("keep_values")
        quota = need(item, "quota", where)
        rounds.append(
            Round(
                number=int(need(item, "round", where)),
                votes={
                    name: number(value, where) for name, value in need(item, "votes", where).items()
                },
                transfers={
                    name: number(value, where) for name, value in item.get("transfers", {}).items()
                },
                exhausted=number(need(item, "exhausted", where), where),
                quota=None if quota is None else number(quota, where),
                elected=tuple(need(item, "elected", where)),
                excluded=tuple(need(item, "excluded", where)),
                reason=str(item.get("reason", "")),
                tie_break=item.get("tie_break"),
                rounding_loss=number(item.get("rounding_loss", "0"), where),
                keep_values=(
                    None
                    if keep is None
                    else {name: number(value, where) for name, value in keep.items()}
                ),
            )
        )
    return CountResult(
        method=str(need(data, "method", "The report")),
        seats=int(need(data, "seats", "The report")),
        candidates=tuple(need(data, "candidates", "The report")),
        elected=tuple(need(data, "elected", "The report")),
        validity=report,
        rounds=tuple(rounds),
        seed=str(data.get("seed", "")),
        title=data.get("title"),
        source=str(data.get("source", "")),
        options={str(k): str(v) for k, v in data.get("options", {}).items()},
        notes=tuple(data.get("notes", ())),
    )
