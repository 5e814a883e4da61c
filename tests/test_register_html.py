"""The register as a web page: ``index.html`` beside ``index.md`` when a build writes HTML."""

from __future__ import annotations

import time

from circulaire.build import register
from circulaire.build.register import Row
from test_html import Page


def row(subject: str, signatory: str = "A. B.") -> Row:
    return Row("2021-01-02", "CL-21/1", subject, (signatory,), (("html", "CL-21/1.html"),))


def test_spec_text_prints_escaped() -> None:
    page = register.html([row('<script>alert("x")</script> & co', "<b>O'Neil</b>")]).decode()
    Page(page)
    assert page.count("<script>") == 1
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in page
    assert "&lt;b&gt;O&#x27;Neil&lt;/b&gt;" in page


def test_ten_thousand_letters_make_a_page_of_reasonable_size() -> None:
    rows = sorted(
        Row(
            f"20{10 + i % 15}-05-17",
            f"CL-{10 + i % 15}/{i:04d}",
            f"Invitation à la réunion numéro {i} du groupe d'études",
            ("Houlin Zhao", "Nguyen Manh Hung"),
            tuple((fmt, f"CL-{10 + i % 15}/{i:04d}.{fmt}") for fmt in ("md", "html", "pdf")),
            versions=(("en", (("html", f"CL-{10 + i % 15}/{i:04d}.en.html"),)),),
        )
        for i in range(10_000)
    )
    started = time.perf_counter()
    page = register.html(rows)
    assert time.perf_counter() - started < 5
    assert len(page) / len(rows) < 600  # about 450 bytes a row: 4.5 MB for 10,000 letters
