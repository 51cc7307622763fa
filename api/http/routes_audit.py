"""Signatures, checkpoints, proofs and case bundles over HTTP.

The server never holds a regulator's private key. A regulator signs a decision's record hash
on their own machine (Ed25519 over the hash's 32 raw bytes; `sandbox assess --sign-with` does
it locally) and POSTs the detached signature with their signer id; the service checks it
against the registered public key and the signer's validity, and stores it (422 naming what
failed otherwise, nothing written). Checkpoints are signed with the store's checkpoint key
(SANDBOX_CHECKPOINT_KEY), which the service process reads from the operator's file.

Regulators do everything here; auditors read checkpoints, proofs, signers and bundles; a
platform may read the signature of a decision it may see.
"""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api.http.auth import AnyRole, Auditing, Regulator, StoreDep
from api.http.errors import ApiError, not_found
from api.http.params import errors, json_response
from api.http.routes_records import _visible_decision
from cases.store.checkpoints import (
    CheckpointError,
    SignedCheckpoint,
    UnknownCheckpoint,
    key_path,
    list_checkpoints,
    load_checkpoint_key,
    make_checkpoint,
)
from cases.store.errors import UnknownCase
from cases.store.export import export_case
from cases.store.proofs import ConsistencyProof, InclusionProof, consistency, prove
from cases.store.signing import (
    SignatureView,
    SignerView,
    SigningError,
    add_signature,
    list_signers,
    signature_of,
)
from engine import FieldError

router = APIRouter()
MAX_ID = 2**31 - 1


class SignatureIn(BaseModel):
    """A detached Ed25519 signature over the decision's record hash, made by the signer's key."""

    model_config = ConfigDict(extra="forbid")

    signer_id: int = Field(ge=1, le=MAX_ID, description="the signer (`sandbox signers list`)")
    signature: str = Field(
        pattern="^[0-9a-fA-F]{128}$",
        description="64-byte Ed25519 signature over the 32 raw bytes of the hash, hex",
    )


def signature_field(exc: SigningError) -> str:
    """The field a refused signature is reported on: the signer, or the signature itself."""
    return "signer_id" if exc.code in ("unknown_signer", "signer_not_valid") else "signature"


def _refused(exc: SigningError | CheckpointError, field: str) -> ApiError:
    if isinstance(exc, UnknownCheckpoint):
        return not_found(str(exc))
    reason = str(exc).removeprefix(f"{field}: ")  # the field error names its field itself
    return ApiError(422, exc.code, str(exc), fields=[FieldError(field, reason)])


@router.post(
    "/decisions/{decision_id}/signature",
    response_model=SignatureView,
    status_code=201,
    tags=["decisions"],
    summary="Attach the deciding regulator's detached signature to a regulatory decision (regulator)",
    responses=errors(401, 403, 404, 413, 422, 503),
)
def post_signature(decision_id: int, body: SignatureIn, caller: Regulator, store: StoreDep) -> Response:
    """Checked against the signer's registered public key, validity and revocation, and the
    signer must be the one bound to the calling key (`sandbox signers create --key-id`); a forged
    signature, a revoked, expired or foreign signer, a self-assessment or a decision signed
    already is 422."""
    _visible_decision(store, decision_id, caller)
    try:
        view = add_signature(
            store,
            record_id=decision_id,
            signer_id=body.signer_id,
            signature_hex=body.signature,
            sent_with=caller.key_id,
        )
    except SigningError as exc:
        raise _refused(exc, signature_field(exc)) from None
    return json_response(view, status_code=201)


@router.get(
    "/decisions/{decision_id}/signature",
    response_model=SignatureView,
    tags=["decisions"],
    summary="The signature of a decision: signer, key fingerprint, signature, and whether it verifies",
    responses=errors(401, 404, 422, 503),
)
def get_signature(decision_id: int, caller: AnyRole, store: StoreDep) -> Response:
    _visible_decision(store, decision_id, caller)
    view = signature_of(store, decision_id)
    if view is None:
        raise not_found(f"decision {decision_id} is not signed")
    return json_response(view)


