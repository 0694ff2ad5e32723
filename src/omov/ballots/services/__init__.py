"""Every write of the secret ballot, split by topic; import from here.

- ``voting``: open and close the ballot, the booth's sign-in and cast, the count's input, demo.
- ``delivery``: credential emails, printed letters, reissue and reminders.
- ``resend``: preview one email and one letter; replace every unused credential after a mistake.
- ``paper``: postal ballots in two stages (declarations, then ballot papers keyed twice).
- ``sending``: queue the credential emails and the reminders as background jobs (the office).
- ``encrypted``: ballots of a contest with trustees, encrypted to their joint key, and the
  close's ``ballots`` entries in the election record.
"""

from omov.ballots.services.delivery import (
    credential_reissue,
    credentials_pending,
    credentials_send,
    credentials_send_batch,
    letter_pdf_for,
    letters_print,
    reminders_send,
)
from omov.ballots.services.encrypted import (
    RecordBallots,
    record_ballots_add,
    tracker_lookup_allowed,
)
from omov.ballots.services.paper import (
    PaperResult,
    batch_minimum,
    paper_key,
    paper_reject,
    paper_resolve,
    postal_batch_create,
    postal_batch_reconcile,
    postal_batch_separate,
    postal_declaration_accept,
)
from omov.ballots.services.resend import (
    CredentialPreview,
    ResendCounts,
    credentials_preview,
    credentials_resend,
    credentials_resend_scope,
    credentials_waiting,
)
from omov.ballots.services.sending import (
    credentials_send_start,
    reminder_round_next,
    reminders_start,
)
from omov.ballots.services.voting import (
    AlreadyVoted,
    BallotOpening,
    CountInput,
    DecryptedBallot,
    Throttled,
    ballot_cast,
    ballot_close,
    ballot_open,
    ballots_for_count,
    ballots_seed_demo,
    close_ballot_blockers,
    credential_sign_in,
    open_ballot_blockers,
    ranking_validate,
)

__all__ = [
    "AlreadyVoted",
    "BallotOpening",
    "CountInput",
    "CredentialPreview",
    "DecryptedBallot",
    "PaperResult",
    "RecordBallots",
    "ResendCounts",
    "Throttled",
    "ballot_cast",
    "ballot_close",
    "ballot_open",
    "ballots_for_count",
    "ballots_seed_demo",
    "batch_minimum",
    "close_ballot_blockers",
    "credential_reissue",
    "credential_sign_in",
    "credentials_pending",
    "credentials_preview",
    "credentials_resend",
    "credentials_resend_scope",
    "credentials_send",
    "credentials_send_batch",
    "credentials_send_start",
    "credentials_waiting",
    "letter_pdf_for",
    "letters_print",
    "open_ballot_blockers",
    "paper_key",
    "paper_reject",
    "paper_resolve",
    "postal_batch_create",
    "postal_batch_reconcile",
    "postal_batch_separate",
    "postal_declaration_accept",
    "ranking_validate",
    "record_ballots_add",
    "reminder_round_next",
    "reminders_send",
    "reminders_start",
    "tracker_lookup_allowed",
]
