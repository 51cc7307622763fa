"""Signing a regulatory decision in the browser, and a case's bundle for auditors.

GET /decisions/{id}/sign shows the record hash and a form. The regulator's key never leaves
their machine: static/sign.js decrypts the key file (encrypted PKCS#8, PBES2) in the page with
the passphrase and signs the hash with WebCrypto's Ed25519; only the signature is posted. A
detached signature made elsewhere may be pasted instead, or the decision signed on the command line
(`sandbox signers sign ID --with KEYFILE`).
POST /decisions/{id}/signature checks it against the signer's registered key, validity and
revocation (cases.store.signing, as the API does) and stores it; GET /cases/{id}/bundle is the
API's case bundle download."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from api.http.errors import ApiError
from api.http.routes_audit import get_bundle, signature_field
from api.web.app import Page, WebError, page_for, post_for, render
from api.web.i18n import TABLES
from api.web.pages_cases import visible_decision
from cases.store import StoredDecision
from cases.store.signing import (
    SignerView,
    SigningError,
    add_signature,
    list_signers,
    signature_of,
    usable_problem,
)

router = APIRouter()
RegulatorPage = Annotated[Page, Depends(page_for("regulator"))]
RegulatorPost = Annotated[Page, Depends(post_for("regulator"))]
AuditingPage = Annotated[Page, Depends(page_for("regulator", "auditor"))]

TABLES.append(
    {
        "sign": ("签署", "Sign"),
        "sign_title": ("签署监管决定", "Sign the regulatory decision"),
        "sign_intro": (
            "签名在本浏览器中生成:密钥文件和口令不会发送到服务器,只提交签名。",
            "The signature is made in this browser: the key file and passphrase are never sent; only the "
            "signature is.",
        ),
        "signer": ("签署人", "Signer"),
        "key_file": (
            "签名密钥文件 (sandbox signers create 生成)",
            "Signer key file (from sandbox signers create)",
        ),
        "passphrase": ("密钥口令", "Key passphrase"),
        "sign_here": ("在浏览器中签署", "Sign in this browser"),
        "signature_hex": (
            "签名 (十六进制;由“在浏览器中签署”填入,也可粘贴在别处生成的签名)",
            "Signature (hex; filled in by Sign in this browser, or paste one made elsewhere)",
        ),
        "submit_signature": ("提交签名", "Submit the signature"),
        "already_signed": ("此决定已签署", "This decision is signed"),
        "no_signers": (
            "没有绑定到您的 API 密钥的有效签署人:先运行 sandbox signers create --key-id",
            "No valid signer is bound to your API key: run sandbox signers create --key-id first",
        ),
        "not_regulatory": ("只有监管决定可以签署", "Only a regulatory decision is signed"),
        "case_bundle": ("下载案件包 (离线核验)", "Download the case bundle (offline verification)"),
        "sign_cli": ("或在命令行签署后刷新本页:", "Or sign on the command line, then reload this page:"),
    }
)


def _regulatory(page: Page, decision_id: int) -> StoredDecision:
    stored = visible_decision(page, decision_id)
    if stored.kind != "regulatory":
        raise WebError(404, f"{page.t('not_regulatory')}: #{decision_id}")
    return stored


def _usable(page: Page, signers: list[SignerView]) -> list[SignerView]:
    """The signers bound to the signed-in regulator's key that may sign now."""
    now = datetime.now(UTC)
    mine = page.caller.key_id if page.caller else None
    return [s for s in signers if s.api_key_id == mine and usable_problem(s, now) is None]


def _form(page: Page, stored: StoredDecision, *, status: int = 200, **values: object) -> Response:
    return render(
        page,
        "sign.html",
        status=status,
        stored=stored,
        signature=signature_of(page.store, stored.id),
        signers=_usable(page, list_signers(page.store)),
        **values,
    )


@router.get("/decisions/{decision_id}/sign")
def sign_page(page: RegulatorPage, decision_id: int) -> Response:
    return _form(page, _regulatory(page, decision_id), errors={}, chosen="", pasted="")


@router.post("/decisions/{decision_id}/signature")
async def post_signature(page: RegulatorPost, decision_id: int) -> Response:
    """Stores a signature that verifies; otherwise the form again with the reason beside its field."""
    assert page.form is not None
    stored = await run_in_threadpool(_regulatory, page, decision_id)
    chosen = str(page.form.get("signer_id") or "").strip()
    pasted = str(page.form.get("signature") or "").strip().lower()
    errors: dict[str, str] = {}
    if not chosen.isdigit():
        errors["signer_id"] = "signer_id: choose a signer"
    if len(pasted) != 128 or any(c not in "0123456789abcdef" for c in pasted):
        errors["signature"] = "signature: 128 hexadecimal characters (a 64-byte Ed25519 signature) are needed"
    if not errors:
        try:
            await run_in_threadpool(
                lambda: add_signature(
                    page.store,
                    record_id=stored.id,
                    signer_id=int(chosen),
                    signature_hex=pasted,
                    sent_with=page.caller.key_id if page.caller else None,
                )
            )
        except SigningError as exc:
            errors[signature_field(exc)] = str(exc)
    if errors:
        return await run_in_threadpool(
            lambda: _form(page, stored, status=422, errors=errors, chosen=chosen, pasted=pasted)
        )
    return RedirectResponse(f"/decisions/{stored.id}/notice", status_code=303)


@router.get("/cases/{case_id}/bundle")
def case_bundle(page: AuditingPage, case_id: int) -> Response:
    """The API's bundle (sealed by the store's checkpoint key), offered as a download."""
    assert page.caller is not None  # regulators and auditors see every case
    try:
        return get_bundle(case_id, page.caller, page.store)
    except ApiError as exc:
        raise WebError(exc.status, exc.message) from None
