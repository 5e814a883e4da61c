"""The names of the files a build keeps beside the letters' outputs: a module of its own, that
a no-op rebuild (:mod:`.stamp`) reads before anything else of circulaire is loaded."""

MANIFEST = ".circulaire-manifest.json"
"""The manifest of an unsharded build; a shard writes ``.circulaire-manifest.K-of-N.json``."""
INDEX = "index.md"
HTML_INDEX = "index.html"
"""The register as a web page, written beside ``index.md`` when a build writes HTML."""
BUILDING = ".circulaire-building"
"""Present while a build writes, and its journal: the name of every file, written down before
the file. Found by the next build, it tells that a build was killed, and what it wrote."""
STAMP = ".circulaire-stamp"
"""Written by a build that left the folder current, and removed when the next one begins: what
a no-op rebuild checks, by the files' status alone (:mod:`.stamp`)."""
