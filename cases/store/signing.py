"""Regulators' signing keys and signed decisions (Ed25519, through the `cryptography` package).

`create_signer` writes the private key to a file the regulator keeps (PKCS#8 PEM, encrypted
with the passphrase) and registers only the public key, with a validity period, in the store.
A signature is Ed25519 over the 32 raw bytes of the record hash (chain.py), so anyone with
the public key checks it without this code. The server never holds a regulator's private
key: the CLI signs locally (`--sign-with KEYFILE`) and the API accepts a detached signature.
"""

import hashlib
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from cases.store.audit_tables import DecisionSignature, Signer
from cases.store.chain import record_hash
from cases.store.database import Store
from cases.store.errors import StoreError, UnknownDecision
from cases.store.keys import ApiKey
from cases.store.tables import DecisionRecord

MIN_PASSPHRASE = 8
MAX_VALID_DAYS = 3660


class SigningError(StoreError):
    """A signing request refused before anything is written."""

    code = "signing_refused"


class WrongPassphrase(SigningError):
    code = "wrong_passphrase"


class SignerNotValid(SigningError):
    """The signer is revoked, expired or not yet valid."""

    code = "signer_not_valid"


class UnknownSigner(SigningError):
    code = "unknown_signer"


class ForgedSignature(SigningError):
    """A signature that does not verify with the signer's public key."""

    code = "invalid_signature"


class SignerView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    public_key: str
    fingerprint: str
    valid_from: str
    valid_until: str
    created_at: str
    revoked_at: str | None
    api_key_id: int | None = None  # the regulator's API key that may send this signer's signatures


class SignatureView(BaseModel):
    """A decision's signature as shown in a notice: who signed, with which key, and whether it verifies."""

    model_config = ConfigDict(frozen=True)

    record_id: int
    signer_id: int
    signer_name: str
    fingerprint: str
    record_hash: str
    signature: str
    signed_at: str
    verifies: bool

    def notice_fields(self) -> dict[str, str]:
        """What a printed notice shows of the signature (the web notice's `signature_block`)."""
        return {
            "signer": f"{self.signer_name} (signer {self.signer_id})",
            "key fingerprint": self.fingerprint,
            "record hash": self.record_hash,
            "signature": self.signature,
            "signed at": self.signed_at,
            "verifies": "yes" if self.verifies else "NO",
        }


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint_of(public_raw: bytes) -> str:
    """A key's fingerprint: sha256 of its 32 raw public-key bytes, hex."""
    return hashlib.sha256(public_raw).hexdigest()


def verify_bytes(public_key_hex: str, message: bytes, signature_hex: str) -> bool:
    """Does the Ed25519 signature (hex) verify over the message with this public key (hex)?"""
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(bytes.fromhex(signature_hex), message)
    except (ValueError, InvalidSignature):
        return False
    return True


def verify_hash(public_key_hex: str, hash_hex: str, signature_hex: str) -> bool:
    """Does the signature verify over the raw bytes of this hash with this public key?"""
    try:
        message = bytes.fromhex(hash_hex)
    except ValueError:
        return False
    return verify_bytes(public_key_hex, message, signature_hex)


def sign_hash(key: Ed25519PrivateKey, hash_hex: str) -> str:
    return key.sign(bytes.fromhex(hash_hex)).hex()


def _view(row: Signer) -> SignerView:
    assert row.id is not None
    return SignerView(**row.model_dump())


