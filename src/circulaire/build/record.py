"""Recording a build: each letter's entry as its result comes, checkpoints of the manifest,
then the manifest and the register, saved once the letters are settled.

The manifest is saved every few seconds, with the old entries of letters still to render
(they stand for their files until then), so a killed build resumes where it stopped."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections import ChainMap
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import OutputError, Problem, SpecError
from ..model import REFERENCE_PATTERN, Reference
from ..translation import language_of
from . import register
from .cleanup import Removed, remove_outputs, retire
from .clock import file_sha256, filesystem_time, past_last_write, sha256, status
from .manifest import Stored, opened, reference_of, save_manifest, to_json, without_spec
from .plan import Plan
from .progress import Progress
from .render import Result
from .settings import HTML_INDEX, INDEX

CHECKPOINT_SECONDS = 2.0
"""The shortest pause between two saves of the manifest in a long build: a killed build loses
a few seconds of work."""


@dataclass
class Outcome:
    """What a build did, for the summary line and the exit code."""

    built: list[str] = field(default_factory=list)
    """Keys of the letters rendered."""
    files: int = 0
    unchanged: int = 0
    removed: list[Removed] = field(default_factory=list)
    """(key, why, files removed)."""
    dropped: list[str] = field(default_factory=list)
    """Files of formats no longer asked for, removed."""
    problems: list[Problem] = field(default_factory=list)
    failed: int = 0
    unread: int = 0
    """Folders that could not be listed, specs whose names are not UTF-8."""
    unsaved: bool = False
    """Whether the manifest or the register could not be written (a full disk)."""
    seconds: float = 0.0

    @property
    def return_code(self) -> int:
        """0 when every letter built and all was saved, 1 when a letter failed, a folder
        could not be read, or the manifest or the register could not be written."""
        return 1 if self.failed or self.unread or self.unsaved else 0

    def summary(self) -> str:
        built, files = len(self.built), self.files
        unread = f", {self.unread} not read" if self.unread else ""
        return (
            f"built {built} letter{'s' * (built != 1)} ({files} file{'s' * (files != 1)}),"
            f" {self.unchanged} unchanged, {len(self.removed)} removed, {self.failed} failed"
            f"{unread} in {self.seconds:.1f} s"
        )


class Entries(MutableMapping[str, Stored]):
    """The entries of a build by key. Those of letters rendered are held as JSON text in a
    temporary file without a name in the output folder, the others as they came:
    the entries of 10,000 letters are 9 MB, which the build process otherwise holds to the
    end. What the file cannot take stays in memory."""

    def __init__(self, folder: Path, entries: dict[str, Stored]) -> None:
        self._held: dict[str, Stored | int] = dict(entries)
        self._folder = folder
        self._file: IO[bytes] | None = None
        self._end = 0

    def spill(self, key: str, text: str) -> None:
        """Hold ``text`` in the file: its place there, ``offset << 32 | size``."""
        data = text.encode("utf-8")
        try:
            if self._file is None:  # without a name: nothing is left if the build is killed
                self._file = tempfile.TemporaryFile(dir=self._folder)  # noqa: SIM115 (close())
            os.pwrite(self._file.fileno(), data, self._end)
        except OSError:
            self._held[key] = text
            return
        self._held[key] = self._end << 32 | len(data)
        self._end += len(data)

    def __getitem__(self, key: str) -> Stored:
        value = self._held[key]
        if type(value) is not int:
            return value  # type: ignore[return-value]
        assert self._file is not None
        return os.pread(self._file.fileno(), value & 0xFFFFFFFF, value >> 32).decode("utf-8")

    def __setitem__(self, key: str, value: Stored) -> None:
        self._held[key] = value

    def __delitem__(self, key: str) -> None:
        del self._held[key]

    def __contains__(self, key: object) -> bool:
        return key in self._held

    def __iter__(self) -> Iterator[str]:
        return iter(self._held)

    def __len__(self) -> int:
        return len(self._held)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class Record:
    """The entries of a build as it goes: kept, rendered, failed, superseded."""

    def __init__(self, plan: Plan) -> None:
        settings = plan.settings
        self.plan = plan
        self.outcome = Outcome(problems=list(plan.problems), unread=len(plan.problems))
        self.pending = {task.key for task in plan.tasks}
        """Letters not rendered yet: their old entries still stand for their files."""
        self.entries = Entries(
            settings.output,
            {key: entry for key, entry in plan.kept.items() if key not in self.pending},
        )
        self.outcome.unchanged = len(self.entries)
        self.touched = self.pending | plan.gone.keys()
        """Letters whose rows in the register may differ from the last build's."""
        self.changed = plan.checked or plan.previous.keys() != plan.letters.keys()
        self.changed |= [path.name for path in plan.manifests] != [settings.manifest.name]
        self.unsynced: list[str] = []
        """Files written since the manifest was last saved (names in the output folder): made
        durable before the next save vouches for them."""
        self.keep_journal = False
        """Whether the next build needs the journal: a letter went unrendered for a reason
        outside its spec (what a dying worker wrote is then unknown), or the manifest could
        not be saved."""
        self.superseded: list[tuple[str, str, Stored]] = []
        """Entries whose files may now be no letter's: of a letter that failed, or that its
        new reference files elsewhere. Removed at each save of the manifest."""

    def remove_gone(self) -> None:
        """Remove the files of letters no longer in the archive, and of formats no longer
        asked for."""
        plan, output = self.plan, self.plan.settings.output
        for key, text in sorted(plan.gone.items()):
            self.outcome.removed.append((key, "its spec is gone", remove_outputs(output, text)))
        for key, formats in sorted(plan.dropped.items()):
            self.outcome.dropped.extend(remove_outputs(output, plan.previous[key], formats))
            self.changed = True

    def take(self, results: Iterable[Result], progress: Progress | None) -> None:
        """Record each result as it comes, saving the manifest every few seconds; on Ctrl-C,
        save what is done (the next build starts from there)."""
        last_checkpoint = time.monotonic()
        pause = CHECKPOINT_SECONDS  # grows with the manifest, so that saving it stays under 5 %
        done, total = 0, len(self.plan.tasks)
        if progress is not None:
            progress(0, total)
        try:
            for result in results:
                done += 1
                if progress is not None:
                    progress(done, total)
                self._add(result)
                if time.monotonic() - last_checkpoint > pause:
                    saving = time.monotonic()
                    self.checkpoint()
                    last_checkpoint = time.monotonic()
                    pause = max(CHECKPOINT_SECONDS, 20 * (last_checkpoint - saving))
        except KeyboardInterrupt:
            self.checkpoint()
            raise

    def _add(self, result: Result) -> None:
        plan, outcome, key = self.plan, self.outcome, result.key
        self.changed = True
        self.pending.discard(key)
        old = plan.previous.get(key)
        if result.entry is None:
            outcome.failed += 1
            outcome.problems.extend(result.problems)
            self.keep_journal |= result.lost
            if old is not None and result.lost:
                self.entries[key] = plan.standing(key)
            elif old is not None:
                self.superseded.append((key, "its spec failed", old))
            return
        if old is not None and reference_of(key, old) != result.entry["reference"]:
            self.superseded.append((key, "its reference changed", old))
        kept = opened(plan.kept.get(key, {})).get("outputs", {})
        entry = {**result.entry, **plan.inputs}
        entry["outputs"] = {**kept, **result.entry["outputs"]}
        self.entries.spill(key, to_json(entry))
        outcome.built.append(key)
        self.unsynced.extend(record["file"] for record in result.entry["outputs"].values())
        outcome.files += len(result.entry["outputs"])

    def checkpoint(self) -> None:
        """Save what is done, and the old entries of letters still to render, which stand for
        their files until then: a build killed next knows of every file."""
        self._retire()
        plan = self.plan
        standing = {key: plan.standing(key) for key in self.pending if key in plan.previous}
        with contextlib.suppress(OutputError):  # the last save reports it, if it fails too
            entries = ChainMap(self.entries, standing)  # no copy of every entry
            save_manifest(plan.settings, entries, None, plan.begun, self.unsynced)
            self.unsynced = []

    def _retire(self) -> None:
        output = self.plan.settings.output
        self.outcome.removed.extend(retire(output, self.superseded, self.entries))

    def settle_clashes(self) -> None:
        """Fail the letters whose references are the same, and remove their files; then the
        files of superseded entries."""
        plan, outcome = self.plan, self.outcome
        for key, clash in _clashes(self.entries, plan.letters):
            self.changed = True
            self.touched.add(key)
            clashing = self.entries.pop(key)
            if key in outcome.built:  # less the files it kept from the last build
                outcome.built.remove(key)
                kept = opened(plan.kept.get(key, {})).get("outputs", {})
                outcome.files -= len(opened(clashing).get("outputs", {})) - len(kept)
            else:
                outcome.unchanged -= 1
            outcome.failed += 1
            outcome.problems.append(_reference_problem(Path(plan.letters[key]), clash))
            remove_outputs(plan.settings.output, clashing)
        self._retire()

    def save(self) -> None:
        """Save the manifest and the register, when anything changed (or the register alone,
        when it is not the one recorded). With HTML among the formats the register is also a
        web page, recorded beside ``index.md``; without, a page of an earlier build is
        removed, since it links to files no longer built."""
        plan, settings, entries = self.plan, self.plan.settings, self.entries
        output = settings.output
        manifest = settings.manifest
        index = None if settings.shard else output / INDEX
        page = output / HTML_INDEX if index is not None and "html" in settings.formats else None
        if self.outcome.built:
            past_last_write(output)  # before looking for specs changed meanwhile: see there
        # The manifest vouches for what was there before the specs are looked at, not when it
        # is written (a sync may take seconds): a spec saved meanwhile is newer, so it is read
        # again.
        vouched = filesystem_time(output)
        # Nothing to save: the manifest stays as it was, older than any spec edited meanwhile.
        suspects = _changed_while_building(plan, entries) if self.changed or settings.force else []
        for key in suspects:
            # Its spec changed after it was read: the entry keeps its files, not its spec, so
            # that the next build renders it.
            entries[key] = without_spec(entries[key])
            self.changed = True
        if self.changed or settings.force:
            record: dict[str, Any] | None = None
            if index is not None:
                table, data = self._register(index, page)
                if self._saved(index, register.write_if_changed, index, data):
                    record = {"sha256": sha256(data), "size": len(data)}
                data = b""  # the Markdown's bytes, let go before the page is made
                if page is not None and record is not None and table is not None:
                    data = register.html(table)
                    if self._saved(page, register.write_if_changed, page, data):
                        record["html"] = {"sha256": sha256(data), "size": len(data)}
                elif page is None and register.has_page(plan.register):
                    (output / HTML_INDEX).unlink(missing_ok=True)
                del table, data
            saving = (settings, entries, record, vouched, self.unsynced)
            if not self._saved(manifest, save_manifest, *saving):
                return
            self.unsynced = []
            for other in plan.manifests:
                if other.name != manifest.name and settings.shard is None:
                    other.unlink(missing_ok=True)
        elif index is not None and not register.recorded(index, page, plan.register):
            table = register.rows(entries, settings.formats)
            self._saved(index, register.write_if_changed, index, register.markdown(table))
            if page is not None:
                self._saved(page, register.write_if_changed, page, register.html(table))

    def _register(self, index: Path, page: Path | None) -> tuple[list[register.Row] | None, bytes]:
        """``index.md``, and the rows of every letter when a web page needs them too. Without
        one, the last build's ``index.md`` with the rows of the letters this build touched
        made again, when it is the one the manifest records: the same bytes, from a few
        entries opened rather than every one."""
        plan, entries, formats = self.plan, self.entries, self.plan.settings.formats
        if page is None and not plan.dropped and register.recorded(index, None, plan.register):
            references = {
                reference_of(key, value)
                for key in self.touched
                for value in (plan.previous.get(key), entries.get(key))
                if value is not None
            }
            with contextlib.suppress(OSError, ValueError):
                data = register.markdown_updated(
                    index.read_bytes(), entries, formats, references - {""}
                )
                if data is not None:
                    return None, data
        table = register.rows(entries, formats)
        return table, register.markdown(table)

    def _saved(
        self, path: Path, write: Callable[..., None], *arguments: Any, **options: Any
    ) -> bool:
        """Write the manifest or the register (``path``); what the system refuses (a full
        disk) is a problem of the build, which keeps its journal: the next build then knows
        what this one wrote."""
        try:
            write(*arguments, **options)
        except OutputError as exc:
            message = str(exc).removeprefix(f"{path}: ")
            self.outcome.problems.append(Problem(str(path), message=message, code="E900"))
            self.outcome.unsaved = True
            self.keep_journal = True
            return False
        return True


