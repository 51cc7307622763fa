"""The signer commands of `sandbox`: signers create/revoke/list/sign, and `assess --record --sign-with`.

A signer's passphrase comes from SANDBOX_SIGNER_PASSPHRASE or a prompt, never from the command
line. A wrong passphrase, a revoked or expired signer or a forged signature exits 2 naming it,
and nothing is written.
"""

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.cli import records as cli_records
from engine import Decision, SandboxError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
PASSPHRASE_ENV = "SANDBOX_SIGNER_PASSPHRASE"
BAD_INPUT_CODES = frozenset(
    {
        "signing_refused",
        "wrong_passphrase",
        "signer_not_valid",
        "unknown_signer",
        "invalid_signature",
        "checkpoint_refused",
        "unknown_checkpoint",
    }
)

Command = Callable[[argparse.Namespace], int]


def _error(message: str) -> None:
    print(f"sandbox: {message}", file=sys.stderr)


def bad_input(command: Command) -> Command:
    """A refused request is reported with its reason and exits 2; nothing was written."""

    @wraps(command)
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except SandboxError as exc:
            if exc.code not in BAD_INPUT_CODES | cli_records.BAD_INPUT_CODES:
                raise
            _error(f"{exc.code}: {exc}")
            return EXIT_BAD_INPUT

    return run


def _passphrase(*, confirm: bool) -> str:
    given = os.environ.get(PASSPHRASE_ENV)
    if given is not None:
        return given
    first = getpass.getpass("signer passphrase: ")
    if confirm and getpass.getpass("again: ") != first:
        from cases.store.signing import SigningError

        raise SigningError("passphrase: the two entries differ")
    return first


def _signing_key(path: Path, option: str = "--sign-with") -> "Ed25519PrivateKey":
    from cases.store.signing import load_signing_key

    return load_signing_key(path, _passphrase(confirm=False), option=option)


def cmd_signers_create(args: argparse.Namespace) -> int:
    from cases.store.signing import create_signer

    passphrase = _passphrase(confirm=True)
    with cli_records._store() as store:
        signer = create_signer(
            store,
            name=args.name,
            passphrase=passphrase,
            key_file=args.output,
            valid_days=args.valid_days,
            api_key_id=args.key_id,
        )
    bound = f", bound to API key {signer.api_key_id}" if signer.api_key_id else ""
    print(
        f"signer {signer.id} ({signer.name}): key {signer.fingerprint}, valid {signer.valid_from} "
        f"to {signer.valid_until}{bound}; private key written to {args.output} (encrypted; keep it safe)"
    )
    return EXIT_OK


def cmd_signers_revoke(args: argparse.Namespace) -> int:
    from cases.store.signing import revoke_signer

    with cli_records._store() as store:
        signer = revoke_signer(store, args.signer_id)
    print(f"signer {signer.id} ({signer.name}) revoked at {signer.revoked_at}")
    return EXIT_OK


def cmd_signers_list(args: argparse.Namespace) -> int:
    from cases.store.signing import list_signers

    with cli_records._store() as store:
        signers = list_signers(store)
    for signer in signers:
        if args.json:
            print(signer.model_dump_json())
        else:
            state = f"revoked {signer.revoked_at}" if signer.revoked_at else f"valid to {signer.valid_until}"
            bound = f"; API key {signer.api_key_id}" if signer.api_key_id else ""
            print(f"signer {signer.id}: {signer.name}; key {signer.fingerprint}; {state}{bound}")
    return EXIT_OK


def cmd_signers_sign(args: argparse.Namespace) -> int:
    """Sign a regulatory decision recorded unsigned (by the API, `reassess`, before signing existed)."""
    from cases.store import get_decision
    from cases.store.signing import add_signature, sign_hash, signer_of_key

    key = _signing_key(args.key_file, "--with")
    with cli_records._store() as store:
        stored = get_decision(store, args.decision_id)
        with store.reading() as session:
            signer = signer_of_key(session, key)
        assert signer.id is not None
        view = add_signature(
            store, record_id=stored.id, signer_id=signer.id, signature_hex=sign_hash(key, stored.hash)
        )
    print(
        f"decision {view.record_id} signed by signer {view.signer_id} ({view.signer_name}), "
        f"key {view.fingerprint}"
    )
    return EXIT_OK


def add_sign_option(assess: argparse.ArgumentParser) -> None:
    assess.add_argument(
        "--sign-with",
        type=Path,
        metavar="KEYFILE",
        help="with --record: sign each regulatory decision with this signer key (passphrase from "
        f"{PASSPHRASE_ENV} or a prompt)",
    )


@contextmanager
def assessor(args: argparse.Namespace) -> Iterator[cli_records.Assess]:
    """`sandbox assess`'s per-file step; with --sign-with, record and sign in one transaction."""
    if getattr(args, "sign_with", None) is None:
        with cli_records.assessor(args) as plain:
            yield plain
        return
    from cases.store.signed import check_signer, record_signed
    from cases.store.signing import SigningError

    if not args.record or args.kind != "regulatory":
        raise SigningError("--sign-with: signs regulatory decisions as they are recorded; add --record")
    key = _signing_key(args.sign_with)
    with cli_records._store() as store:
        check_signer(store, key)

        def assess_sign_record(document: Any, name: str) -> Decision:
            decision, stored, signature = record_signed(
                store, document, key=key, actor=args.actor, as_of=args.as_of, release=args.release
            )
            _error(
                f"{name}: recorded as decision {stored.id} (case {stored.case_id}, {stored.case_name}), "
                f"signed by signer {signature.signer_id} ({signature.signer_name})"
            )
            return decision

        yield assess_sign_record


def add_signer_commands(sub: Any) -> None:
    """Register `signers` on the `sandbox` subcommand parser."""
    guarded = cli_records._guarded
    signers = sub.add_parser("signers", help="regulators' signing keys")
    signers_sub = signers.add_subparsers(dest="signers_command", required=True)
    create = signers_sub.add_parser("create", help="make a signer key file and register its public key")
    create.add_argument("--name", required=True)
    create.add_argument("--valid-days", type=int, default=365, metavar="D")
    create.add_argument("-o", "--output", type=Path, required=True, metavar="KEYFILE")
    create.add_argument(
        "--key-id",
        type=int,
        metavar="ID",
        help="bind the signer to this regulator's API key (the API and the web pages then accept its "
        "signatures from that key only; `sandbox keys list`)",
    )
    create.set_defaults(func=bad_input(guarded(cmd_signers_create)))
    revoke = signers_sub.add_parser("revoke", help="revoke a signer for good")
    revoke.add_argument("signer_id", type=int, metavar="ID")
    revoke.set_defaults(func=bad_input(guarded(cmd_signers_revoke)))
    sign = signers_sub.add_parser("sign", help="sign a regulatory decision recorded unsigned")
    sign.add_argument("decision_id", type=int, metavar="DECISION_ID")
    sign.add_argument("--with", dest="key_file", type=Path, required=True, metavar="KEYFILE")
    sign.set_defaults(func=bad_input(guarded(cmd_signers_sign)))
    listing = signers_sub.add_parser("list", help="the signers with their keys and validity")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=bad_input(guarded(cmd_signers_list)))
