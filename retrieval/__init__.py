"""Embedding model, index build/load, dense + BM25 search, fusion.

Importing this package sets ``OMP_WAIT_POLICY=PASSIVE`` (unless already set) before torch or
FAISS start their OpenMP runtime: with OpenMP's default busy-waiting, embedding one query took
~1 s instead of ~35 ms whenever another process shared the 2 cores (BENCHMARKS.md), and batch
embedding was not slower with it.
"""
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
