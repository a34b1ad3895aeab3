"""cmacheck benchmarks: reproducible by anyone with the corpus (benchmarks/fetch_corpus.sh).

    sh benchmarks/fetch_corpus.sh            # once: Debian 6.1 arm64 DTBs + config
    python3 benchmarks/bench.py [--write]    # measure; --write updates benchmarks/RESULTS.md

cmacheck is measured as a user has it: ``pip install .`` (not ``-e``) into a throw-away venv,
benchmarks/.venv, reinstalled whenever the source changed (the first run needs the
dependencies from PyPI or pip's cache).  Nothing of the calling interpreter's site (editable
finders, .pth files) or environment (PYTHONPATH, PYTHONDONTWRITEBYTECODE) leaks into the runs.

Measures, in one run on this machine (ratios are only meaningful within one run):
  (a) cold single-board run, process start to exit (median of N, the venv's `cmacheck`
      script): text to a pipe, text on an 80x24 terminal, JSON, and the venv interpreter's
      own start-up (`python -c pass`), interleaved run by run;
  (b) batch throughput over the whole corpus, in one process per run, with and without -j;
  (c) dt-validate on a sample of the same DTBs, as a reference;
  (d) the dry-run core on synthetic trees of 10 ... 10,000 regions (how cost grows);
  (e) peak RSS of (a) and (b).
Targets (issue "Benchmarks and robustness"): (a) <= 150 ms median, (b) all DTBs <= 5 s wall,
(d) 10,000 regions <= 1 s, (e) <= 80 MB.  Checked here, never by timed tests.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import os
import platform
import resource
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = HERE / "corpus"
BOARD = "qcom/sm8450-hdk.dtb"  # the largest /reserved-memory upstream (43 regions)
# sm8450-hdk's /memory is a placeholder the bootloader fills (no dry run without RAM); this
# one has RAM and the most regions of those that do (21): the whole replay runs.
RAM_BOARD = "ti/k3-j721e-sk.dtb"
VENV = HERE / ".venv"  # the throw-away install (see install())
PYTHON = str(VENV / "bin" / "python")
CMACHECK = str(VENV / "bin" / "cmacheck")


# Users' installs keep compiled bytecode; a PYTHONDONTWRITEBYTECODE inherited from a
# sandbox would make every run recompile every module (measured: +150-200 ms per start).
# PYTHONPATH / PYTHONHOME would put another cmacheck or stdlib in front of the venv's.
ENV = {k: v for k, v in os.environ.items()
       if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "PYTHONHOME")}


def _source_digest() -> str:
    """What the installed copy is built from: the package, its bundled data, pyproject.toml."""
    h = hashlib.sha256()
    files = [ROOT / "pyproject.toml", *(ROOT / "cmacheck").rglob("*"),
             *(ROOT / "schemas").rglob("*")]
    for f in sorted(files):
        if f.is_file() and "__pycache__" not in f.parts:
            h.update(f"{f.relative_to(ROOT).as_posix()}\0{f.stat().st_size}\0".encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def install() -> None:
    """benchmarks/.venv with this source tree ``pip install``ed, as a user has it."""
    stamp = VENV / "cmacheck-source.sha256"
    digest = _source_digest()
    if stamp.exists() and Path(PYTHON).exists() and stamp.read_text() == digest:
        return
    try:
        if not Path(PYTHON).exists():
            stamp.unlink(missing_ok=True)
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True,
                           env=ENV)
        pip = [PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        if stamp.exists():  # dependencies are in place: only cmacheck changed
            pip += ["--force-reinstall", "--no-deps"]
        # Built from a copy: an in-tree build would reuse the checkout's build/ (where a
        # deleted module lives on) and write build/ and *.egg-info next to the source.
        with tempfile.TemporaryDirectory(prefix="cmacheck-bench-") as tmp:
            for name in ("pyproject.toml", "README.md"):
                shutil.copy2(ROOT / name, tmp)
            for name in ("cmacheck", "schemas"):
                shutil.copytree(ROOT / name, Path(tmp) / name,
                                ignore=shutil.ignore_patterns("__pycache__"))
            subprocess.run([*pip, tmp], check=True, env=ENV)
    except subprocess.CalledProcessError as e:
        sys.exit(f"cannot install cmacheck into {VENV} ({' '.join(e.cmd[:4])} failed; on Debian "
                 "`python3 -m venv` needs the python3-venv package)")
    stamp.write_text(digest)


def _run(cmd: list[str], tty: bool = False) -> tuple[float, int, int]:
    """Wall seconds, exit status and peak RSS (KiB) of one child process; ``tty``: its
    standard output is an 80x24 terminal (a pseudo-terminal read until the child closes it)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    if tty:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))  # 80x24
        child = subprocess.Popen(cmd, stdout=slave, stderr=subprocess.PIPE, env=ENV)
        os.close(slave)
        with contextlib.suppress(OSError):  # EIO once the child has closed the terminal
            while os.read(master, 65536):
                pass
        os.close(master)
        err = child.communicate()[1]
        returncode = child.returncode
    else:
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              check=False, env=ENV)
        err, returncode = proc.stderr, proc.returncode
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({returncode}): {err.decode()[-400:]}")
    return wall, returncode, max(before, after)


