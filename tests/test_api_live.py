"""Against a real server: `sandbox serve --workers 2` on a free loopback port. 200 parallel requests
of different profiles each get the same decision as `sandbox assess --json`, the chain stays
whole, the logs are JSON lines carrying request ids, and the server stops cleanly."""

import http.client
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
import pytest

from cases.store import StoreSettings, open_store
from cases.synthetic import profiles
from engine.release import canonical_json
from tests.api_helpers import USCC_A, Keys, auth, make_keys, platform_profile
from tests.live_server import ROOT, LiveServer, live_server

PARALLEL = 200


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Keys, Path]]:
    folder = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{folder / 'live.db'}"
    store = open_store(StoreSettings(database_url=url))
    keys = make_keys(store)
    store.dispose()
    with live_server(url, log_path=folder / "server.log", workers=2) as server:
        yield server, keys, folder
        assert server.stop() == 0, "the server did not stop cleanly on SIGTERM"


def log_events(server: LiveServer) -> list[dict[str, Any]]:
    lines = server.log_path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_200_parallel_requests_get_the_command_line_s_decision_byte_for_byte(
    served: tuple[LiveServer, Keys, Path],
) -> None:
    server, keys, folder = served
    batch = profiles(PARALLEL, seed=20261127)
    files = []
    for n, profile in enumerate(batch):
        path = folder / f"profile-{n:03d}.json"
        path.write_text(json.dumps(profile), encoding="utf-8")
        files.append(str(path))
    cli = subprocess.run(
        [sys.executable, "-m", "api.cli", "assess", *files, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    expected = cli.stdout.splitlines()
    assert len(expected) == PARALLEL

    limits = httpx2.Limits(max_connections=PARALLEL, max_keepalive_connections=PARALLEL)
    with (
        httpx2.Client(
            base_url=server.url, headers=auth(keys.regulator), timeout=120, limits=limits
        ) as client,
        ThreadPoolExecutor(max_workers=PARALLEL) as pool,
    ):
        responses = list(pool.map(lambda p: client.post("/v1/assessments", json=p), batch))

    assert [r.status_code for r in responses] == [201] * PARALLEL
    for n, response in enumerate(responses):
        assert canonical_json(response.json()["decision"]) == expected[n], f"profile {n} differs"
    ids = {r.json()["decision_id"] for r in responses}
    assert len(ids) == PARALLEL
    with httpx2.Client(base_url=server.url, headers=auth(keys.auditor), timeout=60) as client:
        chain = client.get("/v1/audit/verify").json()
    assert chain["intact"] and chain["records"] >= PARALLEL
    pids = {e["pid"] for e in log_events(server) if e["event"] == "decision.made"}
    assert len(pids) == 2, "both worker processes should have served assessments"


def test_the_live_server_logs_json_lines_with_the_request_id_and_no_profile(
    served: tuple[LiveServer, Keys, Path],
) -> None:
    server, keys, _ = served
    profile = platform_profile(USCC_A, name="Live Log Probe Co., Ltd.")
    headers = {**auth(keys.platform_a), "X-Request-ID": "live-probe-1"}
    response = httpx2.post(f"{server.url}/v1/self-assessments", json=profile, headers=headers, timeout=60)
    assert response.status_code == 201
    deadline = time.monotonic() + 10  # `request.completed` is written just after the answer is sent
    while True:
        mine = [e for e in log_events(server) if e.get("request_id") == "live-probe-1"]
        if len(mine) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert [e["event"] for e in mine] == ["decision.made", "request.completed"]
    assert mine[0]["decision_id"] == response.json()["decision_id"]
    assert (mine[0]["role"], mine[0]["kind"]) == ("platform", "self_assessment")
    text = server.log_path.read_text(encoding="utf-8")
    assert "Live Log Probe" not in text and keys.platform_a not in text


def test_an_oversized_body_gets_413_on_the_wire_whether_declared_or_chunked(
    served: tuple[LiveServer, Keys, Path],
) -> None:
    server, keys, _ = served
    big = json.dumps(platform_profile(USCC_A, new_format_description="x" * 100_000)).encode()
    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    connection.request("POST", "/v1/assessments", body=big, headers=auth(keys.regulator))
    declared = connection.getresponse()
    assert declared.status == 413
    assert json.loads(declared.read())["error"]["code"] == "payload_too_large"
    connection.close()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 8192):
            yield big[start : start + 8192]

    chunked = httpx2.post(
        f"{server.url}/v1/assessments", content=chunks(), headers=auth(keys.regulator), timeout=30
    )
    assert chunked.status_code == 413
