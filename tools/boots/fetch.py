"""Download Debian kernel packages for the boot harness without touching the host's apt state.

Every kernel "id" maps to (suite, Debian arch, meta package).  The meta package is resolved with
``apt-cache depends`` to the real versioned ``linux-image-*`` package, which is downloaded with
``apt-get download`` into a scratch directory (never inside the repository) and unpacked with
``dpkg-deb -x``.  A ``kernel.json`` next to the unpacked tree records package name and version.
"""
from __future__ import annotations

import glob
import gzip
import json
import os
import subprocess
from dataclasses import dataclass

DEFAULT_SCRATCH = "/var/tmp/cmacheck-kernels"
MIRROR = "http://deb.debian.org/debian"
SECURITY = "http://deb.debian.org/debian-security"


@dataclass(frozen=True)
class KernelSpec:
    kid: str          # directory name under tests/boots/
    suite: str        # bookworm / trixie / sid
    arch: str         # Debian arch: arm64 / armhf
    meta: str         # meta package resolved to the versioned image package
    cpu: str = ""     # QEMU -cpu (default: cortex-a57 / cortex-a15)


KERNELS: dict[str, KernelSpec] = {k.kid: k for k in [
    KernelSpec("arm64-6.1", "bookworm", "arm64", "linux-image-arm64"),
    KernelSpec("arm64-6.12", "trixie", "arm64", "linux-image-arm64"),
    KernelSpec("arm64-sid", "sid", "arm64", "linux-image-arm64"),
    # 16K pages: Cortex-A57 has no 16K granule, so -cpu max; pauth-impdef: QEMU's own pointer
    # authentication hash instead of emulating QARMA5 (3x faster boots under TCG, no effect on
    # memory layout)
    KernelSpec("arm64-6.12-16k", "trixie", "arm64", "linux-image-arm64-16k",
               cpu="max,pauth-impdef=on"),
    KernelSpec("arm64-sid-16k", "sid", "arm64", "linux-image-arm64-16k",
               cpu="max,pauth-impdef=on"),
    KernelSpec("armhf-6.1", "bookworm", "armhf", "linux-image-armmp-lpae"),
    KernelSpec("armhf-6.12", "trixie", "armhf", "linux-image-armmp-lpae"),
]}


def _apt_opts(scratch: str, suite: str, arch: str) -> list[str]:
    base = os.path.join(scratch, "apt", f"{suite}-{arch}")
    lists = os.path.join(base, "lists")
    os.makedirs(os.path.join(lists, "partial"), exist_ok=True)
    os.makedirs(os.path.join(base, "cache", "archives", "partial"), exist_ok=True)
    srcl = os.path.join(base, "sources.list")
    lines = [f"deb {MIRROR} {suite} main"]
    if suite in ("bookworm", "trixie"):
        lines.append(f"deb {MIRROR} {suite}-updates main")
        lines.append(f"deb {SECURITY} {suite}-security main")
    with open(srcl, "w") as f:
        f.write("\n".join(lines) + "\n")
    return [f"-oAPT::Architecture={arch}", f"-oAPT::Architectures={arch}",
            f"-oDir::State::Lists={lists}", f"-oDir::Cache={os.path.join(base, 'cache')}",
            "-oDir::State::status=/dev/null",
            f"-oDir::Etc::SourceList={srcl}", "-oDir::Etc::SourceParts=/dev/null"]


def _run(cmd: list[str], cwd: str | None = None) -> str:
    return subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True).stdout


def _debs(pkg: str, ver: str, where: str) -> list[str]:
    """The .deb files of exactly ``pkg`` ``ver`` in ``where`` (apt-get download writes an
    epoch's colon as %3a: busybox-static_1%3a1.37.0-6_arm64.deb)."""
    names = {ver.replace(":", "%3a"), ver.split(":")[-1]}
    return sorted(d for name in names
                  for d in glob.glob(os.path.join(where, glob.escape(f"{pkg}_{name}_") + "*.deb")))


