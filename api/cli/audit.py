"""The signing and audit commands of `sandbox`: signers, assess --sign-with, checkpoints, proofs, bundles.

Exit codes as for the rest of the CLI: 0 success, 1 a check failed (a broken chain, a history
rebuilt after a checkpoint), 2 bad input (wrong passphrase, a revoked or expired signer, a
forged signature, a bundle that does not verify: each named). A signer's passphrase comes
from SANDBOX_SIGNER_PASSPHRASE or a prompt, never from the command line.
"""

import argparse
import getpass
import json
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


def _bad_input(command: Command) -> Command:
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
            store, name=args.name, passphrase=passphrase, key_file=args.output, valid_days=args.valid_days
        )
    print(
        f"signer {signer.id} ({signer.name}): key {signer.fingerprint}, valid {signer.valid_from} "
        f"to {signer.valid_until}; private key written to {args.output} (encrypted; keep it safe)"
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
            print(f"signer {signer.id}: {signer.name}; key {signer.fingerprint}; {state}")
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


def _checkpoint_key(*, create: bool) -> "Ed25519PrivateKey":
    from cases.store.checkpoints import key_path, load_checkpoint_key

    return load_checkpoint_key(key_path(), create=create)


def cmd_checkpoint(args: argparse.Namespace) -> int:
    from cases.store.checkpoints import make_checkpoint

    key = _checkpoint_key(create=True)
    with cli_records._store() as store:
        checkpoint = make_checkpoint(store, key)
    if args.json:
        print(checkpoint.model_dump_json())
    else:
        print(
            f"checkpoint {checkpoint.id}: {checkpoint.tree_size} decision(s), root {checkpoint.root_hash}, "
            f"signed {checkpoint.timestamp} by key {checkpoint.key_fingerprint}"
        )
    return EXIT_OK


def cmd_prove(args: argparse.Namespace) -> int:
    from cases.store.checkpoints import prove

    with cli_records._store() as store:
        proof = prove(store, args.record_id, checkpoint_id=args.checkpoint)
    if args.json:
        print(proof.model_dump_json())
    else:
        print(
            f"decision {proof.record_id} (hash {proof.record_hash}) is leaf {proof.leaf_index} of "
            f"{proof.tree_size}, root {proof.root_hash}: proof of {len(proof.path)} hash(es), "
            f"{'verifies' if proof.verifies() else 'DOES NOT VERIFY'}"
        )
        for step in proof.path:
            print(f"    {step}")
    return EXIT_OK if proof.verifies() else EXIT_FAILED


def cmd_consistency(args: argparse.Namespace) -> int:
    from cases.store.checkpoints import consistency

    with cli_records._store() as store:
        proof = consistency(store, args.old, args.new)
    good = proof.verifies() and proof.old.problem() is None and proof.new.problem() is None
    if args.json:
        print(proof.model_dump_json())
    else:
        print(
            f"checkpoint {args.old} ({proof.old.tree_size} decisions) -> checkpoint {args.new} "
            f"({proof.new.tree_size}): proof of {len(proof.path)} hash(es), "
            f"{'consistent' if good else 'NOT CONSISTENT'}"
        )
        for step in proof.path:
            print(f"    {step}")
    return EXIT_OK if good else EXIT_FAILED


def cmd_export(args: argparse.Namespace) -> int:
    from cases.store.export import export_case

    key = _checkpoint_key(create=True)
    with cli_records._store() as store:
        data = export_case(store, args.case_id, key=key)
    output: Path = args.output
    partial = output.with_name(output.name + ".partial")
    try:
        partial.write_bytes(data)
        partial.replace(output)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        _error(f"-o {output}: {exc.strerror or exc}")
        return EXIT_BAD_INPUT
    print(f"case {args.case_id}: bundle written to {output} ({len(data)} bytes)")
    return EXIT_OK


def cmd_verify_bundle(args: argparse.Namespace) -> int:
    from cases.bundle import verify_bundle

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        _error(f"{args.file}: {exc.strerror or exc}")
        return EXIT_BAD_INPUT
    report = verify_bundle(data, checkpoint_keys=args.checkpoint_key or (), signer_keys=args.signer_key or ())
    if args.json:
        print(json.dumps({**report.model_dump(), "ok": report.ok}, ensure_ascii=False))
    else:
        for line in report.checked:
            print(f"ok      {line}")
        for line in report.notes:
            print(f"note    {line}")
        for line in report.problems:
            print(f"FAILED  {line}")
        if report.checkpoint_key:
            print(f"checkpoint key {report.checkpoint_key}: compare it with the one the store published")
        for signer in report.signers:
            print(f"signer {signer}")
    if not report.ok:
        _error(f"{args.file}: the bundle does not verify: {report.problems[0]}")
        return EXIT_BAD_INPUT
    print(f"{args.file}: verified offline")
    return EXIT_OK


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """The chain walk, then every checkpoint (and any published copies given) against the records."""
    from cases.store.checkpoints import SignedCheckpoint, verify_checkpoints

    published = []
    for name in args.published or []:
        try:
            published.append(SignedCheckpoint.model_validate_json(Path(name).read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            _error(f"--published {name}: not a checkpoint file ({str(exc).splitlines()[0]})")
            return EXIT_BAD_INPUT
    chain = cli_records.cmd_audit_verify(args)
    with cli_records._store() as store, store.reading() as session:
        report = verify_checkpoints(session, published=published)
    if args.json:
        print(report.model_dump_json())
    elif report.intact:
        print(f"checkpoints intact: the records match all {report.checkpoints} checkpoint(s)")
    else:
        print(f"checkpoints BROKEN: {report.problem}")
    return chain if chain != EXIT_OK else (EXIT_OK if report.intact else EXIT_FAILED)


def _subcommands(parser: argparse.ArgumentParser) -> Any:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def add_audit_commands(sub: Any) -> None:
    """Register `signers` and the signing commands under `audit` (after records registered audit)."""
    guarded = cli_records._guarded
    signers = sub.add_parser("signers", help="regulators' signing keys")
    signers_sub = signers.add_subparsers(dest="signers_command", required=True)
    create = signers_sub.add_parser("create", help="make a signer key file and register its public key")
    create.add_argument("--name", required=True)
    create.add_argument("--valid-days", type=int, default=365, metavar="D")
    create.add_argument("-o", "--output", type=Path, required=True, metavar="KEYFILE")
    create.set_defaults(func=_bad_input(guarded(cmd_signers_create)))
    revoke = signers_sub.add_parser("revoke", help="revoke a signer for good")
    revoke.add_argument("signer_id", type=int, metavar="ID")
    revoke.set_defaults(func=_bad_input(guarded(cmd_signers_revoke)))
    sign = signers_sub.add_parser("sign", help="sign a regulatory decision recorded unsigned")
    sign.add_argument("decision_id", type=int, metavar="DECISION_ID")
    sign.add_argument("--with", dest="key_file", type=Path, required=True, metavar="KEYFILE")
    sign.set_defaults(func=_bad_input(guarded(cmd_signers_sign)))
    listing = signers_sub.add_parser("list", help="the signers with their keys and validity")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=_bad_input(guarded(cmd_signers_list)))

    audit_sub = _subcommands(sub.choices["audit"])
    verify = audit_sub.choices["verify"]
    verify.add_argument(
        "--published", action="append", metavar="FILE", help="a checkpoint JSON kept outside the store"
    )
    verify.set_defaults(func=_bad_input(guarded(cmd_audit_verify)))
    checkpoint = audit_sub.add_parser(
        "checkpoint", help="sign the Merkle root of the chain (a signed tree head)"
    )
    checkpoint.add_argument("--json", action="store_true", help="the signed checkpoint as JSON, to publish")
    checkpoint.set_defaults(func=_bad_input(guarded(cmd_checkpoint)))
    prove = audit_sub.add_parser("prove", help="inclusion proof of a decision against a checkpoint")
    prove.add_argument("record_id", type=int, metavar="RECORD_ID")
    prove.add_argument("--checkpoint", type=int, metavar="ID", help="default: the latest")
    prove.add_argument("--json", action="store_true")
    prove.set_defaults(func=_bad_input(guarded(cmd_prove)))
    cons = audit_sub.add_parser("consistency", help="consistency proof between two checkpoints")
    cons.add_argument("old", type=int, metavar="OLD")
    cons.add_argument("new", type=int, metavar="NEW")
    cons.add_argument("--json", action="store_true")
    cons.set_defaults(func=_bad_input(guarded(cmd_consistency)))
    export = audit_sub.add_parser("export", help="write a case as one self-contained bundle")
    export.add_argument("case_id", type=int, metavar="CASE_ID")
    export.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    export.set_defaults(func=_bad_input(guarded(cmd_export)))
    check = audit_sub.add_parser("verify-bundle", help="verify a bundle offline (no database, no network)")
    check.add_argument("file", metavar="FILE")
    check.add_argument("--json", action="store_true")
    check.add_argument(
        "--checkpoint-key", action="append", metavar="FINGERPRINT", help="trust only this checkpoint key"
    )
    check.add_argument(
        "--signer-key", action="append", metavar="FINGERPRINT", help="trust only these signer keys"
    )
    check.set_defaults(func=cmd_verify_bundle)
