"""`omov demo`: build a realistic election from the 2016 Labour figures, print the logins, serve it.

The demo keeps its own SQLite database in its data folder (``var/demo`` unless ``--data-dir``;
``DATABASE_URL`` wins when set), so it never touches the database of a real election.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from omov.cli.errors import CommandError

DEFAULT_DATA_DIR = Path("var") / "demo"
DEFAULT_DIVISOR = 100


def register(subparsers: Any) -> None:
    """Add the `demo` sub-command."""
    parser = subparsers.add_parser(
        "demo",
        help="Build a realistic demo election (the 2016 Labour leadership contest) and serve it.",
        description=(
            "Build two contests: a replay of the 2016 Labour leadership election, declared with "
            "the published figures (scaled to 1/100 unless --full), and a deputy leadership "
            "election open for voting now. Print the staff logins and voter credentials, then "
            "serve the site. Other commands work on the demo's database when OMOV_DATA_DIR names "
            "its data folder: `OMOV_DATA_DIR=var/demo omov contest list`."
        ),
    )
    parser.add_argument(
        "--no-serve", action="store_true", help="Build the demo (or find it built) and exit."
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--full",
        action="store_true",
        help="Full 2016 size: 654,006 credentials and 506,438 ballots (takes several minutes).",
    )
    size.add_argument(
        "--scale",
        type=int,
        default=DEFAULT_DIVISOR,
        metavar="DIVISOR",
        help=f"Divide the 2016 figures by DIVISOR (default {DEFAULT_DIVISOR}; 1 = --full).",
    )
    parser.add_argument(
        "--bind",
        default=os.environ.get("OMOV_BIND", "127.0.0.1:8000"),
        help="Address to serve on (default 127.0.0.1:8000).",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="Folder for the demo's database, roll files and count keys "
        f"(default {DEFAULT_DATA_DIR}).",
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="Delete the demo's database, roll files and keys in the data folder and build again.",
    )
    parser.add_argument(
        "--figures",
        type=Path,
        help="The published figures (default: the copy shipped with omov, "
        "omov/demo/data/labour-contests.json).",
    )
    parser.add_argument("--workers", type=int, help="Web server worker processes.")
    parser.add_argument("--quiet", action="store_true", help="No progress bars.")
    parser.set_defaults(handler=demo)


def _reset(data_dir: Path) -> None:
    """Delete what a demo build leaves in its data folder (only the demo's own files)."""
    if os.environ.get("DATABASE_URL"):
        raise CommandError(
            "--reset deletes the demo's own SQLite database, but DATABASE_URL is set. Drop and "
            "create that database yourself (and delete the keys in "
            f"{data_dir / 'keys'}), or unset DATABASE_URL."
        )
    for name in ("omov.sqlite3", "omov.sqlite3-journal", "omov.sqlite3-wal", "omov.sqlite3-shm"):
        (data_dir / name).unlink(missing_ok=True)
    for pattern in ("roll-*.csv", "roll-*.csv.part"):
        for path in data_dir.glob(pattern):
            path.unlink()
    shutil.rmtree(data_dir / "keys", ignore_errors=True)


def _demo_environment(data_dir: Path) -> None:
    """Give the demo its own keys (drawn once into its data folder) and a plain-HTTP setup.

    The demo serves like production (no debug pages) but on plain HTTP on this machine, so its
    cookies cannot be HTTPS-only, and its mail goes to the console with credentials masked. Its
    keys are its own, never the public development keys of the test settings: a demo left
    running on a network cannot be voted in by whoever has read omov's source.
    """
    from omov.config.env import SECRET_NAMES, local_secret

    for name in SECRET_NAMES:
        if not os.environ.get(name):
            os.environ[name] = local_secret(data_dir / "secrets", name)
    os.environ.setdefault("SECURE_COOKIES", "0")
    # The demo's voters are the person at this machine: its links may point at this machine.
    os.environ.setdefault("OMOV_LOCAL_ONLY", "1")
    os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
    os.environ.setdefault("EMAIL_BACKEND", "omov.core.mail.RedactingConsoleBackend")


def demo(args: argparse.Namespace) -> int:
    """Build the demo, print where to log in, and serve it unless --no-serve."""
    divisor = 1 if args.full else args.scale
    data_dir: Path = args.data_dir.resolve()
    if not os.environ.get("DATABASE_URL"):
        os.environ["OMOV_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("OMOV_PUBLIC_URL", f"http://{args.bind}")
    data_dir.mkdir(parents=True, exist_ok=True)
    if args.reset:
        _reset(data_dir)
    _demo_environment(data_dir)

    from omov.cli.django_setup import setup_django
    from omov.cli.serve import prepare_database, run_gunicorn, worker_alongside

    setup_django()
    from omov.core.errors import ServiceError
    from omov.demo.build import DemoError, demo_build
    from omov.demo.figures import FiguresError
    from omov.demo.report import print_report

    try:
        report = demo_build(
            data_dir=data_dir,
            divisor=divisor,
            figures_path=args.figures,
            log=sys.stderr,
            show_progress=not args.quiet,
        )
    except (DemoError, FiguresError) as error:
        raise CommandError(str(error)) from None
    except ServiceError as error:
        raise CommandError(f"The demo could not be built: {error.message}") from None
    print_report(report, bind=args.bind, serving=not args.no_serve, out=sys.stdout)
    if report.problems:
        raise CommandError(
            "The declared result does not reproduce the figures it must:\n  "
            + "\n  ".join(report.problems),
            exit_code=1,
        )
    if args.no_serve:
        return 0
    prepare_database(migrate=False)
    with worker_alongside():  # the roll upload page queues a job for it
        run_gunicorn(bind=args.bind, workers=args.workers or 2)
    return 0
