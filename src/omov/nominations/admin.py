"""Back-office views of nominations: read-only, because every change goes through the services
(and so through their checks and the audit trail)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from omov.core.admin_audit import ReadOnlyAdmin
from omov.nominations.models import (
    AffiliateNomination,
    BranchMeeting,
    BranchMeetingVote,
    MemberSignature,
    NominationRules,
    ParliamentaryMember,
    ParliamentaryNomination,
    SupporterApplication,
    SupporterFlag,
)


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(NominationRules)
class NominationRulesAdmin(ReadOnlyAdmin):
    list_display = [
        "contest",
        "challenger_percent",
        "vacancy_percent",
        "is_parliamentary_threshold_required",
        "is_incumbent_exempt",
        "is_gate_enabled",
        "gate_branch_percent",
        "gate_branch_count",
        "gate_affiliate_count",
        "gate_signature_count",
    ]


@admin.register(ParliamentaryMember)
class ParliamentaryMemberAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "constituency", "contest"]
    list_filter = ["contest", "kind"]
    search_fields = ["name", "constituency"]


@admin.register(ParliamentaryNomination)
class ParliamentaryNominationAdmin(ReadOnlyAdmin):
    list_display = ["member", "candidate", "contest", "recorded_at"]
    list_filter = ["contest", "candidate"]


class BranchMeetingVoteInline(ReadOnlyInline):
    model = BranchMeetingVote


@admin.register(BranchMeeting)
class BranchMeetingAdmin(ReadOnlyAdmin):
    list_display = ["branch", "contest", "held_on", "attendance", "outcome", "nominee"]
    list_filter = ["contest", "outcome", "nominee"]
    search_fields = ["branch__name", "branch__code"]
    inlines = [BranchMeetingVoteInline]


@admin.register(MemberSignature)
class MemberSignatureAdmin(ReadOnlyAdmin):
    list_display = ["person", "candidate", "contest", "recorded_at"]
    list_filter = ["contest", "candidate"]
    search_fields = ["person__external_id", "person__last_name"]


@admin.register(AffiliateNomination)
class AffiliateNominationAdmin(ReadOnlyAdmin):
    list_display = ["affiliate", "candidate", "contest", "recorded_at"]
    list_filter = ["contest", "candidate"]


class SupporterFlagInline(ReadOnlyInline):
    model = SupporterFlag
    fk_name = "application"
    fields = ["kind", "detail", "other_application", "other_person"]


@admin.register(SupporterApplication)
class SupporterApplicationAdmin(ReadOnlyAdmin):
    list_display = ["id", "first_name", "last_name", "postcode", "contest", "status", "is_paid"]
    list_filter = ["contest", "status", "is_paid", "flags__kind"]
    search_fields = ["first_name", "last_name", "email", "postcode"]
    inlines = [SupporterFlagInline]
