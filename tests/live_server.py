"""A real `sandbox serve` process on a free loopback port: for the live tests, the schemathesis
step of CI (.ci/api_check.sh) and the HTTP benchmark (bench/bench_http.py)."""

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_loopback_port() -> int:
    """A port nothing listens on now (the kernel picks it; the server binds it right after)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class LiveServer:
    host: str
    port: int
    process: "subprocess.Popen[bytes]"
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def health(self) -> int | None:
        """The status of GET /v1/health, or None when nothing answers."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=5)
        try:
            connection.request("GET", "/v1/health")
            return connection.getresponse().status
        except OSError:
            return None
        finally:
            connection.close()

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, then wait for a graceful exit (SIGKILL past the timeout); the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@contextmanager
def live_server(
    database_url: str,
    *,
    log_path: Path,
    workers: int = 1,
    start_timeout: float = 90,
    extra_args: tuple[str, ...] = (),
) -> Iterator[LiveServer]:
    """Start `sandbox serve` on 127.0.0.1 and a free port, wait until /v1/health answers 200,
    and stop it afterwards. Its standard output (the JSON logs) and errors go to log_path."""
    port = free_loopback_port()
    env = {**os.environ, "DATABASE_URL": database_url}
    command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "--workers", str(workers), *extra_args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer("127.0.0.1", port, process, log_path)
    try:
        deadline = time.monotonic() + start_timeout
        while server.health() != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                shown = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
                raise RuntimeError(f"sandbox serve did not start on port {port}:\n{shown}")
            time.sleep(0.2)
        yield server
    finally:
        server.stop()
