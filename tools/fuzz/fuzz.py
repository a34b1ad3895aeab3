"""Coverage-guided fuzzing of one cmacheck loader with atheris (libFuzzer).

    python tools/fuzz/fuzz.py TARGET [--runs N] [--max-time S] [--keep-going] [-- LIBFUZZER_ARGS]

TARGET is one of dtb, dtb-run, kconfig, cmdline, dmesg (see targets.py).  The seed corpus is
built from the repository (examples/, tests/data/, tests/boots/*/*/board.dtb and boot.log.gz,
the Debian .config) into WORK/TARGET/seeds; new coverage goes to WORK/TARGET/corpus.  DTB
targets add a structure-aware mutator (fdtgen.mutate: header fields, tokens, property lengths;
fdtgen.hostile_dtb: valid trees with hostile values) next to libFuzzer's byte mutations.

Every execution is timed: one over --slow seconds (default 1) is saved under WORK/TARGET/slow
as a hang.  With --keep-going an unexpected exception is saved under WORK/TARGET/crashes (one
file per distinct traceback) and fuzzing continues; without it atheris stops on the first one
and writes crash-<sha1> as usual.  libFuzzer's own -timeout (default here 20 s) kills a real
hang.  WORK/TARGET/stats.json holds executions, wall time and findings at exit.
"""

from __future__ import annotations

import argparse
import atexit
import gzip
import hashlib
import json
import random
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(HERE), str(ROOT)]

import atheris  # noqa: E402

with atheris.instrument_imports(include=["cmacheck"]):
    import cmacheck.api
    import cmacheck.dmesg
    import cmacheck.load.cmdline
    import cmacheck.load.dtb
    import cmacheck.load.kconfig
    import cmacheck.report.json_report
    import cmacheck.units  # noqa: F401

import fdtgen  # noqa: E402
import targets  # noqa: E402

# ----------------------------------------------------------------------------- seeds

_DMESG_KEYS = ("reserved mem", "Reserved memory", "cma", "CMA", "memblock", "Memory",
               "Zone ranges", "  DMA", "  Normal", "OVERLAP", "Linux version", "reserved[",
               "memory[", "MEMBLOCK", "software IO TLB", "node ", "Kernel command line")


def _log_chunks(text: str) -> list[bytes]:
    lines = [ln for ln in text.splitlines() if any(k in ln for k in _DMESG_KEYS)]
    out = []
    for i in range(0, len(lines), 40):
        out.append("\n".join(lines[i : i + 40]).encode())
    return out


def seeds(target: str) -> list[bytes]:
    out: list[bytes] = []
    boots = sorted(ROOT.glob("tests/boots/*/*"))
    if target in ("dtb", "dtb-run"):
        files = sorted(ROOT.glob("examples/*/*.dtb")) + sorted(ROOT.glob("examples/*/*.dtbo"))
        files += [b / "board.dtb" for b in boots if (b / "board.dtb").exists()]
        blobs = {f.read_bytes() for f in files}
        rng = random.Random(0)
        blobs |= {fdtgen.hostile_dtb(rng) for _ in range(50)}
        out = sorted(blobs, key=len)
        if target == "dtb-run":
            out = [b + bytes([i % 256]) for i, b in enumerate(out)]
    elif target == "kconfig":
        files = sorted(ROOT.glob("examples/*/kernel.config"))
        files += sorted(p for p in (ROOT / "tests/data/kconfig").iterdir() if p.is_file())
        for f in files:
            data = f.read_bytes()
            out.append(b"\0" + data)
            if data[:2] == b"\x1f\x8b":  # the Debian config: its CMA/DMA part as text too
                try:
                    text = gzip.decompress(data)
                except (OSError, EOFError):  # tests/data/kconfig/truncated.config.gz
                    continue
                keep = b"\n".join(ln for ln in text.splitlines()[:12] + [
                    ln for ln in text.splitlines()
                    if any(k in ln for k in (b"CMA", b"DMA", b"CMDLINE", b"ARM", b"RISCV",
                                             b"64BIT", b"HUGETLB", b"NUMA", b"PAGE"))])
                out.append(b"\3" + keep)
    elif target == "cmdline":
        out = [w.encode() for w in fdtgen._BOOTARGS_WORDS]
        out += [b"console=ttyS0,115200 cma=256M@0x80000000-0xc0000000 mem=2G memblock=debug",
                b"cma=64M cma=128M hugetlb_cma=0:1G,1:2G numa_cma=0:16M,1:32M -- init=/bin/sh",
                b"\"quoted word\" a=\"b c\" cma=\"64M\"", b"0x", b"1E", b"07777K", b"00x10"]
        for b in boots[:40]:
            cl = b / "cmdline"
            if cl.exists():
                out.append(cl.read_bytes().strip())
    elif target == "dmesg":
        for b in boots:
            log = b / "boot.log.gz"
            if log.exists():
                out += _log_chunks(gzip.decompress(log.read_bytes()).decode("utf-8", "replace"))
        out = sorted(set(out))[:2000]
    return out


