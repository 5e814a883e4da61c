"""The preview's own page: the letter as HTML beside its PDF, the problems above them, and a
small script that follows the server's events (``/events``) and reloads what changed.

The page is the preview's, not the letter's: the letter's page (``/letter.html``) is shown in
a frame, byte for byte as ``render -f html`` writes it, script-free. The page's one script is
served from its own path, so that the page's policy allows no inline script at all.
"""

from __future__ import annotations

from html import escape

from .state import Snapshot

POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; "
    "frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""The page's Content-Security-Policy: its script and frames from this server only."""

SCRIPT = b"""\
"use strict";
// Follows the preview's events: shows the problems, reloads a frame whose rendering changed.
(function () {
  var body = document.body;
  var shown = {html: Number(body.dataset.html), pdf: Number(body.dataset.pdf)};
  var status = document.getElementById("status");

  function text(id, value) {
    var element = document.getElementById(id);
    element.textContent = value;
    element.closest("[data-problems]").hidden = !value;
  }

  function reload(name, version) {
    var frame = document.getElementById(name);
    if (!version || version === shown[name]) return;
    shown[name] = version;
    if (name === "html" && frame.getAttribute("src")) {
      var y = 0;
      try { y = frame.contentWindow.scrollY; } catch (e) { y = 0; }
      frame.addEventListener("load", function () {
        try { frame.contentWindow.scrollTo(0, y); } catch (e) { /* another page */ }
      }, {once: true});
    }
    frame.src = "/letter." + name + "?v=" + version;
    frame.hidden = false;
    document.getElementById(name + "-none").hidden = true;
  }

  var events = new EventSource("/events");
  events.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    text("problems", state.problems);
    text("pdf-problem", state.pdf_problem);
    reload("html", state.html);
    reload("pdf", state.pdf);
    status.textContent = state.problems
      ? "The spec has problems: the last good rendering is shown."
      : (state.pending ? "Typesetting the PDF\\u2026" : "Up to date.");
    body.dataset.version = state.version;
  });
  events.addEventListener("error", function () {
    status.textContent = "The preview has stopped: this page no longer follows the spec.";
    events.close();
  });
})();
"""

_STYLE = """\
body { margin: 0; font: 15px/1.4 system-ui, sans-serif; display: flex; flex-direction: column;
  height: 100vh; }
header { padding: 0.4rem 1rem; border-bottom: 1px solid #bbb; display: flex; gap: 1rem;
  align-items: baseline; flex-wrap: wrap; }
h1 { font-size: 1rem; margin: 0; }
h2 { font-size: 0.9rem; margin: 0 0 0.3rem; }
#status { margin: 0; color: #333; }
.problems { margin: 0; padding: 0.5rem 1rem; background: #fff0f0; border-bottom: 2px solid #b00;
  max-height: 35vh; overflow: auto; }
.problems pre { margin: 0; white-space: pre-wrap; font-size: 0.85rem; }
main { flex: 1; display: flex; min-height: 0; }
main > section { flex: 1; display: flex; flex-direction: column; padding: 0.5rem; min-width: 0; }
iframe { flex: 1; width: 100%; border: 1px solid #bbb; background: #fff; }
.none { color: #555; }
"""


def page(spec: str, snapshot: Snapshot) -> bytes:
    """The preview page as it stands: what the script would show, so that it is right before
    the first event arrives."""
    html = snapshot.html_version if snapshot.html is not None else 0
    pdf = snapshot.pdf_version if snapshot.pdf is not None else 0
    return f"""\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Preview: {escape(spec)}</title>
<style>
{_STYLE}</style>
<script src="/preview.js" defer></script>
</head>
<body data-html="{html}" data-pdf="{pdf}" data-version="{snapshot.version}">
<header>
<h1>Preview of <code>{escape(spec)}</code></h1>
<p id="status" role="status">{"The spec has problems." if snapshot.problems else ""}</p>
</header>
<section class="problems" data-problems aria-label="Problems"{_hidden(snapshot.problems)}>
<h2>Problems</h2>
<pre id="problems">{escape(snapshot.problems)}</pre>
</section>
<main>
<section aria-label="HTML">
<h2>HTML</h2>
{_frame("html", "The letter as a web page", html)}
</section>
<section aria-label="PDF">
<h2>PDF</h2>
<div class="problems" data-problems{_hidden(snapshot.pdf_problem)}>
<pre id="pdf-problem">{escape(snapshot.pdf_problem)}</pre>
</div>
{_frame("pdf", "The letter as PDF", pdf)}
</section>
</main>
</body>
</html>
""".encode()


def _hidden(text: str) -> str:
    return "" if text else " hidden"


def _frame(name: str, title: str, version: int) -> str:
    hidden = " hidden" if version else ""
    none = f'<p class="none" id="{name}-none"{hidden}>Not rendered yet.</p>'
    if not version:
        return f'{none}\n<iframe id="{name}" title="{title}" hidden></iframe>'
    return f'{none}\n<iframe id="{name}" title="{title}" src="/letter.{name}?v={version}"></iframe>'
