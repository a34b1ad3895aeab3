"""``--live``: gather a running board's own inputs, to compare its boot with the prediction.

Everything is read below ``root`` (``/`` on the board; a copied tree in tests, never this
machine's own /sys):

- the device tree the kernel booted with: ``sys/firmware/fdt``;
- its configuration: ``proc/config.gz``, else the package's copy: ``boot/config-<release>``,
  ``usr/lib/modules/<release>/config`` (Debian 7.x) or ``lib/modules/<release>/config``, or
  a gzip copy of one of them (``<path>.gz``; release from ``proc/sys/kernel/osrelease``);
- the kernel log: ``dev/kmsg`` (record format, read without blocking), else
  ``var/log/dmesg``, ``var/log/kern.log``;
- ``proc/iomem`` where readable with real addresses (root): the ``Kernel code`` ..
  ``Kernel data`` span gives the kernel image's placement, which the dry run reserves
  (``api.live_inputs`` turns it into the Image load address per arch).

The command line is not read from ``proc/cmdline``: the runtime tree's ``/chosen/bootargs``
is what the bootloader passed, and the dry run composes it with ``CONFIG_CMDLINE`` itself.
"""

from __future__ import annotations

import errno
import os
import re

from cmacheck.dryrun import SZ_64K
from cmacheck.errors import InputError
from cmacheck.records import record

MAX_KMSG_BYTES = 16 << 20


@record()
class LiveInputs:
    dt: str
    config: str | None
    log_source: str
    log_text: str
    kernel_span: tuple[int, int] | None  # (start, size): "Kernel code" start .. "Kernel data" end
    notes: tuple[str, ...]


def _path(root: str, rel: str) -> str:
    return os.path.join(root, rel)


def _read_text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def read_kmsg(path: str) -> str | None:
    """The kernel ring buffer from a /dev/kmsg-style source, without blocking at its end."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    chunks: list[bytes] = []
    total = 0
    try:
        while total < MAX_KMSG_BYTES:
            try:
                chunk = os.read(fd, 8192)
            except BlockingIOError:
                break  # end of the ring buffer on a character device
            except OSError as e:
                if e.errno == errno.EPIPE:  # a record was overwritten while reading: go on
                    continue
                break
            if not chunk:
                break  # end of a regular file
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    text = b"".join(chunks).decode("utf-8", "replace")
    # Records: "prio,seq,usec,flags;message" then optional " KEY=value" continuation lines.
    lines = [ln for ln in text.split("\n") if ln and not ln.startswith(" ")]
    return "\n".join(lines) if lines else None


_IOMEM = re.compile(r"^\s*([0-9a-fA-F]+)-([0-9a-fA-F]+) : (Kernel code|Kernel data)$")


def kernel_span(iomem: str) -> tuple[int, int] | None:
    """(start, size) of ``Kernel code`` .. end of ``Kernel data`` in /proc/iomem."""
    spans = {}
    for line in iomem.splitlines():
        m = _IOMEM.match(line)
        if m:
            spans[m.group(3)] = (int(m.group(1), 16), int(m.group(2), 16) + 1)
    if "Kernel code" not in spans or "Kernel data" not in spans:
        return None
    start, end = spans["Kernel code"][0], spans["Kernel data"][1]
    if start == 0 or end <= start:
        return None  # addresses hidden (not root)
    return start, end - start


def code_starts_at_stext(version: tuple[int, int, int]) -> bool:
    """Whether arm64 /proc/iomem ``Kernel code`` (and the kernel's own memblock reservation of
    its image) starts at ``_stext``, 64 KiB (SEGMENT_ALIGN, arch/arm64/kernel/vmlinux.lds.S)
    after the Image start ``_text``, rather than at ``_text`` itself: the kernel model's
    ``kernel_reserved_from_stext`` (the row ``arm64.kernel_reserved_from_stext`` of
    cmacheck.kernel.changes: 5.11 to 6.17.3, not in 6.12.54+; recorded boots and
    tools/record_live.py captures: 6.1.192 from load + 64 KiB, 6.12.117 and 7.2.13 from the
    load address), which the dry run's own reservation of the image reads too.  A version
    only, no Kconfig symbols: the row depends on nothing else (kernel_model is cached).

    Raises:
        ValueError: version outside the modelled range (as for the dry run).
    """
    from cmacheck.kernel import kernel_model

    return kernel_model(version, "arm64", {}).kernel_reserved_from_stext


def arm64_image_placement(
    span: tuple[int, int], version: tuple[int, int, int] | None
) -> tuple[int, int]:
    """(Image load address, size to its ``_end``) from the /proc/iomem kernel span."""
    start, size = span
    if version is not None and code_starts_at_stext(version):
        return start - SZ_64K, size + SZ_64K
    return start, size


def collect(root: str = "/") -> LiveInputs:
    """Find the running system's inputs below ``root``; InputError when the tree is missing."""
    dt = _path(root, "sys/firmware/fdt")
    if not os.path.exists(dt):
        raise InputError(dt, "no flattened device tree (not a device-tree system, or "
                             "not readable: run as root)")
    notes: list[str] = []
    config = None
    for cand in ("proc/config.gz",):
        if os.path.exists(_path(root, cand)):
            config = _path(root, cand)
    if config is None:
        release = (_read_text(_path(root, "proc/sys/kernel/osrelease")) or "").strip()
        # Debian and most distributions build without CONFIG_IKCONFIG_PROC: the package's
        # copy is then the kernel's configuration: /boot/config-<release> (Debian <= 6.x),
        # /usr/lib/modules/<release>/config (Debian 7.x, Fedora), or a gzip copy of either
        cands = [_path(root, f"{rel}{ext}")
                 for rel in (f"boot/config-{release}", f"usr/lib/modules/{release}/config",
                             f"lib/modules/{release}/config")
                 for ext in ("", ".gz")]
        config = next((c for c in cands if release and os.path.exists(c)), None)
        if config is None:
            notes.append("no kernel config found (/proc/config.gz, /boot/config-$(uname -r), "
                         "/usr/lib/modules/$(uname -r)/config)")
    log_source, log_text = "", None
    kmsg = _path(root, "dev/kmsg")
    if os.path.exists(kmsg):
        log_source, log_text = kmsg, read_kmsg(kmsg)
    for rel in ("var/log/dmesg", "var/log/kern.log"):
        if log_text is None and os.path.exists(_path(root, rel)):
            log_source, log_text = _path(root, rel), _read_text(_path(root, rel))
    if log_text is None:
        raise InputError(kmsg, "cannot read the kernel log (/dev/kmsg needs root; or save "
                               "dmesg to a file and use --dmesg)")
    span = None
    iomem = _read_text(_path(root, "proc/iomem"))
    if iomem is not None:
        span = kernel_span(iomem)
    if span is None:
        notes.append("kernel image placement unknown (/proc/iomem needs root)")
    return LiveInputs(dt, config, log_source, log_text, span, tuple(notes))
