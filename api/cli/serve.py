"""`sandbox serve` (the HTTP API on uvicorn) and `sandbox keys create|revoke|list` (its API keys).

A new key is printed once, alone on standard output (so `KEY=$(sandbox keys create ...)` works);
the store keeps only its sha256. Exit codes: 0 success, 2 bad input, 1 a failure.
"""

import argparse
import errno
import socket
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the store and keys are imported by the commands that use them
    from cases.store import Store
    from cases.store.keys import ApiKey

# The roles of cases.store.keys.ROLES, repeated so that the parser does not import the store.
ROLES = ("regulator", "platform", "auditor")

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
_PORT_TRIES = 50


def _say(message: str) -> None:
    print(f"sandbox: {message}", file=sys.stderr)


def _with_store(args: argparse.Namespace, action: Any) -> int:
    from cases.store import open_store
    from cases.store.keys import KeyRequestError

    store: Store = open_store()
    try:
        code: int = action(store, args)
        return code
    except KeyRequestError as exc:
        _say(f"{exc.code}: {exc}")
        return EXIT_BAD_INPUT
    finally:
        store.dispose()


def _create(store: "Store", args: argparse.Namespace) -> int:
    from cases.store.keys import create_key

    made = create_key(store, role=args.role, uscc=args.uscc, name=args.name)
    who = made.caller
    bound = f", USCC {who.uscc}" if who.uscc else ""
    print(made.token)
    _say(
        f"API key {who.key_id} created ({who.role}{bound}, name {who.name!r}). "
        "It is shown only now and stored only as a hash: keep it. Send it as the X-API-Key header."
    )
    return EXIT_OK


def _revoke(store: "Store", args: argparse.Namespace) -> int:
    from cases.store.keys import revoke_key

    row = revoke_key(store, args.key_id)
    _say(f"API key {row.id} ({row.role}, {row.name!r}) revoked at {row.revoked_at}")
    return EXIT_OK


def _show(row: "ApiKey") -> str:
    state = f"revoked {row.revoked_at}" if row.revoked_at else "active"
    bound = f" USCC {row.uscc}" if row.uscc else ""
    return f"key {row.id}: {row.role}{bound}, {row.name!r}, created {row.created_at}, {state}"


def _list(store: "Store", args: argparse.Namespace) -> int:
    from cases.store.keys import list_keys

    for row in list_keys(store):
        if args.json:
            print(row.model_dump_json(exclude={"key_sha256"}))
        else:
            print(_show(row))
    return EXIT_OK


def cmd_keys_create(args: argparse.Namespace) -> int:
    return _with_store(args, _create)


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    return _with_store(args, _revoke)


def cmd_keys_list(args: argparse.Namespace) -> int:
    return _with_store(args, _list)


def free_port(host: str, first: int, tries: int) -> int | None:
    """The first port from `first` on which a listening socket can be bound, or None."""
    for port in range(first, min(first + tries, 65536)):
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            try:
                probe.bind((host, port))
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    continue
                raise
            return port
    return None


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn  # imported here: the other commands should not pay for the web stack

    from api.http.logs import uvicorn_log_config

    port = args.port
    if args.next_free_port:
        found = free_port(args.host, args.port, _PORT_TRIES)
        if found is None:
            _say(f"no free port on {args.host} from {args.port} to {args.port + _PORT_TRIES - 1}")
            return EXIT_FAILED
        port = found
    from cases.store import open_store

    store = open_store()  # migrate once, here, and fail early on a bad DATABASE_URL
    try:
        demo = _demo_keys(store) if args.demo_keys else []
    finally:
        store.dispose()
    shown = f"[{args.host}]" if ":" in args.host else args.host
    _say(f"serving the sandbox API on http://{shown}:{port} with {args.workers} worker process(es)")
    _say(f"web workbench: http://{shown}:{port}/  (sign in with an API key)")
    for line in demo:
        _say(line)
    _say(f"interactive docs: http://{shown}:{port}/docs  (OpenAPI: http://{shown}:{port}/openapi.json)")
    command = sys.argv[0] if sys.argv[0].endswith("sandbox") else "sandbox"
    _say(f"make a key: {command} keys create --role regulator|platform|auditor [--uscc CODE] [--name TEXT]")
    sys.stderr.flush()
    uvicorn.run(
        "api.http.service:create_app",
        factory=True,
        host=args.host,
        port=port,
        workers=args.workers,
        access_log=False,
        log_config=uvicorn_log_config(),
        timeout_graceful_shutdown=10,
    )
    return EXIT_OK


DEMO_PREFIX = "demo "


def _demo_keys(store: "Store") -> list[str]:
    """One fresh key per role for a demonstration (the platform's is bound to the first bundled
    example with a USCC); earlier demo keys are revoked. Returns the lines that show them."""
    from cases import EXAMPLES_DIR
    from cases.store.keys import create_key, list_keys, revoke_key
    from engine.documents import read_document

    for row in list_keys(store):
        if row.name.startswith(DEMO_PREFIX) and row.revoked_at is None and row.id is not None:
            revoke_key(store, row.id)
    platform = next(
        (
            doc
            for path in sorted(EXAMPLES_DIR.glob("*.profile.json"))
            if (doc := read_document(str(path))).get("uscc")
        ),
        None,
    )
    lines = ["demo API keys (made now, shown once; earlier demo keys are revoked):"]
    signing = ""
    for role in ROLES:
        if role == "platform" and platform is None:
            continue
        uscc = str(platform["uscc"]) if role == "platform" and platform else None
        made = create_key(store, role=role, uscc=uscc, name=f"{DEMO_PREFIX}{role}")
        bound = f"  (USCC {uscc}, {platform['name']})" if uscc and platform else ""
        lines.append(f"  {role:<9} {made.token}{bound}")
        if role == "regulator":
            signing = f"--key-id {made.caller.key_id}"
    lines.append(
        f"to sign decisions as the demo regulator: sandbox signers create --name NAME {signing} -o KEYFILE"
    )
    return lines


def _workers(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError("give a number of worker processes from 1 to 64")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError("give a port from 1 to 65535")
    return int(text)


def add_api_commands(sub: Any) -> None:
    """Register `serve` and `keys` on the `sandbox` subcommand parser."""
    serve = sub.add_parser("serve", help="run the HTTP API (FastAPI on uvicorn) on the DATABASE_URL store")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    serve.add_argument(
        "--next-free-port", action="store_true", help="if the port is taken, use the next free one"
    )
    serve.add_argument("--workers", type=_workers, default=1, help="worker processes (default 1)")
    serve.add_argument(
        "--demo-keys",
        action="store_true",
        help="make one API key per role for a demonstration and print them (revokes earlier demo keys)",
    )
    serve.set_defaults(func=cmd_serve)

    keys = sub.add_parser("keys", help="API keys of the HTTP service")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser("create", help="make a key; it is printed once")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--uscc", metavar="CODE", help="the platform's USCC (platform keys only, required)")
    create.add_argument("--name", metavar="TEXT", help="who holds the key (recorded as the actor)")
    create.set_defaults(func=cmd_keys_create)
    revoke = keys_sub.add_parser("revoke", help="revoke a key for good")
    revoke.add_argument("key_id", type=int, metavar="KEY_ID")
    revoke.set_defaults(func=cmd_keys_revoke)
    listing = keys_sub.add_parser("list", help="the keys (never the keys themselves)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=cmd_keys_list)
