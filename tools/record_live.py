#!/usr/bin/env python3
"""Record a real ``cmacheck --live`` capture: boot a Debian arm64 kernel under the boot harness
with a tiny busybox initramfs that prints what ``--live`` reads, and store it as a fake root.

Usage (from the repository root; kernels fetched as for tools/record_boots.py):

    python tools/record_live.py --kernel arm64-6.12            # -> tests/live/arm64-6.12/
    python tools/record_live.py --kernel arm64-sid --timeout 300

The board is the harness' QEMU ``virt`` tree (tools/boots, ``memblock=debug`` off, as on a real
board) with a few /reserved-memory regions (:data:`LIVE_CASE`); the kernel Image is loaded at
:data:`KERNEL_ADDR` (not the usual bank + 2 MiB, so that a placement derived from /proc/iomem
cannot be right by accident).  The initramfs is Debian's ``busybox-static`` plus an ``/init``
(:data:`INIT`) that mounts proc, sysfs and devtmpfs, lowers the console log level and prints,
between ``@@CMACHECK BEGIN <name>@@`` / ``@@CMACHECK END@@`` markers on the serial console:
/proc/iomem, /proc/cmdline, the kernel release, base64 of /sys/firmware/fdt and of
/proc/config.gz (if the kernel has CONFIG_IKCONFIG_PROC), the /dev/kmsg records (gzip +
base64) and ``dmesg``; then it powers off.

Written to ``tests/live/<kernel-id>/`` (a root for ``cmacheck --live --root DIR``):
``sys/firmware/fdt``, ``proc/iomem``, ``proc/cmdline``, ``proc/sys/kernel/osrelease``,
``dev/kmsg`` (record format, as read from the device), ``proc/config.gz`` when the kernel has
one, else ``boot/config-<release>.gz`` (the package's own ``/boot/config-*``, gzip: Debian
builds without IKCONFIG), plus ``board.dts`` (what was booted), ``console.log.gz`` (the serial
output with the base64 blocks elided) and ``meta.json`` (package, QEMU command, where the
loader put the Image / DTB / initramfs).
"""
from __future__ import annotations

import argparse
import base64
import dataclasses
import gzip
import json
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from boots import fetch as fetchmod
from boots import model
from boots.cases import NOMAP, SDP, cma_dyn, cma_static, dyn, st
from record_boots import hx, qemu_argv, qemu_version, run_qemu, write_board

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "tests", "live")
MiB = model.MiB
KERNEL_ADDR = 0x4120_0000  # 2 MiB aligned, 16 MiB above the harness default

LIVE_CASE = model.Case(
    "live", "--live capture: firmware no-map carve-out, static + dynamic CMA, DMA pool",
    children=[
        st("firmware", 0x5000_0000, 4 * MiB, NOMAP),
        cma_static("dsp", 0x6000_0000, 32 * MiB),
        cma_dyn("vpu", 64 * MiB),
        dyn("audio", 1 * MiB, SDP, NOMAP),
        dyn("ramoops", 1 * MiB),
    ],
    arches=("arm64",), memblock_debug=False, kernel_addr=KERNEL_ADDR,
    tags=("live",))

INIT = r"""#!/bin/busybox sh
B=/bin/busybox
$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev || $B mknod /dev/kmsg c 1 11
echo 1 > /proc/sys/kernel/printk
sec() { n=$1; shift; echo "@@CMACHECK BEGIN $n@@"; "$@"; echo "@@CMACHECK END@@"; }
sec iomem $B cat /proc/iomem
sec cmdline $B cat /proc/cmdline
sec osrelease $B cat /proc/sys/kernel/osrelease
sec fdt.b64 $B base64 /sys/firmware/fdt
if [ -e /proc/config.gz ]; then sec config.gz.b64 $B base64 /proc/config.gz; fi
$B cat /dev/kmsg > /kmsg &
P=$!
$B sleep 2
$B kill $P
$B gzip -9 /kmsg
sec kmsg.gz.b64 $B base64 /kmsg.gz
sec dmesg $B dmesg
echo "@@CMACHECK DONE@@"
$B poweroff -f
"""


