"""Print the CMA / reserved-memory lines of recorded boots side by side (for reading fixtures).

    python -m boots.summary [--kernels arm64-6.1,arm64-6.12] [CASE_GLOB ...]   (cwd: tools/)
"""
from __future__ import annotations

import argparse
import fnmatch
import gzip
import json
import os
import re

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(REPO, "tests", "boots")
KEY = re.compile(r"Reserved memory|reserved mem|OF: fdt|cma:|OVERLAP|overlaps with|Memory limited|"
                 r"^\s+(DMA|DMA32|Normal|HighMem)\s+(\[|empty)|software IO TLB: mapped|"
                 r"cma-reserved|Ignoring|Kernel panic|Unable to handle|BUG|WARNING|Truncating|"
                 r"restricted|Config string|Skipping dt|Couldn't|Region at|region|CMA area")
TS = re.compile(r"^\[\s*[0-9.]+\] ")


def key_lines(path: str) -> list[str]:
    with gzip.open(path, "rt", errors="replace") as f:
        text = f.read()
    out = []
    for line in text.replace("\r", "").splitlines():
        line = TS.sub("", line)
        if line.startswith("memblock_") or line.startswith(" memory[") or \
                line.startswith(" reserved["):
            continue
        if KEY.search(line):
            out.append(line)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernels", default=None)
    ap.add_argument("cases", nargs="*", default=["*"])
    a = ap.parse_args()
    kids = a.kernels.split(",") if a.kernels else sorted(
        d for d in os.listdir(FIX) if os.path.isdir(os.path.join(FIX, d)))
    ids = sorted({c for k in kids if os.path.isdir(os.path.join(FIX, k))
                  for c in os.listdir(os.path.join(FIX, k)) if not c.startswith(".")})
    for cid in ids:
        if not any(fnmatch.fnmatchcase(cid, p) for p in a.cases):
            continue
        for k in kids:
            d = os.path.join(FIX, k, cid)
            if not os.path.isfile(os.path.join(d, "meta.json")):
                continue
            with open(os.path.join(d, "meta.json")) as f:
                meta = json.load(f)
            print(f"=== {cid} [{k}] {meta['description']}  ({meta['boot']['outcome']})")
            for line in key_lines(os.path.join(d, "boot.log.gz")):
                print("   ", line)


if __name__ == "__main__":
    main()
