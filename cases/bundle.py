"""Verifying a case bundle offline: no database, no network, only the file itself.

Checks, each failure naming where: the seal and the checkpoint signature; every record
against its hash; every record's inclusion proof against the signed root; each chain link
(the previous hash is the hash of the record before, itself proved in the tree); each
signature with its signer's key and validity; and a replay of every decision from the
bundled rules, byte for byte. The export side is cases/store/export.py.
"""

import hashlib
import json
import tempfile
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from cases.store import merkle
from cases.store.chain import GENESIS, HASHED_FIELDS, OPTIONAL_FIELDS, hashed_content
from cases.store.checkpoints import SignedCheckpoint
from cases.store.reads import stored_view
from cases.store.replay import replay
from cases.store.signing import fingerprint_of, verify_bytes, verify_hash
from engine import RuleFileError, load_rulebook
from engine.release import canonical_json, sha256_of

BUNDLE_FORMAT = "regulatory-sandbox-case-bundle/1"
# What of rules/ a bundle carries: all the rule book loader reads.
RULE_FILES = ("vocabulary.yaml", "outcomes.yaml", "seed/*.txt", "releases/*/*.yaml", "releases/*/*/*.yaml")


def seal_message(body: dict[str, Any]) -> bytes:
    """What the seal signs: sha256 of the canonical JSON of the bundle without its seal."""
    content = {k: v for k, v in body.items() if k != "seal"}
    return hashlib.sha256(canonical_json(content).encode("utf-8")).digest()


class BundleReport(BaseModel):
    """What verify-bundle checked, what failed (with where), and what it only notes."""

    checked: list[str] = []
    problems: list[str] = []
    notes: list[str] = []
    checkpoint_key: str | None = None
    signers: list[str] = []

    @property
    def ok(self) -> bool:
        return not self.problems


