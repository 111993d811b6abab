#!/usr/bin/env python3
"""Keystroke latency of `scitag lsp`: a scripted LSP client over stdio. See docs/PERFORMANCE.md.

  1. spawns `scitag lsp` (under `/usr/bin/time -v` for its peak RSS), initializes it the way VS Code would
     (UTF-16 positions, semantic tokens with refresh support, versioned diagnostics) with
     initializationOptions {"scitag": {"debounceMs": 0}}, and opens the manuscript;
  2. time to first tokens: from didOpen until `textDocument/semanticTokens/full` returns a non-empty result
     (the server shows a long document's first paragraphs before the rest is tagged), and time until the
     analysis is complete (`scitag/status`: the document's `complete` flag);
  3. N single-character edits (a lower-case letter typed inside a word of a random prose paragraph, from
     `scitag prose --json --map`, so no edit lands in markup), one at a time: the time from sending
     didChange to receiving the refreshed tokens (the client waits for publishDiagnostics stamped with the
     new version or the workspace/semanticTokens/refresh that follows every analysis, then requests the
     tokens); after each edit,
     `scitag/status` gives the sentences inferred, which are compared with the sentences of the edited
     paragraph (from `scitag prose` on the edited text);
  4. prints p50 / p95 / max, and writes every measurement to --out (JSON) for the plot
     (scripts/bench_plot.py).

Never fails on a missed goal: it prints numbers. Exit 1 only if the server cannot be driven at all.
"""

import argparse
import json
import os
import pathlib
import queue
import random
import shlex
import statistics
import subprocess
import sys
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
URI = "file:///bench/manuscript.md"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


class Client:
    """A minimal JSON-RPC client. A reader thread parses frames, answers server requests at once
    (configuration, progress, refresh, registration) and queues everything with its arrival time."""

    def __init__(self, command, stderr_path):
        self.stderr = open(stderr_path, "wb")
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                        bufsize=0)
        self.write_lock = threading.Lock()
        self.messages: "queue.Queue[tuple[float, dict]]" = queue.Queue()
        self.next_id = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        stream = self.process.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put((time.perf_counter(), {"closed": True}))
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            body = b""
            while length and len(body) < length:
                chunk = stream.read(length - len(body))
                if not chunk:
                    break
                body += chunk
            arrived = time.perf_counter()
            message = json.loads(body)
            if "method" in message and "id" in message:
                self._answer(message)
            self.messages.put((arrived, message))

    def _answer(self, request):
        method = request["method"]
        if method == "workspace/configuration":
            result = [{"debounceMs": 0} for _ in request.get("params", {}).get("items", [])]
        else:
            result = None
        self.send({"jsonrpc": "2.0", "id": request["id"], "result": result})

    def send(self, message):
        body = json.dumps(message).encode()
        with self.write_lock:
            self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.process.stdin.flush()

    def notify(self, method, params):
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def request(self, method, params):
        self.next_id += 1
        message = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self.next_id

    def wait(self, predicate, timeout):
        """Returns (arrival time, message) of the first message matching predicate; (None, None) on timeout.
        Other messages are dropped (notifications we do not wait for, answered server requests)."""
        deadline = time.perf_counter() + timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return None, None
            try:
                arrived, message = self.messages.get(timeout=remaining)
            except queue.Empty:
                return None, None
            if message.get("closed"):
                raise RuntimeError("the server closed its output")
            if predicate(message):
                return arrived, message

    def drain(self):
        """Drops the messages already queued."""
        while True:
            try:
                _, message = self.messages.get_nowait()
            except queue.Empty:
                return
            if message.get("closed"):
                raise RuntimeError("the server closed its output")

    def call(self, method, params, timeout=30.0):
        ident = self.request(method, params)
        arrived, message = self.wait(lambda m: m.get("id") == ident and "method" not in m, timeout)
        if message is None:
            raise RuntimeError(f"{method}: no answer within {timeout} s")
        if "error" in message:
            raise RuntimeError(f"{method}: {message['error']}")
        return arrived, message.get("result")


def position(text: bytes, offset: int):
    line_start = text.rfind(b"\n", 0, offset) + 1
    line = text.count(b"\n", 0, offset)
    character = len(text[line_start:offset].decode("utf-8").encode("utf-16-le")) // 2
    return {"line": line, "character": character}


def prose(binary, text: bytes, language="md"):
    done = subprocess.run([str(binary), "prose", "--json", "--map", "--language", language, "-"], input=text,
                          capture_output=True, check=True)
    return json.loads(done.stdout)["paragraphs"]