def _rss_of(cmd: list[str]) -> int:
    """Peak RSS in KiB of a fresh child (GNU time), independent of earlier children."""
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, check=False, text=True, env=ENV)
    return int(out.stderr.strip().splitlines()[-1])


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") >> 20
    load = os.getloadavg()
    return (f"{os.cpu_count()} CPUs ({cpu}), {mem} MiB RAM, Python {platform.python_version()}, "
            f"load average before the run {load[0]:.2f}")


def cold(config: Path, dtbs: Path, n: int) -> dict[str, tuple[float, float, int]]:
    """(a): the cold runs, interleaved (one of each in turn, ``n`` rounds) so that the
    machine's slow and fast spells fall on every variant alike: name -> (median wall, best
    wall, peak RSS in KiB)."""
    base = [CMACHECK, str(dtbs / BOARD), "--config", str(config)]
    variants: dict[str, tuple[list[str], bool]] = {
        "text": (base, False),
        "ram": ([CMACHECK, str(dtbs / RAM_BOARD), "--config", str(config)], False),
        "tty": (base, True),
        "json": ([*base, "--format", "json"], False),
        "python": ([PYTHON, "-c", "pass"], False),
    }
    walls: dict[str, list[float]] = {name: [] for name in variants}
    for cmd, tty in variants.values():
        _run(cmd, tty)  # warm the page cache
    for _ in range(n):
        for name, (cmd, tty) in variants.items():
            walls[name].append(_run(cmd, tty)[0])
    return {name: (statistics.median(w), min(w), _rss_of(variants[name][0]))
            for name, w in walls.items()}


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (through /proc/PID/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):  # the process or thread just ended
                todo += [int(c) for c in task.read_text().split()]
    return out


