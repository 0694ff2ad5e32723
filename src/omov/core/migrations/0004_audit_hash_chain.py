"""Chain the audit trail: every event gets its place, the previous hash and its own hash.

Events written before this migration are chained in the order they were written (time, then
id), per contest and for the site, and each chain gets its head row.
"""

from django.db import migrations, models

from omov.core import audit_chain


def chain_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    heads = {}
    for event in AuditEvent.objects.order_by("at", "id").iterator(chunk_size=2000):
        chain = audit_chain.chain_name(event.contest_id)
        length, previous = heads.get(chain, (0, audit_chain.GENESIS))
        event.sequence = length + 1
        event.previous_hash = previous
        event.data = audit_chain.data_normalise(event.data)
        event.hash = audit_chain.stored_event_hash(event)
        event.save(update_fields=["sequence", "previous_hash", "hash", "data"])
        heads[chain] = (event.sequence, event.hash)
    AuditChainHead.objects.bulk_create(
        AuditChainHead(chain=chain, length=length, hash=head)
        for chain, (length, head) in heads.items()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_audit_events_protect_their_contest"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("chain", models.CharField(max_length=40, unique=True)),
                ("length", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(max_length=64)),
            ],
        ),
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("contest__isnull", False)),
                fields=("contest", "sequence"),
                name="one_event_per_place_in_a_contest_chain",
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("contest__isnull", True)),
                fields=("sequence",),
                name="one_event_per_place_in_the_site_chain",
            ),
        ),
    ]
