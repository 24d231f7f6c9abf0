"""What each notebook's imports cost in a fresh kernel, and which heavy libraries they pull in.

For each notebook, the import lines of its code cells (`from analysis... import ...`)
run in a fresh interpreter that has already imported what every kernel has
(IPython and ipykernel), timed around those lines alone; five runs each, the
median and the fastest wall time and the median CPU time (steadier on a busy machine)
reported. Also listed: which of scipy, statsmodels and
lifelines the imports load (a notebook should pay only for what it uses).
"""

from __future__ import annotations

import ast
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# seaborn imports the bare `statsmodels` package (a version check, under 1 ms): the cost is in
# its submodules.
HEAVY = ["pandas", "matplotlib", "seaborn", "scipy", "statsmodels.tsa", "lifelines", "pyarrow", "pandera"]
RUNS = 5

PROBE = """
import json, sys, time
import IPython, ipykernel.kernelapp  # a kernel has these before the first cell
before = set(sys.modules)
start, cpu = time.perf_counter(), time.process_time()
exec(compile(sys.argv[1], "<imports>", "exec"), {})
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"seconds": seconds, "cpu": cpu, "loaded": sorted(set(sys.modules) - before)}))
"""


def import_lines(notebook: Path) -> str:
    """The top-level import statements of a notebook's code cells, in order."""
    cells = json.loads(notebook.read_text("utf-8"))["cells"]
    lines = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        lines += [ast.unparse(node) for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    return "\n".join(lines)


def measure(notebook: Path) -> dict:
    code = import_lines(notebook)
    env = {**os.environ, "MPLBACKEND": "agg"}
    times, cpu, loaded = [], [], []
    for _ in range(RUNS):
        out = subprocess.run([sys.executable, "-c", PROBE, code], cwd=ROOT, env=env,
                             capture_output=True, text=True, check=True)
        found = json.loads(out.stdout.strip().splitlines()[-1])
        times.append(found["seconds"])
        cpu.append(found["cpu"])
        loaded = found["loaded"]
    return {"median (s)": round(statistics.median(times), 2), "fastest (s)": round(min(times), 2),
            "median CPU (s)": round(statistics.median(cpu), 2),
            "heavy libraries loaded": [m for m in HEAVY if m in loaded]}


def main() -> dict:
    results = {nb.stem: measure(nb) for nb in sorted((ROOT / "notebooks").glob("*.ipynb"))}
    width = max(map(len, results))
    print(f"{'notebook':{width}}  median  fastest  CPU  heavy libraries its imports load")
    for name, r in results.items():
        print(f"{name:{width}}  {r['median (s)']:6.2f}  {r['fastest (s)']:7.2f}  {r['median CPU (s)']:4.2f}  "
              f"{', '.join(r['heavy libraries loaded'])}")
    return results


if __name__ == "__main__":
    main()
