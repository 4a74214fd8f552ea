"""Run a test set through the chat's pipeline and write the report.

For every case and every search mode:

1. **Answer** (unless ``answers=False``): ``answering.pipeline.Assistant.ask(question,
   history, top_k=top_k, mode=mode)`` - the very call the chat makes - gives the answer text, its
   citations, the refusal flag, the condensed query (``Answer.query``) and the latency
   (``Answer.timings["total"]``, ms).
2. **Retrieve** for the retrieval metrics: ``Retriever.search(query, top_k=10, mode=mode)`` with
   the same condensed query (retrieval-only runs condense with
   ``answering.condense.condense``, the chat's rule-based condenser).  Metrics are computed
   on this depth-10 list, not on the k passages the answer was built from, so Recall@10 is
   defined whatever k is; the top k of both lists are the same passages (same query, same
   mode).  Retrieval-only latency is this search's wall time (ms).  One unmeasured
   warm-up query runs first (model loading is not per-question latency).

Retrieval metrics: article level for every case with gold articles (the ranked passage
list mapped to article ids, an article ranked at its best passage); passage level for
cases whose gold passages are known (SQuAD sets: the passages holding an answer start;
hand-written sets: the passages overlapping the ``evidence`` quote).

Outputs in ``out_dir``: ``results.jsonl`` (one line per case per mode), ``metrics.json``
(aggregates per mode + the configuration), ``report.md`` (tables, per-tag breakdown, failed
cases) and ``recall_at_k.png`` (Recall@k per mode).
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from evaluation import metrics as M
from evaluation.squadfile import (ConversionStats, HoldoutSplit, holdout_entries, holdout_half, read_squad_json,
                                  to_simplified, write_squad_json)
from evaluation.testset import (TestCase, evidence_passages, load_testset,
                                resolve_gold_articles, squad_testset)
from retrieval.types import SearchMode

REPO = Path(__file__).resolve().parents[1]
MODES = tuple(m.value for m in SearchMode)
SCRIPTS = ("original", "simplified")
#: ``question_script`` values: the questions as written, or converted by OpenCC
QUESTION_SCRIPTS = ("original", "simplified", "traditional")
QUESTION_SETS = ("all", "reader-val", "reader-val-unindexed")
SAMPLE_SEED = 0  # salt of --sample's id hash (any fixed value: the draw must repeat)
DEPTH = 10


@dataclass
class RunConfig:
    """Settings of one evaluation run.

    Attributes:
        testset: JSON Lines test set, or a SQuAD-format ``.json`` (then it is the corpus too).
        out_dir: where the report files go (created).
        corpus: seeds directory or SQuAD ``.json``; None -> ``<repo>/seeds`` (with the app's
            index ``<repo>/index`` when the encoder is the default e5), or the SQuAD test set.
        modes: search modes to compare (subset of hybrid, dense, bm25).
        top_k: passages handed to the answerer (the chat's default 5); also the cut-off of the
            "failed case" rule in retrieval-only runs.
        answers: False -> retrieval only (no Assistant).
        llm: LLM spec for the generative answerer (None = extractive).
        model: encoder spec for ``retrieval.embedder.load_encoder`` (None = e5).
        limit: evaluate only the first N cases.
        gate: keyword arguments for ``answering.gate.EvidenceGate`` (None = its defaults).
        fusion: the ``retrieval.fusion.FusionConfig`` the Retriever is built with (None =
            its default).
        store: search backend, ``"faiss"`` (embedded) or ``"milvus"``; milvus_uri: its URI
            (None: the milvus-lite file ``<index>/milvus.db``).
        show_progress: tqdm bar on stderr.
        holdout_half: SQuAD test set only: index half of its articles
            (``evaluation.squadfile.HOLDOUT_RULE``) and ask the questions of both halves;
            those about a held-out article are unanswerable (tags ``held-out``,
            ``unanswerable``), the others keep their answers (tag ``indexed``).
        script: ``"original"``, or ``"simplified"`` (SQuAD test set only): convert the file
            to Simplified Chinese (``evaluation.squadfile.to_simplified``) before the run.
        question_script: ``"original"``, ``"simplified"`` or ``"traditional"``: ask every
            question, and the user turns of a follow-up's history, converted to that script
            (``text.fold.to_script``, OpenCC) over the unchanged corpus: a Traditional
            question over Simplified news, or the reverse. Answers and gold stay as written
            (every match is by match key, which folds the script).
        sample: evaluate N cases spread over the whole set (:func:`spread_sample`: chosen
            by a hash of their id, kept in file order), instead of the first N (``limit``).
        reader: answer with the trained span reader (the default, as in the app; it loads
            only with the e5 encoder); False (``--reader off``): sentence answers only.
        questions: ``"all"``, or ``"reader-val"`` (the CMRC or DRCD file the reader is
            trained on only): ask only the questions about the reader's validation articles
            (``reader.data.val_articles``, never trained on), over the whole file's corpus:
            the open-domain validation figures of the reader (issue #10); or
            ``"reader-val-unindexed"``: the same questions over the corpus WITHOUT those
            articles, so every one must be refused (tags ``held-out``, ``unanswerable``):
            the reader's clean no-answer test.
        progress: optional callback ``progress(done, total, mode)`` after each case (the web
            page's progress bar); ``done`` counts case-mode pairs, ``total`` = cases x modes.
    """

    testset: Path
    out_dir: Path
    corpus: Path | None = None
    modes: tuple[str, ...] = ("hybrid",)
    top_k: int = 5
    answers: bool = True
    llm: str | None = None
    model: str | None = None
    limit: int | None = None
    gate: dict[str, float] | None = None
    fusion: Any = None
    store: str = "faiss"
    milvus_uri: str | None = None
    show_progress: bool = True
    holdout_half: bool = False
    script: str = "original"
    question_script: str = "original"
    sample: int | None = None
    progress: Callable[[int, int, str], None] | None = None
    reader: bool = True
    questions: str = "all"

    def validate(self) -> None:
        """Raise ValueError for a bad setting (names it)."""
        if not self.modes:
            raise ValueError("modes: give at least one of hybrid, dense, bm25")
        bad = [m for m in self.modes if m not in MODES]
        if bad:
            raise ValueError(f"modes: unknown {bad}; valid: {', '.join(MODES)}")
        if len(set(self.modes)) != len(self.modes):
            raise ValueError(f"modes: repeated mode in {list(self.modes)}")
        if not isinstance(self.top_k, int) or self.top_k < 1:
            raise ValueError(f"top_k must be a positive integer, got {self.top_k!r}")
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"limit must be >= 1, got {self.limit}")
        if not Path(self.testset).exists():
            raise ValueError(f"testset: {self.testset} does not exist")
        if self.corpus is not None and not Path(self.corpus).exists():
            raise ValueError(f"corpus: {self.corpus} does not exist")
        if self.sample is not None and self.sample < 1:
            raise ValueError(f"sample must be >= 1, got {self.sample}")
        if self.sample is not None and self.limit is not None:
            raise ValueError("give limit (the first N cases) or sample (N spread cases), not both")
        if self.script not in SCRIPTS:
            raise ValueError(f"script: unknown {self.script!r}; valid: {', '.join(SCRIPTS)}")
        if self.question_script not in QUESTION_SCRIPTS:
            raise ValueError(f"question_script: unknown {self.question_script!r}; "
                             f"valid: {', '.join(QUESTION_SCRIPTS)}")
        if self.questions not in QUESTION_SETS:
            raise ValueError(f"questions: unknown {self.questions!r}; valid: {', '.join(QUESTION_SETS)}")
        if self.questions != "all":
            from reader.data import source_of

            if not _is_squad(Path(self.testset)) or source_of(self.testset) is None:
                raise ValueError(f"questions {self.questions} needs the CMRC 2018 trial or DRCD test "
                                 f"file the reader is trained on, got {self.testset}")
            if self.holdout_half:
                raise ValueError(f"questions {self.questions} and holdout_half cannot be combined "
                                 "(the held-out half renumbers the articles)")
        if self.holdout_half or self.script != "original":
            what = "holdout_half" if self.holdout_half else f"script {self.script}"
            if not _is_squad(Path(self.testset)):
                raise ValueError(f"{what} needs a SQuAD-format .json test set, got {self.testset}")
            if self.corpus is not None and Path(self.corpus).resolve() != Path(self.testset).resolve():
                raise ValueError(f"{what}: the SQuAD test set is the corpus; do not give another corpus")


def _is_squad(path: Path | None) -> bool:
    return path is not None and path.is_file() and path.suffix.lower() == ".json"


def _default_model(spec: str | None) -> bool:
    return spec is None or spec.strip().lower() in ("", "e5")


def prepare_corpus(cfg: RunConfig) -> tuple[Path, Path, Path | None]:
    """Decide ``(seeds_dir, index_dir, squad_file)`` for the run.

    * no corpus, JSONL test set: ``<repo>/seeds``; index ``<repo>/index`` for the default
      encoder, else ``<out>/index`` (never overwrite the app's index with another model);
    * a SQuAD ``.json`` (as corpus, or as the test set without a corpus): copied alone into
      ``<out>/corpus/`` (its directory may hold other files, e.g. a LICENCE.txt, that must
      not become articles), index cached in ``<out>/index`` (rebuilt only when stale);
    * a directory: used as is, index in ``<out>/index``.
    Raises ValueError for any other corpus path.
    """
    out = Path(cfg.out_dir)
    corpus = Path(cfg.corpus) if cfg.corpus is not None else None
    if corpus is None and _is_squad(Path(cfg.testset)):
        corpus = Path(cfg.testset)
    if corpus is None:
        seeds = REPO / "seeds"
        index = REPO / "index" if _default_model(cfg.model) else out / "index"
        return seeds, index, None
    if _is_squad(corpus):
        cdir = out / "corpus"
        cdir.mkdir(parents=True, exist_ok=True)
        dst = cdir / corpus.name
        for other in cdir.iterdir():
            if other != dst:
                raise ValueError(f"{cdir} holds {other.name}: use another --out for another corpus")
        if not dst.exists() or dst.read_bytes() != corpus.read_bytes():
            shutil.copyfile(corpus, dst)
        return cdir, out / "index", dst
    if corpus.is_dir():
        return corpus, out / "index", None
    raise ValueError(f"corpus: {corpus} is neither a seeds directory nor a SQuAD .json file")


@dataclass(frozen=True)
class SquadVariant:
    """The derived SQuAD file(s) a run indexes and asks (``holdout_half`` / ``script``).

    Attributes:
        indexed: the file that becomes the corpus (all articles, or the indexed half).
        held_out: the held-out half (its questions are asked, its articles not indexed).
        split: sizes of the held-out split; None without ``holdout_half``.
        conversion: what the Simplified conversion did to the answers; None without it.
        order: question ids in the original file's order (cases of both halves are
            merged back into it, so a ``limit`` or ``sample`` covers both halves alike).
    """

    indexed: Path
    held_out: Path | None
    split: HoldoutSplit | None
    conversion: ConversionStats | None
    order: tuple[str, ...]


def derive_squad(cfg: RunConfig) -> SquadVariant | None:
    """Write the derived SQuAD files of the run under ``<out>/variant/`` (None when neither
    ``holdout_half`` nor a ``script`` conversion is asked).  Files are rewritten only when
    their content changes, so the cached index stays fresh across runs.

    Raises:
        ValueError: the SQuAD file is invalid, or has fewer than 2 articles for a split.
    """
    if not cfg.holdout_half and cfg.script == "original" and cfg.questions != "reader-val-unindexed":
        return None
    src = Path(cfg.testset)
    obj = read_squad_json(src)
    conversion = None
    if cfg.script == "simplified":
        obj, conversion = to_simplified(obj)
    order = tuple(str(q.get("id")) for e in obj["data"] for p in e["paragraphs"]
                  for q in (p.get("qas") or []) if isinstance(q, dict))
    vdir = Path(cfg.out_dir) / "variant"
    indexed = vdir / src.name
    held_path, split = None, None
    if cfg.holdout_half or cfg.questions == "reader-val-unindexed":
        if cfg.holdout_half:
            kept, held, split = holdout_half(obj)
        else:
            from reader.data import source_of, val_articles

            val = {int(a.rsplit(":", 1)[1].split("#")[0]) for a in val_articles(source_of(src), src)}
            kept, held, split = holdout_entries(obj, val, "the span reader's validation articles "
                                                          "(reader.data.val_articles) held out")
        write_squad_json(kept, indexed)
        held_path = vdir / "held-out" / src.name
        write_squad_json(held, held_path)
    else:
        write_squad_json(obj, indexed)
    return SquadVariant(indexed=indexed, held_out=held_path, split=split,
                        conversion=conversion, order=order)


def held_out_cases(path: Path, skipped: list[str] | None = None) -> list[TestCase]:
    """Unanswerable cases from the questions of a held-out SQuAD half (their articles are
    not in the index): ``answers=()``, tags ``squad``, ``held-out``, ``unanswerable``.
    Blank questions are left out (ids appended to ``skipped``)."""
    from corpus.squad import load_squad_questions

    out: list[TestCase] = []
    for q in load_squad_questions(path):
        if not q.question.strip():
            if skipped is not None:
                skipped.append(str(q.id))
            continue
        out.append(TestCase(id=str(q.id), question=q.question,
                            tags=("squad", "held-out", "unanswerable")))
    return out


def spread_sample(cases: Sequence[TestCase], n: int, seed: int = SAMPLE_SEED) -> list[TestCase]:
    """The ``n`` cases with the smallest ``sha1(f"{seed}:{case.id}")``, kept in file order
    (all of them when ``n >= len``).

    Deterministic and spread over the whole file.  A case is chosen by its own id, not by
    its position, so two runs over variants of one file (Traditional and its Simplified
    conversion, where a rare question may drop out of one) ask the same questions, and no
    fixed stride can fall in step with the file's structure (e.g. pick only the questions
    of even-numbered articles, which the held-out split indexes).
    """
    if n >= len(cases):
        return list(cases)
    def key(i: int) -> bytes:
        return hashlib.sha1(f"{seed}:{cases[i].id}".encode("utf-8")).digest()

    picked = sorted(sorted(range(len(cases)), key=key)[:n])
    return [cases[i] for i in picked]


def reader_val_cases(cases: Sequence[TestCase], testset: Path) -> list[TestCase]:
    """The cases whose gold article is in the span reader's validation split of
    ``testset`` (matched by the article's position in the file: ``<stem>:<i>#1``)."""
    from reader.data import source_of, val_articles

    keep = {a.rsplit(":", 1)[-1] for a in val_articles(source_of(testset), testset)}
    return [c for c in cases if any(g.rsplit(":", 1)[-1] in keep for g in c.gold_articles)]


def load_cases(cfg: RunConfig, corpus_obj: Any, squad_file: Path | None,
               skipped: list[str] | None = None,
               variant: SquadVariant | None = None) -> list[TestCase]:
    """The run's cases: SQuAD questions when the test set is a ``.json`` (blank questions
    left out, their ids appended to ``skipped``), else the JSONL set; with a ``variant``
    holding a held-out half, its questions too (unanswerable; the answerable ones tagged
    ``indexed``), both merged back into the original file order; then cut to
    ``cfg.limit`` (the first N) or ``cfg.sample`` (N spread cases, :func:`spread_sample`)."""
    if _is_squad(Path(cfg.testset)) and cfg.questions == "reader-val-unindexed" and variant is not None:
        cases = held_out_cases(variant.held_out, skipped)  # only the unindexed val questions
    elif _is_squad(Path(cfg.testset)):
        src = squad_file if squad_file is not None else Path(cfg.testset)
        cases = squad_testset(src, corpus_obj, skipped)
        if variant is not None and variant.held_out is not None:
            cases = [replace(c, tags=c.tags + ("indexed",)) for c in cases]
            cases += held_out_cases(variant.held_out, skipped)
            pos = {qid: i for i, qid in enumerate(variant.order)}
            cases.sort(key=lambda c: pos.get(c.id, len(pos)))
    else:
        cases = load_testset(cfg.testset)
    if cfg.questions == "reader-val":
        cases = reader_val_cases(cases, Path(cfg.testset))
    if cfg.question_script != "original":
        cases = [_in_script(c, cfg.question_script) for c in cases]
    if cfg.sample:
        return spread_sample(cases, cfg.sample)
    return cases[: cfg.limit] if cfg.limit else cases


def _in_script(case: TestCase, script: str) -> TestCase:
    """``case`` with its question and its history's user turns in ``script`` (OpenCC)."""
    from text.fold import to_script

    return replace(case, question=to_script(case.question, script),
                   history=tuple((to_script(u, script), a) for u, a in case.history))


def _citation_rows(answer: Any, passage_text: dict[str, str], case: TestCase) -> list[dict]:
    rows = []
    for c in answer.citations:
        text = passage_text.get(c.passage_id, "")
        correct = (M.passage_supports(text, case.answers, case.evidence)
                   if case.answerable and text else False)
        rows.append({"number": c.number, "passage_id": c.passage_id, "article_id": c.article_id,
                     "title": c.title,
                     "support": round(float(c.support), 4), "correct": correct})
    return rows


def _gate_signals(answer: Any) -> dict | None:
    """The evidence gate's trace as the Answer carries it (``Answer.decision``: every rule's
    value and threshold), for threshold tuning; None when no search ran."""
    d = getattr(answer, "decision", None)
    if d is None:
        return None
    out = {"gate_answerable": bool(d.answerable), "gate_reason": d.reason}
    for r in d.rules:
        out[r.name] = r.value
    return out


def evaluate_case(case: TestCase, mode: str, retriever: Any, assistant: Any | None,
                  gold_articles: list[str], gold_passages: list[str], top_k: int,
                  passage_text: dict[str, str]) -> dict[str, Any]:
    """Run one case in one mode; returns its results.jsonl row (see module docstring)."""
    from answering.condense import condense

    row: dict[str, Any] = {"mode": mode, "id": case.id, "question": case.question,
                           "tags": list(case.tags), "answerable": case.answerable,
                           "answers": list(case.answers), "gold_articles": gold_articles,
                           "gold_passages": gold_passages}
    history = [tuple(t) for t in case.history]
    answer = None
    if assistant is not None:
        t0 = time.perf_counter()
        answer = assistant.ask(case.question, history=history, top_k=top_k, mode=mode)
        wall = (time.perf_counter() - t0) * 1000.0
        query = answer.query or case.question
        row["latency_ms"] = float(answer.timings.get("total", wall))
    else:
        query = condense(case.question, history).text or case.question
    t0 = time.perf_counter()
    hits = retriever.search(query, top_k=DEPTH, mode=mode)
    search_ms = (time.perf_counter() - t0) * 1000.0
    if answer is None:
        row["latency_ms"] = search_ms
    row["query"] = query
    ranked_p = [h.passage.id for h in hits]
    ranked_a = M.dedupe(h.passage.article_id for h in hits)
    row["retrieved"] = ranked_p
    row["retrieved_articles"] = ranked_a
    row["top_hit"] = ({"score": hits[0].score, "dense_score": hits[0].dense_score,
                       "bm25_score": hits[0].bm25_score} if hits else None)
    row["article_metrics"] = M.retrieval_scores(ranked_a, gold_articles) if gold_articles else None
    row["passage_metrics"] = M.retrieval_scores(ranked_p, gold_passages) if gold_passages else None
    if answer is not None:
        row["answer"] = answer.text
        row["refused"] = bool(answer.refused)
        row["citations"] = _citation_rows(answer, passage_text, case)
        row["unsupported"] = list(answer.unsupported)
        ok = [c.number for c in answer.citations]
        row["sentences"] = list(M.supported_sentence_share(answer.text, ok)) if not answer.refused else [0, 0]
        if case.answerable:
            pred = "" if answer.refused else answer.text
            # EM/F1 score the exact answer (the reader's span) when there is one, else the text
            short = answer.short_answer.text if (answer.short_answer and not answer.refused) else pred
            row["short_answer"] = answer.short_answer.text if answer.short_answer else None
            row["answer_metrics"] = {"em": M.exact_match(short, case.answers),
                                     "f1": M.char_f1(short, case.answers),
                                     "contains": M.contains_reference(pred, case.answers)}
        else:
            row["answer_metrics"] = None
        row["gate"] = _gate_signals(answer)
    return row


def refusal_by_tag(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Refusal figures of each tag's cases (rows with answers): the numbers of unanswerable
    and answerable cases, and ``evaluation.metrics.refusal_scores`` over them (refusal
    recall per kind of a must-refuse set; false refusals per tag of an answerable one)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if "refused" in r:
            for t in r["tags"] or ["(none)"]:
                groups.setdefault(t, []).append(r)
    out = {}
    for t in sorted(groups):
        rs = groups[t]
        scores = M.refusal_scores([r["refused"] for r in rs], [r["answerable"] for r in rs])
        out[t] = {"n_unanswerable": sum(1 for r in rs if not r["answerable"]),
                  "n_answerable": sum(1 for r in rs if r["answerable"]),
                  "refusal_recall": scores["refusal_recall"],
                  "false_refusal_rate": scores["false_refusal_rate"]}
    return out


def aggregate(rows: Sequence[dict[str, Any]], answers: bool) -> dict[str, Any]:
    """Metrics of one mode from its results rows (the definitions in ``evaluation.metrics``).

    Retrieval: macro means over the cases that have gold articles (resp. passages).
    Answers (answerable cases; a refusal scores 0): EM, F1, contains-reference.
    Citations: precision = correct cited passages / all cited passages, over answerable
    answered cases (micro); recall = answerable cases with >= 1 correct citation /
    answerable cases; supported-sentence share = answer sentences carrying a supported
    citation / all sentences of non-refused answers (micro).  Refusal metrics over all
    cases, and per tag (:func:`refusal_by_tag`); answered rate = cases not refused / all
    cases.  Latency percentiles over all cases (ms).
    """
    out: dict[str, Any] = {"n_cases": len(rows),
                           "n_answerable": sum(1 for r in rows if r["answerable"]),
                           "n_unanswerable": sum(1 for r in rows if not r["answerable"])}
    art = [r["article_metrics"] for r in rows if r.get("article_metrics")]
    pas = [r["passage_metrics"] for r in rows if r.get("passage_metrics")]
    out["n_article_gold"] = len(art)
    out["n_passage_gold"] = len(pas)
    out["article"] = M.mean_scores(art)
    out["passage"] = M.mean_scores(pas)
    if answers:
        ans_rows = [r for r in rows if r["answerable"]]
        am = [r["answer_metrics"] for r in ans_rows]
        out["answer"] = {key: (float(sum(a[key] for a in am) / len(am)) if am else None)
                         for key in ("em", "f1", "contains")}
        answered = [r for r in ans_rows if not r["refused"]]
        n_cited = sum(len(r["citations"]) for r in answered)
        n_correct = sum(sum(1 for c in r["citations"] if c["correct"]) for r in answered)
        n_rec = sum(1 for r in ans_rows if any(c["correct"] for c in r["citations"]))
        s_ok = sum(r["sentences"][0] for r in rows)
        s_all = sum(r["sentences"][1] for r in rows)
        out["citation"] = {"precision": M.safe_div(n_correct, n_cited),
                           "recall": M.safe_div(n_rec, len(ans_rows)),
                           "supported_sentence_share": M.safe_div(s_ok, s_all)}
        out["refusal"] = M.refusal_scores([r["refused"] for r in rows], [r["answerable"] for r in rows])
        out["answered_rate"] = M.safe_div(sum(1 for r in rows if not r["refused"]), len(rows))
        out["refusal_by_tag"] = refusal_by_tag(rows)
    out["latency"] = M.latency_percentiles([r["latency_ms"] for r in rows])
    return out


def _variant_config(cfg: RunConfig, variant: SquadVariant | None, testset: Path) -> dict[str, Any]:
    """The ``metrics.json`` config entries of the derived-file options (``testset`` is the
    file the user gave; the derived file the run indexed is ``variant_testset``)."""
    return {"testset": str(testset), "sample": cfg.sample, "script": cfg.script,
            "question_script": cfg.question_script, "questions": cfg.questions,
            "variant_testset": None if variant is None else str(variant.indexed),
            "holdout": None if variant is None or variant.split is None else variant.split.to_dict(),
            "conversion": None if variant is None or variant.conversion is None else variant.conversion.to_dict()}


def run(cfg: RunConfig) -> dict[str, Any]:
    """Run the evaluation described by ``cfg`` and write the four output files.

    Returns the ``metrics.json`` content.  Raises ValueError for bad settings or test
    sets (with the reason); corpus/index errors propagate from the retrieval layer.
    """
    cfg.validate()
    out = Path(cfg.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from retrieval.embedder import load_encoder
    from retrieval.searcher import Retriever

    variant = derive_squad(cfg)
    asked_testset = cfg.testset
    if variant is not None:  # the derived file is the corpus and the test set of the run
        cfg = replace(cfg, testset=variant.indexed, corpus=None)
    seeds_dir, index_dir, squad_file = prepare_corpus(cfg)
    encoder = load_encoder(cfg.model)
    t_open = time.perf_counter()
    retriever = Retriever.open(index_dir, seeds_dir=seeds_dir, encoder=encoder,
                               show_progress=cfg.show_progress, fusion=cfg.fusion, store_kind=cfg.store,
                               milvus_uri=cfg.milvus_uri)
    open_s = time.perf_counter() - t_open
    corpus = retriever.corpus
    skipped: list[str] = []
    cases = load_cases(cfg, corpus, squad_file, skipped, variant)
    if not cases:
        raise ValueError(f"testset: {cfg.testset} gives no case to evaluate")
    golds = []
    for c in cases:
        arts = resolve_gold_articles(c, corpus)
        golds.append((arts, evidence_passages(c, corpus, arts)))

    assistant = None
    if cfg.answers:
        from answering.pipeline import Assistant

        kwargs: dict[str, Any] = {}
        if cfg.gate:
            from answering.gate import EvidenceGate

            kwargs["gate"] = EvidenceGate(**cfg.gate)
        assistant = Assistant(retriever, llm=cfg.llm, reader="auto" if cfg.reader else None, **kwargs)

    passage_text = {p.id: p.text for p in corpus.passages}
    # Warm-up (not measured): the first call loads the model weights, jieba's dictionary
    # and the sentence cache, which would otherwise land in one case's latency.
    if cases:
        for mode in cfg.modes:
            retriever.search(cases[0].question, top_k=DEPTH, mode=mode)
        if assistant is not None:
            assistant.ask(cases[0].question, top_k=cfg.top_k, mode=cfg.modes[0])
    rows_by_mode: dict[str, list[dict]] = {m: [] for m in cfg.modes}
    total = len(cases) * len(cfg.modes)
    bar = None
    if cfg.show_progress:
        from tqdm import tqdm

        bar = tqdm(total=total, desc="evaluating", unit="case", file=sys.stderr)
    t_run = time.perf_counter()
    try:
        for mode in cfg.modes:
            for case, (arts, pas) in zip(cases, golds):
                rows_by_mode[mode].append(evaluate_case(case, mode, retriever, assistant, arts,
                                                        pas, cfg.top_k, passage_text))
                if bar is not None:
                    bar.set_postfix_str(mode)
                    bar.update(1)
                if cfg.progress is not None:
                    cfg.progress(sum(len(v) for v in rows_by_mode.values()), total, mode)
    finally:
        if bar is not None:
            bar.close()
    run_s = time.perf_counter() - t_run

    with (out / "results.jsonl").open("w", encoding="utf-8") as f:
        for mode in cfg.modes:
            for row in rows_by_mode[mode]:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    result = {
        "config": {"testset": str(cfg.testset), "corpus": str(seeds_dir), "index": str(index_dir),
                   "modes": list(cfg.modes), "top_k": cfg.top_k, "depth": DEPTH, "answers": cfg.answers,
                   "llm": cfg.llm, "encoder": getattr(encoder, "model_id", str(cfg.model)),
                   "limit": cfg.limit, "skipped_cases": skipped, "gate": cfg.gate, "fusion": retriever.fusion.to_dict(),
                   "store": retriever.backend.name,
                   "n_articles": len(corpus.articles), "n_passages": len(corpus.passages),
                   "index_open_s": round(open_s, 2), "run_s": round(run_s, 2)},
        "modes": {m: aggregate(rows_by_mode[m], cfg.answers) for m in cfg.modes},
    }
    result["config"].update(_variant_config(cfg, variant, asked_testset))
    (out / "metrics.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    from evaluation.report import write_chart, write_report

    write_chart(result, out / "recall_at_k.png")
    write_report(result, rows_by_mode, corpus, out / "report.md")
    return result
