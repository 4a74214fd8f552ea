"""Shared fixtures. Area-specific fixtures live in the area's own test files."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SEED_FILE = SEEDS / "000_a77ed823f95b9e33.txt"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def seed_file() -> Path:
    return SEED_FILE


@pytest.fixture()
def seeds(tmp_path, seed_file):
    """A seeds folder in ``tmp_path`` holding a copy of the seed page (the index tests
    that add and remove documents write into it)."""
    d = tmp_path / "seeds"
    d.mkdir()
    shutil.copy(seed_file, d / seed_file.name)
    return d


@pytest.fixture(scope="session")
def hashing_encoder():
    from retrieval.encoder import HashingEncoder

    return HashingEncoder(dim=256)


@pytest.fixture(scope="session")
def milvus_lite_dir(tmp_path_factory):
    """A directory for milvus-lite files, after checking milvus-lite starts here (skips the
    test with the reason when pymilvus/milvus-lite is missing or cannot start)."""
    d = tmp_path_factory.mktemp("milvus")
    try:
        from pymilvus import MilvusClient

        client = MilvusClient(str(d / "probe.db"))
        client.list_collections()
        client.close()
    except Exception as e:  # any failure to start means: skip, naming it
        pytest.skip(f"milvus-lite cannot start here: {type(e).__name__}: {e}")
    return d


#: Debian Chromium and the flags this machine needs (DESIGN.md); shared by the browser tests.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium "
                    "(run `make browser-deps` as root: apt-get install chromium fonts-wqy-microhei)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
