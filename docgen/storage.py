"""Where artifacts live: a small interface over keys like ``batches/<id>/archive.zip``.

The default is a directory (ARTIFACTS_DIR, default DATA_DIR), which may be a mount shared by every web
process and worker. Every write is atomic: the bytes go to a temporary file beside the target, are flushed
to disk and renamed over it, so a reader (or a restart after a kill) sees either nothing or the whole file.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol
from collections.abc import Iterator

from docgen.config import Settings


class Storage(Protocol):
    """What batches need from an artifact store."""

    def write(self, key: str, content: bytes) -> None: ...
    def writer(self, key: str) -> contextlib.AbstractContextManager[BinaryIO]: ...
    def read(self, key: str) -> bytes: ...
    def reader(self, key: str) -> contextlib.AbstractContextManager[BinaryIO]: ...
    def exists(self, key: str) -> bool: ...
    def local_path(self, key: str) -> Path: ...
    def keys(self, prefix: str) -> list[str]: ...
    def delete(self, key: str) -> None: ...
    def delete_prefix(self, prefix: str) -> None: ...


class DirectoryStorage:
    """Artifacts as files under one root folder."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def local_path(self, key: str) -> Path:
        """Return the file of a key (keys are relative POSIX paths without '..')."""
        parts = PurePosixPath(key).parts
        if not parts or key.startswith("/") or ".." in parts:
            raise ValueError(f"bad storage key {key!r}")
        return self.root.joinpath(*parts)

    @contextlib.contextmanager
    def writer(self, key: str) -> Iterator[BinaryIO]:
        """Yield a file to write; it appears under `key` only when the block ends without an error."""
        path = self.local_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            with open(tmp, "wb") as out:
                yield out
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def write(self, key: str, content: bytes) -> None:
        with self.writer(key) as out:
            out.write(content)

    def read(self, key: str) -> bytes:
        return self.local_path(key).read_bytes()

    def reader(self, key: str) -> contextlib.AbstractContextManager[BinaryIO]:
        """Return a key's file opened to read (seekable: a large file is read as it is used, never whole)."""
        return open(self.local_path(key), "rb")

    def exists(self, key: str) -> bool:
        return self.local_path(key).is_file()

    def keys(self, prefix: str) -> list[str]:
        """Return the keys under a folder-like prefix (temporary files excluded)."""
        folder = self.local_path(prefix)
        if not folder.is_dir():
            return []
        return sorted(p.relative_to(self.root).as_posix() for p in folder.rglob("*")
                      if p.is_file() and not p.name.endswith(".tmp"))

    def delete(self, key: str) -> None:
        self.local_path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> None:
        shutil.rmtree(self.local_path(prefix), ignore_errors=True)


def from_settings(settings: Settings) -> Storage:
    """Return the artifact store the settings name (ARTIFACTS_DIR, default DATA_DIR)."""
    return DirectoryStorage(settings.artifacts_dir)