class SignerList(BaseModel):
    items: list[SignerView]


@router.get(
    "/signers",
    response_model=SignerList,
    tags=["audit"],
    summary="The regulators' signing keys with their validity (regulator, auditor)",
    responses=errors(401, 403, 503),
)
def get_signers(caller: Auditing, store: StoreDep) -> Response:
    return json_response(SignerList(items=list_signers(store)))


class CheckpointList(BaseModel):
    items: list[SignedCheckpoint]


@router.post(
    "/audit/checkpoints",
    response_model=SignedCheckpoint,
    status_code=201,
    tags=["audit"],
    summary="Sign the Merkle root of the whole chain now (regulator)",
    responses=errors(401, 403, 422, 503),
)
def post_checkpoint(caller: Regulator, store: StoreDep) -> Response:
    """Refused (422) when the chain is broken or an earlier checkpoint no longer matches."""
    try:
        checkpoint = make_checkpoint(store, load_checkpoint_key(key_path(), create=True))
    except CheckpointError as exc:
        raise _refused(exc, "chain") from None
    return json_response(checkpoint, status_code=201)


@router.get(
    "/audit/checkpoints",
    response_model=CheckpointList,
    tags=["audit"],
    summary="Every signed checkpoint, oldest first (regulator, auditor)",
    responses=errors(401, 403, 503),
)
def get_checkpoints(caller: Auditing, store: StoreDep) -> Response:
    return json_response(CheckpointList(items=list_checkpoints(store)))


@router.get(
    "/audit/decisions/{decision_id}/proof",
    response_model=InclusionProof,
    tags=["audit"],
    summary="RFC 6962 inclusion proof of a decision against a checkpoint (regulator, auditor)",
    responses=errors(401, 403, 404, 422, 503),
)
def get_proof(
    decision_id: int,
    caller: Auditing,
    store: StoreDep,
    checkpoint: Annotated[int | None, Query(ge=1, le=MAX_ID, description="default: the latest")] = None,
) -> Response:
    _visible_decision(store, decision_id, caller)
    try:
        proof = prove(store, decision_id, checkpoint_id=checkpoint)
    except CheckpointError as exc:
        raise _refused(exc, "checkpoint") from None
    return json_response(proof)


@router.get(
    "/audit/consistency",
    response_model=ConsistencyProof,
    tags=["audit"],
    summary="RFC 6962 consistency proof between two checkpoints (regulator, auditor)",
    responses=errors(401, 403, 404, 422, 503),
)
def get_consistency(
    caller: Auditing,
    store: StoreDep,
    old: Annotated[int, Query(ge=1, le=MAX_ID, description="the older checkpoint id")],
    new: Annotated[int, Query(ge=1, le=MAX_ID, description="the newer checkpoint id")],
) -> Response:
    try:
        proof = consistency(store, old, new)
    except CheckpointError as exc:
        raise _refused(exc, "old") from None
    return json_response(proof)


@router.get(
    "/audit/cases/{case_id}/bundle",
    tags=["audit"],
    summary="Download a case as one self-contained bundle (`sandbox audit verify-bundle FILE`)",
    responses={
        200: {"content": {"application/json": {"schema": {"type": "object"}}}, "description": "The bundle"},
        **errors(401, 403, 404, 422, 503),
    },
)
def get_bundle(case_id: int, caller: Auditing, store: StoreDep) -> Response:
    """Sealed with the store's checkpoint key. For a regulator a new checkpoint is made when none
    covers the case; an auditor writes nothing, so then gets 422 until a regulator makes one."""
    if not 1 <= case_id <= MAX_ID:
        raise not_found(f"no case {case_id}")
    try:
        key = load_checkpoint_key(key_path(), create=True)
        data = export_case(store, case_id, key=key, new_checkpoint=caller.role == "regulator")
    except UnknownCase as exc:
        raise not_found(str(exc)) from None
    except CheckpointError as exc:
        raise _refused(exc, "case_id") from None
    headers = {"Content-Disposition": f'attachment; filename="case-{case_id}.bundle.json"'}
    return Response(data, media_type="application/json", headers=headers)
