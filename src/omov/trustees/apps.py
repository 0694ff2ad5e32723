from django.apps import AppConfig


class TrusteesConfig(AppConfig):
    name = "omov.trustees"
    label = "trustees"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Trustees and the election record"

    def ready(self) -> None:
        from omov.contests import lifecycle
        from omov.trustees import jobs, services

        lifecycle.register_blocker("open_ballot", services.open_ballot_blockers)
        lifecycle.register_blocker("count", services.count_blockers)
        assert jobs.RECORD_FILE_JOB  # registers the record.file job
        from omov.contests import dashboard
        from omov.trustees import links

        dashboard.register_links(links.links)
        dashboard.register_public_links(links.public_links)
