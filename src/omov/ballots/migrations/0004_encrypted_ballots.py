import uuid

import django.db.models.deletion
from django.db import migrations, models


def _sqlite_without_rowid(apps, schema_editor):
    """On SQLite, rebuild the encrypted-ballot table WITHOUT ROWID (as 0001 does for ballots).

    A hidden, increasing ``rowid`` would store the order in which ballots arrived; a WITHOUT
    ROWID table is stored in the order of its random primary key. The table is empty here.
    """
    if schema_editor.connection.vendor != "sqlite":
        return
    table = "ballots_encryptedballot"
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
        ("ballots", "0003_postal_batches"),
        ("contests", "0002_contest_kind_free_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="ballotbox",
            name="has_trustees",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.CreateModel(
            name="EncryptedBallot",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[("online", "Online"), ("paper", "Paper")], max_length=6
                    ),
                ),
                ("ciphertexts", models.BinaryField()),
                ("tracker", models.CharField(max_length=64)),
                (
                    "contest",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contests.contest",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("contest", "tracker"), name="encrypted_ballot_tracker_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(_sqlite_without_rowid, migrations.RunPython.noop),
    ]