def cpio_newc(entries: list[tuple[str, int, bytes, tuple[int, int]]]) -> bytes:
    """A newc cpio archive of (name, mode, data, (rdev major, minor)) entries + trailer."""
    out = bytearray()

    def add(name: str, mode: int, data: bytes, rdev: tuple[int, int], ino: int) -> None:
        nb = name.encode() + b"\0"
        fields = (ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(nb), 0)
        out.extend(b"070701" + b"".join(b"%08X" % v for v in fields) + nb)
        out.extend(b"\0" * ((-len(out)) % 4))
        out.extend(data)
        out.extend(b"\0" * ((-len(out)) % 4))

    for i, (name, mode, data, rdev) in enumerate(entries, start=1):
        add(name, mode, data, rdev, i)
    add("TRAILER!!!", 0, b"", (0, 0), 0)
    out.extend(b"\0" * ((-len(out)) % 512))
    return bytes(out)


def initramfs(busybox: str) -> bytes:
    with open(busybox, "rb") as f:
        bb = f.read()
    d, x = 0o040755, 0o100755  # directory, executable file
    return cpio_newc([
        ("bin", d, b"", (0, 0)), ("dev", d, b"", (0, 0)), ("proc", d, b"", (0, 0)),
        ("sys", d, b"", (0, 0)), ("tmp", d, b"", (0, 0)),
        ("dev/console", 0o020600, b"", (5, 1)),
        ("bin/busybox", x, bb, (0, 0)),
        ("init", x, INIT.encode(), (0, 0)),
    ])


_SECTION = re.compile(rb"@@CMACHECK BEGIN ([\w.]+)@@\r?\n(.*?)@@CMACHECK END@@", re.S)


def sections(raw: bytes) -> dict[str, bytes]:
    return {m.group(1).decode(): m.group(2).replace(b"\r\n", b"\n")
            for m in _SECTION.finditer(raw)}


def elide(raw: bytes) -> bytes:
    """The serial log with the base64 blocks replaced by a one-line note."""
    def repl(m: re.Match[bytes]) -> bytes:
        name = m.group(1)
        if not name.endswith(b".b64"):
            return m.group(0)
        n = m.group(2).count(b"\n")
        return b"@@CMACHECK BEGIN " + name + b"@@\r\n(%d lines of base64 elided)\r\n" % n + \
            b"@@CMACHECK END@@"
    return _SECTION.sub(repl, raw)