def read_bundle(data: bytes) -> dict[str, Any]:
    """Parse the bundle, naming the byte, line and column where it stops being one."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleError(f"the bundle is not UTF-8 text at byte {exc.start}") from None
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BundleError(
            f"the bundle is not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(body, dict) or body.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"not a case bundle: format must be {BUNDLE_FORMAT!r}")
    missing = [
        k
        for k in ("case", "records", "proofs", "neighbours", "signatures", "checkpoint", "rules", "seal")
        if k not in body
    ]
    if missing:
        raise BundleError(f"the bundle lacks {', '.join(missing)}")
    return body


class BundleError(ValueError):
    """A file that cannot be read as a bundle at all."""


def verify_bundle(
    data: bytes,
    *,
    replay_decisions: bool = True,
    checkpoint_keys: Sequence[str] = (),
    signer_keys: Sequence[str] = (),
) -> BundleReport:
    """Verify a bundle's bytes; every problem found is listed, not only the first.

    With `checkpoint_keys` or `signer_keys` (fingerprints the store and the regulators published),
    a checkpoint or signature made with any other key is a problem too: without them a bundle
    forged wholesale with fresh keys would verify against itself.
    """
    report = BundleReport()
    try:
        body = read_bundle(data)
    except BundleError as exc:
        report.problems.append(str(exc))
        return report
    try:
        checkpoint = SignedCheckpoint.model_validate(body["checkpoint"])
    except ValidationError as exc:
        report.problems.append(f"checkpoint: not a signed checkpoint ({exc.error_count()} field error(s))")
        return report
    report.checkpoint_key = checkpoint.key_fingerprint
    if checkpoint_keys and checkpoint.key_fingerprint not in {k.lower() for k in checkpoint_keys}:
        report.problems.append(
            f"checkpoint: signed by key {checkpoint.key_fingerprint[:16]}…, "
            "not a checkpoint key given as trusted"
        )
    _check_seal(body, checkpoint, report)
    problem = checkpoint.problem()
    if problem:
        report.problems.append(f"checkpoint: {problem}")
    else:
        report.checked.append(
            f"checkpoint of {checkpoint.tree_size} decisions signed {checkpoint.timestamp} "
            f"by key {checkpoint.key_fingerprint[:16]}…"
        )
    try:
        records = _check_records(body, checkpoint, report)
        _check_signatures(body, records, report, trusted={k.lower() for k in signer_keys})
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        # valid JSON of the wrong shape (a list where an object belongs, a number for a text)
        report.problems.append(
            f"the bundle's structure is malformed ({type(exc).__name__}: {_first_line(exc)})"
        )
        return report
    if replay_decisions and records:
        _replay(body, records, report)
    return report


def _check_seal(body: dict[str, Any], checkpoint: SignedCheckpoint, report: BundleReport) -> None:
    if verify_bytes(checkpoint.public_key, seal_message(body), str(body["seal"])):
        report.checked.append("seal: the whole bundle is as exported")
    else:
        report.problems.append("seal: the bundle was changed after export (its seal does not verify)")


def _root_of(leaf_hex: str, seq: int, path: Any, checkpoint: SignedCheckpoint) -> bool:
    try:
        leaf = merkle.leaf_hash(bytes.fromhex(leaf_hex))
        proof = [bytes.fromhex(p) for p in path]
    except (ValueError, TypeError):
        return False
    return merkle.verify_inclusion(
        leaf, seq - 1, checkpoint.tree_size, proof, bytes.fromhex(checkpoint.root_hash)
    )


def _check_records(
    body: dict[str, Any], checkpoint: SignedCheckpoint, report: BundleReport
) -> dict[int, dict[str, Any]]:
    """Hashes, inclusion proofs and chain links; returns the records whose hash holds, by seq."""
    required = [f for f in HASHED_FIELDS if f not in OPTIONAL_FIELDS]
    good: dict[int, dict[str, Any]] = {}
    known: dict[int, str] = {}
    for record in body["records"]:
        seq = record.get("seq") if isinstance(record, dict) else None
        if not isinstance(seq, int):
            report.problems.append("records: an entry without a decision number")
            continue
        lacking = [f for f in required if f not in record]
        if lacking:
            report.problems.append(f"decision {seq}: lacks {', '.join(lacking)}")
            continue
        if record["case_id"] != body["case"].get("id"):
            report.problems.append(f"decision {seq}: belongs to case {record['case_id']}, not this case")
        if sha256_of(hashed_content(record)) != record.get("hash"):
            report.problems.append(f"decision {seq}: altered (its content does not match its hash)")
            continue
        if not _root_of(record["hash"], seq, body["proofs"].get(str(seq)), checkpoint):
            report.problems.append(
                f"decision {seq}: its inclusion proof does not lead to the checkpoint root"
            )
            continue
        good[seq] = record
        known[seq] = record["hash"]
    for neighbour in body["neighbours"]:
        seq, digest = neighbour.get("seq"), neighbour.get("hash")
        if (
            isinstance(seq, int)
            and isinstance(digest, str)
            and _root_of(digest, seq, neighbour.get("proof"), checkpoint)
        ):
            known[seq] = digest
        else:
            report.problems.append(f"chain: the proof of preceding decision {seq} does not lead to the root")
    for seq, record in sorted(good.items()):
        expected = GENESIS if seq == 1 else known.get(seq - 1)
        if expected is None:
            report.problems.append(
                f"decision {seq}: the bundle does not prove decision {seq - 1} it links to"
            )
        elif record["prev_hash"] != expected:
            report.problems.append(
                f"decision {seq}: does not link to decision {seq - 1} (previous hash differs)"
            )
    if good:
        report.checked.append(
            f"{len(good)} decision(s) {', '.join(map(str, sorted(good)))}: hashes, chain links and "
            f"inclusion proofs against the checkpoint root"
        )
    return good


def _check_signatures(
    body: dict[str, Any], records: dict[int, dict[str, Any]], report: BundleReport, *, trusted: set[str]
) -> None:
    signed: set[int] = set()
    for entry in body["signatures"]:
        seq, signer = entry.get("record_seq"), entry.get("signer") or {}
        where = f"signature of decision {seq}"
        record = records.get(seq) if isinstance(seq, int) else None
        if record is None:
            report.problems.append(f"{where}: no such verified decision in the bundle")
            continue
        public = str(signer.get("public_key", ""))
        try:
            fingerprint = fingerprint_of(bytes.fromhex(public))
        except ValueError:
            fingerprint = ""
        if fingerprint != signer.get("fingerprint"):
            report.problems.append(f"{where}: the signer's public key does not have its fingerprint")
        elif entry.get("record_hash") != record["hash"]:
            report.problems.append(f"{where}: it signs another hash than the decision's")
        elif not verify_hash(public, record["hash"], str(entry.get("signature", ""))):
            report.problems.append(
                f"{where}: forged (it does not verify with signer {signer.get('id')}'s key)"
            )
        elif problem := _validity(entry, signer):
            report.problems.append(f"{where}: {problem}")
        elif trusted and fingerprint not in trusted:
            report.problems.append(
                f"{where}: made with key {fingerprint[:16]}…, not a signer key given as trusted"
            )
        else:
            signed.add(seq)
            report.signers.append(f"{signer.get('id')} {signer.get('name')} {fingerprint}")
            report.checked.append(
                f"decision {seq}: signed by signer {signer.get('id')} ({signer.get('name')}, "
                f"key {fingerprint[:16]}…)"
            )
    for seq, record in sorted(records.items()):
        if record["kind"] == "regulatory" and seq not in signed:
            report.notes.append(f"decision {seq}: a regulatory decision without a signature")
    report.signers = sorted(set(report.signers))


def _validity(entry: dict[str, Any], signer: dict[str, Any]) -> str | None:
    try:
        at = datetime.fromisoformat(str(entry.get("signed_at")))
        start, end = (
            datetime.fromisoformat(signer["valid_from"]),
            datetime.fromisoformat(signer["valid_until"]),
        )
        revoked = signer.get("revoked_at")
        if revoked is not None and datetime.fromisoformat(revoked) <= at:
            return f"signed at {at.isoformat()}, after the signer was revoked ({revoked})"
    except (KeyError, TypeError, ValueError):
        return "the signer's validity period or the signing time is unreadable"
    if not start <= at <= end:
        span = f"{start.isoformat()} to {end.isoformat()}"
        return f"signed at {at.isoformat()}, outside the signer's validity {span}"
    return None


def _replay(body: dict[str, Any], records: dict[int, dict[str, Any]], report: BundleReport) -> None:
    rules = body["rules"]
    with tempfile.TemporaryDirectory(prefix="sandbox-bundle-") as folder:
        root = Path(folder)
        for name, text in rules.items():
            target = (root / name).resolve()
            if root.resolve() not in target.parents or not isinstance(text, str):
                report.problems.append(f"rules: {name!r} is not a file inside the rules folder")
                return
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        try:
            book = load_rulebook(root, namespace=f"bundle{uuid.uuid4().hex[:12]}")
        except RuleFileError as exc:
            report.problems.append(f"rules: the bundled rules do not load ({_first_line(exc)})")
            return
        except Exception as exc:  # altered rule files may fail anywhere in the loader
            report.problems.append(
                f"rules: the bundled rules do not load ({type(exc).__name__}: {_first_line(exc)})"
            )
            return
    case = body["case"]
    for seq, record in sorted(records.items()):
        stored = stored_view(record, case_name=str(case.get("name")), case_uscc=case.get("uscc"))
        try:
            result = replay(stored, rulebook=book)
        except Exception as exc:  # a bundled rule that compiles but fails when run
            report.problems.append(
                f"decision {seq}: replay failed ({type(exc).__name__}: {_first_line(exc)})"
            )
            continue
        if result.identical:
            report.checked.append(
                f"decision {seq}: replayed from the bundled release {stored.release}, identical byte for byte"
            )
        else:
            report.problems.append(
                f"decision {seq}: replay {result.status.replace('_', ' ')}: {result.message}"
            )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