_DICTS = {
    "cmdline": ["cma=", "mem=", "cma_pernuma=", "numa_cma=", "hugetlb_cma=", "initrd=",
                "initrdmem=", "memblock=debug", "crashkernel=", "earlycon", "--", "@", "-",
                ",", ":", "0x", "K", "M", "G", "T", "P", "E", '"', " ", "\t",
                "18446744073709551615", "0xffffffffffffffff", "4294967296"],
    "dmesg": ["OF: reserved mem: ", "Reserved memory: created CMA memory pool at 0x",
              ", size ", " MiB", "initialized node ", ", compatible id shared-dma-pool",
              "cma: Reserved ", " MiB at 0x", "cma: Failed to reserve ", "memblock_reserve: [0x",
              "memblock_alloc_try_nid: ", " bytes align=0x", " from=0x", " max_addr=0x",
              "OVERLAP DETECTED!", "Zone ranges:", "  DMA      [mem 0x", "Memory: ",
              "K/", "K available", "K cma-reserved)", "Linux version ", "[    0.000000] ",
              "<6>", " overlaps with ", " (0x", "--0x", "cma: Not enough slots",
              "Skipping dt linux,cma-default node in favor for \"cma=\" kernel param.",
              " reserved[0x", " memory[0x", "], 0x", " bytes flags: 0x", "MEMBLOCK configuration",
              "Memory limited to ", "MB", "cma: CMA area ", " could not be activated",
              "..0x", " KiB) ", "nomap ", "map ", "reusable ", "non-reusable "],
    "kconfig": ["CONFIG_", "=y", "=m", "=n", "# CONFIG_", " is not set", "CONFIG_CMA=y",
                "CONFIG_CMA_SIZE_MBYTES=", "CONFIG_CMA_SIZE_SEL_MBYTES=y", "CONFIG_CMDLINE=\"",
                "CONFIG_CMA_AREAS=", "CONFIG_DMA_CMA=y", "# Linux/arm64 6.1.0 Kernel Configuration",
                "CONFIG_ARM64=y", "CONFIG_RISCV=y", "CONFIG_ARM=y", "CONFIG_64BIT=y", "0x",
                "CONFIG_CMA_SIZE_PERCENTAGE=", "CONFIG_ARM64_PAGE_SHIFT=", "\\\"", "\r\n"],
}


def _write_dict(path: Path, words: list[str]) -> None:
    with open(path, "w") as f:
        for w in words:
            f.write('"' + "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else f"\\x{ord(c):02x}"
                                  for c in w) + '"\n')


