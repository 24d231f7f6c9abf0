"""The runner against a plain loop of papermill CLI calls doing the same runs, in one go.

Baseline: for each of three params files and each of four notebooks, one
`papermill NOTEBOOK OUT -f PARAMS` call, one after the other (what an analyst
would script without the runner). Measured in the same go, on the same machine:
  batch        `workbook run A B C -n ... --force` into a fresh folder (warm kernels)
  repeat       the same command again without --force (everything up to date)
  plain batch  the batch again with WORKBOOK_WARM_KERNELS=0 (a fresh kernel per
               notebook, started and importing on its own), for comparison
  no-PDF batch the batch with --no-pdf: the loop's work plus HTML, checks and
               summaries, without the PDFs the loop does not make either
Each is timed by the clock and by the CPU time of all its processes (steadier
when other work shares the cores). Targets: batch ≤ 0.3 × loop (goal 0.2);
repeat ≤ 0.5 seconds.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARAMS = ["default.yaml", "campaign_2024.yaml", "campaign_2025.yaml"]
# The four notebooks the targets were set on (3 params files × 4 notebooks); both sides run these.
NOTEBOOKS = ["campaign_progress", "donor_retention", "historical_vs_campaign", "trends"]
TARGET, GOAL, REPEAT_TARGET = 0.3, 0.2, 0.5


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(commands, env) -> tuple[float, float]:
    """Wall and CPU seconds of running the commands one after the other (every descendant counted)."""
    start, cpu = time.perf_counter(), _cpu()
    for cmd in commands:
        subprocess.run(cmd, check=True, cwd=ROOT, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, _cpu() - cpu


def main() -> dict:
    env = {**os.environ, "MPLBACKEND": "agg"}
    env.pop("WORKBOOK_WARM_KERNELS", None)
    params = [str(ROOT / "params" / p) for p in PARAMS]
    notebooks = [ROOT / "notebooks" / f"{name}.ipynb" for name in NOTEBOOKS]
    papermill = str(Path(sys.executable).parent / "papermill")
    load_before = os.getloadavg()[0]  # other work on the machine: the clock ratios move with it
    with tempfile.TemporaryDirectory() as tmp:
        loop_cmds = []
        for p in params:
            for nb in notebooks:
                out = Path(tmp) / "loop" / Path(p).stem / nb.name
                out.parent.mkdir(parents=True, exist_ok=True)
                loop_cmds.append([papermill, str(nb), str(out), "-f", p, "--no-progress-bar"])
        run = [sys.executable, "-m", "analysis", "run", *params, *[a for n in NOTEBOOKS for a in ("-n", n)]]
        loop = _timed(loop_cmds, env)
        batch = _timed([[*run, "-o", str(Path(tmp) / "warm"), "--force"]], env)
        repeat = _timed([[*run, "-o", str(Path(tmp) / "warm")]], env)
        plain_env = {**env, "WORKBOOK_WARM_KERNELS": "0"}
        plain = _timed([[*run, "-o", str(Path(tmp) / "plain"), "--force"]], plain_env)
        no_pdf = _timed([[*run, "-o", str(Path(tmp) / "no-pdf"), "--force", "--no-pdf"]], env)
    result = {
        "notebook runs": len(loop_cmds),
        "cores": os.cpu_count(),
        "load average (1 min) before, after": f"{load_before:.1f}, {os.getloadavg()[0]:.1f}",
        "loop of papermill CLI calls (s)": round(loop[0], 1),
        "workbook run batch, warm kernels (s)": round(batch[0], 1),
        "workbook run batch, plain kernels (s)": round(plain[0], 1),
        "batch / loop": round(batch[0] / loop[0], 3),
        "plain batch / loop": round(plain[0] / loop[0], 3),
        "workbook run batch, no PDF (s)": round(no_pdf[0], 1),
        "no-PDF batch / loop": round(no_pdf[0] / loop[0], 3),
        "unchanged repeat (s)": round(repeat[0], 2),
        "CPU: loop (s)": round(loop[1], 1),
        "CPU: batch, warm kernels (s)": round(batch[1], 1),
        "CPU: batch, plain kernels (s)": round(plain[1], 1),
        "CPU: batch / loop": round(batch[1] / loop[1], 3),
        "CPU: batch, no PDF (s)": round(no_pdf[1], 1),
        "CPU: no-PDF batch / loop": round(no_pdf[1] / loop[1], 3),
        "CPU: unchanged repeat (s)": round(repeat[1], 2),
    }
    width = max(map(len, result))
    for key, value in result.items():
        print(f"{key:{width}}  {value}")
    ratio = result["batch / loop"]
    verdict = "goal met" if ratio <= GOAL else "met" if ratio <= TARGET else "NOT met"
    like = result["no-PDF batch / loop"]
    like_verdict = "goal met" if like <= GOAL else "met" if like <= TARGET else "NOT met"
    print(f"{'targets':{width}}  batch/loop <= {TARGET} (goal {GOAL}): {verdict} "
          f"(without PDFs, as the loop: {like_verdict}); "
          f"repeat <= {REPEAT_TARGET} s: {'met' if repeat[0] <= REPEAT_TARGET else 'NOT met'}")
    return result


if __name__ == "__main__":
    main()
