"""The runner against a plain loop of papermill CLI calls doing the same runs.

Baseline: for each of three params files and each notebook, one
`papermill NOTEBOOK OUT -f PARAMS` call, one after the other (what an analyst
would script without the runner). Measured in the same go:
  batch   `workbook run A B C -j <cores> --force` into a fresh folder
  repeat  the same command again without --force (everything up to date)
Targets: batch ≤ 0.5 × loop; repeat under 2 seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARAMS = ["default.yaml", "campaign_2024.yaml", "campaign_2025.yaml"]


def _timed(cmd, **kw) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - start


def main() -> dict:
    env = {**os.environ, "MPLBACKEND": "agg"}
    params = [str(ROOT / "params" / p) for p in PARAMS]
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    papermill = str(Path(sys.executable).parent / "papermill")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        for p in params:
            for nb in notebooks:
                out = Path(tmp) / "loop" / Path(p).stem / nb.name
                out.parent.mkdir(parents=True, exist_ok=True)
                subprocess.run([papermill, str(nb), str(out), "-f", p, "--no-progress-bar"], check=True,
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        loop = time.perf_counter() - start
        cmd = [sys.executable, "-m", "analysis", "run", *params, "-o", str(Path(tmp) / "reports")]
        batch = _timed([*cmd, "--force"], env=env)
        repeat = _timed(cmd, env=env)
    result = {
        "notebook runs": len(params) * len(notebooks),
        "loop of papermill CLI calls (s)": round(loop, 1),
        "workbook run batch (s)": round(batch, 1),
        "batch / loop": round(batch / loop, 2),
        "unchanged repeat (s)": round(repeat, 2),
    }
    for key, value in result.items():
        print(f"{key:34} {value}")
    print(f"{'targets':34} batch/loop <= 0.5: {'met' if batch / loop <= 0.5 else 'NOT met'}; "
          f"repeat < 2 s: {'met' if repeat < 2 else 'NOT met'}")
    return result


if __name__ == "__main__":
    main()
