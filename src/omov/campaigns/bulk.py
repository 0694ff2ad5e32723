"""Fast paths of the campaigns: building a call list of a whole roll's segment in the database.

A call list of a 654,006-voter contact list is one ``INSERT … SELECT`` (no model instance per
row); ``bench/bench_phonebank.py`` measures it. The slow obvious version — one ``CallTarget`` per
entry — is the test oracle in tests/campaigns.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import F, QuerySet

from omov.campaigns.models import CallList, CallTarget
from omov.electorate.models import RollEntry


def targets_insert_select(*, call_list: CallList, entries: QuerySet[RollEntry]) -> int:
    """Insert one open target per roll entry of ``entries``; return how many."""
    select_sql, params = entries.values(chosen_entry=F("pk")).query.sql_with_params()
    table = CallTarget._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (call_list_id, roll_entry_id, attempts, is_finished) "
            f"SELECT %s, chosen.chosen_entry, 0, %s FROM ({select_sql}) AS chosen",
            [call_list.pk, False, *params],
        )
        return cursor.rowcount