def _download(o: list[str], pkg: str, ver: str, where: str, root: str,
              unpacked: bool) -> str:
    """``apt-get download pkg=ver`` into ``where`` unless that very version is there already
    (a .deb of another version left from an earlier fetch is never taken), then
    ``dpkg-deb -x`` it into ``root`` unless ``unpacked``; returns the .deb's path."""
    debs = _debs(pkg, ver, where)
    if not debs:
        subprocess.run(["apt-get", *o, "download", f"{pkg}={ver}"], cwd=where, check=True,
                       capture_output=True)
        debs = _debs(pkg, ver, where)
        if not debs:
            raise RuntimeError(f"apt-get download {pkg}={ver} left no {pkg}_{ver}_*.deb "
                               f"in {where}")
    deb = debs[-1]
    if not unpacked:
        subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
    return deb


def resolve(spec: KernelSpec, scratch: str) -> tuple[str, str]:
    """Return (package, version) of the image package the meta package depends on."""
    o = _apt_opts(scratch, spec.suite, spec.arch)
    out = _run(["apt-cache", *o, "depends", spec.meta])
    pkg = None
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("Depends:") and "linux-image-" in line:
            pkg = line.split()[1]
            break
    if pkg is None:
        raise RuntimeError(f"cannot resolve {spec.meta} for {spec.suite}/{spec.arch}:\n{out}")
    pol = _run(["apt-cache", *o, "policy", pkg])
    ver = next(ln.split()[1] for ln in pol.splitlines() if ln.strip().startswith("Candidate:"))
    return pkg, ver


def fetch(kid: str, scratch: str = DEFAULT_SCRATCH, update: bool = True) -> dict:
    spec = KERNELS[kid]
    o = _apt_opts(scratch, spec.suite, spec.arch)
    if update:
        r = subprocess.run(["apt-get", *o, "update"], capture_output=True, text=True)
        if r.returncode:  # e.g. a security mirror mid-sync: use what was fetched, but say so
            print(f"warning: apt-get update for {kid} failed partly:\n{r.stdout[-2000:]}"
                  f"{r.stderr[-2000:]}")
    pkg, ver = resolve(spec, scratch)
    kdir = os.path.join(scratch, kid)
    os.makedirs(kdir, exist_ok=True)
    old = os.path.join(kdir, "kernel.json")
    if os.path.exists(old):
        with open(old) as f:
            prev = json.load(f)
        if (prev.get("package"), prev.get("version")) != (pkg, ver):
            # a newer package: start from a clean unpack directory
            import shutil
            shutil.rmtree(os.path.join(kdir, "root"), ignore_errors=True)
    root = os.path.join(kdir, "root")
    deb = _download(o, pkg, ver, kdir, root, unpacked=os.path.isdir(root))
    info = {"kernel_id": kid, "suite": spec.suite, "arch": spec.arch, "package": pkg,
            "version": ver, "deb": os.path.basename(deb),
            "cpu": spec.cpu or ("cortex-a57" if spec.arch == "arm64" else "cortex-a15")}
    deps = _run(["dpkg-deb", "-f", deb, "Depends"])
    binps = [d.split()[0] for d in deps.replace("|", ",").split(",")
             if d.strip().startswith("linux-binary-")]
    if binps:
        # Debian 7.x splits the image package: the kernel itself is in linux-binary-*
        binp = binps[0]
        bdeb = _download(o, binp, ver, kdir, root, unpacked=bool(_vmlinuz(root)))
        info["binary_package"] = binp
        info["binary_deb"] = os.path.basename(bdeb)
        # ... and its .config (usr/lib/modules/<release>/config) in linux-base-*
        basep = [d.split()[0] for d in deps.replace("|", ",").split(",")
                 if d.strip().startswith("linux-base-")]
        if basep:
            _download(o, basep[0], ver, kdir, root, unpacked=bool(
                glob.glob(os.path.join(root, "usr", "lib", "modules", "*", "config"))))
            info["base_package"] = basep[0]
    info.update(prepare_image(kid, root, spec.arch))
    with open(os.path.join(kdir, "kernel.json"), "w") as f:
        json.dump(info, f, indent=1, sort_keys=True)
    return info