def edit_candidates(paragraph, text: bytes):
    """Byte offsets inside a word of a verbatim piece (between two ASCII letters) of one paragraph."""
    spots = []
    for piece in paragraph.get("pieces", []):
        if piece["kind"] != "verbatim":
            continue
        start, end = piece["source"]
        for offset in range(start + 1, end):
            if chr(text[offset - 1]).isalpha() and chr(text[offset]).isalpha() and text[offset] < 128 \
                    and text[offset - 1] < 128:
                spots.append(offset)
    return spots


def paragraph_at(paragraphs, offset):
    for paragraph in paragraphs:
        start, end = paragraph["source_range"]
        if start <= offset < end:
            return paragraph
    return None


def percentile(values, q):
    ordered = sorted(values)
    if not ordered:
        return None
    rank = q / 100 * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def child_pid(pid):
    try:
        children = pathlib.Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return int(children[0]) if children else None
    except OSError:
        return None


def vm_hwm_mb(pid):
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scitag", type=pathlib.Path, default=REPO / "target/release/scitag")
    parser.add_argument("--manuscript", type=pathlib.Path, required=True)
    parser.add_argument("--model", type=pathlib.Path, help="model directory (default: the built-in model)")
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--label", default="default model")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for one result")
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "target/bench/keystroke.json")
    parser.add_argument("--project", type=pathlib.Path,
                        help="a folder of manuscripts (scripts/make_project.py) given as the workspace folder: the "
                             "server indexes it in the background while the edits run")
    parser.add_argument("--index-cache", type=pathlib.Path,
                        help="the project index's cache directory (scitag.index.cacheDirectory); reuse it for a "
                             "warm run")
    parser.add_argument("--prefix", default="",
                        help="run the server under this command instead of /usr/bin/time -v, e.g. "
                             "'perf record -F 999 -g -o target/bench/lsp.perf.data --' (no RSS then)")
    args = parser.parse_args()

    binary = args.scitag.resolve()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    stem = args.out.with_suffix("")
    time_path = pathlib.Path(f"{stem}.time")
    command = [str(binary), "lsp"]
    if args.model:
        command += ["--model", str(args.model)]
    if args.prefix:
        command = [*shlex.split(args.prefix), *command]
    elif pathlib.Path("/usr/bin/time").exists():
        command = ["/usr/bin/time", "-v", "-o", str(time_path), *command]
    env_note = load()
    text = args.manuscript.read_bytes()
    paragraphs = prose(binary, text)
    spawned = time.perf_counter()
    os.environ.setdefault("SCITAG_LOG", "warn")
    client = Client(command, f"{stem}.stderr")
    server_pid = client.process.pid
    if command[0] != str(binary):
        time.sleep(0.2)
        server_pid = child_pid(client.process.pid)

    capabilities = {
        "general": {"positionEncodings": ["utf-16"]},
        "workspace": {"semanticTokens": {"refreshSupport": True}, "configuration": False},
        "window": {"workDoneProgress": False},
        "textDocument": {
            "synchronization": {"dynamicRegistration": False},
            "publishDiagnostics": {"versionSupport": True},
            "semanticTokens": {
                "requests": {"full": {"delta": True}, "range": True},
                "tokenTypes": ["protein", "dna", "rna", "cellType", "cellLine"],
                "tokenModifiers": ["lowConfidence"],
                "formats": ["relative"],
                "multilineTokenSupport": False,
                "overlappingTokenSupport": False,
            },
        },
    }
    options = {"debounceMs": 0}
    # Extra settings for an A/B run, e.g. SCITAG_BENCH_SETTINGS='{"link": {"enabled": false}}'.
    options.update(json.loads(os.environ.get("SCITAG_BENCH_SETTINGS", "{}")))
    root_uri = None
    if args.project:
        root_uri = args.project.resolve().as_uri()
        if args.index_cache:
            options["index"] = {"cacheDirectory": str(args.index_cache.resolve())}
    initialized_at, init = client.call("initialize", {
        "processId": os.getpid(), "rootUri": root_uri, "capabilities": capabilities,
        "initializationOptions": {"scitag": options},
    })
    client.notify("initialized", {})
    log(f"initialize answered after {1000 * (initialized_at - spawned):.0f} ms; load {env_note}")

    # --- open, time to first tokens -----------------------------------------------------------------
    version = 1
    opened = time.perf_counter()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": URI, "languageId": "markdown", "version": version, "text": text.decode("utf-8")}})
    first_tokens = None
    tokens_count = 0
    deadline = opened + 120
    while time.perf_counter() < deadline:
        client.wait(lambda m: (m.get("method") == "textDocument/publishDiagnostics"
                               and m["params"].get("version") == version)
                    or m.get("method") == "workspace/semanticTokens/refresh", 0.25)
        arrived, result = client.call("textDocument/semanticTokens/full", {"textDocument": {"uri": URI}})
        data = (result or {}).get("data") or []
        if data:
            first_tokens = arrived - opened
            tokens_count = len(data) // 5
            break
    if first_tokens is None:
        log("no tokens within 120 s of didOpen")
    # The first tokens may be a partial result (the server shows the first paragraphs before the
    # last is tagged): wait for the complete analysis before editing, and time it too.
    complete_after = None
    while time.perf_counter() < deadline:
        arrived, status = client.call("scitag/status", None)
        documents = status.get("documents") or [{}]
        if documents[0].get("complete", True) and documents[0].get("analyzedVersion") == version:
            complete_after = arrived - opened
            break
        client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                    and m["params"].get("version") == version, 0.25)
    complete_tokens = len(((client.call("textDocument/semanticTokens/full",
                                        {"textDocument": {"uri": URI}})[1] or {}).get("data") or [])) // 5
    _, status = client.call("scitag/status", None)
    log(f"first tokens {1000 * first_tokens:.0f} ms after didOpen ({tokens_count} tokens); complete analysis "
        f"after {1000 * (complete_after or float('nan')):.0f} ms ({complete_tokens} tokens); "
        f"model {status.get('model')}; {status.get('sentencesInferred')} sentences inferred at open")
    open_status = status
    hwm_after_open = vm_hwm_mb(server_pid) if server_pid else None

    # --- edits ---------------------------------------------------------------------------------------
    rng = random.Random(args.seed)
    prose_paragraphs = [p for p in paragraphs if p["kind"] == "paragraph" and p["sentences"]]
    records = []
    previous_total = status.get("sentencesInferred", 0)
    for index in range(args.edits):
        candidates = []
        while not candidates:
            paragraph = rng.choice(prose_paragraphs)
            candidates = edit_candidates(paragraph, text)
        offset = rng.choice(candidates)
        letter = rng.choice("abcdefghijklmnopqrstuvwxyz").encode()
        where = position(text, offset)
        text = text[:offset] + letter + text[offset:]
        version += 1
        this_version = version
        client.drain()
        started = time.perf_counter()
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": URI, "version": this_version},
            "contentChanges": [{"range": {"start": where, "end": where}, "text": letter.decode()}],
        })
        # Diagnostics stamped with this version, or the refresh the server sends after every analysis
        # (it publishes no diagnostics for a version whose diagnostics are unchanged); messages left
        # over from the previous edit were drained before didChange.
        signal_at, signal = client.wait(
            lambda m: (m.get("method") == "textDocument/publishDiagnostics"
                       and m["params"].get("version") == this_version)
            or m.get("method") == "workspace/semanticTokens/refresh", args.timeout)
        arrived, result = client.call("textDocument/semanticTokens/full", {"textDocument": {"uri": URI}})
        latency = arrived - started
        _, status = client.call("scitag/status", None)
        last = status.get("lastAnalysis", {})
        total = status.get("sentencesInferred", 0)
        # Expected: the sentences of the edited paragraph in the edited text.
        paragraphs = prose(binary, text)
        edited = paragraph_at(paragraphs, offset)
        expected = len(edited["sentences"]) if edited else None
        documents = status.get("documents") or [{}]
        records.append({
            "edit": index,
            "version": this_version,
            "offset": offset,
            "latency_ms": 1000 * latency,
            "signal_ms": 1000 * (signal_at - started) if signal_at else None,
            "signal": (signal or {}).get("method"),
            "timed_out": signal is None,
            "analyzed_version": documents[0].get("analyzedVersion"),
            "tokens": len((result or {}).get("data") or []) // 5,
            "sentences_inferred": total - previous_total,
            "last_analysis_sentences": last.get("sentencesInferred"),
            "last_analysis_ms": last.get("ms"),
            "last_analysis_inference_ms": last.get("inferenceMs"),
            "last_analysis_cache_misses": last.get("cacheMisses"),
            "paragraph_sentences": expected,
        })
        previous_total = total
        # Re-pick spots from the edited text's paragraphs from now on.
        prose_paragraphs = [p for p in paragraphs if p["kind"] == "paragraph" and p["sentences"]]
        if (index + 1) % 50 == 0:
            recent = [r["latency_ms"] for r in records[-50:]]
            log(f"{index + 1} edits; last 50: p50 {percentile(recent, 50):.1f} ms, max {max(recent):.1f} ms")

    index = None
    if args.project:
        # The index ran beside the edits; wait for it to finish and time it from initialize.
        while True:
            arrived, status = client.call("scitag/status", None)
            index = status.get("index") or {}
            if not index.get("indexing") and index.get("files"):
                break
            if arrived - initialized_at > 600:
                log("the index did not finish within 600 s")
                break
            time.sleep(0.2)
        index = dict(index, done_after_initialize_ms=1000 * (arrived - initialized_at))
        log(f"index: {index}")

    hwm = vm_hwm_mb(server_pid) if server_pid else None
    try:
        client.call("shutdown", None, timeout=10)
        client.notify("exit", None)
    except RuntimeError as error:
        log(f"shutdown: {error}")
    try:
        client.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        client.process.kill()
    rss_time = None
    if time_path.exists() and not args.prefix:
        for line in time_path.read_text().splitlines():
            if "Maximum resident set size" in line:
                rss_time = int(line.rsplit(":", 1)[1]) / 1024

    latencies = [r["latency_ms"] for r in records]
    matched = sum(r["sentences_inferred"] == r["paragraph_sentences"] for r in records)
    summary = {
        "label": args.label,
        "model": open_status.get("model"),
        "manuscript": str(args.manuscript),
        "manuscript_words": len(args.manuscript.read_text(encoding="utf-8").split()),
        "paragraphs": open_status.get("paragraphs"),
        "load_before": env_note,
        "load_after": load(),
        "initialize_ms": 1000 * (initialized_at - spawned),
        "first_tokens_ms": 1000 * first_tokens if first_tokens is not None else None,
        "first_tokens_count": tokens_count,
        "complete_analysis_ms": 1000 * complete_after if complete_after is not None else None,
        "complete_tokens_count": complete_tokens,
        "sentences_at_open": open_status.get("sentencesInferred"),
        "edits": len(records),
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "max_ms": max(latencies) if latencies else None,
        "mean_ms": statistics.fmean(latencies) if latencies else None,
        "server_analysis_p50_ms": percentile([r["last_analysis_ms"] for r in records if r["last_analysis_ms"]], 50),
        # The floor a keystroke cannot beat: the model's time on the one sentence it re-runs.
        "inference_p50_ms": percentile([r["last_analysis_inference_ms"] for r in records
                                        if r.get("last_analysis_inference_ms")], 50),
        "timeouts": sum(r["timed_out"] for r in records),
        "sentences_match": matched,
        "sentences_inferred_mean": statistics.fmean(r["sentences_inferred"] for r in records) if records else None,
        "paragraph_sentences_mean": statistics.fmean(r["paragraph_sentences"] or 0 for r in records) if records else None,
        "peak_rss_mb_after_open": hwm_after_open,
        "peak_rss_mb": rss_time or hwm,
        "project": str(args.project) if args.project else None,
        "index": index,
        "records": records,
    }
    args.out.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print(f"\n{args.label}: {summary['model']}")
    print(f"  manuscript {summary['manuscript_words']} words, {summary['paragraphs']} paragraphs; load before "
          f"{env_note}, after {summary['load_after']}")
    print(f"  initialize {summary['initialize_ms']:.0f} ms; first tokens {summary['first_tokens_ms']:.0f} ms after "
          f"didOpen ({tokens_count} tokens); complete analysis {summary['complete_analysis_ms'] or float('nan'):.0f} ms "
          f"({complete_tokens} tokens, {summary['sentences_at_open']} sentences inferred)")
    if latencies:
        print(f"  {len(records)} edits, didChange -> refreshed tokens: p50 {summary['p50_ms']:.1f} ms, "
              f"p95 {summary['p95_ms']:.1f} ms, max {summary['max_ms']:.1f} ms, mean {summary['mean_ms']:.1f} ms "
              f"(server analysis p50 {summary['server_analysis_p50_ms'] or 0:.1f} ms); {summary['timeouts']} timeouts")
        floor = summary["inference_p50_ms"]
        if floor:
            print(f"  the model's time per edit (the floor): p50 {floor:.1f} ms; keystroke p50 / floor = "
                  f"{summary['p50_ms'] / floor:.2f}")
        print(f"  sentences inferred per edit = sentences of the edited paragraph: {matched} of {len(records)} "
              f"(mean inferred {summary['sentences_inferred_mean']:.2f}, mean paragraph "
              f"{summary['paragraph_sentences_mean']:.2f})")
    print(f"  peak RSS of scitag lsp: {summary['peak_rss_mb'] or 0:.0f} MB (after open {hwm_after_open or 0:.0f} MB)")
    print(f"  details: {args.out}")


if __name__ == "__main__":
    main()
