"""What the preview watches: the spec, a translation's original, and the templates in use
(their catalogs and fonts too), with watchfiles.

Folders are watched rather than files, each without its subfolders (the templates' are
listed), because an editor often saves by writing a new file and renaming it over the old
one, which a watch on the old file would miss; a deleted spec is a change like any other.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import CirculaireError


@dataclass(frozen=True)
class Watched:
    files: frozenset[str]
    """The letter's files, as given and with their links resolved."""
    templates: tuple[str, ...]
    """Template folders: any file under them counts."""
    folders: tuple[str, ...]
    """The folders handed to watchfiles."""

    @classmethod
    def of(cls, spec: Path, templates: Path | None) -> Watched:
        from ..templating import packaged_templates
        from ..translation import language_of, original_of

        letter = [spec]
        if language_of(spec):
            letter.append(original_of(spec))
        files = {str(p) for path in letter for p in (path.absolute(), path.resolve())}
        folders = {os.path.dirname(p) for p in files}
        for folder in folders:
            if not os.path.isdir(folder):
                raise CirculaireError(f"{folder}: no such folder: the preview watches it")
        roots = [packaged_templates(), *([templates] if templates is not None else [])]
        template_folders = tuple(str(root.resolve()) for root in roots)
        for root in template_folders:
            folders.update(top for top, _, _ in os.walk(root))
        return cls(frozenset(files), template_folders, tuple(sorted(folders)))

    def matters(self, path: str) -> str | None:
        """``letter`` or ``templates`` for a change to one of them; None for another file."""
        if path in self.files:
            return "letter"
        if any(path.startswith(root + os.sep) for root in self.templates):
            return "templates"
        return None

    def changes(self, stop: threading.Event | None = None) -> Iterator[bool]:
        """Once for each batch of saves that matter: whether a template was among them.
        Ctrl-C raises KeyboardInterrupt."""
        import watchfiles

        temporary = watchfiles.DefaultFilter(ignore_dirs=())  # editors' files (.swp, ~)

        def wanted(change: watchfiles.Change, path: str) -> bool:
            return temporary(change, path) and self.matters(path) is not None

        for batch in watchfiles.watch(
            *self.folders, watch_filter=wanted, stop_event=stop, recursive=False
        ):
            yield any(self.matters(path) == "templates" for _, path in batch)
