"""Workspaces: a folder holding every variant of a study, with lineage and metrics.

Layout::

    WS/
      triglab.json     manifest (versioned schema, written atomically)
      triglab.lock     the lock every change of the manifest holds (flock; empty file)
      variants/        one model file per variant (.h5 by default)
      data/            cached generated datasets (e.g. muon_rpc)
      jobs/            job logs
      hls/             hls4ml projects
      sweeps/          design-space sweeps: sweeps/<name>/sweep.db + points/ (core.sweep.store)

A variant is never overwritten: compression, training and distillation create new variants
whose ``parent`` names the one they came from.

Several commands may work on one workspace at once (two terminals, the app and a terminal).
Every change of the manifest is a read-modify-write under an exclusive lock on ``triglab.lock``
(:meth:`Workspace.transaction`): lock, re-read the manifest, merge in only this object's own
changes, write, unlock. New names and file names are allocated inside the lock; long work
(training, g++) never holds it. After each change the object shows the workspace as it is on disk,
variants added by other commands included (:attr:`Workspace.added` lists the ones *this* object
added). See :mod:`core.workspace.manifest` for what a manifest may contain and
:mod:`core.workspace.files` for what is cleaned up when a workspace is opened.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from core.atomic import (  # noqa: F401  (atomic_write_bytes re-exported)
    FileLock,
    LockTimeout,
    atomic_write_bytes,
    atomic_write_text,
    describe_os_error,
    temp_name,
)
from core.workspace.files import clean_leftovers, remove_inside
from core.workspace.manifest import (
    FOLDERS,
    LOCK,
    MANIFEST,
    SCHEMA_VERSION,
    WorkspaceError,
    WorkspaceWriteError,
    confined_path,
    json_default,
    merge_states,
    parse_manifest,
    read_manifest,
)

__all__ = [
    "MANIFEST",
    "NotANetworkError",
    "SCHEMA_VERSION",
    "Variant",
    "Workspace",
    "WorkspaceError",
    "WorkspaceWriteError",
    "atomic_write_bytes",
    "check_variant_name",
]


from core.workspace.variant import (  # noqa: E402  (after __all__, as before the split)
    NotANetworkError,
    Variant,
    _file_stem,
    _now,
    check_variant_name,
)


class Workspace:
    """A TrigLab workspace folder. Use :meth:`create` or :meth:`open`."""

    def __init__(self, root: Path, manifest: dict[str, Any]) -> None:
        self.root = Path(root)
        self.variants: dict[str, Variant] = {}
        self.ui: dict[str, Any] = {}
        self.created: str = manifest.get("created") or _now()
        self.title: str = manifest.get("title") or self.root.name
        #: Names of the variants this object added (other commands may add more meanwhile).
        self.added: list[str] = []
        #: Leftovers of killed runs removed when the workspace was opened (relative paths).
        self.cleaned: list[str] = []
        self._lock = FileLock(self.root / LOCK)
        self._undo: list[Callable[[], None]] = []
        self._commit: list[Callable[[], None]] = []
        state = _state_of_manifest(manifest)
        self._apply(state)
        self._base = state  # the manifest on disk when this object last read or wrote it

    # --- open / create ---------------------------------------------------------------------
    @classmethod
    def create(cls, root: str | os.PathLike, title: str | None = None) -> Workspace:
        """Create a new workspace folder (or open it if it already is one)."""
        root = Path(root)
        if (root / MANIFEST).exists():
            return cls.open(root)
        if root.exists() and not root.is_dir():
            raise WorkspaceError(f"Cannot create a workspace at '{root}': it is a file")
        try:
            for sub in FOLDERS:
                (root / sub).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceWriteError(
                f"Cannot create a workspace at '{root}': {describe_os_error(exc)}"
            ) from exc
        ws = cls(root, {"title": title or root.name, "created": _now()})
        with ws._locked("create"):
            raced = (root / MANIFEST).exists()  # another command created it meanwhile
            if not raced:
                ws._write(ws._state())
        return cls.open(root) if raced else ws

    @classmethod
    def open(cls, root: str | os.PathLike) -> Workspace:
        """Open an existing workspace; every variant and its metrics come back.

        Holding the lock (when the folder is writable) it also removes what killed runs left
        behind (see :mod:`core.workspace.files`); ``cleaned`` lists it.

        Raises:
            WorkspaceError: not a workspace, an unreadable or malformed manifest (one line saying
                what and where), a path field leaving the workspace, a newer schema, one of its
                folders a symbolic link leading out of it.
        """
        root = Path(root)
        if not (root / MANIFEST).exists():
            raise WorkspaceError(f"'{root}' is not a TrigLab workspace (no {MANIFEST})")
        manifest = read_manifest(root)  # a bad manifest is refused before anything is created
        _refuse_folder_links(root)
        for sub in FOLDERS:
            with contextlib.suppress(OSError):  # a read-only workspace can still be read
                (root / sub).mkdir(exist_ok=True)
        lock = FileLock(root / LOCK, timeout=30.0)
        try:
            with lock.hold():
                ws = cls(root, read_manifest(root))
                ws.cleaned = clean_leftovers(root, ws._referenced())
                return ws
        except (OSError, LockTimeout):
            # Read-only folder (no lock file can be made) or a lock held for long: read without
            # it (writes are atomic, so the manifest is whole) and leave the clean-up for later.
            return cls(root, manifest)

    @classmethod
    def open_or_create(cls, root: str | os.PathLike) -> Workspace:
        return cls.open(root) if (Path(root) / MANIFEST).exists() else cls.create(root)

    def reload(self) -> None:
        """Bring this object up to date with the disk (keeping its unsaved changes)."""
        with self.transaction():
            pass

    # --- folders ---------------------------------------------------------------------------
    @property
    def variants_dir(self) -> Path:
        return self.root / "variants"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def jobs_dir(self) -> Path:
        return self.root / "jobs"

    @property
    def hls_dir(self) -> Path:
        return self.root / "hls"

    @property
    def sweeps_dir(self) -> Path:
        return self.root / "sweeps"

    # --- persistence -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return _manifest_of_state(self._state())

    def save(self) -> None:
        """Write the manifest: this object's changes merged with the disk's, under the lock.

        Raises:
            WorkspaceError: the folder is read-only, the disk is full, or the manifest on disk
                became unreadable; the manifest on disk is unchanged.
        """
        with self.transaction():
            pass

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Workspace]:
        """Change the workspace as one step that no other command can interleave with.

        Locks the workspace, merges the manifest on disk into this object (keeping its own
        unsaved changes), yields it for changes, writes the manifest and unlocks. If the block
        raises, or the write fails, the object's changes made in the block are undone and the
        manifest on disk is left as it was. Nested transactions join the outer one.

        Example::

            with ws.transaction():
                ws["a"].metrics["x"] = 1.0
                ws["b"].notes = "checked"
        """
        with self._locked("save"):
            if self._lock.depth > 1:
                yield self
                return
            theirs = self._read_state()
            before = merge_states(self._base, self._state(), theirs)
            self._apply(before)
            self._base = theirs
            self._undo, self._commit = [], []
            try:
                yield self
                after = self._state()
                if after != theirs or not (self.root / MANIFEST).exists():
                    self._write(after)
                self._base = after
            except BaseException:
                self._apply(before)
                for undo in reversed(self._undo):
                    with contextlib.suppress(Exception):
                        undo()
                raise
            finally:
                commit, self._undo, self._commit = self._commit, [], []
            for fn in commit:
                fn()

    @contextlib.contextmanager
    def _locked(self, doing: str) -> Iterator[None]:
        try:
            with self._lock.hold():
                yield
        except LockTimeout as exc:
            raise WorkspaceWriteError(
                f"Cannot {doing} workspace '{self.root}': another TrigLab command has kept it locked "
                f"for {self._lock.timeout:g} s ({LOCK}); try again when it has finished"
            ) from exc
        except OSError as exc:
            if exc.filename is not None and Path(exc.filename).name == LOCK:
                raise WorkspaceWriteError(
                    f"Cannot {doing} workspace '{self.root}': {describe_os_error(exc)} "
                    f"({LOCK} cannot be opened); nothing was changed"
                ) from exc
            raise

    def _read_state(self) -> dict[str, Any]:
        if not (self.root / MANIFEST).exists():
            return self._base
        return _state_of_manifest(read_manifest(self.root))

    def _write(self, state: dict[str, Any]) -> None:
        manifest = _manifest_of_state(state)
        parse_manifest(manifest, self.root)  # never write what the next open would refuse
        text = json.dumps(manifest, indent=2, default=json_default)
        try:
            atomic_write_text(self.root / MANIFEST, text)
        except OSError as exc:
            raise WorkspaceWriteError(
                f"Cannot save workspace '{self.root}': {describe_os_error(exc)}. "
                f"The manifest {MANIFEST} was left as it was."
            ) from exc

    def _state(self) -> dict[str, Any]:
        """This object as plain JSON values (what the manifest would hold)."""
        state = {
            "title": self.title,
            "created": self.created,
            "ui": self.ui,
            "variants": {n: v.to_dict() for n, v in self.variants.items()},
        }
        return json.loads(json.dumps(state, default=json_default))

    def _apply(self, state: dict[str, Any]) -> None:
        """Make this object show ``state``, keeping the identity of its Variant objects and dicts."""
        self.title = state.get("title") or self.root.name
        self.created = state.get("created") or self.created
        _replace_dict(self.ui, state.get("ui", {}))
        new: dict[str, Variant] = {}
        for name, d in state["variants"].items():
            fresh = Variant.from_dict(d)
            old = self.variants.get(name)
            if old is None:
                new[name] = fresh
                continue
            for f in Variant.__dataclass_fields__:
                value = getattr(fresh, f)
                if isinstance(value, dict) and isinstance(getattr(old, f), dict):
                    _replace_dict(getattr(old, f), value)
                else:
                    setattr(old, f, value)
            new[name] = old
        self.variants = new

    def _referenced(self) -> list[str]:
        out = []
        for v in self.variants.values():
            out.append(v.file)
            out += [a for a in dict(v.params.get("artifacts") or {}).values() if isinstance(a, str)]
        return out

    # --- variants --------------------------------------------------------------------------
    def __contains__(self, name: str) -> bool:
        return name in self.variants

    def __getitem__(self, name: str) -> Variant:
        try:
            return self.variants[name]
        except KeyError:
            known = ", ".join(self.variants) or "none"
            raise WorkspaceError(
                f"No variant '{name}' in workspace '{self.root}' (variants: {known})"
            ) from None

    def unique_name(self, base: str) -> str:
        """``base``, or ``base-2``, ``base-3``... whichever is free.

        Only a hint outside a transaction: another command may take the name before this one
        registers it (:meth:`add_variant` allocates under the lock).
        """
        base = re.sub(r"[^A-Za-z0-9_.+\- ]", "_", base).strip() or "variant"
        if base not in self.variants:
            return base
        i = 2
        while f"{base}-{i}" in self.variants:
            i += 1
        return f"{base}-{i}"

    def path_of(self, name: str) -> Path:
        """The variant's model file, checked to be inside the workspace (links followed).

        Raises:
            WorkspaceError: no such variant, or its file leaves the workspace.
        """
        return confined_path(self.root, self[name].file, f"Variant '{name}' field 'file'")

    def add_variant(
        self,
        model,
        name: str,
        *,
        parent: str | None = None,
        operation: str = "import",
        params: dict[str, Any] | None = None,
        metrics: dict[str, Any] | None = None,
        dataset: str | None = None,
        fmt: str = "h5",
    ) -> Variant:
        """Save ``model`` as a new variant and register it (the name is made unique).

        The model is written to a temporary file first (outside the lock: it may take a while);
        then, under the lock, the name and the file name are allocated, the file is moved into
        place and the manifest is written. Two commands adding variants at once both keep theirs.

        Raises:
            WorkspaceError: the parent does not exist, or the manifest cannot be written (then
                nothing of the new variant is left on disk).
            core.models.ModelSaveError: the model cannot be saved.
        """
        from core.models import save_model

        return self.add_file_variant(
            lambda path: save_model(model, path),
            name,
            parent=parent,
            operation=operation,
            params=params,
            metrics=metrics,
            dataset=dataset,
            fmt=fmt,
        )

    def add_file_variant(
        self,
        write: Callable[[Path], None],
        name: str,
        *,
        parent: str | None = None,
        operation: str = "import",
        params: dict[str, Any] | None = None,
        metrics: dict[str, Any] | None = None,
        dataset: str | None = None,
        fmt: str = "h5",
    ) -> Variant:
        """Register a new variant whose file ``write(path)`` produces (a model, a baseline's JSON spec).

        As :meth:`add_variant`: the file is written to a temporary name outside the lock, then
        moved into place and registered in one transaction; on failure nothing is left.
        """
        if parent is not None and parent not in self.variants:
            raise WorkspaceError(f"Parent variant '{parent}' does not exist")
        staged = self.variants_dir / temp_name(_file_stem(name), f".{fmt}")
        try:
            write(staged)
            with self.transaction():
                if parent is not None and parent not in self.variants:
                    raise WorkspaceError(f"Parent variant '{parent}' was deleted meanwhile")
                vname = self.unique_name(name)
                rel = self._claim_file(staged, _file_stem(vname), fmt)
                v = Variant(
                    name=vname,
                    file=rel,
                    parent=parent,
                    operation=operation,
                    params=dict(params or {}),
                    metrics=dict(metrics or {}),
                    dataset=dataset,
                )
                self.variants[vname] = v
            if parent is not None:  # written here from the parent's model: trusted if the user trusted it
                from core.models import trust

                trust.inherit(self.path_of(parent), self.root / v.file, within=self.root)
        finally:
            with contextlib.suppress(OSError):
                staged.unlink()
        self.added.append(v.name)
        return v

    def _claim_file(self, staged: Path, stem: str, fmt: str) -> str:
        """Move ``staged`` to a free ``variants/<stem>[_n].<fmt>`` (under the lock); its path."""
        n = 1
        while True:
            rel = f"variants/{stem}.{fmt}" if n == 1 else f"variants/{stem}_{n}.{fmt}"
            dest = self.root / rel
            try:
                # O_EXCL reserves the name even against a writer that does not take the lock.
                os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644))
            except FileExistsError:
                n += 1
                continue
            try:
                os.replace(staged, dest)
            except OSError:
                dest.unlink(missing_ok=True)
                raise
            self._undo.append(lambda r=rel: remove_inside(self.root, r))
            return rel

    def load_model(self, name: str):
        """Load the variant's Keras model (QKeras layers included).

        Raises:
            NotANetworkError: the variant is a baseline (operation ``"baseline"``, see
                :mod:`core.trigger`): there is no network to compress, synthesize or deploy.
        """
        from core.models import load_model

        v = self[name]
        if v.operation == "baseline":
            from core.trigger import not_a_network

            raise NotANetworkError(
                not_a_network(v, "load") + "; it is compared in the Physics and Compare views"
            )

        # Trust is the user's decision, remembered by file digest outside the workspace
        # (core.models.trust); nothing in the manifest (an old "trusted" flag) grants it.
        return load_model(self.path_of(name))

    def update_metrics(self, name: str, metrics: dict[str, Any]) -> None:
        """Add or replace measured numbers of a variant (other metrics are kept)."""
        with self.transaction():
            self[name].metrics.update(metrics)

    def update_params(self, name: str, params: dict[str, Any]) -> None:
        """Add or replace entries of a variant's ``params`` (e.g. its ``artifacts``)."""
        with self.transaction():
            self[name].params.update(params)

    def rename(self, old: str, new: str) -> Variant:
        """Rename a variant; children keep pointing at it. The model file keeps its name."""
        new = check_variant_name(new)
        with self.transaction():
            v = self[old]
            if new == old:
                return v
            if new in self.variants:
                raise WorkspaceError(f"A variant named '{new}' already exists")
            self.variants = {(new if k == old else k): val for k, val in self.variants.items()}
            v.name = new
            for child in self.variants.values():
                if child.parent == old:
                    child.parent = new
            if self.ui.get("selected_variant") == old:
                self.ui["selected_variant"] = new
        return v

    def delete(self, name: str) -> list[str]:
        """Delete a variant and its files. Its children are re-attached to its parent.

        Only files inside the workspace's folders are removed, never through a symbolic link
        and never one that another variant still uses.

        Returns:
            The files that were kept for those reasons (relative paths as in the manifest).
        """
        kept: list[str] = []
        with self.transaction():
            v = self[name]
            for child in self.variants.values():
                if child.parent == name:
                    child.parent = v.parent
                    child.params.setdefault("lineage_note", f"derived from deleted variant '{name}'")
            del self.variants[name]
            if self.ui.get("selected_variant") == name:
                self.ui.pop("selected_variant")
            in_use = set(self._referenced())
            files = [v.file, *dict(v.params.get("artifacts") or {}).values()]

            def remove_files() -> None:  # after the manifest is written, still under the lock
                for rel in files:
                    if rel in in_use or not remove_inside(self.root, rel):
                        if rel in in_use or _exists_lexically(self.root, rel):
                            kept.append(rel)

            self._commit.append(remove_files)
        return kept

    def children(self, name: str | None) -> list[Variant]:
        """Variants whose parent is ``name`` (``None``: the roots)."""
        return [v for v in self.variants.values() if v.parent == name]

    def lineage(self, name: str) -> list[Variant]:
        """The chain from the root to ``name`` (inclusive)."""
        chain, seen = [], set()
        cur: str | None = name
        while cur is not None and cur in self.variants and cur not in seen:
            seen.add(cur)
            chain.append(self.variants[cur])
            cur = self.variants[cur].parent
        return chain[::-1]


def _exists_lexically(root: Path, rel: Any) -> bool:
    if not isinstance(rel, str) or os.path.isabs(rel) or ".." in Path(rel).parts:
        return False
    return os.path.lexists(root / rel)


def _state_of_manifest(manifest: dict[str, Any]) -> dict[str, Any]:
    state = {k: manifest[k] for k in ("title", "created") if manifest.get(k) is not None}
    state["ui"] = dict(manifest.get("ui") or {})
    state["variants"] = {v["name"]: Variant.from_dict(v).to_dict() for v in manifest.get("variants", [])}
    return json.loads(json.dumps(state, default=json_default))


def _manifest_of_state(state: dict[str, Any]) -> dict[str, Any]:
    return {
        "app": "triglab",
        "schema": SCHEMA_VERSION,
        "title": state.get("title"),
        "created": state.get("created"),
        "saved": _now(),
        "variants": list(state["variants"].values()),
        "ui": state.get("ui", {}),
    }


def _replace_dict(target: dict, source: dict) -> None:
    if target != source:
        target.clear()
        target.update(source)


def _refuse_folder_links(root: Path) -> None:
    """A workspace folder (variants, data, jobs, hls, sweeps) that links out of the workspace is refused.

    TrigLab writes data caches, hit maps, C-simulation results, jobs and sweep databases there: through a link
    planted in a shared folder they would land anywhere the user can write.
    """
    inside = root.resolve()
    for sub in FOLDERS:
        folder = root / sub
        if folder.is_symlink():
            target = folder.resolve()
            if target != inside and inside not in target.parents:
                raise WorkspaceError(
                    f"'{sub}' in workspace '{root}' is a symbolic link to '{target}', outside the "
                    "workspace: TrigLab writes only inside its workspace (replace the link with a folder)"
                )
