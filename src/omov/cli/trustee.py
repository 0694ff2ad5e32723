"""``omov trustee``: what a trustee runs on their own computer, exchanging only files.

    omov trustee init --number J --name NAME --secret FILE --public FILE
    omov trustee deal RECORD --secret FILE --keep FILE --out DEALING
    omov trustee check-shares RECORD --secret FILE --out-dir DIR   (writes complaints, if any)
    omov trustee answer RECORD --keep FILE --out-dir DIR            (answers complaints against you)
    omov trustee save-share RECORD --secret FILE --share FILE
    omov trustee mix RECORD --number J --out FILE
    omov trustee decrypt RECORD --share FILE --out FILE

RECORD is a downloaded copy of the election record; every command checks it in full first. Secret
files (``--secret``, ``--keep``, ``--share``) are written once, encrypted under the passphrase
(Argon2id + XSalsa20-Poly1305), read from ``OMOV_TRUSTEE_PASSPHRASE`` or typed. Output files go to
the returning officer (``omov record append``) or through the trustee page; they hold no secret.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from nacl.public import PrivateKey

from omov.cli._verifiable import (
    Progress,
    add_workers_option,
    lines_write,
    mapper_for,
    record_load,
    secret_load,
    secret_save,
)
from omov.cli.errors import CommandError
from omov.verifiable import dkg
from omov.verifiable.ceremony import (
    answer_entries,
    complaint_entry,
    dealing_entry,
    decryption_entry,
    mix_entry,
    secret_share_compute,
    shares_check,
    trustee_identity,
)
from omov.verifiable.group import GroupError, scalar_from_hex, scalar_hex
from omov.verifiable.record import head
from omov.verifiable.verifier import RecordState


def register(subparsers: Any) -> None:
    """Add the ``trustee`` sub-command and its actions."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "trustee",
        help="a trustee's key ceremony, mix and decryption, run on the trustee's own computer",
        description="Run a trustee's part of the verifiable count, exchanging only files.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    init = actions.add_parser("init", help="make your communication key pair")
    init.add_argument("--number", type=int, required=True, help="your trustee number (1…n)")
    init.add_argument("--name", required=True, help="your name as the record shows it")
    init.add_argument(
        "--secret", type=Path, required=True, metavar="FILE", help="your secret file (new)"
    )
    init.add_argument(
        "--public", type=Path, required=True, metavar="FILE", help="the public file to hand in"
    )
    init.set_defaults(handler=_init)

    deal = _with_record(actions.add_parser("deal", help="deal your part of the joint key"))
    deal.add_argument("--secret", type=Path, required=True, metavar="FILE", help="your secret file")
    deal.add_argument(
        "--keep", type=Path, required=True, metavar="FILE", help="your dealing's secret (new)"
    )
    deal.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="the dealing to hand in"
    )
    deal.set_defaults(handler=_deal)

    check = _with_record(actions.add_parser("check-shares", help="check the shares sent to you"))
    check.add_argument(
        "--secret", type=Path, required=True, metavar="FILE", help="your secret file"
    )
    check.add_argument("--out-dir", type=Path, required=True, help="where complaints are written")
    check.set_defaults(handler=_check_shares)

    answer = _with_record(actions.add_parser("answer", help="answer complaints against you"))
    answer.add_argument(
        "--keep", type=Path, required=True, metavar="FILE", help="your dealing's secret file"
    )
    answer.add_argument("--out-dir", type=Path, required=True, help="where answers are written")
    answer.set_defaults(handler=_answer)

    save = _with_record(actions.add_parser("save-share", help="compute and keep your key share"))
    save.add_argument("--secret", type=Path, required=True, metavar="FILE", help="your secret file")
    save.add_argument(
        "--share", type=Path, required=True, metavar="FILE", help="your key share file (new)"
    )
    save.set_defaults(handler=_save_share)

    mix = _with_record(actions.add_parser("mix", help="shuffle the ballots with a proof"))
    mix.add_argument("--number", type=int, required=True, help="your trustee number")
    mix.add_argument("--out", type=Path, required=True, metavar="FILE", help="the mix to hand in")
    mix.set_defaults(handler=_mix)

    decrypt = _with_record(actions.add_parser("decrypt", help="your decryption shares, proven"))
    decrypt.add_argument(
        "--share", type=Path, required=True, metavar="FILE", help="your key share file"
    )
    decrypt.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="the shares to hand in"
    )
    decrypt.set_defaults(handler=_decrypt)


