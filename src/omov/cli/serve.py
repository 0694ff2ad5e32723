"""`omov serve`: run the web application with a production WSGI server (gunicorn)."""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from omov.cli.django_setup import setup_django


def register(subparsers: Any) -> None:
    """Add the `serve` and `manage` sub-commands."""
    parser = subparsers.add_parser(
        "serve",
        help="Run the web application with gunicorn (migrates and collects static files first).",
    )
    parser.add_argument(
        "--bind",
        default=os.environ.get("OMOV_BIND", "127.0.0.1:8000"),
        metavar="ADDRESS:PORT",
        help="Where to listen (default: OMOV_BIND, else 127.0.0.1:8000).",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("OMOV_WORKERS", "0")) or None,
        metavar="N",
        help="Worker processes (default: OMOV_WORKERS, else twice the cores plus one).",
    )
    parser.add_argument("--no-migrate", action="store_true", help="Do not apply migrations.")
    parser.add_argument(
        "--with-worker",
        action="store_true",
        help="Also run one background worker (`omov worker`) beside the web server, for the "
        "jobs the pages queue (roll uploads). Without it, run `omov worker` yourself.",
    )
    parser.add_argument(
        "--dev",
        action="store_true",
        help="Development mode on your own machine: DEBUG pages, keys drawn once into the data "
        "folder. Without it omov serves in production mode and needs SECRET_KEY and "
        "OMOV_CREDENTIAL_KEY (make them with `omov keys generate`).",
    )
    parser.set_defaults(handler=serve)

    manage = subparsers.add_parser(
        "manage",
        help="Run a Django management command (e.g. createsuperuser); `omov manage help` lists "
        "them.",
        add_help=False,
        prefix_chars="\0",  # every argument, --help included, belongs to Django's command
    )
    manage.add_argument("arguments", nargs=argparse.REMAINDER, metavar="ARGUMENTS")
    manage.set_defaults(handler=run_manage)


def prepare_database(*, migrate: bool = True) -> None:
    """Apply migrations and collect static files, quietly."""
    setup_django(migrate=migrate)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def serve(args: argparse.Namespace) -> int:
    """Serve the application until interrupted (production mode unless ``--dev``)."""
    if args.dev:
        os.environ["OMOV_ENV"] = "development"
    prepare_database(migrate=not args.no_migrate)
    if args.with_worker:
        with worker_alongside():
            run_gunicorn(bind=args.bind, workers=args.workers)
    else:
        run_gunicorn(bind=args.bind, workers=args.workers)
    return 0


@contextlib.contextmanager
def worker_alongside() -> Iterator[subprocess.Popen[bytes]]:
    """Run `omov worker` in a child process (same environment) while the block runs."""
    child = subprocess.Popen([sys.executable, "-m", "omov", "worker"])
    try:
        yield child
    finally:
        child.terminate()  # the worker finishes the job in hand, then stops
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def run_gunicorn(*, bind: str, workers: int | None = None) -> None:
    """Run gunicorn in this process on the omov WSGI application."""
    from gunicorn.app.base import BaseApplication

    from omov.config.wsgi import application

    worker_count = workers or (2 * (os.cpu_count() or 1) + 1)
    from django.conf import settings

    control_socket = Path(settings.DATA_DIR) / "gunicorn.ctl"
    control_socket.parent.mkdir(parents=True, exist_ok=True)

    class OmovServer(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", bind)
            self.cfg.set("workers", worker_count)
            self.cfg.set("threads", 4)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", "-")
            # Never write a /vote/ query string or a booth referrer to the access log.
            self.cfg.set("logger_class", "omov.config.access_log.QuietVoteLogger")
            self.cfg.set("graceful_timeout", 10)
            # Run-time files stay in the data folder, not in the user's home folder.
            self.cfg.set("control_socket", str(control_socket))

        def load(self) -> Any:
            return application

    print(f"omov is serving on http://{bind}/ — press Ctrl+C to stop.", flush=True)
    OmovServer().run()


def run_manage(args: argparse.Namespace) -> int:
    """Pass the arguments to Django's management commands (``migrate`` among them)."""
    setup_django(migrate=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line([f"{sys.argv[0]} manage", *args.arguments])
    return 0