def record(kid: str, scratch: str, out_root: str, timeout: int) -> str:
    kinfo = fetchmod.load_info(kid, scratch)
    if kinfo["arch"] != "arm64":
        raise SystemExit(f"{kid}: --live captures are arm64 only")
    bb = fetchmod.fetch_busybox(scratch, "trixie", "arm64")
    cpio = initramfs(bb["busybox"])
    case = dataclasses.replace(LIVE_CASE, initrd_size=len(cpio))
    p = model.plan(case, kinfo)
    with tempfile.TemporaryDirectory(prefix=f"cmalive-{kid}-") as tmp:
        dtb, stub = write_board(p, tmp)
        with open(os.path.join(tmp, "initrd.img"), "wb") as f:
            f.write(cpio)
        os.symlink(kinfo["image"], os.path.join(tmp, "Image"))
        argv = qemu_argv(p, kinfo, "Image", "initrd.img", timeout)
        raw, rc, stopped = run_qemu(argv, tmp)
    sec = sections(raw)
    missing = [n for n in ("iomem", "cmdline", "osrelease", "fdt.b64", "kmsg.gz.b64")
               if n not in sec]
    if missing or b"@@CMACHECK DONE@@" not in raw:
        dump = os.path.join(scratch, f"live-{kid}.log")
        with open(dump, "wb") as f:
            f.write(raw)
        raise SystemExit(f"{kid}: capture incomplete (missing {missing}, exit {rc}); "
                         f"serial log in {dump}")
    release = sec["osrelease"].decode().strip()
    fdt = base64.b64decode(sec["fdt.b64"])
    kmsg = gzip.decompress(base64.b64decode(sec["kmsg.gz.b64"]))

    final = os.path.join(out_root, kid)
    stage = os.path.join(out_root, f".{kid}.tmp")
    shutil.rmtree(stage, ignore_errors=True)

    def put(rel: str, data: bytes) -> None:
        path = os.path.join(stage, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    put("sys/firmware/fdt", fdt)
    put("proc/iomem", sec["iomem"])
    put("proc/cmdline", sec["cmdline"])
    put("proc/sys/kernel/osrelease", sec["osrelease"])
    put("dev/kmsg", kmsg)
    if "config.gz.b64" in sec:
        put("proc/config.gz", base64.b64decode(sec["config.gz.b64"]))
        config_source = "/proc/config.gz (CONFIG_IKCONFIG_PROC)"
    else:
        # where the package installs it: /boot/config-<release> (<= 6.x), or
        # /usr/lib/modules/<release>/config (Debian 7.x, in linux-base-*)
        rels = (f"boot/config-{release}", f"usr/lib/modules/{release}/config")
        pkg_root = os.path.join(scratch, kid, "root")
        rel = next((r for r in rels if os.path.exists(os.path.join(pkg_root, r))), None)
        if rel is None:
            raise SystemExit(f"{kid}: no /proc/config.gz and none of {rels} in the package "
                             "(python tools/record_boots.py --fetch)")
        with open(os.path.join(pkg_root, rel), "rb") as f:
            put(f"{rel}.gz", model.gz(f.read()))
        config_source = (f"the package's /{rel} (no /proc/config.gz: CONFIG_IKCONFIG is not "
                         "set), stored gzip-compressed")
    put("board.dts", p.dts.encode())
    put("console.log.gz", model.gz(elide(raw)))
    kimg = model.image_header(kinfo["image"], "arm64")
    kimg["load_address"] = hx(p.kernel_addr)
    meta = {
        "kernel": {k: kinfo[k] for k in ("kernel_id", "package", "version", "suite", "deb",
                                         "vmlinuz", "image_format", "binary_package")
                   if k in kinfo},
        "release": release,
        "kernel_image": kimg,
        "dtb": {"address": hx(p.dtb_addr), "totalsize": len(dtb), "sha256": model.sha256(dtb),
                "sys_firmware_fdt_identical": fdt == dtb},
        "initrd": {"address": hx(p.initrd[0]), "size": p.initrd[1],
                   "sha256": model.sha256(cpio), "busybox": f"{bb['package']} {bb['version']}"},
        "memory": [{"base": hx(b), "size": hx(s)} for b, s in p.memory],
        "cmdline": p.bootargs,
        "config_source": config_source,
        "qemu": {"argv": argv, "qemu_version": qemu_version("arm64"),
                 "cwd_files": {"board.dtb": "this directory's board.dts compiled",
                               "stub.bin": stub.hex(), "Image": kinfo["vmlinuz"] + " (raw Image)",
                               "initrd.img": "busybox-static + /init (tools/record_live.py)"}},
        "boot": {"exit_code": rc, "timeout_s": timeout, "stopped_after_panic": stopped},
        "init": INIT,
    }
    with open(os.path.join(stage, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
        f.write("\n")
    shutil.rmtree(final, ignore_errors=True)
    os.rename(stage, final)
    return final


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernel", action="append", required=True,
                    help="arm64 kernel id (repeatable): " + ", ".join(
                        k for k, s in fetchmod.KERNELS.items() if s.arch == "arm64"))
    ap.add_argument("--scratch", default=fetchmod.DEFAULT_SCRATCH)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--timeout", type=int, default=240, help="seconds per boot")
    a = ap.parse_args(argv)
    for kid in a.kernel:
        print(f"{kid}: {record(kid, a.scratch, a.out, a.timeout)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