def _with_record(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("record", metavar="RECORD", type=Path, help="your copy of the record")
    parser.add_argument("--quiet", action="store_true", help="print no progress")
    add_workers_option(parser)
    return parser


def _load(args: argparse.Namespace, mapper: Any = map) -> RecordState:
    return record_load(args.record, mapper, Progress(quiet=args.quiet))


def _identity(args: argparse.Namespace, state: RecordState) -> tuple[int, bytes]:
    content = secret_load(args.secret)
    number = int(content["number"])
    private_key = bytes.fromhex(content["communication_private_key"])
    trustee = state.trustees.get(number)
    if trustee is None:
        raise CommandError(f"trustee {number} is not a trustee of this election.")

    if bytes(PrivateKey(private_key).public_key) != trustee.communication_key:
        raise CommandError(
            f"{args.secret} does not hold trustee {number}'s key as the record names it."
        )
    return number, private_key


def _init(args: argparse.Namespace) -> int:
    if args.public.exists():
        raise CommandError(f"{args.public} already exists; choose another --public.")
    public, secret = trustee_identity(args.number, args.name)
    secret_save(args.secret, secret)
    lines_write(args.public, [json.dumps(public, sort_keys=True)])
    print(f"Wrote your secret file {args.secret} and your public file {args.public}.")
    print("Hand in the public file; keep the secret file and its passphrase safe.")
    return 0


def _deal(args: argparse.Namespace) -> int:
    state = _load(args)
    number, _ = _identity(args, state)
    if number in state.dealings:
        raise CommandError(f"trustee {number} has already dealt in this record.")
    lines, keep = dealing_entry(state, dealer=number)
    keep["context"] = state.context.hex()
    secret_save(args.keep, keep)
    lines_write(args.out, lines)
    print(f"Wrote your dealing {args.out}; hand it in. Keep {args.keep} until the count is over.")
    return 0


def _check_shares(args: argparse.Namespace) -> int:
    state = _load(args)
    number, private_key = _identity(args, state)
    missing = sorted(set(state.trustees) - set(state.dealings))
    if missing:
        raise CommandError(f"wait: trustees {missing} have not dealt yet.")
    _, bad = shares_check(state, number=number, private_key=private_key)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for dealer in bad:
        path = args.out_dir / f"complaint-{dealer}-{number}.json"
        lines_write(path, complaint_entry(dealer=dealer, recipient=number))
        print(f"The share from trustee {dealer} does not match its commitments: wrote {path}.")
    if not bad:
        print(f"Every share sent to trustee {number} checks. Nothing to hand in.")
    return 0


def _answer(args: argparse.Namespace) -> int:
    state = _load(args)
    keep = secret_load(args.keep)
    if keep.get("context") != state.context.hex():
        raise CommandError(f"{args.keep} belongs to another election.")
    dealer = int(keep["dealer"])
    coefficients = [scalar_from_hex(a) for a in keep["coefficients"]]
    answers = answer_entries(state, dealer=dealer, coefficients=coefficients)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for lines in answers:
        recipient = json.loads(lines[0])["recipient"]
        path = args.out_dir / f"answer-{dealer}-{recipient}.json"
        lines_write(path, lines)
        print(f"Wrote {path}: it reveals your share for trustee {recipient}, as the rules require.")
    if not answers:
        print(f"No complaint against trustee {dealer} is waiting for an answer.")
    return 0


def _save_share(args: argparse.Namespace) -> int:
    state = _load(args)
    if state.public_key is None:
        raise CommandError("wait: the key ceremony is not closed (no joint key in the record).")
    number, private_key = _identity(args, state)
    if number not in state.qualified:
        raise CommandError(f"trustee {number} was disqualified in the key ceremony.")
    try:
        share = secret_share_compute(state, number=number, private_key=private_key)
    except (dkg.CeremonyError, KeyError) as error:
        raise CommandError(f"your key share cannot be made: {error}") from error
    secret_save(
        args.share,
        {"number": number, "share": scalar_hex(share), "context": state.context.hex()},
    )
    print(f"Wrote your key share {args.share}; it matches your verification key in the record.")
    return 0


def _mix(args: argparse.Namespace) -> int:
    with mapper_for(args.workers) as mapper:
        state = _load(args, mapper)
        if args.number not in state.qualified or args.number in state.mixers:
            raise CommandError(f"trustee {args.number} may not mix this record (again).")
        if not state.current or state.decryptions:
            raise CommandError("there is nothing to mix, or decryption has begun.")
        Progress(quiet=args.quiet)(f"shuffling {len(state.current):,} ballots")
        lines = mix_entry(state, mixer=args.number, mapper=mapper)
    lines_write(args.out, lines)
    print(f"Wrote your mix {args.out} of record {head(args.record)}; hand it in.")
    return 0


def _decrypt(args: argparse.Namespace) -> int:
    with mapper_for(args.workers) as mapper:
        state = _load(args, mapper)
        content = secret_load(args.share)
        if content.get("context") != state.context.hex():
            raise CommandError(f"{args.share} belongs to another election.")
        number = int(content["number"])
        try:
            share = scalar_from_hex(content["share"])
        except GroupError as error:
            raise CommandError(f"{args.share} is damaged: {error}") from error
        if len(state.mixers) < state.mixes_required:
            raise CommandError(
                f"wait: {len(state.mixers)} of {state.mixes_required} mixes are in the record."
            )
        if number in state.decryptions:
            raise CommandError(f"trustee {number} has already decrypted.")
        Progress(quiet=args.quiet)(f"decryption shares for {len(state.current):,} ballots")
        lines = decryption_entry(state, trustee=number, secret=share, mapper=mapper)
    lines_write(args.out, lines)
    print(f"Wrote your decryption shares {args.out}; hand them in.")
    return 0
