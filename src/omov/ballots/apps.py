from django.apps import AppConfig


class BallotsConfig(AppConfig):
    name = "omov.ballots"
    label = "ballots"
    verbose_name = "Ballots"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from omov.ballots import jobs, services
        from omov.contests import lifecycle

        lifecycle.register_blocker("open_ballot", services.open_ballot_blockers)
        lifecycle.register_blocker("close_ballot", services.close_ballot_blockers)
        lifecycle.register_step_service("open_ballot", services.ballot_open)
        lifecycle.register_step_service("close_ballot", services.ballot_close)
        assert jobs.RECORD_BALLOTS_JOB  # registers the record.ballots job
        from omov.ballots import links
        from omov.contests import dashboard

        dashboard.register_links(links.links)
        dashboard.register_public_links(links.public_links)
