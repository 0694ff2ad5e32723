from django.apps import AppConfig


class ElectorateConfig(AppConfig):
    name = "omov.electorate"
    label = "electorate"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Make freezing the roll snapshot the decisions, and refuse it while they are stale."""
        from omov.contests import lifecycle
        from omov.electorate import jobs, services

        lifecycle.register_blocker("freeze_roll", services.freeze_roll_blockers)
        lifecycle.register_step_service("freeze_roll", services.roll_freeze)
        assert jobs.ROLL_IMPORT  # registers the roll import job
        from omov.contests import dashboard
        from omov.electorate import links

        dashboard.register_links(links.links)
        from omov.contests import locks as contest_locks
        from omov.electorate import locks

        contest_locks.register_field_locks(locks.rules_locks)
        contest_locks.register_change_check(locks.age_reckoning_check)
