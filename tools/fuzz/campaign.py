"""Run fuzz.py over several targets one after another (never in parallel), nice'd, and
collect executions, wall time, crashes and slow inputs into WORK/summary.json.

    python tools/fuzz/campaign.py cmdline=900 dmesg=600 kconfig=450 dtb=600 dtb-run=600

Each ``target=seconds`` gets that much wall time (libFuzzer -max_total_time); the numbers of
executions come from libFuzzer's final statistics.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = Path(os.environ.get("CMACHECK_FUZZ_WORK", "/tmp/cmacheck-fuzz"))


def main() -> None:
    plan = [(t, int(s)) for t, s in (a.split("=") for a in sys.argv[1:])]
    WORK.mkdir(parents=True, exist_ok=True)
    summary_path = WORK / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    for target, seconds in plan:
        log = WORK / f"{target}.log"
        start = time.time()
        cmd = ["nice", "-n", "10", sys.executable, str(HERE / "fuzz.py"), target, "--keep-going",
               "--max-time", str(seconds), "--work", str(WORK)]
        with open(log, "w") as out:
            rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
        text = log.read_text(errors="replace")
        m = re.findall(r"stat::number_of_executed_units: (\d+)", text)
        done = re.findall(r"Done (\d+) runs in (\d+) second", text)
        stats_file = WORK / target / "stats.json"
        stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
        runs = int(m[-1]) if m else int(done[-1][0]) if done else stats.get("executions", 0)
        prev = summary.get(target, {"executions": 0, "wall_seconds": 0, "sessions": 0})
        summary[target] = {
            "executions": prev["executions"] + runs,
            "wall_seconds": round(prev["wall_seconds"] + time.time() - start),
            "sessions": prev["sessions"] + 1,
            "exit": rc,
            "crashes": stats.get("crashes", {}),
            "slow": stats.get("slow", {}),
            "max_seconds": stats.get("max_seconds"),
        }
        summary_path.write_text(json.dumps(summary, indent=1, sort_keys=True))
        print(f"{target}: {runs} executions in {time.time() - start:.0f} s (exit {rc})",
              flush=True)
    total = sum(v["executions"] for v in summary.values())
    print(f"total: {total} executions", flush=True)


if __name__ == "__main__":
    main()
