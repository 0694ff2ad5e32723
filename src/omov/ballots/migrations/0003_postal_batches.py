"""Postal ballots in two stages (decision 0010): batches, and keyings that name no voter.

The old one-step keyings carried the paper's ballot reference; they are dropped. The migration
refuses to run while any exist (settle every paper of a running ballot first), so no keying in
progress is lost silently. On SQLite the new keying table is built WITHOUT ROWID, like the
ballot table, so no hidden counter stores the order in which papers were keyed.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _refuse_pending_keyings(apps, schema_editor):
    keyings = apps.get_model("ballots", "PaperKeying")
    waiting = keyings.objects.count()
    if waiting:
        raise RuntimeError(
            f"{waiting} returned papers are still being keyed the old way; settle them (or "
            "close the ballot after settling them) with the previous version, then upgrade."
        )


def _sqlite_without_rowid(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    table = "ballots_paperkeying"
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
        ("ballots", "0002_credential_has_rejected_paper"),
        ("contests", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_refuse_pending_keyings, migrations.RunPython.noop),
        migrations.DeleteModel(name="PaperKeying"),
        migrations.CreateModel(
            name="PostalBatch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField()),
                (
                    "category",
                    models.CharField(
                        help_text="Every voter in a batch is of this category (its ballot papers).",
                        max_length=24,
                    ),
                ),
                (
                    "stage",
                    models.CharField(
                        choices=[
                            ("declarations", "Checking declarations"),
                            (
                                "count_mismatch",
                                "Ballot papers and declarations differ: a supervisor must "
                                "reconcile them",
                            ),
                            ("keying", "Keying ballot papers"),
                            ("settled", "Settled"),
                        ],
                        default="declarations",
                        max_length=20,
                    ),
                ),
                ("declarations_accepted", models.PositiveIntegerField(default=0)),
                (
                    "papers_found",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Ballot papers found when the envelopes were opened.",
                        null=True,
                    ),
                ),
                ("papers_to_key", models.PositiveIntegerField(blank=True, null=True)),
                ("papers_settled", models.PositiveIntegerField(default=0)),
                ("keying_secret", models.BinaryField(blank=True, max_length=32, null=True)),
                ("created_at", models.DateTimeField()),
                ("separated_at", models.DateTimeField(blank=True, null=True)),
                ("settled_at", models.DateTimeField(blank=True, null=True)),
                (
                    "contest",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="postal_batches",
                        to="contests.contest",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "postal batches",
                "ordering": ["number"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("contest", "number"), name="postal_batch_number"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="PaperKeying",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("paper_number", models.PositiveIntegerField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("awaiting_second", "Awaiting the second keying"),
                            ("mismatch", "The two keyings differ: a supervisor must resolve it"),
                            ("settled", "Settled"),
                        ],
                        default="awaiting_second",
                        max_length=20,
                    ),
                ),
                ("first_fingerprint", models.CharField(blank=True, max_length=64)),
                ("second_fingerprint", models.CharField(blank=True, max_length=64)),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="keyings",
                        to="ballots.postalbatch",
                    ),
                ),
                (
                    "first_operator",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "second_operator",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("batch", "paper_number"), name="one_keying_per_paper"
                    )
                ],
            },
        ),
        migrations.RunPython(_sqlite_without_rowid, migrations.RunPython.noop),
    ]
