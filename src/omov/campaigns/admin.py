"""The back office's read-only view of the campaigns: every write goes through the services."""

from __future__ import annotations

from django.contrib import admin

from omov.campaigns.models import Campaign, RollRelease
from omov.core.admin_audit import ReadOnlyAdmin


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "contest", "calling_starts", "calling_ends", "max_attempts"]
    list_filter = ["contest"]


@admin.register(RollRelease)
class RollReleaseAdmin(ReadOnlyAdmin):
    list_display = ["contest", "roll_released_at", "retention_days", "erased_at"]
