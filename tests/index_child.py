"""Child process of the fault tests (tests/test_retrieval_manager.py): opens an index
with a slow HashingEncoder and adds a file, writing marker files so the parent knows when
to ``kill -9`` it.

    python tests/index_child.py INDEX SEEDS MODE [FILE]

MODE ``build``: open (builds the seeds folder; slow embedding).  ``add``: open, then add
FILE (slow embedding).  ``publish``: open, then add FILE, and stop for a minute inside
the publication, between its two renames (the live index moved aside, the new one not yet
in place): the worst moment for a crash.  Markers: ``INDEX/../embedding`` once a batch
is embedded, ``INDEX/../publishing`` at the pause.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrieval import atomic  # noqa: E402
from retrieval.encoder import HashingEncoder  # noqa: E402
from retrieval.index import IndexManager  # noqa: E402

DIM = 64


class SlowEncoder(HashingEncoder):
    """HashingEncoder(64) (the same model_id, so vectors are shared with the parent's) that
    sleeps after each batch once ``slow`` is set, and marks that it has embedded one."""

    def __init__(self, marker: Path, slow: bool) -> None:
        super().__init__(DIM)
        self.marker, self.slow = marker, slow

    def encode_passages(self, texts, batch_size=32, show_progress=False):
        out = super().encode_passages(texts)
        if self.slow:
            self.marker.touch()
            time.sleep(0.5)
        return out


def main() -> None:
    index, seeds, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    root = index.parent
    enc = SlowEncoder(root / "embedding", slow=mode in ("build", "add"))
    manager = IndexManager.open(index, seeds, enc)
    if mode == "build":
        return
    if mode == "publish":
        real_rename = os.rename
        calls = []

        def rename(a, b):
            real_rename(a, b)
            calls.append(b)
            if len(calls) == 1 and Path(b).name.startswith(".current.old-"):
                (root / "publishing").touch()
                time.sleep(60)

        atomic.os.rename = rename
    manager.add_files([Path(sys.argv[4])])


if __name__ == "__main__":
    main()