def _clashes(entries: Mapping[str, Stored], letters: dict[str, str]) -> Iterator[tuple[str, str]]:
    """Letters whose references are the same (``CL-20/38`` and ``CL-20/038`` too): both would
    write the same files, or file one letter twice."""
    by_reference: dict[object, list[tuple[str, str]]] = {}
    for key in sorted(entries):
        filed = REFERENCE_PATTERN.match(key[:-5]) if key.endswith(".yaml") else None
        if filed is not None:  # CL-21/27.yaml: an original, of its path's reference
            reference = filed[0]
            identity = (filed["series"], filed["year"], int(filed["number"]))
            same: tuple[object, str | None] = (identity, None)
        else:
            reference = reference_of(key, entries[key])
            parsed = Reference.parse(reference)
            same = (parsed.identity if parsed else reference, language_of(key))
        by_reference.setdefault(same, []).append((key, reference))
    clashes = [item for item in by_reference.items() if len(item[1]) > 1]
    for _, clashing in sorted(clashes, key=lambda item: str(item[0])):
        if len(clashing) > 1:
            for key, reference in clashing:
                others = ", ".join(str(letters[k]) for k, _ in clashing if k != key)
                yield key, f"{reference} is also the reference of {others}"


def _reference_problem(spec: Path, message: str) -> Problem:
    """A problem with a letter's reference, at the line and column where the spec writes it
    (read again: two letters of one reference are rare)."""
    from ..source import read

    try:
        position = read(spec).position(("reference",))
    except SpecError:
        return Problem(str(spec), message=message, code="E901", field="reference")
    return Problem(str(spec), position.line, position.column, "reference", message, "E901")


def _changed_while_building(plan: Plan, entries: Mapping[str, Stored]) -> list[str]:
    """Letters whose spec was changed after planning began, and now differs from what was
    built: the manifest, dated after them, must not vouch for them. (An entry without the
    record of its spec vouches for none.)"""
    changed = []
    for key, path in plan.letters.items():
        if key not in entries or key in plan.unread:
            continue
        try:
            if status(path)[1] < plan.begun:
                continue
            recorded = opened(entries[key]).get("spec")
            if not isinstance(recorded, dict) or file_sha256(Path(path)) == recorded.get("sha256"):
                continue
        except (OSError, ValueError):
            pass
        changed.append(key)
    return changed
