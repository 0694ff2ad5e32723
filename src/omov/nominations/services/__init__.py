"""Every write of the nominations app (split by topic; import from here)."""

from omov.nominations.services.nominations import (
    ImportReport,
    MeetingFigures,
    affiliate_nomination_record,
    affiliate_nomination_withdraw,
    branch_meeting_record,
    candidate_consent_record,
    candidate_withdraw,
    decide_nominee,
    freeze_roll_blockers,
    member_signatures_record,
    nomination_rules_set,
    nominations_validate,
    parliamentary_members_import,
    parliamentary_nomination_record,
    parliamentary_nomination_withdraw,
)
from omov.nominations.services.published import PublishedLoad, nominations_load_published
from omov.nominations.services.supporters import (
    SupporterDetails,
    supporter_application_approve,
    supporter_application_reject,
    supporter_application_submit,
    supporter_applications_bulk_approve,
    supporter_payment_confirm,
)

__all__ = [
    "ImportReport",
    "MeetingFigures",
    "PublishedLoad",
    "SupporterDetails",
    "affiliate_nomination_record",
    "affiliate_nomination_withdraw",
    "branch_meeting_record",
    "candidate_consent_record",
    "candidate_withdraw",
    "decide_nominee",
    "freeze_roll_blockers",
    "member_signatures_record",
    "nomination_rules_set",
    "nominations_load_published",
    "nominations_validate",
    "parliamentary_members_import",
    "parliamentary_nomination_record",
    "parliamentary_nomination_withdraw",
    "supporter_application_approve",
    "supporter_application_reject",
    "supporter_application_submit",
    "supporter_applications_bulk_approve",
    "supporter_payment_confirm",
]
