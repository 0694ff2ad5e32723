"""Rebuild the throttle table: random keys, a window end to purge by, no rowid on SQLite.

Throttle buckets only matter for the current window (15 minutes by default), so the old table,
whose sequential ids and plain keys ordered and named sign-ins, is dropped rather than copied.
"""

import uuid

from django.db import migrations, models


def _sqlite_without_rowid(apps, schema_editor):
    """On SQLite, rebuild the throttle table WITHOUT ROWID (no hidden insertion counter)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    table = "core_throttlebucket"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name=%s", [table])
        (create_sql,) = cursor.fetchone()
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name=%s AND sql IS NOT NULL",
            [table],
        )
        index_sql = [row[0] for row in cursor.fetchall()]
        cursor.execute(f'DROP TABLE "{table}"')
        cursor.execute(create_sql + " WITHOUT ROWID")
        for sql in index_sql:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_audit_hash_chain"),
    ]

    operations = [
        migrations.DeleteModel(name="ThrottleBucket"),
        migrations.CreateModel(
            name="ThrottleBucket",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("key", models.CharField(max_length=200)),
                ("window_start", models.DateTimeField()),
                ("window_end", models.DateTimeField()),
                ("attempts", models.PositiveIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("key", "window_start"), name="one_bucket_per_window"
                    )
                ],
                "indexes": [models.Index(fields=["window_end"], name="throttle_window_end")],
            },
        ),
        migrations.RunPython(_sqlite_without_rowid, migrations.RunPython.noop),
    ]
