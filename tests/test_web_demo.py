"""`sandbox serve --demo-keys` (what `make run` starts): one key per role, printed with the
workbench's address, that sign in to the workbench; a restart revokes the earlier ones."""

import re
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from api.cli.serve import _demo_keys
from cases.store import StoreSettings, open_store
from cases.store.keys import KeyCache, list_keys
from tests.live_server import live_server
from tests.web_helpers import CSRF


def test_demo_keys_are_one_per_role_and_replace_the_earlier_ones(tmp_path: Path) -> None:
    store = open_store(StoreSettings(database_url=f"sqlite:///{tmp_path / 'demo.db'}"))
    try:
        first = _demo_keys(store)
        second = _demo_keys(store)
        tokens = [re.search(r"sbx_\S+", line) for line in second[1:4]]
        assert [line.split()[0] for line in second[1:4]] == ["regulator", "platform", "auditor"]
        cache = KeyCache(store)
        roles = [cache.lookup(t.group(0)) for t in tokens if t]
        assert [c.role for c in roles if c] == ["regulator", "platform", "auditor"]
        regulator = roles[0]
        assert regulator and second[4].endswith(
            f"signers create --name NAME --key-id {regulator.key_id} -o KEYFILE"
        )
        old = re.search(r"sbx_\S+", first[1])
        assert old and cache.lookup(old.group(0)) is None  # revoked by the second start
        assert sum(1 for k in list_keys(store) if k.revoked_at is None) == 3
    finally:
        store.dispose()


def test_serve_prints_demo_keys_that_sign_in_to_the_workbench(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    log = tmp_path / "serve.log"
    with live_server(url, log_path=log, extra_args=("--demo-keys",)) as server:
        printed = log.read_text(encoding="utf-8")
        assert f"web workbench: {server.url}/" in printed
        token = re.search(r"regulator\s+(sbx_\S+)", printed)
        assert token
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        form = opener.open(f"{server.url}/signin").read().decode()
        csrf = CSRF.search(form)
        assert csrf
        body = urllib.parse.urlencode({"csrf_token": csrf.group(1), "api_key": token.group(1), "next": "/"})
        home = opener.open(f"{server.url}/signin", data=body.encode()).read().decode()
        assert "demo regulator" in home and "退出" in home
