"""The back office's read-only view of the campaigns: every write goes through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from omov.campaigns.models import Campaign, RollRelease


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Show, never change: campaigns change through their services, which audit."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "contest", "calling_starts", "calling_ends", "max_attempts"]
    list_filter = ["contest"]


@admin.register(RollRelease)
class RollReleaseAdmin(ReadOnlyAdmin):
    list_display = ["contest", "roll_released_at", "retention_days", "erased_at"]
