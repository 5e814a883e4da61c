"""``circulaire preview``: the server, its few paths, its events, what it shows of a broken
spec, and how it stops; then the preview in a real browser."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from circulaire.preview import serve
from circulaire.render import render
from circulaire.validate import load_letter
from conftest import LETTERS

WAIT = 20.0
"""Seconds a test waits for the preview at most (a loaded machine typesets slowly)."""


class Running:
    """A preview served from a thread, as ``circulaire preview`` serves it."""

    def __init__(self, spec: Path, templates: Path | None = None) -> None:
        self.spec = spec
        self.messages: queue.Queue[str] = queue.Queue()
        self.stop = threading.Event()
        self.failure: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, args=(templates,), daemon=True)
        self.thread.start()
        self.url = self._address()
        parts = urlsplit(self.url)
        self.host, self.port = str(parts.hostname), int(parts.port or 0)

    def _run(self, templates: Path | None) -> None:
        try:
            serve(self.spec, templates, browser=False, say=self.messages.put, stop=self.stop)
        except BaseException as exc:  # the test fails on it, in its own thread
            self.failure.append(exc)

    def _address(self) -> str:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                message = self.messages.get(timeout=0.1)
            except queue.Empty:
                assert not self.failure, self.failure
                continue
            found = re.search(r"at (http://\S+) ", message)
            if found:
                return found[1]
        raise AssertionError("the preview never said its address")

    def get(
        self, path: str, host: str | None = None, method: str = "GET"
    ) -> tuple[int, Any, bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=WAIT)
        connection.putrequest(method, path, skip_host=True)
        connection.putheader("Host", host or f"{self.host}:{self.port}")
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, response.headers, body

    def events(self) -> Iterator[dict[str, Any] | None]:
        """The states the server sends, from the current one on; None for each comment that
        keeps a quiet stream open."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=WAIT)
        connection.request("GET", "/events")
        response = connection.getresponse()
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/event-stream")
        event = ""
        try:
            for raw in response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[len("event: ") :]
                elif line.startswith("data: ") and event == "state":
                    yield json.loads(line[len("data: ") :])
                elif line.startswith(":"):
                    yield None
        finally:
            connection.close()

    def until(self, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first state the server sends that is ``done``, within :data:`WAIT`."""
        deadline = time.monotonic() + WAIT
        for state in self.events():
            if state is not None and done(state):
                return state
            assert time.monotonic() < deadline, f"no such state within {WAIT}s: {state}"
        raise AssertionError("the event stream ended")

    def close(self) -> None:
        self.stop.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "the preview did not stop"
        assert not self.failure, self.failure


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    """CL-21/27 in an archive of its own, to be edited."""
    path = tmp_path / "letters" / "CL-21" / "27.yaml"
    path.parent.mkdir(parents=True)
    shutil.copy(LETTERS / "CL-21" / "27.yaml", path)
    return path


@pytest.fixture
def running(spec: Path) -> Iterator[Running]:
    preview = Running(spec)
    preview.until(lambda state: state["pdf"] > 0)  # the first rendering: then watching begins
    time.sleep(0.5)
    yield preview
    preview.close()


def rewrite(path: Path, old: str, new: str) -> None:
    """Save the spec as an editor does: a new file renamed over the old one."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    temporary = path.with_name(path.name + ".tmp~")
    temporary.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.replace(temporary, path)


SUBJECT = "subject: >-\n  Invitation à participer à ITU Digital World 2021, qui aura lieu en ligne"


def test_it_serves_the_letter_as_html_and_pdf(running: Running, spec: Path) -> None:
    status, headers, body = running.get("/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert b'<iframe id="html"' in body and b'<iframe id="pdf"' in body
    status, headers, body = running.get("/letter.html")
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert body == render(load_letter(spec), "html")  # the letter's page, byte for byte
    status, headers, body = running.get("/letter.pdf?v=3")
    assert (status, headers["Content-Type"]) == (200, "application/pdf")
    assert body.startswith(b"%PDF-")
    status, headers, body = running.get("/preview.js")
    assert status == 200 and b"EventSource" in body
    assert running.get("/letter.html", method="HEAD")[2] == b""


@pytest.mark.parametrize(
    "path",
    [
        "/index.html",
        "/27.yaml",
        "/CL-21/27.yaml",
        "/../27.yaml",
        "/%2e%2e/27.yaml",
        "/letter.html/../../27.yaml",
        "/letter.docx",
        "/etc/passwd",
        "//etc/passwd",
        "/letter.pdf/",
    ],
)
def test_nothing_else_is_served(running: Running, path: str) -> None:
    status, _, body = running.get(path)
    assert status == 404
    assert b"Invitation" not in body


def test_it_listens_on_the_loopback_interface_only(running: Running) -> None:
    assert running.host == "127.0.0.1"
    status, _, body = running.get("/letter.html", host=f"attacker.example:{running.port}")
    assert status == 421  # a name that a web page made to point at 127.0.0.1: refused
    assert b"Invitation" not in body
    assert running.get("/letter.html", host=f"localhost:{running.port}")[0] == 200


def test_an_event_follows_a_save(running: Running, spec: Path) -> None:
    first = running.until(lambda state: True)
    rewrite(spec, SUBJECT, "subject: Un nouvel objet")
    running.until(lambda state: state["html"] > first["html"])
    assert "Un nouvel objet" in running.get("/letter.html")[2].decode()
    state = running.until(lambda state: state["pdf"] > first["pdf"])
    assert state["problems"] == "" and state["pdf_problem"] == ""


def test_an_invalid_spec_shows_its_problems_and_keeps_the_letter(
    running: Running, spec: Path
) -> None:
    good = running.get("/letter.html")[2]
    first = running.until(lambda state: True)
    rewrite(spec, "date: 2021-07-08", "date: 2021-02-30")
    state = running.until(lambda state: bool(state["problems"]))
    assert state["problems"].startswith(f"{spec}:4:7: date: '2021-02-30' is not a date that exists")
    assert "    date: 2021-02-30\n          ^\n" in state["problems"]  # as validate shows it
    assert (state["html"], state["pdf"]) == (first["html"], first["pdf"])
    assert running.get("/letter.html")[2] == good  # the last good rendering stays
    assert running.get("/letter.pdf")[0] == 200
    page = running.get("/")[2].decode()
    assert "is not a date that exists" in page and "2021-02-30" in page
    rewrite(spec, "date: 2021-02-30", "date: 2021-07-09")
    state = running.until(lambda state: not state["problems"] and state["html"] > first["html"])
    assert "9 juillet 2021" in running.get("/letter.html")[2].decode()


def test_a_deleted_spec_is_a_problem_until_it_is_back(running: Running, spec: Path) -> None:
    text = spec.read_bytes()
    spec.unlink()
    state = running.until(lambda state: bool(state["problems"]))
    assert str(spec) in state["problems"]
    assert running.get("/letter.html")[0] == 200
    spec.write_bytes(text)
    running.until(lambda state: not state["problems"])


def test_a_spec_text_is_escaped_in_the_page(running: Running, spec: Path) -> None:
    rewrite(spec, "date: 2021-07-08", 'date: "<script>alert(1)</script>"')
    running.until(lambda state: bool(state["problems"]))
    page = running.get("/")[2].decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page


def test_a_pdf_that_cannot_be_typeset_is_shown_as_such(running: Running, spec: Path) -> None:
    first = running.until(lambda state: True)
    rewrite(spec, SUBJECT, "subject: नमस्ते")  # no font of a French letter prints Devanagari
    state = running.until(lambda state: bool(state["pdf_problem"]))
    assert state["pdf_problem"].startswith(f"{spec}:13:10: subject:")
    assert state["html"] > first["html"] and state["pdf"] == first["pdf"]
    assert "नमस्ते" in running.get("/letter.html")[2].decode()
    assert running.get("/letter.pdf")[0] == 200  # the last PDF typeset


def test_a_template_saved_renders_again_and_a_broken_one_is_shown(
    spec: Path, tmp_path: Path
) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    override = templates / "letter.html.j2"
    override.write_text(
        '{% extends "house/letter.html.j2" %}\n'
        '{% block subject %}<main>\n<h1 class="subject">Chers amis,</h1>\n{% endblock %}\n',
        encoding="utf-8",
    )
    preview = Running(spec, templates)
    try:
        first = preview.until(lambda state: state["pdf"] > 0)  # then the watching begins
        time.sleep(0.5)
        assert "Chers amis," in preview.get("/letter.html")[2].decode()
        override.write_text(override.read_text().replace("amis", "collègues"), encoding="utf-8")
        preview.until(lambda state: state["html"] > first["html"])
        assert "Chers collègues," in preview.get("/letter.html")[2].decode()
        override.write_text("{% block salutation %}\n", encoding="utf-8")
        state = preview.until(lambda state: bool(state["problems"]))
        assert "letter.html.j2" in state["problems"]
        assert "Chers collègues," in preview.get("/letter.html")[2].decode()
    finally:
        preview.close()


def test_the_house_settings_saved_show_in_the_next_render(spec: Path, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    settings = templates / "house.yaml"
    settings.write_text("address: [Rue du Mont-Blanc 1, Genève]\n", encoding="utf-8")
    preview = Running(spec, templates)
    try:
        first = preview.until(lambda state: state["pdf"] > 0)  # then the watching begins
        time.sleep(0.5)
        assert "Rue du Mont-Blanc 1 · Genève" in preview.get("/letter.html")[2].decode()
        settings.write_text("address: [Rue de Lausanne 2, Genève]\n", encoding="utf-8")
        preview.until(lambda state: state["pdf"] > first["pdf"])
        assert "Rue de Lausanne 2 · Genève" in preview.get("/letter.html")[2].decode()
    finally:
        preview.close()


def test_ctrl_c_stops_it_cleanly(spec: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "circulaire", "preview", str(spec), "--no-browser"],
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert re.fullmatch(
            rf"previewing {re.escape(str(spec))} at http://127\.0\.0\.1:\d+/ \(Ctrl-C to stop\)\n",
            line,
        ), line
        assert process.stderr.readline() == "rendered\n"
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=WAIT)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert rest == "stopped\n"


def test_a_port_taken_is_bad_input(spec: Path) -> None:
    from click.testing import CliRunner

    from circulaire.cli import cli

    preview = Running(spec)
    try:
        result = CliRunner().invoke(
            cli, ["preview", str(spec), "--no-browser", "--port", str(preview.port)]
        )
    finally:
        preview.close()
    assert result.exit_code == 1
    assert result.output.startswith(f"cannot listen on 127.0.0.1:{preview.port}: ")


# -- in a real browser ---------------------------------------------------------------------


def test_the_page_follows_each_save_within_a_second(
    running: Running, spec: Path, page: Any
) -> None:
    from playwright.sync_api import expect

    page.goto(running.url)
    letter = page.frame_locator("#html")
    expect(letter.locator("h1.subject")).to_contain_text("ITU Digital World 2021")
    expect(page.locator("#status")).to_have_text("Up to date.", timeout=WAIT * 1000)
    rewrite(spec, SUBJECT, "subject: Un objet tout neuf")
    expect(letter.locator("h1.subject")).to_contain_text("Un objet tout neuf", timeout=1000)
    expect(page.locator("#problems")).to_be_hidden()

    rewrite(spec, "date: 2021-07-08", "date: 2021-02-30")
    problems = page.locator("#problems")
    expect(problems).to_contain_text(f"{spec}:4:7: date: '2021-02-30'", timeout=1000)
    expect(problems).to_be_visible()
    expect(page.locator("#status")).to_contain_text("last good rendering")
    expect(letter.locator("h1.subject")).to_contain_text("Un objet tout neuf")
