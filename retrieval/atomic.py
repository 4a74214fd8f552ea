"""Atomic publication of a directory and the lock that serialises its writers.

One implementation for everything the project writes as a whole directory (the search
index's ``current/``, the converted embedding model):

* ``file_lock(path)``: an exclusive ``flock`` on ``path`` (threads and processes queue up;
  the kernel releases it when the holder dies, even on ``kill -9``).
* ``new_temp_dir(target)``: a fresh sibling ``.<name>.tmp-<random>/`` to build into.
* ``replace_dir(tmp, target)``: ``target`` → ``.<name>.old-<random>`` then ``tmp`` →
  ``target`` (two ``rename`` calls on one filesystem), then the old copy is deleted.  A
  reader opening ``target`` sees the old or the new directory, never a mix; a crash
  between the two renames (microseconds) leaves ``target`` missing and the old copy
  beside it, which ``recover_dir`` moves back.
* ``recover_dir(target)``: put back an interrupted swap and delete leftover temp and old
  directories.  Call it while holding the writers' lock (a temp directory of a live
  writer would otherwise be deleted under it).
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import uuid
from pathlib import Path
from typing import Iterator


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created, with its folder, if missing)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


@contextlib.contextmanager
def try_file_lock(path: Path) -> Iterator[bool]:
    """Like ``file_lock`` but never waits: yields True when the lock was taken (and holds
    it for the block), False when another holder has it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _siblings(target: Path, kind: str) -> list[Path]:
    return sorted(target.parent.glob(f".{target.name}.{kind}-*"))


def new_temp_dir(target: Path) -> Path:
    """A new empty directory ``.<target name>.tmp-<random>`` beside ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:12]}"
    tmp.mkdir()
    return tmp


def replace_dir(tmp: Path, target: Path) -> None:
    """Make the complete directory ``tmp`` the new ``target`` (see the module docstring).

    ``target`` may be missing, a directory or a symlink (the link is replaced).
    """
    tmp, target = Path(tmp), Path(target)
    old = None
    if target.exists() or target.is_symlink():
        old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:12]}"
        os.rename(target, old)
    os.rename(tmp, target)
    if old is not None:
        if old.is_symlink():
            old.unlink()
        else:
            shutil.rmtree(old, ignore_errors=True)


def recover_dir(target: Path, is_complete=lambda p: True) -> list[Path]:
    """Undo an interrupted ``replace_dir`` and clean up; returns the paths removed.

    When ``target`` is missing and an old copy that ``is_complete`` exists, the newest one
    becomes ``target`` again.  Then every ``.<name>.tmp-*`` and ``.<name>.old-*`` sibling is
    deleted.
    """
    target = Path(target)
    if not target.parent.is_dir():
        return []
    if not (target.exists() or target.is_symlink()):
        olds = [p for p in _siblings(target, "old") if is_complete(p)]
        if olds:
            newest = max(olds, key=lambda p: p.lstat().st_mtime)
            os.rename(newest, target)
    removed = []
    for p in _siblings(target, "tmp") + _siblings(target, "old"):
        if p.is_symlink() or p.is_file():
            p.unlink()
        else:
            shutil.rmtree(p, ignore_errors=True)
        removed.append(p)
    return removed
