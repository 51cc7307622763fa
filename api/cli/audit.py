"""The audit commands of `sandbox` for checkpoints and bundles: audit checkpoint, prove,
consistency, export, verify-bundle, and `audit verify` extended to the checkpoints.

Exit codes as for the rest of the CLI: 0 success, 1 a check failed (a broken chain, a history
rebuilt after a checkpoint, a proof that does not verify), 2 bad input (a bundle that does not
verify, an unknown checkpoint: each named). The signer commands are in api/cli/signers.py.
"""

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.cli import records as cli_records
from api.cli.signers import (
    BAD_INPUT_CODES,
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_OK,
    _error,
    add_sign_option,
    add_signer_commands,
    assessor,
)
from api.cli.signers import bad_input as _bad_input

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

__all__ = ["BAD_INPUT_CODES", "add_audit_commands", "add_sign_option", "assessor"]


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
    from cases.store.proofs import prove

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
    from cases.store.proofs import consistency

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
    add_signer_commands(sub)

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
