"""Run the background jobs the pages queued, as `omov worker --once` does."""

from __future__ import annotations

from omov.jobs.worker import Worker


def run_jobs() -> int:
    """Run every queued job in this process; return how many tasks ran."""
    return Worker(worker_id="test-worker").run(once=True)
