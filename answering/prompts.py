"""Loading the prompt templates of ``prompts/`` (answer, condense, refusal texts).

Templates are plain text files with ``{name}`` placeholders filled by ``str.format``-like
substitution that only touches the named placeholders (other braces in a template survive).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parents[1] / "prompts"


@lru_cache(maxsize=16)
def load_prompt(name: str) -> str:
    """Text of ``prompts/<name>.txt``. Raises FileNotFoundError naming the path."""
    path = PROMPTS_DIR / f"{name}.txt"
    if not path.is_file():
        raise FileNotFoundError(f"prompt template not found: {path}")
    return path.read_text(encoding="utf-8")


def fill(template: str, **values: str) -> str:
    """Replace ``{key}`` for each given key; unknown braces are left as they are."""
    def repl(m: re.Match) -> str:
        k = m.group(1)
        return str(values[k]) if k in values else m.group(0)

    return re.sub(r"\{(\w+)\}", repl, template)


@lru_cache(maxsize=1)
def _refusals() -> dict[str, str]:
    out: dict[str, str] = {}
    key = None
    lines: list[str] = []
    for line in load_prompt("refusal").splitlines() + ["[end]"]:
        if line.startswith("#"):
            continue
        m = re.fullmatch(r"\[([\w.]+)\]\s*", line)
        if m:
            if key:
                out[key] = "\n".join(lines).strip()
            key, lines = m.group(1), []
        elif key:
            lines.append(line)
    return out


def refusal_text(lang: str, kind: str = "no_evidence") -> str:
    """The refusal/notice text for ``lang`` ("zh" or "en"; others fall back to "en") and
    ``kind`` ("no_evidence", "empty" or "no_content"). Raises ValueError for an unknown kind."""
    texts = _refusals()
    key = f"{lang if lang in ('zh', 'en') else 'en'}.{kind}"
    if key not in texts:
        raise ValueError(f"unknown refusal kind {kind!r} (prompts/refusal.txt has {sorted(texts)})")
    return texts[key]
