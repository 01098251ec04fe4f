#!/usr/bin/env python3
"""Headless notebook runner for osum4j (used by `./osum run` and the notebook tests).

Executes each notebook with nbclient on a Jupyter kernel, writes the executed notebook and an HTML rendering to
the output folder, prints one line per notebook (time, ok/FAILED) and exits non-zero naming the failing notebook
and cell. It also checks each notebook's promised outputs: notebook metadata `osum4j.promises` is a list of
{"mime": "text/html", "contains": "<table", "what": "an HTML table"} entries, each of which must be met by at
least one output of the executed notebook. It is not a notebook server; it runs Debian's nbclient/nbconvert.
"""
import argparse
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


def first_line(src, limit=80):
    line = next((l for l in src.splitlines() if l.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def outputs_of(nb):
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            yield out


def check_promises(nb):
    """Returns a list of unmet promises (human-readable)."""
    promises = nb.metadata.get("osum4j", {}).get("promises", [])
    unmet = []
    for p in promises:
        mime, needle = p.get("mime"), p.get("contains", "")
        found = False
        for out in outputs_of(nb):
            data = out.get("data", {})
            if out.get("output_type") == "stream":          # printed text counts as text/plain
                data = {"text/plain": out.get("text", "")}
            if mime in data:
                val = data[mime]
                text = "".join(val) if isinstance(val, list) else str(val)
                if needle in text:
                    found = True
                    break
        if not found:
            unmet.append(p.get("what") or f"{mime} containing {needle!r}")
    return unmet


def failing_cell(nb):
    """Index (1-based, counting code cells) and source of the first code cell with an error output."""
    n = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        n += 1
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return n, cell.source, out
    return None


def write_outputs(nb, out_dir, name):
    os.makedirs(out_dir, exist_ok=True)
    ipynb = os.path.join(out_dir, name + ".ipynb")
    tmp = ipynb + ".tmp"
    nbformat.write(nb, tmp)
    os.replace(tmp, ipynb)
    try:
        from nbconvert import HTMLExporter
        body, _ = HTMLExporter().from_notebook_node(nb)
        html = os.path.join(out_dir, name + ".html")
        with open(html + ".tmp", "w", encoding="utf-8") as f:
            f.write(body)
        os.replace(html + ".tmp", html)
    except Exception as e:
        return f"HTML export failed: {e}"
    return None


def run_one(path, kernel, out_dir, timeout):
    name = os.path.splitext(os.path.basename(path))[0]
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=None,  # per cell: none; the whole notebook is bounded below
        startup_timeout=120,
        allow_errors=False,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    )
    start = time.time()
    error = None
    try:
        if timeout and timeout > 0:
            import signal

            def on_alarm(signum, frame):
                raise TimeoutError(f"notebook exceeded its {timeout} s budget")

            old = signal.signal(signal.SIGALRM, on_alarm)
            signal.alarm(int(timeout))
            try:
                client.execute()
            finally:
                signal.alarm(0)
                signal.signal(signal.SIGALRM, old)
        else:
            client.execute()
    except CellExecutionError as e:
        error = e
    except (CellTimeoutError, DeadKernelError, TimeoutError, RuntimeError) as e:
        error = e
    elapsed = time.time() - start
    html_error = write_outputs(nb, out_dir, name)

    if error is not None:
        where = failing_cell(nb)
        if where:
            idx, src, out = where
            detail = f"cell {idx} ({first_line(src)!r}): {out.get('ename', '')}: {first_line(out.get('evalue', ''), 300)}"
        else:
            detail = first_line(str(error), 300)
        return name, elapsed, f"FAILED  {detail}"
    if html_error:
        return name, elapsed, "FAILED  " + html_error
    unmet = check_promises(nb)
    if unmet:
        return name, elapsed, "FAILED  missing promised output: " + "; ".join(unmet)
    return name, elapsed, "ok"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="+")
    ap.add_argument("--kernel", default="osum4j")
    ap.add_argument("--out", default="out")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per notebook; 0 = none")
    args = ap.parse_args()

    failed = []
    for path in args.notebooks:
        if not os.path.isfile(path):
            print(f"{path}: not found", file=sys.stderr)
            failed.append(path)
            continue
        name, elapsed, status = run_one(path, args.kernel, args.out, args.timeout)
        print(f"{name:32s} {elapsed:7.1f} s  {status}", flush=True)
        if status != "ok":
            failed.append(f"{path}: {status}")
    if failed:
        print(f"{len(failed)} of {len(args.notebooks)} notebooks failed:", file=sys.stderr)
        for f in failed:
            print("  " + f, file=sys.stderr)
        sys.exit(1)
    print(f"{len(args.notebooks)} notebooks ok; executed copies and HTML in {args.out}/")


if __name__ == "__main__":
    main()
