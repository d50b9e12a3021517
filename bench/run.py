"""Scale benchmark: `python bench/run.py [--docs 200] [--big 2000] [--triples 1000000] [--only PART]`.

Prints each target of issue 6 as a ratio measured side by side in this one run:

- build / bare spaCy pipeline (same components, same paragraph texts, pipeline already
  loaded and warmed up for both) on the seeds and on a `--docs` corpus: `--repeat` rounds
  of the two back to back, the median of the rounds' ratios (of wall-clock seconds; the
  ratio of CPU seconds follows: where the two part, the build waited, on the disk or for
  the cores, rather than computed more);
- `--jobs 2` speed-up over `--jobs 1` on the `--docs` corpus (each a fresh process, the
  `kg.build` call timed, pipeline loading included, the best of two);
- incremental rebuild after changing 1 document, and with nothing changed, over the full
  build (each a fresh process, the `kg.build` call timed): `--repeat` rounds of the three,
  the median of the rounds' ratios;
- peak memory (max RSS of a fresh process) building `--big` documents over `--docs`;
- `--executor dask` throughput on the `--docs` corpus with each of `--workers` Dask
  workers (a local cluster per count, started before the clock; for reference, with a
  table: documents per second, speed-up over the fewest workers, extraction and assembly);
- saved-query latency, median over `ontology/queries/*.rq` with their default parameters,
  on a graph of `--triples` triples (the seed graph replicated under renamed IRIs), in a
  fresh process: the Oxigraph store in memory (through `KnowledgeGraph.query`, and queried
  directly) against rdflib's in-memory engine (a plain `Graph` of the same triples, through
  `KnowledgeGraph.query`), each rdflib query run once and stopped past
  `--budget` seconds (reported as a bound); a table per query follows the summary. Each
  engine runs the same text: the query's first page as `kg query --saved` asks for it
  (parameters bound, `LIMIT` of `PAGE_SIZE` + 1 rows, ordered as the query says); the
  table also gives the store's time for the whole answer (`--limit 0`), and the same
  store's on disk, opened read-only as `kg query` and `kg serve` open a built one.

`--only PART` (repeatable) runs only some parts: speed, jobs, incremental, memory, dask,
queries; e.g. `python bench/run.py --only queries`, or on a larger machine
`python bench/run.py --only dask --workers 1,2,4,8,16 --docs 1000`. Corpora come from
`bench/make_corpus.py` (seeded). Work files go to a temporary folder.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


# ---- children: each measurement that needs a fresh process runs `run.py --child ...` ----

def child_build(corpus: str, out: str, jobs: int, full: bool) -> dict:
    """Time one `kg.build` call (imports done first) and report the process's peak memory."""
    from kg import build  # imports the pipeline's modules (spaCy): not part of the time

    started = time.perf_counter()
    graph = build([corpus], out, jobs=jobs, full=full)
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss = max(rss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {"seconds": seconds, "extracted": graph.summary.extracted, "triples": graph.summary.triples,
            "max_rss_mb": rss / 1024}


def child_speed(corpus: str, out: str, repeat: int) -> dict:
    """Build times and bare-pipeline times on the same texts, in `repeat` rounds.

    The pipeline first parses every text once, untimed, so neither side pays for growing
    its vocabulary. Each round then runs the two back to back, each going first in every
    other round: a shared machine's speed drifts by a third over a minute, and the two runs
    of one round see nearly the same machine, so their ratio is compared, not the best
    time of each, which may come from rounds far apart.
    """
    from kg import build
    from kg.executors import BATCH_SIZE
    from kg.extract import _paragraph_text
    from kg.ingest import read_documents
    from kg.nlp import load_pipeline
    from stages import cpu_seconds

    nlp = load_pipeline()
    documents = read_documents([corpus])
    texts = [_paragraph_text(d, p) for d in documents for p in d.paragraphs]
    deque(nlp.pipe(texts, batch_size=BATCH_SIZE), maxlen=0)  # warm up

    def timed(run: Callable[[], object], wall: list[float], cpu: list[float]) -> None:
        started, started_cpu = time.perf_counter(), cpu_seconds()
        run()
        wall.append(time.perf_counter() - started)
        cpu.append(cpu_seconds() - started_cpu)

    def bare_run() -> None:
        timed(lambda: deque(nlp.pipe(texts, batch_size=BATCH_SIZE), maxlen=0), bare_times, bare_cpu)

    def build_run() -> None:
        timed(lambda: build([corpus], out, full=True), build_times, build_cpu)

    bare_times, build_times, bare_cpu, build_cpu = [], [], [], []
    for round_ in range(repeat):
        for run in (build_run, bare_run) if round_ % 2 else (bare_run, build_run):
            run()
    return {"bare": bare_times, "build": build_times, "bare_cpu": bare_cpu, "build_cpu": build_cpu,
            "paragraphs": len(texts)}


def child_dask(corpus: str, out: str, workers: int, repeat: int) -> dict:
    """Full builds with `--executor dask` on a `LocalCluster` of `workers` single-threaded
    worker processes, the best of `repeat`.

    The cluster is started, and every worker has loaded the pipeline, before the clock
    starts: a long-lived cluster serves many builds. Each build is split at the moment the
    last document's facts came back: extraction on the workers before it, the graph's
    assembly and writing in this process after it.
    """
    from distributed import Client, LocalCluster

    from kg import build
    from kg.dask_executor import LoadPipeline

    started = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    client.register_plugin(LoadPipeline())  # each worker loads the pipeline now, not in the first build
    cluster_s = time.perf_counter() - started
    runs = []
    try:
        for _ in range(repeat):
            arrived: list[float] = []
            started = time.perf_counter()
            graph = build([corpus], out, full=True, executor="dask", scheduler=cluster.scheduler_address,
                          progress=lambda *_: arrived.append(time.perf_counter()))
            seconds = time.perf_counter() - started
            runs.append({"seconds": seconds, "extraction": arrived[-1] - started,
                         "documents": graph.summary.documents, "triples": graph.summary.triples})
    finally:
        client.close()
        cluster.close()
    return {**_fastest(runs), "workers": workers, "cluster_s": cluster_s}


def run_child(*args: str, progress: bool = False) -> dict:
    """Run `run.py --child ARGS` in a fresh process; its last line of output is JSON.
    With `progress`, what the child prints on stderr shows as it goes."""
    done = subprocess.run([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE,
                          stderr=None if progress else subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{(done.stderr or '')[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---- the query benchmark ----

def replicated_quads(source_store: Path, target: int) -> list:
    """The quads of a built store, copied under renamed IRIs until there are `target` triples.

    Countries (and the ontology) keep their IRIs, so copies share them as real corpora do;
    every fact, document, mention, person and organization gets new IRIs in each copy. A quad
    between kept terms only (a country's label) is not copied: a real corpus states it once,
    and a copy in another named graph would count twice in a union default graph that keeps
    duplicates (Oxigraph's does), though rdflib's merges them. Every quad is a distinct triple.
    """
    import pyoxigraph as ox

    from kg.namespace import ID

    base = list(ox.Store.read_only(str(source_store)))
    keep = (f"{ID}country/", f"{ID}graph/ontology")

    def rename(term, k):
        if isinstance(term, ox.NamedNode) and term.value.startswith(str(ID)) and not term.value.startswith(keep):
            return ox.NamedNode(f"{ID}copy{k}/{term.value[len(str(ID)):]}")
        if isinstance(term, ox.BlankNode):
            return ox.BlankNode(f"{term.value}c{k}")
        return term

    quads, shared, k = [], set(), 0
    while len(quads) < target:
        for q in base:
            s0, o0 = q.subject, q.object
            subject, obj = rename(s0, k), rename(o0, k)
            if subject is s0 and obj is o0:  # nothing of this copy in it
                if q.triple in shared:
                    continue
                shared.add(q.triple)
                quads.append(q)
            else:
                quads.append(ox.Quad(subject, q.predicate, obj, rename(q.graph_name, k)))
        k += 1
    return quads


def rdflib_graph(quads: list):
    """rdflib's in-memory engine holding the union of `quads` (a plain `Graph`, terms shared)."""
    from oxrdflib._converter import from_ox
    from rdflib import Graph

    graph, terms = Graph(), {}

    def term(t):
        found = terms.get(t)
        if found is None:
            found = terms[t] = from_ox(t)
        return found

    add = graph.add
    for q in quads:
        add((term(q.subject), term(q.predicate), term(q.object)))
    return graph


class _Budget(Exception):
    pass


def _timed(function, budget: float | None = None) -> tuple[float | None, object]:
    """Seconds `function` took and what it returned, or (None, None) past `budget` seconds
    (interrupted by SIGALRM) or on failure."""
    def stop(*_):
        raise _Budget()

    if budget:
        signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, budget)
    started = time.perf_counter()
    try:
        result = function()
        return time.perf_counter() - started, result
    except _Budget:
        return None, None
    except Exception as err:  # an engine that fails a query counts as past the budget
        print(f"    (failed: {type(err).__name__}: {err})", file=sys.stderr)
        return None, err
    finally:
        if budget:
            signal.setitimer(signal.ITIMER_REAL, 0)


def _resident_mb() -> float:
    """This process's resident memory now (not its peak, which an earlier step may have set)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:  # no /proc: the peak, the best there is
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _median_of(function, runs: int) -> tuple[float, object]:
    timed = [_timed(function) for _ in range(runs)]
    return statistics.median(t for t, _ in timed), timed[-1][1]


def child_queries(source_store: str, triples: int, budget: float, disk_folder: str, runs: int = 5) -> dict:
    """Latency of each saved query's first page on the same `triples`-triple graph, four ways
    (and the store's for the whole answer).

    - `pyoxigraph`: the Oxigraph store in memory queried directly, solutions listed;
    - `store`: the same store through `KnowledgeGraph.query` (rows as rdflib terms);
    - `on disk`: the same quads in an Oxigraph store on disk (in `disk_folder`), opened
      read-only and queried directly, as `kg query` and `kg serve` open a built store;
    - `rdflib`: rdflib's in-memory engine (`Graph`), run once, stopped past `budget` seconds.

    Store times are medians of `runs` runs after a first untimed one (one run past a second).
    Each query runs with its default parameters, bound as `kg query --saved` binds them.
    """
    import gc

    import pyoxigraph as ox
    from oxrdflib import OxigraphStore
    from rdflib import Dataset

    from kg.graph import KnowledgeGraph
    from kg.saved_queries import PAGE_SIZE, bind_params, bound_sparql, page_sparql, saved_queries

    started = time.perf_counter()
    quads = replicated_quads(Path(source_store), triples)
    store = ox.Store()
    store.bulk_extend(quads)
    store_load = time.perf_counter() - started
    written = ox.Store(disk_folder)
    written.bulk_extend(quads)
    written.flush()
    written.optimize()
    del written
    disk = ox.Store.read_only(disk_folder)
    on_store = KnowledgeGraph(Dataset(store=OxigraphStore(store=store), default_union=True))
    rss_before = _resident_mb()
    started = time.perf_counter()
    memory = rdflib_graph(quads)
    rdflib_load = time.perf_counter() - started
    rdflib_mb = _resident_mb() - rss_before
    del quads
    gc.collect()
    in_memory = KnowledgeGraph(memory)
    rows = []
    for saved in saved_queries():
        try:
            bindings = bind_params(on_store, saved)
        except Exception:  # a default that names nothing here: run it unbound
            bindings = {}
        whole = bound_sparql(saved, bindings)
        text = page_sparql(whole, PAGE_SIZE)  # the first page, as `kg query --saved` runs it
        direct = lambda: list(store.query(text, use_default_graph_as_union=True))  # noqa: E731
        through = lambda: list(on_store.query(text))  # noqa: E731
        first, _ = _timed(direct)
        repeat = runs if first is not None and first < 1 else 1
        ox_s, answers = _median_of(direct, repeat)
        on_disk = lambda: list(disk.query(text, use_default_graph_as_union=True))  # noqa: E731
        _timed(on_disk)  # first run untimed, as for the store in memory
        disk_s, _ = _median_of(on_disk, repeat)
        store_s, _ = _median_of(through, repeat)
        all_s, everything = _median_of(lambda: list(on_store.query(whole)), repeat)
        rdflib_s, slow_answers = _timed(lambda: list(in_memory.query(text)), budget)
        failed = f"{type(slow_answers).__name__}" if isinstance(slow_answers, Exception) else None
        same = None if rdflib_s is None else len(slow_answers) == len(answers)
        rows.append({"name": saved.name, "rows": len(answers), "pyoxigraph": ox_s, "store": store_s, "disk": disk_s,
                     "rdflib": rdflib_s, "same_rows": same, "rdflib_failed": failed,
                     "all_rows": len(everything), "store_all": all_s})
        print(f"    {saved.name}: {len(answers)} rows, pyoxigraph {ox_s * 1000:.1f} ms, store {store_s * 1000:.1f} ms, "
              f"on disk {disk_s * 1000:.1f} ms, "
              f"all {len(everything)} rows {all_s * 1000:.1f} ms, "
              f"rdflib {'> %.0f s' % budget if rdflib_s is None else '%.0f ms' % (rdflib_s * 1000)}",
              file=sys.stderr, flush=True)
    return {"triples": len(store), "store_load_s": store_load, "rdflib_load_s": rdflib_load,
            "rdflib_mb": rdflib_mb, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "budget": budget, "rows": rows}


def query_table(result: dict) -> str:
    """The per-query table of `child_queries`' result; rdflib times past the budget read "> budget"."""
    from kg.saved_queries import PAGE_SIZE

    budget = result["budget"]
    lines = [f"{'saved query':<22} {'rows':>7} {'pyoxigraph':>11} {'store':>9} {'on disk':>10} {'rdflib':>10}"
             f" {'store/rdflib':>13} {'all rows':>9} {'store, all':>11}"]
    for r in result["rows"]:
        slow = f"> {budget:.0f} s" if r["rdflib"] is None else f"{r['rdflib'] * 1000:.0f} ms"
        if r.get("rdflib_failed"):
            slow = "failed"  # counted as past the cap
        ratio = ("<= " if r["rdflib"] is None else "") + _ratio(r["store"], r["rdflib"] or budget)
        mark = " (rows differ)" if r["same_rows"] is False else ""
        lines.append(f"{r['name']:<22} {r['rows']:>7} {r['pyoxigraph'] * 1000:>8.1f} ms {r['store'] * 1000:>6.1f} ms "
                     f"{r['disk'] * 1000:>7.1f} ms {slow:>10} {ratio:>13} {r['all_rows']:>9} "
                     f"{r['store_all'] * 1000:>8.1f} ms{mark}")
    lines.append(f"(rows: the first page of each saved query, LIMIT {PAGE_SIZE} + 1 as `kg query --saved` asks, "
                 f"the same text for every engine; all rows, store, all: the whole answer, `--limit 0`, store only; "
                 f"store: through KnowledgeGraph.query (rows as rdflib terms); pyoxigraph: the store queried directly; "
                 f"on disk: the same quads in a store on disk opened read-only, as `kg query` and `kg serve` open it; "
                 f"rdflib: one run, capped at {budget:.0f} s, so '> {budget:.0f} s' and '<=' are bounds; "
                 f"'failed': rdflib raised an error, counted as past the cap)")
    return "\n".join(lines)


# ---- the report ----

#: The parts of the report, each runnable alone with `--only PART`.
PARTS = ("speed", "jobs", "incremental", "memory", "dask", "queries")


def _fastest(builds) -> dict:
    """The build of `builds` (results of `child_build` or `child_dask`'s runs) that took the least time."""
    return min(builds, key=lambda build: build["seconds"])


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200, help="documents of the main corpus")
    parser.add_argument("--big", type=int, default=2000, help="documents of the memory corpus")
    parser.add_argument("--triples", type=int, default=1_000_000, help="triples of the query graph")
    cores = os.cpu_count() or 1
    parser.add_argument("--workers", type=_worker_counts,
                        default=[n for n in (1, 2, 4, 8, 16) if n <= cores] or [1],
                        help="Dask worker counts to measure, e.g. 1,2,4,8,16 (default: 1, 2, 4... up to the cores)")
    parser.add_argument("--budget", type=float, default=10.0, help="seconds per rdflib query at most")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of the speed and incremental parts")
    parser.add_argument("--work", type=Path, default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--only", action="append", choices=PARTS,
                        help="run only this part (repeatable; default: all of them)")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "build":
            result = child_build(rest[0], rest[1], int(rest[2]), rest[3] == "full")
        elif kind == "dask":
            result = child_dask(rest[0], rest[1], int(rest[2]), int(rest[3]))
        elif kind == "queries":
            result = child_queries(rest[0], int(rest[1]), float(rest[2]), rest[3])
        else:
            result = child_speed(rest[0], rest[1], int(rest[2]))
        print(json.dumps(result))
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="cckg-bench-"))
    try:
        report(args, work)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


def report(args: argparse.Namespace, work: Path) -> None:
    from make_corpus import make_corpus

    parts = set(args.only or PARTS)
    corpus, big = work / f"corpus{args.docs}", work / f"corpus{args.big}"
    if parts & {"speed", "jobs", "incremental", "memory", "dask"}:
        make_corpus(args.docs, corpus)
    if "memory" in parts:
        make_corpus(args.big, big)
    lines: list[tuple[str, str, str, str]] = []
    tables: list[str] = []

    def row(what: str, ratio: str, target: str, detail: str) -> None:
        lines.append((what, ratio, target, detail))
        print(f"  {what}: {ratio} (target {target}; {detail})", file=sys.stderr, flush=True)

    for name, folder in (("seeds", SEEDS), (f"{args.docs} docs", corpus)) if "speed" in parts else ():
        speed = run_child("speed", str(folder), str(work / "speed"), str(args.repeat))
        ratios = sorted(build / bare for build, bare in zip(speed["build"], speed["bare"]))
        cpu_ratios = [build / bare for build, bare in zip(speed["build_cpu"], speed["bare_cpu"])]
        row(f"build / bare spaCy, {name}", f"{statistics.median(ratios):.3f}", "<= 1.30",
            f"median of {len(ratios)} rounds ({', '.join(f'{r:.3f}' for r in ratios)}); best "
            f"{min(speed['build']):.1f} s / {min(speed['bare']):.1f} s, {speed['paragraphs']} paragraphs; "
            f"CPU seconds: {statistics.median(cpu_ratios):.3f}")

    if parts & {"jobs", "memory"}:
        one = _fastest(run_child("build", str(corpus), str(work / "jobs1"), "1", "full") for _ in range(2))
    if "jobs" in parts:
        two = _fastest(run_child("build", str(corpus), str(work / "jobs2"), "2", "full") for _ in range(2))
        row(f"--jobs 2 speed-up, {args.docs} docs", f"{one['seconds'] / two['seconds']:.2f}", ">= 1.6",
            f"{one['seconds']:.1f} s / {two['seconds']:.1f} s")

    if "incremental" in parts:
        incremental(args, work, corpus, row)

    if "memory" in parts:
        large = run_child("build", str(big), str(work / "big"), "1", "full")
        row(f"peak memory, {args.big} / {args.docs} docs", _ratio(large["max_rss_mb"], one["max_rss_mb"]),
            "<= 1.5", f"{large['max_rss_mb']:.0f} MB / {one['max_rss_mb']:.0f} MB, "
            f"{large['triples']:,} / {one['triples']:,} triples, {large['seconds']:.0f} s")

    if "dask" in parts:
        tables.append(dask_scaling(args, work, corpus, row))

    if "queries" in parts:
        seed_out = work / "seeds"
        if not (seed_out / "store").exists():
            run_child("build", str(SEEDS), str(seed_out), "1", "full")
        queries = run_child("queries", str(seed_out / "store"), str(args.triples), str(args.budget),
                            str(work / "big-store"), progress=True)
        tables.append(query_table(queries))
        slow = [r["rdflib"] if r["rdflib"] is not None else args.budget for r in queries["rows"]]
        over = sum(r["rdflib"] is None for r in queries["rows"])
        bound = "<= " if 2 * over >= len(slow) else ""  # the median itself is a capped time
        rdflib_median = statistics.median(slow)
        detail = (f"/ {'>' if bound else ''}{rdflib_median * 1000:.0f} ms over {len(slow)} queries, {over} past the "
                  f"{args.budget:.0f} s rdflib cap; rdflib Graph load {queries['rdflib_load_s']:.0f} s, "
                  f"+{queries['rdflib_mb']:,.0f} MB")
        for what, key, target in (("store", "store", "<= 0.05, store < 50 ms"),
                                  ("pyoxigraph", "pyoxigraph", "<= 0.05, store < 50 ms"),
                                  ("store on disk", "disk", "(for reference)")):
            median = statistics.median(r[key] for r in queries["rows"])
            row(f"saved queries (first page), {what} / rdflib, {queries['triples']:,} triples",
                bound + _ratio(median, rdflib_median), target, f"medians {median * 1000:.1f} ms {detail}")
        whole = statistics.median(r["store_all"] for r in queries["rows"])
        row(f"saved queries (whole answers), store, {queries['triples']:,} triples", "-", "(for reference)",
            f"median {whole * 1000:.1f} ms over {len(slow)} queries, up to "
            f"{max(r['all_rows'] for r in queries['rows']):,} rows each")

    width = max(len(line[0]) for line in lines)
    print(f"\n{'measure':<{width}}  {'ratio':>9}  {'target':<22}  detail")
    for what, ratio, target, detail in lines:
        print(f"{what:<{width}}  {ratio:>9}  {target:<22}  {detail}")
    for table in tables:
        print(f"\n{table}")


def incremental(args: argparse.Namespace, work: Path, corpus: Path, row) -> None:
    """Rebuild after changing one document, and with nothing changed, against the full
    build, in `--repeat` rounds: a full build, then a rebuild after changing one more
    document, then a rebuild of nothing, each in a fresh process. A round's three runs see
    nearly the same machine, so the median of the rounds' ratios is given (as for the speed
    part), with each round's ratio."""
    copy = work / "incremental"
    shutil.copytree(corpus, copy)
    out = str(work / "inc")
    documents = sorted(copy.glob("*.txt"))
    rounds = []
    for round_ in range(args.repeat):
        full = run_child("build", str(copy), out, "1", "full")
        changed = documents[(round_ + 1) * len(documents) // (args.repeat + 1)]
        changed.write_text(changed.read_text(encoding="utf-8") + "\nJapan donated 1,000 masks to Nepal.\n",
                           encoding="utf-8")
        after_one = run_child("build", str(copy), out, "1", "cached")
        nothing = run_child("build", str(copy), out, "1", "cached")
        rounds.append((full, after_one, nothing))
    for what, which, target in ((f"rebuild, 1 of {args.docs} changed / full", 1, "<= 0.10"),
                                ("rebuild, nothing changed / full", 2, "<= 0.03")):
        def ratio(runs: tuple[dict, dict, dict]) -> float:
            return runs[which]["seconds"] / runs[0]["seconds"]

        ordered = sorted(rounds, key=ratio)
        ratios = [ratio(runs) for runs in ordered]
        middle = ordered[len(ordered) // 2]
        row(what, f"{statistics.median(ratios):.3f}", target,
            f"median of {len(ratios)} rounds ({', '.join(f'{r:.3f}' for r in ratios)}); middle round "
            f"{middle[which]['seconds']:.2f} s / {middle[0]['seconds']:.1f} s, "
            f"{middle[which]['extracted']} extracted")


def dask_scaling(args: argparse.Namespace, work: Path, corpus: Path, row) -> str:
    """`--executor dask` throughput on the `--docs` corpus for each of `--workers` (a fresh
    process and cluster each); a row for the most workers, and a table of them all."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        row("--executor dask", "-", "(for reference)", "not measured: dask is not installed (pip install 'cckg[dask]')")
        return ""
    runs = [run_child("dask", str(corpus), str(work / f"dask{n}"), str(n), "2") for n in args.workers]
    base = runs[0]
    lines = [f"{'workers':>7} {'build':>8} {'documents/s':>12} {'speed-up':>9} {'extraction':>11} "
             f"{'assembly':>9} {'cluster start':>14}"]
    for run in runs:
        lines.append(f"{run['workers']:>7} {run['seconds']:>6.2f} s {run['documents'] / run['seconds']:>12.1f} "
                     f"{base['seconds'] / run['seconds']:>9.2f} {run['extraction']:>9.2f} s "
                     f"{run['seconds'] - run['extraction']:>7.2f} s {run['cluster_s']:>12.1f} s")
    lines.append(f"(`kg build --executor dask` on a LocalCluster of single-threaded worker processes on this "
                 f"machine's {os.cpu_count()} cores, the {base['documents']}-document corpus, {base['triples']:,} "
                 f"triples, the best of two builds each; the cluster is started and every worker has loaded the "
                 f"pipeline before the clock starts (cluster start: that time, for reference); speed-up: over "
                 f"{base['workers']} worker(s); extraction: until the last document's facts came back; assembly: "
                 f"resolving, building and writing the graph in the calling process after that)")
    most = runs[-1]
    row(f"--executor dask, {most['workers']} / {base['workers']} worker(s), {args.docs} docs",
        f"{base['seconds'] / most['seconds']:.2f}", "(for reference)",
        f"{most['documents'] / most['seconds']:.1f} / {base['documents'] / base['seconds']:.1f} documents/s; "
        f"table below")
    return "\n".join(lines)


def _worker_counts(text: str) -> list[int]:
    counts = sorted({int(n) for n in text.split(",") if n.strip()})
    if not counts or counts[0] < 1:
        raise argparse.ArgumentTypeError(f"worker counts must be 1 or more, e.g. 1,2,4 (got {text!r})")
    return counts


if __name__ == "__main__":
    main()
