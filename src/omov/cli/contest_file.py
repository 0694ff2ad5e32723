"""Read the `[nominations]` table of a contest file into nomination rules (decision 0012).

Every route is optional; a file without the table leaves the defaults, under which a candidate
who consents is nominated. The shape, as in the example files:

    [nominations]
    incumbent_exempt = true          # the incumbent stands without nominations (default true)

    [nominations.parliamentary]      # a share of the parliamentary group (its list is imported)
    percent = 20                     # challengers need 20% of it
    vacancy_percent = 15             # every candidate, when the contest fills a vacancy

    [nominations.gate]               # supporting nominations: any one route given is enough
    branch_count = 5                 # or branch_percent = 5 (of all branches), not both
    affiliate_count = 3
    signature_count = 50             # members' signatures on the nomination paper

Each mistake stops with the file, the key and what was expected, listing the keys known there.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from omov.cli.errors import CommandError

_TOP_KEYS = ("incumbent_exempt", "parliamentary", "gate")
_PARLIAMENTARY_KEYS = ("percent", "vacancy_percent")
_GATE_KEYS = ("branch_percent", "branch_count", "affiliate_count", "signature_count")


def _known(path: Path, table: str, data: dict[str, Any], known: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise CommandError(
            f"{path}: [{table}] has no key {', '.join(unknown)}; the keys it takes are "
            f"{', '.join(known)}."
        )


def _table(path: Path, name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CommandError(f"{path}: [{name}] must be a table of keys and values.")
    return value


def _percent(path: Path, key: str, value: Any) -> Decimal:
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        number = Decimal(str(value))
    except InvalidOperation:
        raise CommandError(
            f"{path}: {key} must be a percentage such as 20, not {value!r}."
        ) from None
    if not Decimal(0) <= number <= Decimal(100):
        raise CommandError(f"{path}: {key} must be between 0 and 100, not {value!r}.")
    return number


def _count(path: Path, key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise CommandError(f"{path}: {key} must be a whole number of at least 1, not {value!r}.")
    return value


def nomination_rules_from_file(path: Path, raw: Any) -> dict[str, Any]:
    """Return the keyword arguments of ``nomination_rules_set`` that ``[nominations]`` gives."""
    data = _table(path, "nominations", raw)
    _known(path, "nominations", data, _TOP_KEYS)
    rules: dict[str, Any] = {
        "challenger_percent": Decimal(20),
        "vacancy_percent": Decimal(15),
        "is_parliamentary_threshold_required": False,
        "is_incumbent_exempt": True,
        "is_gate_enabled": False,
    }
    exempt = data.get("incumbent_exempt", True)
    if not isinstance(exempt, bool):
        raise CommandError(f"{path}: nominations.incumbent_exempt must be true or false.")
    rules["is_incumbent_exempt"] = exempt
    if "parliamentary" in data:
        parliamentary = _table(path, "nominations.parliamentary", data["parliamentary"])
        _known(path, "nominations.parliamentary", parliamentary, _PARLIAMENTARY_KEYS)
        if "percent" not in parliamentary:
            raise CommandError(
                f"{path}: [nominations.parliamentary] needs percent, the share of the "
                "parliamentary group a challenger needs."
            )
        rules["is_parliamentary_threshold_required"] = True
        rules["challenger_percent"] = _percent(
            path, "nominations.parliamentary.percent", parliamentary["percent"]
        )
        rules["vacancy_percent"] = _percent(
            path,
            "nominations.parliamentary.vacancy_percent",
            parliamentary.get("vacancy_percent", parliamentary["percent"]),
        )
    if "gate" in data:
        gate = _table(path, "nominations.gate", data["gate"])
        _known(path, "nominations.gate", gate, _GATE_KEYS)
        if not gate:
            raise CommandError(
                f"{path}: [nominations.gate] names no route; give one or more of "
                f"{', '.join(_GATE_KEYS)}, or leave the table out."
            )
        rules["is_gate_enabled"] = True
        if "branch_percent" in gate:
            rules["gate_branch_percent"] = _percent(
                path, "nominations.gate.branch_percent", gate["branch_percent"]
            )
        for key in ("branch_count", "affiliate_count", "signature_count"):
            if key in gate:
                rules[f"gate_{key}"] = _count(path, f"nominations.gate.{key}", gate[key])
    return rules
