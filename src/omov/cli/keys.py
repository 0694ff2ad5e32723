"""`omov keys generate`: make the secrets production needs, as lines for an environment file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from omov.cli.errors import CommandError
from omov.config.env import SECRET_NAMES, private_file_write, secret_generate


def register(subparsers: Any) -> None:
    """Add the `keys` sub-command."""
    parser = subparsers.add_parser(
        "keys", help="Make the secret keys that `omov serve` needs in production."
    )
    actions = parser.add_subparsers(dest="keys_action", metavar="ACTION", required=True)
    generate = actions.add_parser(
        "generate",
        help="Print (or write with --out, mode 0600) new SECRET_KEY and OMOV_CREDENTIAL_KEY.",
        description=(
            "Draw new random values for SECRET_KEY and OMOV_CREDENTIAL_KEY and print them as "
            "NAME=value lines, ready for an environment file (systemd EnvironmentFile, docker "
            "--env-file, or `set -a; . omov.env; set +a`). Keep the file secret. Never change "
            "OMOV_CREDENTIAL_KEY while a ballot is open: the credentials already sent would stop "
            "working."
        ),
    )
    generate.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="Write the lines to this new file (mode 0600) instead.",
    )
    generate.set_defaults(handler=generate_keys)


def generate_keys(args: argparse.Namespace) -> int:
    """Print or write one fresh value per secret."""
    text = "".join(f"{name}={secret_generate()}\n" for name in SECRET_NAMES)
    out: Path | None = args.out
    if out is None:
        sys.stdout.write(text)
        return 0
    if not out.parent.is_dir():
        raise CommandError(f"The folder {out.parent} does not exist; create it first.")
    try:
        private_file_write(out, text)
    except FileExistsError:
        raise CommandError(
            f"{out} already exists; keys are never overwritten (the credentials hashed with the "
            "old key would stop working). Give a new file name."
        ) from None
    print(f"Wrote {', '.join(SECRET_NAMES)} to {out} (readable by you only).")
    return 0
