"""The schema drives a real editor server: yaml-language-server, given a spec with the README's
modeline, reports an unknown key, a value outside a choice and a missing field, completes style
options and shows a field's docstring on hover.

yaml-language-server comes from npm (``npm install -g yaml-language-server``): .ci/run installs it,
so in CI a missing server fails the test; elsewhere the test skips, saying so. The schema itself is
checked in every run by tests/test_schema.py.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any

import pytest

from circulaire.schema import schema
from conftest import LETTERS, require

SERVER = shutil.which("yaml-language-server") or os.environ.get("YAML_LANGUAGE_SERVER")

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _server_installed() -> None:
    if not SERVER:
        require("yaml-language-server")


class Server:
    """Just enough of the Language Server Protocol over standard input and output."""

    def __init__(self, root: Path) -> None:
        assert SERVER
        self.process = subprocess.Popen(
            [SERVER, "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        assert self.process.stdout
        self.reader = threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True)
        self.reader.start()
        self.request(
            "initialize",
            {"processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {}},
        )
        self.notify("initialized", {})

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            length = 0
            while (line := stream.readline().strip()) != b"":
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if not length:
                return
            self.messages.put(json.loads(stream.read(length)))

    def _send(self, message: dict[str, Any]) -> None:
        data = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        ident = time.monotonic_ns()
        self._send({"id": ident, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == ident).get("result")

    def wait(self, wanted: Any, timeout: float = 30) -> dict[str, Any]:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                message = self.messages.get(timeout=0.5)
            except queue.Empty:
                continue
            if message.get("method") == "workspace/configuration":
                items = message["params"]["items"]
                self._send({"id": message["id"], "result": [{"validate": True}] * len(items)})
            elif "id" in message and "method" in message:
                self._send({"id": message["id"], "result": None})
            elif wanted(message):
                return message
        raise AssertionError("yaml-language-server did not answer")

    def close(self) -> None:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.close()
        self.process.kill()
        self.process.wait()
        self.reader.join(timeout=5)
        self.process.stdout.close()


def test_the_schema_drives_yaml_language_server(tmp_path: Path) -> None:
    (tmp_path / "spec.schema.json").write_text(json.dumps(schema()), encoding="utf-8")
    text = (LETTERS / "CL-21/27.yaml").read_text(encoding="utf-8")
    text = text.replace("subject:", "subjet:").replace("recipients: list", "recipients: table")
    text = "# yaml-language-server: $schema=./spec.schema.json\n" + text
    spec = tmp_path / "27.yaml"
    spec.write_text(text, encoding="utf-8")
    lines = text.split("\n")
    server = Server(tmp_path)
    try:
        server.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": spec.as_uri(),
                    "languageId": "yaml",
                    "version": 1,
                    "text": text,
                }
            },
        )
        published = server.wait(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics" and m["params"]["diagnostics"]
            )
        )
        found = {
            (d["range"]["start"]["line"], d["message"]) for d in published["params"]["diagnostics"]
        }
        assert (lines.index("subjet: >-"), "Property subjet is not allowed.") in found
        assert (
            lines.index("  recipients: table"),
            'Value is not accepted. Valid values: "lines", "list", "paragraph".',
        ) in found
        assert any(message == 'Missing property "subject".' for _, message in found)

        document = {"uri": spec.as_uri()}
        style = lines.index("style:")
        completion = server.request(
            "textDocument/completion",
            {"textDocument": document, "position": {"line": style + 1, "character": 2}},
        )
        items = completion["items"] if isinstance(completion, dict) else completion
        assert {"marks", "line_breaks", "labels", "email"} <= {i["label"] for i in items}

        closing = next(i for i, line in enumerate(lines) if line.startswith("closing:"))
        hover = server.request(
            "textDocument/hover",
            {"textDocument": document, "position": {"line": closing, "character": 2}},
        )
        assert "Closing formula, its own paragraph after the body" in hover["contents"]["value"]
    finally:
        server.close()
