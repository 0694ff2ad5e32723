"""Writes to the roll: import, rules, evaluation, overrides (appeals) and the freeze.

Every function here runs in one transaction and writes an audit event. Views and the CLI call these
and nothing else writes people, decisions or roll entries (vetting in ``omov.nominations`` sets the
registered-supporter fields on ``Person``, documented in docs/roll-import.md).
"""

from omov.electorate.services.appeals import decision_override
from omov.electorate.services.common import rules_for
from omov.electorate.services.consent import person_phone_consent_withdraw
from omov.electorate.services.evaluation import EvaluationSummary, roll_evaluate
from omov.electorate.services.freeze import freeze_roll_blockers, roll_freeze
from omov.electorate.services.roll_import import ImportResult, roll_import, roll_import_allowed
from omov.electorate.services.rules import (
    ChangedPerson,
    ChangePreview,
    RuleChange,
    rules_change,
    rules_configure,
    rules_preview_change,
)

__all__ = [
    "ChangePreview",
    "ChangedPerson",
    "EvaluationSummary",
    "ImportResult",
    "RuleChange",
    "decision_override",
    "freeze_roll_blockers",
    "person_phone_consent_withdraw",
    "roll_evaluate",
    "roll_freeze",
    "roll_import",
    "roll_import_allowed",
    "rules_change",
    "rules_configure",
    "rules_for",
    "rules_preview_change",
]
