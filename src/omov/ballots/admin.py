"""Back office: read-only views of the ballot. Every change goes through the services."""

from __future__ import annotations

from django.contrib import admin

from omov.ballots.models import BallotBox, Credential, PaperKeying, PaperRecord, PostalBatch
from omov.core.admin_audit import ReadOnlyAdmin


@admin.register(BallotBox)
class BallotBoxAdmin(ReadOnlyAdmin):
    list_display = ["contest", "opened_at", "closed_at", "payload_length"]
    exclude = ["public_key"]


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    """Shows delivery state only; the voted mark is left out so the admin is no turnout tracker."""

    list_display = ["id", "contest", "category", "delivery", "issued_at", "generation"]
    list_filter = ["contest", "delivery", "category"]
    fields = ["contest", "roll_entry", "category", "delivery", "issued_at", "generation"]


@admin.register(PostalBatch)
class PostalBatchAdmin(ReadOnlyAdmin):
    list_display = ["number", "contest", "category", "stage", "declarations_accepted"]
    list_filter = ["contest", "stage"]
    exclude = ["keying_secret"]


@admin.register(PaperKeying)
class PaperKeyingAdmin(ReadOnlyAdmin):
    list_display = ["batch", "paper_number", "status", "first_operator", "second_operator"]
    exclude = ["first_fingerprint", "second_fingerprint"]


@admin.register(PaperRecord)
class PaperRecordAdmin(ReadOnlyAdmin):
    list_display = ["contest", "outcome", "reason"]
    list_filter = ["contest", "outcome", "reason"]