def create_signer(
    store: Store,
    *,
    name: str,
    passphrase: str,
    key_file: Path,
    valid_days: int = 365,
    api_key_id: int | None = None,
) -> SignerView:
    """Make a key pair: the private key to `key_file` (encrypted), the public key to the store,
    bound to a regulator's API key when `api_key_id` is given (the API and the web pages accept
    only signatures of the signer bound to the key that sends them).

    The file is created exclusively (an existing file is never overwritten) inside the write
    transaction, and removed again if the transaction fails, so nothing is half-made.
    """
    label = name.strip()
    if not label or len(label) > 200:
        raise SigningError("--name: a signer needs a name of 1 to 200 characters")
    if len(passphrase) < MIN_PASSPHRASE:
        raise SigningError(f"passphrase: at least {MIN_PASSPHRASE} characters are needed")
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        raise SigningError(f"--valid-days: must be 1 to {MAX_VALID_DAYS}, got {valid_days}")
    if key_file.exists():
        raise SigningError(f"-o {key_file}: the file exists; a key file is never overwritten")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
    )
    public = raw_public(key.public_key())
    start = now_utc()
    row = Signer(
        name=label,
        public_key=public.hex(),
        fingerprint=fingerprint_of(public),
        valid_from=start.isoformat(),
        valid_until=(start + timedelta(days=valid_days)).isoformat(),
        created_at=start.isoformat(),
        api_key_id=api_key_id,
    )
    written = False
    try:
        with store.writing() as session:
            if api_key_id is not None:
                _check_regulator_key(session, api_key_id)
            session.add(row)
            session.flush()
            view = _view(row)
            _write_new_file(key_file, pem)
            written = True
    except BaseException:
        if written:
            key_file.unlink(missing_ok=True)
        raise
    return view


def _check_regulator_key(session: Session, key_id: int) -> None:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise SigningError(f"--key-id: no API key {key_id}")
    if key.role != "regulator":
        raise SigningError(f"--key-id: API key {key_id} is not a regulator's (its role: {key.role})")
    if key.revoked_at is not None:
        raise SigningError(f"--key-id: API key {key_id} was revoked at {key.revoked_at}")


def _write_new_file(path: Path, content: bytes) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise SigningError(f"-o {path}: cannot create the key file: {exc.strerror or exc}") from None
    with os.fdopen(fd, "wb") as out:
        out.write(content)


def load_signing_key(key_file: Path, passphrase: str, *, option: str = "--sign-with") -> Ed25519PrivateKey:
    """Read a signer's key file; a wrong passphrase or a file that is no key is a clear error
    naming the `option` that gave the file."""
    try:
        data = key_file.read_bytes()
    except OSError as exc:
        raise SigningError(f"{option} {key_file}: cannot read it: {exc.strerror or exc}") from None
    try:
        key = serialization.load_pem_private_key(data, password=passphrase.encode("utf-8"))
    except (ValueError, TypeError):
        if b"ENCRYPTED PRIVATE KEY" in data:
            raise WrongPassphrase(f"{option} {key_file}: wrong passphrase for this key file") from None
        raise SigningError(f"{option} {key_file}: not an encrypted signer key file") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{option} {key_file}: not an Ed25519 signer key")
    return key


def revoke_signer(store: Store, signer_id: int) -> SignerView:
    """Revoke a signer for good (signatures made before stay valid); revoking again changes nothing."""
    with store.writing() as session:
        row = session.get(Signer, signer_id)
        if row is None:
            raise UnknownSigner(f"no signer {signer_id}")
        if row.revoked_at is None:
            row.revoked_at = now_utc().isoformat()
            session.add(row)
        session.flush()
        return _view(row)


def list_signers(store: Store) -> list[SignerView]:
    with store.reading() as session:
        return [_view(row) for row in session.exec(select(Signer).order_by(col(Signer.id))).all()]


def usable_problem(signer: Signer | SignerView, at: datetime) -> str | None:
    """Why a signer may not sign at this time, or None when it may."""
    if signer.revoked_at is not None and datetime.fromisoformat(signer.revoked_at) <= at:
        return f"signer {signer.id} ({signer.name}) was revoked at {signer.revoked_at}"
    if at < datetime.fromisoformat(signer.valid_from):
        return f"signer {signer.id} ({signer.name}) is valid only from {signer.valid_from}"
    if at > datetime.fromisoformat(signer.valid_until):
        return f"signer {signer.id} ({signer.name}) expired at {signer.valid_until}"
    return None