# ------------------------------------------------------------------------------ main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("target", choices=sorted(targets.TARGETS))
    ap.add_argument("--runs", type=int, default=0, help="stop after N executions (0: no limit)")
    ap.add_argument("--max-time", type=int, default=0, help="stop after S seconds")
    ap.add_argument("--timeout", type=int, default=20, help="libFuzzer hang timeout (s)")
    ap.add_argument("--slow", type=float, default=1.0, help="save executions slower than this")
    ap.add_argument("--keep-going", action="store_true", help="record crashes and continue")
    ap.add_argument("--work", default="/tmp/cmacheck-fuzz", help="corpus/crash directory")
    ap.add_argument("libfuzzer", nargs="*", help="extra libFuzzer flags (after --)")
    args = ap.parse_args()

    fn = targets.TARGETS[args.target]
    work = Path(args.work) / args.target
    for sub in ("seeds", "corpus", "crashes", "slow"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    for data in seeds(args.target):
        (work / "seeds" / hashlib.sha1(data).hexdigest()).write_bytes(data)
    stats = {"target": args.target, "executions": 0, "crashes": {}, "slow": {},
             "max_seconds": 0.0, "started": time.time()}

    def save_stats() -> None:
        stats["wall_seconds"] = round(time.time() - stats["started"], 1)  # type: ignore[operator]
        (work / "stats.json").write_text(json.dumps(stats, indent=1, sort_keys=True))

    atexit.register(save_stats)

    def one(data: bytes) -> None:
        stats["executions"] += 1  # type: ignore[operator]
        t0 = time.perf_counter()
        try:
            fn(data)
        except Exception as e:
            if not args.keep_going:
                raise
            tb = traceback.extract_tb(e.__traceback__)
            where = next((f"{Path(f.filename).name}:{f.lineno}" for f in reversed(tb)
                          if "/cmacheck/" in f.filename or "targets.py" in f.filename), "?")
            sig = f"{type(e).__name__} at {where}"
            if isinstance(e, targets.Violation):  # what broke, without the input in it
                sig += ": " + str(e).split(":")[0][:60]
            name = hashlib.sha1(sig.encode()).hexdigest()[:12]
            crashes = stats["crashes"]
            if sig not in crashes:  # type: ignore[operator]
                crashes[sig] = {"count": 0, "file": name,  # type: ignore[index]
                                "message": str(e)[:300]}
                (work / "crashes" / name).write_bytes(data)
                (work / "crashes" / f"{name}.txt").write_text(
                    "".join(traceback.format_exception(e)))
                save_stats()
            crashes[sig]["count"] += 1  # type: ignore[index]
        dt = time.perf_counter() - t0
        stats["max_seconds"] = max(stats["max_seconds"], round(dt, 3))  # type: ignore[call-overload]
        if dt > args.slow:
            name = hashlib.sha1(data).hexdigest()[:12]
            stats["slow"][name] = round(dt, 2)  # type: ignore[index]
            (work / "slow" / name).write_bytes(data)
            save_stats()
        if stats["executions"] % 1000 == 0:  # type: ignore[operator]
            save_stats()

    custom = None
    if args.target in ("dtb", "dtb-run"):
        knob = args.target == "dtb-run"

        def custom(data: bytes, max_size: int, seed: int) -> bytes:
            rng = random.Random(seed)
            r = rng.random()
            if r < 0.45:
                return bytes(atheris.Mutate(data, max_size))
            tail = b""
            if knob and data:
                data, tail = data[:-1], bytes([rng.getrandbits(8)]) if r < 0.6 else data[-1:]
            out = fdtgen.hostile_dtb(rng) if r < 0.55 else fdtgen.mutate(data, rng, max_size)
            return (out + tail)[:max_size]

    flags = [f"-timeout={args.timeout}", "-rss_limit_mb=2048", "-print_final_stats=1",
             f"-artifact_prefix={work}/"]  # oom-*, timeout-*, crash-* next to the corpus
    if args.runs:
        flags.append(f"-runs={args.runs}")
    if args.max_time:
        flags.append(f"-max_total_time={args.max_time}")
    if args.target in _DICTS:
        _write_dict(work / "dict", _DICTS[args.target])
        flags.append(f"-dict={work / 'dict'}")
    if args.target in ("dtb", "dtb-run"):
        flags.append("-max_len=262144")
    elif args.target in ("kconfig", "dmesg"):
        flags.append("-max_len=65536")
    argv = [sys.argv[0], *flags, *args.libfuzzer, str(work / "corpus"), str(work / "seeds")]
    if custom is not None:
        atheris.Setup(argv, one, custom_mutator=custom)
    else:
        atheris.Setup(argv, one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