def _rss_kib(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * (
            os.sysconf("SC_PAGE_SIZE") // 1024)
    except (OSError, IndexError, ValueError):
        return 0


@dataclass(frozen=True)
class BatchRun:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and its -j workers
    rss: int  # KiB: peak RSS of the largest single process (ru_maxrss, what GNU time prints)
    rss_sum: int  # KiB: peak of the sum over the process and its workers (sampled every 20 ms)


def _batch_run(cmd: list[str]) -> BatchRun:
    """One batch run: wall and CPU time, and its memory as one process and as a tree."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    peak = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, sum(_rss_kib(p) for p in _tree(proc.pid)))
        time.sleep(0.02)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {err[-400:]}")
    # wait4's rusage covers the child and the workers it waited for; ru_maxrss is the
    # largest of them, not their sum.
    return BatchRun(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss,
                    max(peak, usage.ru_maxrss))


def batch(config: Path, dtbs: Path, jobs: int | None, n: int = 3) -> BatchRun:
    """The run of median wall time out of ``n`` (the corpus stays in the page cache)."""
    cmd = [CMACHECK, str(dtbs), "--config", str(config), "--format", "json"]
    if jobs is not None:
        cmd += ["-j", str(jobs)]
    runs = sorted((_batch_run(cmd) for _ in range(n)), key=lambda r: r.wall)
    return runs[len(runs) // 2]


def dt_validate(files: list[Path]) -> float | None:
    exe = subprocess.run(["sh", "-c", "command -v dt-validate"], capture_output=True, text=True)
    if exe.returncode:
        return None
    t = time.perf_counter()
    for f in files:
        subprocess.run(["dt-validate", str(f)], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - t) / len(files)


def synthetic(n: int) -> float:
    """Dry run of a tree with ``n`` reserved-memory regions (3/4 static no-map, 1/4 dynamic)."""
    sys.path.insert(0, str(ROOT))
    from cmacheck.dryrun import BootChain, dry_run
    from cmacheck.kernel import kernel_model
    from cmacheck.load.cmdline import parse_cmdline
    from cmacheck.model import DeviceTree, Node, Prop

    def cells(*v: int) -> bytes:
        return b"".join(x.to_bytes(4, "big") for x in v)

    children = []
    for i in range(n):
        name = f"r{i}@{0x80000000 + i * 0x10000:x}"
        props = {"no-map": Prop("no-map", b"")}
        if i % 4 == 3:
            name = f"d{i}"
            props = {"size": Prop("size", cells(0, 0x1000))}
        else:
            props["reg"] = Prop("reg", cells(0, 0x80000000 + i * 0x10000, 0, 0x1000))
        children.append(Node(name, f"/reserved-memory/{name}", i + 100, props))
    rmem = Node("reserved-memory", "/reserved-memory", 50,
                {"#address-cells": Prop("#address-cells", cells(2)),
                 "#size-cells": Prop("#size-cells", cells(2)), "ranges": Prop("ranges", b"")},
                children)
    mem = Node("memory@80000000", "/memory@80000000", 10,
               {"device_type": Prop("device_type", b"memory\0"),
                "reg": Prop("reg", cells(0, 0x80000000, 1, 0))})
    root = Node("", "/", 0, {"#address-cells": Prop("#address-cells", cells(2)),
                             "#size-cells": Prop("#size-cells", cells(2))}, [mem, rmem])
    dt = DeviceTree("synthetic.dtb", root)
    kernel = kernel_model((6, 12, 0), "arm64", {})
    t = time.perf_counter()
    dry_run(dt, kernel=kernel, cmdline=parse_cmdline(""), symbols=None, boot=BootChain())
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    ap.add_argument("-n", type=int, default=15, help="cold runs (default 15)")
    ap.add_argument("--sample", type=int, default=10, help="DTBs for dt-validate (default 10)")
    args = ap.parse_args()
    config, dtbs = CORPUS / "config", CORPUS / "dtbs"
    if not config.exists():
        sys.exit("no corpus: run sh benchmarks/fetch_corpus.sh first")
    files = sorted(dtbs.rglob("*.dtb"))
    lines = [f"Machine: {machine()}.", f"Corpus: {len(files)} DTBs of "
             f"{(CORPUS / 'PACKAGE').read_text().strip()} with its config.", ""]

    install()
    runs = cold(config, dtbs, args.n)
    for name, board, what in (
            ("text", BOARD, "(text, to a pipe)"), ("tty", BOARD, "in an 80x24 terminal (a pty)"),
            ("json", BOARD, "--format json"), ("ram", RAM_BOARD, "(RAM known: the dry run too)")):
        med, best, rss = runs[name]
        lines.append(f"(a) cold `cmacheck {board} --config config` {what}: median "
                     f"{med * 1000:.0f} ms, best {best * 1000:.0f} ms over {args.n} runs "
                     f"(target <= 150 ms); peak RSS {rss / 1024:.1f} MB")
    med = runs["text"][0]
    lines.append(f"(a) the interpreter alone (`python -c pass`, same venv), interleaved with "
                 f"the runs above: median {runs['python'][0] * 1000:.0f} ms, best "
                 f"{runs['python'][1] * 1000:.0f} ms")
    for jobs in (None, 2):
        b = batch(config, dtbs, jobs)
        label = "-j1" if jobs is None else f"-j{jobs}"
        lines.append(f"(b) batch over all {len(files)} DTBs, {label}: {b.wall:.2f} s wall "
                     f"(median of 3), {b.wall / len(files) * 1000:.1f} ms per DTB (target <= 5 s)"
                     f", {b.cpu:.2f} s CPU; peak RSS {b.rss / 1024:.1f} MB per process"
                     + (f", {b.rss_sum / 1024:.1f} MB all processes" if jobs else ""))
    sample = files[:: max(1, len(files) // args.sample)][: args.sample]
    per = dt_validate(sample)
    if per is None:
        lines.append("(c) dt-validate: not installed")
    else:
        lines.append(f"(c) dt-validate on {len(sample)} of the same DTBs: {per:.2f} s per DTB "
                     f"({per / (med or 1):.0f}x a cold cmacheck run)")
    for n in (10, 100, 1000, 10000):
        t = synthetic(n)
        lines.append(f"(d) dry run, {n} regions: {t * 1000:.1f} ms"
                     + (" (target <= 1 s)" if n == 10000 else ""))
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        out = HERE / "RESULTS.md"
        head = out.read_text().split("<!-- results -->")[0] if out.exists() else (
            "# Benchmark results\n\nProduced by `python3 benchmarks/bench.py --write`.\n\n")
        out.write_text(f"{head}<!-- results -->\n```\n{text}```\n")


if __name__ == "__main__":
    main()