def signer_of_key(session: Session, key: Ed25519PrivateKey) -> Signer:
    """The registered, currently valid signer of a private key."""
    fingerprint = fingerprint_of(raw_public(key.public_key()))
    row = session.exec(select(Signer).where(Signer.fingerprint == fingerprint)).first()
    if row is None:
        raise UnknownSigner(f"the key {fingerprint[:16]}… is not a registered signer of this store")
    problem = usable_problem(row, now_utc())
    if problem:
        raise SignerNotValid(f"{problem}: it can no longer sign")
    return row


def insert_signature(
    session: Session, record: DecisionRecord, signer: Signer, signature_hex: str
) -> DecisionSignature:
    """Check and add the signature of one record inside the caller's write transaction."""
    assert signer.id is not None
    if record.kind != "regulatory":
        raise SigningError(f"decision {record.seq} is a {record.kind}; only regulatory decisions are signed")
    if record_hash(record) != record.hash:
        raise SigningError(f"decision {record.seq} does not match its hash; it is not signed")
    if not verify_hash(signer.public_key, record.hash, signature_hex):
        raise ForgedSignature(
            f"signature: does not verify over the hash of decision {record.seq} "
            f"with the key of signer {signer.id} ({signer.fingerprint[:16]}…)"
        )
    taken = session.exec(select(DecisionSignature).where(DecisionSignature.record_seq == record.seq)).first()
    if taken is not None:
        raise SigningError(f"decision {record.seq} is signed already (by signer {taken.signer_id})")
    row = DecisionSignature(
        record_seq=record.seq,
        signer_id=signer.id,
        fingerprint=signer.fingerprint,
        record_hash=record.hash,
        signature=signature_hex.lower(),
        signed_at=now_utc().isoformat(),
    )
    session.add(row)
    session.flush()
    return row


def add_signature(
    store: Store, *, record_id: int, signer_id: int, signature_hex: str, sent_with: int | None = None
) -> SignatureView:
    """Accept a detached signature of a regulatory decision made elsewhere. Sent over the API or
    the web pages (`sent_with` = the caller's API key id), it must be by the signer bound to that key."""
    with store.writing() as session:
        record = session.get(DecisionRecord, record_id)
        if record is None:
            raise UnknownDecision(f"no decision {record_id} in the store")
        signer = session.get(Signer, signer_id)
        if signer is None:
            raise UnknownSigner(f"signer_id: no signer {signer_id}")
        problem = usable_problem(signer, now_utc())
        if problem:
            raise SignerNotValid(f"signer_id: {problem}")
        if sent_with is not None and signer.api_key_id != sent_with:
            bound = f"API key {signer.api_key_id}" if signer.api_key_id else "no API key"
            raise SignerNotValid(
                f"signer_id: signer {signer.id} ({signer.name}) is bound to {bound}, not to the key "
                f"{sent_with} that sent this signature (sandbox signers create --key-id {sent_with})"
            )
        insert_signature(session, record, signer, signature_hex)
    view = signature_of(store, record_id)
    assert view is not None
    return view


def signature_of(store: Store, record_id: int) -> SignatureView | None:
    """The signature of a decision for its notice (signer, fingerprint, signature), or None."""
    with store.reading() as session:
        row = session.exec(
            select(DecisionSignature, Signer)
            .join(Signer, col(Signer.id) == col(DecisionSignature.signer_id))
            .where(DecisionSignature.record_seq == record_id)
        ).first()
        record = session.get(DecisionRecord, record_id)
    if row is None or record is None:
        return None
    signature, signer = row
    return SignatureView(
        record_id=record_id,
        signer_id=signer.id or 0,
        signer_name=signer.name,
        fingerprint=signature.fingerprint,
        record_hash=signature.record_hash,
        signature=signature.signature,
        signed_at=signature.signed_at,
        verifies=signature.record_hash == record.hash
        and signature.fingerprint == signer.fingerprint
        and verify_hash(signer.public_key, record.hash, signature.signature),
    )
