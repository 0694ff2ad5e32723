"""`omov worker`: run the background jobs the pages queue (decision 0016).

One worker is enough on SQLite; on PostgreSQL start as many as you like, on any machines that
reach the database: each job is taken by exactly one. `omov serve --with-worker` and
`omov demo` start one beside the web server.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from typing import Any

from omov.cli.django_setup import setup_django


def register(subparsers: Any) -> None:
    """Add the `worker` command."""
    parser = subparsers.add_parser(
        "worker",
        help="Run background jobs (roll uploads from the web) until stopped.",
        description="Take queued jobs from the database and run them, one at a time; a job "
        "whose worker died is queued again. Stop with Ctrl+C or SIGTERM: the job in hand is "
        "finished first.",
    )
    parser.add_argument(
        "--once",
        action="store_true",
        help="Run the jobs waiting now, then exit (for cron, or to catch up by hand).",
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="How long to wait between looks at the queue when it is empty (default 1).",
    )
    parser.set_defaults(handler=worker)


def worker(args: argparse.Namespace) -> int:
    if args.interval <= 0:
        from omov.cli.errors import CommandError

        raise CommandError("--interval must be more than 0 seconds.")
    setup_django()
    work(once=args.once, interval=args.interval)
    return 0


def work(*, once: bool, interval: float) -> None:
    """Run queued jobs; with ``once``, until none is waiting, else until a signal stops it."""
    from omov.jobs.worker import Worker

    runner = Worker(worker_id=f"{socket.gethostname()}-{os.getpid()}", interval=interval)
    if not once:
        print("omov: the worker is running jobs; stop it with Ctrl+C.", file=sys.stderr)
        runner.stop_on_signals()
    runner.run(once=once)