def _vmlinuz(root: str) -> list[str]:
    return sorted(glob.glob(os.path.join(root, "boot", "vmlinuz-*")) +
                  glob.glob(os.path.join(root, "usr", "lib", "modules", "*", "vmlinuz")))


def prepare_image(kid: str, root: str, arch: str) -> dict:
    """Find the vmlinuz; for arm64 turn it into a raw Image (gzip or EFI zboot)."""
    vmlinuz = _vmlinuz(root)[-1]
    out = {"vmlinuz": os.path.relpath(vmlinuz, root)}
    with open(vmlinuz, "rb") as f:
        data = f.read()
    if arch == "armhf":
        out["image"] = vmlinuz
        out["image_format"] = "zImage"
        return out
    img_path = os.path.join(os.path.dirname(root), "Image")
    if data[:2] == b"\x1f\x8b":
        img = gzip.decompress(data)
        fmt = "gzip"
    elif data[:2] == b"MZ" and data[4:8] == b"zimg":
        import struct
        off, size = struct.unpack_from("<II", data, 8)
        comp = data[0x18:0x18 + 8].rstrip(b"\0").decode()
        payload = data[off:off + size]
        fmt = f"zboot-{comp}"
        if comp == "gzip":
            img = gzip.decompress(payload)
        elif comp in ("zstd", "zstd22"):
            img = subprocess.run(["zstd", "-dc"], input=payload, capture_output=True,
                                 check=True).stdout
        elif comp == "xz":
            import lzma
            img = lzma.decompress(payload)
        else:
            raise RuntimeError(f"unsupported zboot compression {comp}")
    else:
        img = data
        fmt = "raw"
    if img[56:60] != b"ARM\x64":
        raise RuntimeError(f"{vmlinuz}: not an arm64 Image after {fmt} decompression")
    with open(img_path, "wb") as f:
        f.write(img)
    out["image"] = img_path
    out["image_format"] = fmt
    return out


def load_info(kid: str, scratch: str = DEFAULT_SCRATCH) -> dict:
    with open(os.path.join(scratch, kid, "kernel.json")) as f:
        return json.load(f)


def fetch_busybox(scratch: str = DEFAULT_SCRATCH, suite: str = "trixie",
                  arch: str = "arm64") -> dict:
    """Download and unpack Debian's ``busybox-static`` for ``arch`` (the userland of the
    ``--live`` capture initramfs, tools/record_live.py); returns path and version."""
    o = _apt_opts(scratch, suite, arch)
    lists = os.path.join(scratch, "apt", f"{suite}-{arch}", "lists")
    if not glob.glob(os.path.join(lists, "*_Packages*")):
        subprocess.run(["apt-get", *o, "update"], capture_output=True, text=True)
    pol = _run(["apt-cache", *o, "policy", "busybox-static"])
    ver = next(ln.split()[1] for ln in pol.splitlines() if ln.strip().startswith("Candidate:"))
    bdir = os.path.join(scratch, f"busybox-{suite}-{arch}")
    os.makedirs(bdir, exist_ok=True)
    root = os.path.join(bdir, "root")
    deb = _download(o, "busybox-static", ver, bdir, root, unpacked=os.path.isdir(root))
    return {"package": "busybox-static", "version": ver, "deb": os.path.basename(deb),
            "busybox": next(p for p in (os.path.join(root, "usr", "bin", "busybox"),
                                        os.path.join(root, "bin", "busybox"))
                            if os.path.isfile(p))}


if __name__ == "__main__":
    import sys
    for k in sys.argv[1:]:
        print(json.dumps(fetch(k), indent=1))
