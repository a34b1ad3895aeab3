#!/usr/bin/env python3
"""Record real Linux boots under QEMU as cmacheck test fixtures (ground truth).

Usage (from the repository root):

    python tools/record_boots.py --fetch --kernel arm64-6.1           # download + unpack
    python tools/record_boots.py --kernel arm64-6.1 --cases 't*,base' # record (glob/comma list)
    python tools/record_boots.py --list                               # show kernels and cases

Kernels (Debian packages, see tools/boots/fetch.py) are fetched into a scratch directory
outside the repository (default /var/tmp/cmacheck-kernels, --scratch).  Each case (data in
tools/boots/cases.py) is turned into an exact DTS/DTB, booted with QEMU's generic loader and a
tiny hand-assembled stub (so the DTB reaches the kernel verbatim), and written to
tests/boots/<kernel-id>/<case-id>/ {board.dts, board.dtb, boot.log.gz, meta.json}.
A case directory is replaced atomically and only after its boot finished.
See tools/boots/README.md.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import fnmatch
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from boots import fetch as fetchmod
from boots import model
from boots.cases import all_cases
from boots.dts import compile_dts

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "tests", "boots")
PANIC = b"Kernel panic - not syncing"
_print_lock = threading.Lock()


def qemu_argv(p: model.Plan, kinfo: dict, kfile: str, initrd_file: str | None,
              timeout: int) -> list[str]:
    spec = fetchmod.KERNELS.get(kinfo.get("kernel_id", ""))
    # the kernel id's current -cpu wins over the one kernel.json recorded at fetch time
    cpu = (spec.cpu if spec else "") or kinfo.get("cpu") or \
        ("cortex-a57" if p.arch == "arm64" else "cortex-a15")
    exe = "qemu-system-aarch64" if p.arch == "arm64" else "qemu-system-arm"
    argv = ["timeout", str(timeout), exe, "-M", "virt", "-cpu", cpu]
    argv += ["-smp", "1", "-m", str(p.case.ram_mb), "-nographic", "-no-reboot",
             "-device", f"loader,file={kfile},addr=0x{p.kernel_addr:x},force-raw=on",
             "-device", f"loader,file=board.dtb,addr=0x{p.dtb_addr:x},force-raw=on"]
    if initrd_file:
        argv += ["-device", f"loader,file={initrd_file},addr=0x{p.initrd[0]:x},force-raw=on"]
    argv += ["-device", f"loader,file=stub.bin,addr=0x{p.stub_addr:x},force-raw=on",
             "-device", f"loader,addr=0x{p.stub_addr:x},cpu-num=0"]
    return argv


def trim_log(raw: bytes) -> tuple[bytes, bool]:
    """Cut everything after the final panic (its '---[ end Kernel panic' line included)."""
    i = raw.rfind(PANIC)
    if i < 0:
        return raw, False
    j = raw.find(b"---[ end Kernel panic", i)
    k = raw.find(b"\n", j if j >= 0 else i)
    if k < 0:
        return raw, False
    return raw[:k + 1], k + 1 < len(raw)


def run_qemu(argv: list[str], cwd: str) -> tuple[bytes, int, bool]:
    """Run QEMU, collecting the serial output.  A kernel that panics before it can reboot
    (e.g. a real board DTB dying early) loops forever: once the '---[ end Kernel panic' line has
    been printed, give it 3 s to exit by itself, then stop it (recorded as stopped_after_panic)."""
    import select
    import time
    proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    buf = bytearray()
    deadline = None
    stopped = False
    fd = proc.stdout.fileno()
    while True:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            buf += chunk
            if deadline is None and b"---[ end Kernel panic" in buf:
                deadline = time.monotonic() + 3
        if deadline is not None and time.monotonic() > deadline and proc.poll() is None:
            os.killpg(proc.pid, 15)  # our own process group: timeout + qemu of this boot
            stopped = True
            deadline = float("inf")
    rc = proc.wait()
    if stopped:
        rc = 0
    return bytes(buf), rc, stopped


def hx(v: int) -> str:
    return f"0x{v:x}"


def write_board(p: model.Plan, tmp: str) -> tuple[bytes, bytes]:
    """Write ``p``'s board.dts in ``tmp``, compile it to board.dtb and write the boot stub
    (stub.bin), the files :func:`qemu_argv` loads: (the DTB, the stub)."""
    dts, dtb_path = os.path.join(tmp, "board.dts"), os.path.join(tmp, "board.dtb")
    with open(dts, "w") as f:
        f.write(p.dts)
    compile_dts(dts, dtb_path)
    with open(dtb_path, "rb") as f:
        dtb = f.read()
    assert int.from_bytes(dtb[4:8], "big") == len(dtb)  # the header's totalsize
    stub = model.stub(p)
    with open(os.path.join(tmp, "stub.bin"), "wb") as f:
        f.write(stub)
    return dtb, stub


def record_one(case: model.Case, kinfo: dict, out_root: str, timeout: int,
               board_path: str | None, board_rel: str | None) -> str:
    p = model.plan(case, kinfo, board_path)
    kid = kinfo["kernel_id"]
    with tempfile.TemporaryDirectory(prefix=f"cmaboot-{kid}-{case.id}-") as tmp:
        dtb, stub = write_board(p, tmp)
        totalsize = len(dtb)
        kfile = "Image" if p.arch == "arm64" else "zImage"
        os.symlink(kinfo["image"], os.path.join(tmp, kfile))
        initrd_file = None
        initrd_meta = None
        if p.initrd:
            data = model.initrd_bytes(p.initrd[1])
            initrd_file = "initrd.img"
            with open(os.path.join(tmp, initrd_file), "wb") as f:
                f.write(data)
            initrd_meta = {"address": hx(p.initrd[0]), "size": hx(p.initrd[1]),
                           "end": hx(p.initrd[0] + p.initrd[1]), "sha256": model.sha256(data),
                           "content": "empty newc cpio (TRAILER!!!) zero-padded to size"}
        argv = qemu_argv(p, kinfo, kfile, initrd_file, timeout)
        raw, rc, stopped = run_qemu(argv, tmp)
        log, cut = trim_log(raw)
        if rc == 124:
            outcome = "timeout"
        elif PANIC in raw:
            outcome = "panic"
        else:
            outcome = f"exit {rc}"
        kimg = model.image_header(kinfo["image"], p.arch)
        kimg["load_address"] = hx(p.kernel_addr)
        if p.arch == "armhf":
            kimg["note"] = ("zImage: the decompressor chooses where the kernel proper goes "
                            "(with this loader: 2 MiB above the RAM start + TEXT_OFFSET); the "
                            "kernel and page-table reservations are the memblock_reserve lines "
                            "from arm_memblock_init in the log")
        meta = {
            "case_id": case.id,
            "description": case.desc,
            "tags": list(case.tags),
            "arch": p.arch,
            "kernel": {k: kinfo[k] for k in ("kernel_id", "package", "version", "suite", "deb",
                                             "vmlinuz", "image_format", "binary_package")
                       if k in kinfo},
            "kernel_image": kimg,
            "qemu": {"argv": argv, "ram_base": hx(model.QEMU_RAM_BASE), "ram_mb": case.ram_mb,
                     "cwd_files": {"board.dtb": "this directory's board.dtb",
                                   "stub.bin": stub.hex(), kfile: kinfo["vmlinuz"] +
                                   (" (raw Image)" if p.arch == "arm64" else "")},
                     "qemu_version": qemu_version(p.arch)},
            "memory": [{"base": hx(b), "size": hx(s), "end": hx(b + s)} for b, s in p.memory],
            "memory_style": case.memory_style,
            "dtb": {"address": hx(p.dtb_addr), "totalsize": totalsize,
                    "end": hx(p.dtb_addr + totalsize), "sha256": model.sha256(dtb)},
            "boot_stub": {"address": hx(p.stub_addr), "size": len(stub)},
            "initrd": initrd_meta,
            "cmdline": p.bootargs,
            "case_cmdline": case.cmdline,
            "memreserve": [{"address": hx(a), "size": hx(s)} for a, s in case.memreserve],
            "memblock_debug": case.memblock_debug,
            "board_source": board_rel,
            "boot": {"outcome": outcome, "exit_code": rc, "timeout_s": timeout,
                     "stopped_after_panic": stopped,
                     "log_file": "boot.log.gz", "log_cut_after_panic": cut,
                     "log_bytes": len(log)},
        }
        kdir = os.path.join(out_root, kid)
        os.makedirs(kdir, exist_ok=True)
        stage = os.path.join(kdir, f".{case.id}.tmp")
        shutil.rmtree(stage, ignore_errors=True)
        os.makedirs(stage)
        shutil.copy(os.path.join(tmp, "board.dts"), os.path.join(stage, "board.dts"))
        shutil.copy(os.path.join(tmp, "board.dtb"), os.path.join(stage, "board.dtb"))
        with open(os.path.join(stage, "boot.log.gz"), "wb") as f:
            f.write(model.gz(log))
        with open(os.path.join(stage, "meta.json"), "w") as f:
            json.dump(meta, f, indent=1, sort_keys=True)
            f.write("\n")
        final = os.path.join(kdir, case.id)
        if os.path.isdir(final):
            shutil.rmtree(final)
        os.rename(stage, final)
    return outcome


_qv: dict[str, str] = {}


def qemu_version(arch: str) -> str:
    exe = "qemu-system-aarch64" if arch == "arm64" else "qemu-system-arm"
    if exe not in _qv:
        _qv[exe] = subprocess.run([exe, "--version"], capture_output=True,
                                  text=True).stdout.splitlines()[0]
    return _qv[exe]


def select(cases: list[model.Case], pats: str | None, arch: str) -> list[model.Case]:
    res = [c for c in cases if arch in c.arches]
    if pats:
        ps = [x.strip() for x in pats.split(",") if x.strip()]
        res = [c for c in res if any(fnmatch.fnmatchcase(c.id, x) for x in ps)]
    return res


def find_board(kinfo: dict, scratch: str, pattern: str) -> tuple[str, str] | None:
    # boards come from the bookworm arm64 package (the same DTBs are booted on every kernel)
    src = os.path.join(scratch, "arm64-6.1", "root")
    hits = sorted(glob.glob(os.path.join(src, "usr", "lib", "linux-image-*", pattern)))
    if not hits:
        return None
    rel = os.path.relpath(hits[0], src)
    pkg = fetchmod.load_info("arm64-6.1", scratch)
    return hits[0], f"{pkg['package']}_{pkg['version']}:/{rel}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fetch", action="store_true", help="download/unpack the kernel packages")
    ap.add_argument("--no-update", action="store_true", help="with --fetch: skip apt-get update")
    ap.add_argument("--kernel", action="append", default=[],
                    help="kernel id (repeatable, or 'all'): " + ", ".join(fetchmod.KERNELS))
    ap.add_argument("--cases", default=None, help="comma-separated glob patterns of case ids")
    ap.add_argument("--scratch", default=fetchmod.DEFAULT_SCRATCH)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--jobs", type=int, default=2, help="parallel boots (default 2)")
    ap.add_argument("--timeout", type=int, default=90, help="seconds per boot")
    ap.add_argument("--skip-existing", action="store_true")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--dts", action="store_true", help="print the DTS of the selected cases")
    a = ap.parse_args(argv)

    kids = list(fetchmod.KERNELS) if "all" in a.kernel else a.kernel
    cases = all_cases()
    if a.list:
        for k, s in fetchmod.KERNELS.items():
            print(f"kernel {k}: {s.suite} {s.arch} {s.meta}")
        for c in cases:
            print(f"{c.id:24s} {','.join(c.arches):12s} {c.desc}")
        return 0
    if a.fetch:
        for k in kids:
            info = fetchmod.fetch(k, a.scratch, update=not a.no_update)
            print(f"fetched {k}: {info['package']} {info['version']} ({info['image_format']})")
    if a.cases is None and a.fetch:
        return 0
    jobs = max(1, min(a.jobs, 2))
    failures = 0
    for k in kids:
        kinfo = fetchmod.load_info(k, a.scratch)
        todo = select(cases, a.cases, kinfo["arch"])
        if a.skip_existing:
            todo = [c for c in todo if not os.path.isfile(os.path.join(a.out, k, c.id,
                                                                       "meta.json"))]
        if a.dts:
            for c in todo:
                bp = find_board(kinfo, a.scratch, c.board) if c.board else None
                print(model.plan(c, kinfo, bp[0] if bp else None).dts)
            continue

        def run(c: model.Case, kinfo: dict = kinfo) -> tuple[str, str]:
            bp = None
            if c.board:
                bp = find_board(kinfo, a.scratch, c.board)
                if bp is None:
                    return c.id, "no board dtb"
            try:
                o = record_one(c, kinfo, a.out, a.timeout, bp[0] if bp else None,
                               bp[1] if bp else None)
            except Exception as e:  # report and continue with the other cases
                return c.id, f"ERROR {e!r}"
            return c.id, o

        with cf.ThreadPoolExecutor(max_workers=jobs) as ex:
            for cid, outcome in ex.map(run, todo):
                with _print_lock:
                    print(f"{k} {cid}: {outcome}", flush=True)
                if outcome.startswith("ERROR"):
                    failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
