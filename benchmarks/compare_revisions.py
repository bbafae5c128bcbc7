"""Plan benchmark rows of two revisions side by side, interleaved, in one run.

A regression check: the same ``bench.py`` cases (each in a fresh subprocess) run alternately
on a checkout of ``--base`` (a git worktree in a temporary folder) and on this working tree,
so that both see the same machine load; the table gives medians and the ratio new / base.

Usage::

    python benchmarks/compare_revisions.py --base 1833017            # default plan rows
    python benchmarks/compare_revisions.py --base HEAD~3 --repeats 3 --cases plan-gosplan:10000:5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_CASES = (
    "plan-gosplan:10000:5",
    "plan-gosplan:100000:1",
    "plan-slack:10000:5",
    "plan-gosplan:100000:5",
    "plan-growth:10000:5",
)


def run_case(tree: Path, case: str, size: int, periods: int) -> float:
    """Seconds of one bench case on the source tree ``tree`` (NaN when it fails)."""
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "PYTHONPATH": str(tree / "src")}
        args = [sys.executable, str(tree / "benchmarks" / "bench.py")]
        args += ["--child", case, str(size), str(periods), out, "4.0"]
        proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=900)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return float(json.loads(line[7:])["seconds"])
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--base", required=True, help="git revision to compare against")
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--cases", nargs="+", default=list(DEFAULT_CASES), help="CASE:SIZE:PERIODS")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.base],
            check=True,
            capture_output=True,
        )
        try:
            times: dict[tuple[str, str], list[float]] = {}
            for _ in range(args.repeats):
                for spec in args.cases:
                    case, size, periods = spec.split(":")
                    for name, tree in (("base", base), ("new", ROOT)):
                        t = run_case(tree, case, int(size), int(periods))
                        times.setdefault((spec, name), []).append(t)
                        print(f"{spec:28s} {name:4s} {t:8.2f} s", file=sys.stderr, flush=True)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                capture_output=True,
            )
    print(f"| case | {args.base} (median s) | working tree (median s) | new / base |")
    print("|---|---:|---:|---:|")
    for spec in args.cases:
        old = statistics.median(times[(spec, "base")])
        new = statistics.median(times[(spec, "new")])
        print(f"| {spec} | {old:.2f} | {new:.2f} | {new / old:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
