"""--live: a running board's inputs gathered below --root (here: a tree built from a real boot)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from conftest import ROOT
from test_boots import fixtures

from cmacheck import api
from cmacheck.errors import InputError
from cmacheck.live import code_starts_at_stext, collect, kernel_span, read_kmsg

KCONFIG = ROOT / "tests" / "data" / "kconfig" / "debian-6.1-arm64.config.gz"


def _fake_root(tmp_path: Path, case: str = "arm64-6.1/t2b", *, iomem: bool = True) -> Path:
    fx = next(f for f in fixtures() if f.id == case)
    root = tmp_path / "root"
    (root / "sys/firmware").mkdir(parents=True)
    shutil.copy(fx.path / "board.dtb", root / "sys/firmware/fdt")
    (root / "proc/sys/kernel").mkdir(parents=True)
    shutil.copy(KCONFIG, root / "proc/config.gz")
    (root / "proc/sys/kernel/osrelease").write_text("6.1.0-56-arm64\n")
    (root / "dev").mkdir()
    # /dev/kmsg records: "prio,seq,usec,flags;message", continuation lines start with a space
    records = []
    for i, line in enumerate(fx.log().splitlines()):
        msg = line.split("] ", 1)[1] if line.startswith("[") else line
        records.append(f"6,{i},{i * 10},-;{msg}\n SUBSYSTEM=test\n")
    (root / "dev/kmsg").write_text("".join(records))
    if iomem:
        img = fx.meta["kernel_image"]
        load, size = int(img["load_address"], 16), int(img["image_size"])
        code, end = load + 0x10000, load + size
        (root / "proc/iomem").write_text(
            f"40000000-bfffffff : System RAM\n  {code:08x}-{code + 0xfffff:08x} : Kernel code\n"
            f"  {code + 0x100000:08x}-{end - 1:08x} : Kernel data\n")
    return root


def test_collect(tmp_path: Path) -> None:
    root = _fake_root(tmp_path)
    live = collect(str(root))
    assert live.dt == str(root / "sys/firmware/fdt")
    assert live.config == str(root / "proc/config.gz")
    assert live.log_source == str(root / "dev/kmsg")
    assert "SUBSYSTEM" not in live.log_text
    assert live.kernel_span == (0x40210000, 33619968 - 0x10000)


def test_live_run_agrees_with_the_boot(tmp_path: Path) -> None:
    report = api.run(api.live_inputs(str(_fake_root(tmp_path))))
    c = report.ctx.comparison
    assert c is not None and c.differences == () and c.agree == c.total > 0
    assert c.kernel_version == "6.1.0-56-arm64"


def test_live_without_iomem_notes_it(tmp_path: Path) -> None:
    report = api.run(api.live_inputs(str(_fake_root(tmp_path, iomem=False))))
    assert "kernel image placement unknown (/proc/iomem needs root)" in report.notes


def test_config_from_boot_dir(tmp_path: Path) -> None:
    root = _fake_root(tmp_path)
    (root / "proc/config.gz").unlink()
    (root / "boot").mkdir()
    (root / "boot/config-6.1.0-56-arm64").write_bytes(gzip.decompress(KCONFIG.read_bytes()))
    assert collect(str(root)).config == str(root / "boot/config-6.1.0-56-arm64")


def test_no_fdt(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        collect(str(tmp_path))
    assert str(e.value) == (f"{tmp_path}/sys/firmware/fdt: no flattened device tree (not a "
                            "device-tree system, or not readable: run as root)")


def test_no_log(tmp_path: Path) -> None:
    root = _fake_root(tmp_path)
    (root / "dev/kmsg").unlink()
    with pytest.raises(InputError) as e:
        collect(str(root))
    assert str(e.value).endswith("cannot read the kernel log (/dev/kmsg needs root; or save "
                                 "dmesg to a file and use --dmesg)")


def test_kernel_span_hidden_without_root() -> None:
    iomem = "00000000-00000000 : Kernel code\n00000000-00000000 : Kernel data\n"
    assert kernel_span(iomem) is None


def test_read_kmsg_missing(tmp_path: Path) -> None:
    assert read_kmsg(str(tmp_path / "nope")) is None


def test_cli_live(tmp_path: Path) -> None:
    from conftest import run_cli

    root = _fake_root(tmp_path)
    r = run_cli(["--live", "--root", str(root), "--format", "json"])
    assert r.code == 0, r.err
    assert r.json["input"]["dt"] == str(root / "sys/firmware/fdt")
    assert r.json["dmesg"]["agree"] == r.json["dmesg"]["total"] > 0
    r = run_cli(["--live", "--root", str(root), "--no-color"])
    assert "regions agree with the prediction" in r.out


def test_cli_live_refuses_dt(tmp_path: Path) -> None:
    from conftest import run_cli

    r = run_cli(["--live", "examples/clean/board.dtb"])
    assert (r.code, r.out) == (2, "")
    assert r.err == ("cmacheck: error: --live reads the running board's own tree and log: "
                     "give no DT and no --dmesg\n")


# ------------------------------------------------------- real captures (tools/record_live.py)

LIVE_ROOTS = sorted(p.parent for p in (ROOT / "tests" / "live").glob("*/meta.json"))


def _meta(root: Path) -> dict:
    import json

    return json.loads((root / "meta.json").read_text())


def test_live_captures_present() -> None:
    assert {p.name for p in LIVE_ROOTS} >= {"arm64-6.1", "arm64-6.12"}


@pytest.mark.parametrize("root", LIVE_ROOTS, ids=lambda p: p.name)
def test_capture_is_the_booted_tree(root: Path) -> None:
    """/sys/firmware/fdt is byte for byte the DTB the loader put in memory."""
    import hashlib

    meta = _meta(root)
    fdt = (root / "sys/firmware/fdt").read_bytes()
    assert hashlib.sha256(fdt).hexdigest() == meta["dtb"]["sha256"]
    assert (root / "proc/sys/kernel/osrelease").read_text().strip() == meta["release"]


@pytest.mark.parametrize("root", LIVE_ROOTS, ids=lambda p: p.name)
def test_capture_prediction_agrees_with_its_boot(root: Path) -> None:
    """``cmacheck --live --root`` on a real capture: every region and the default CMA area
    as that boot's own kernel log says (no CMA8xx difference)."""
    from cmacheck.dmesg import parse_log
    from cmacheck.load.log import pick_boot

    meta = _meta(root)
    inputs = api.live_inputs(str(root))
    assert inputs.config is not None and inputs.notes == ()
    report = api.run(inputs)
    c = report.ctx.comparison
    assert c is not None and c.differences == () and c.agree == c.total > 0
    assert c.kernel_version == meta["release"]
    assert not [f for f in report.findings if f.rule.startswith("CMA8")]
    # the default area exactly, not only within the comparison's tolerance
    text, _, _ = pick_boot(inputs.dmesg_text or "", inputs.dmesg, None)
    logged = parse_log(text).default_area
    predicted = report.ctx.run.default_cma
    assert logged is not None and predicted is not None
    assert (predicted.base, predicted.size >> 20) == (logged.base, logged.size_mib)


@pytest.mark.parametrize("root", LIVE_ROOTS, ids=lambda p: p.name)
def test_capture_kernel_placement(root: Path) -> None:
    """The Image placement derived from /proc/iomem is where the loader put the Image."""
    meta = _meta(root)
    img = meta["kernel_image"]
    inputs = api.live_inputs(str(root))
    assert (inputs.kernel_addr, inputs.kernel_size) == (int(img["load_address"], 16),
                                                        img["image_size"])


@pytest.mark.parametrize("root", LIVE_ROOTS, ids=lambda p: p.name)
def test_capture_kernel_code_start(root: Path) -> None:
    """/proc/iomem "Kernel code" starts at _stext (load + 64 KiB) on 6.1, at the load address
    (_text) on 6.12.117 and 7.2 -- the rule ``code_starts_at_stext`` encodes."""
    from cmacheck.kernel import parse_version

    meta = _meta(root)
    load = int(meta["kernel_image"]["load_address"], 16)
    span = kernel_span((root / "proc/iomem").read_text())
    assert span is not None
    version = parse_version(meta["kernel"]["version"])
    assert span[0] == load + (0x10000 if code_starts_at_stext(version) else 0)
    assert span[0] - load == {"arm64-6.1": 0x10000}.get(root.name, 0)


@pytest.mark.parametrize(
    ("version", "stext"),
    [((5, 10, 0), False), ((5, 11, 0), True), ((6, 1, 192), True), ((6, 6, 50), True),
     ((6, 12, 53), True), ((6, 12, 54), False), ((6, 12, 117), False), ((6, 13, 0), True),
     ((6, 17, 3), True), ((6, 17, 4), False),
     ((6, 18, 0), False), ((7, 2, 13), False)],
)
def test_code_starts_at_stext(version: tuple[int, int, int], stext: bool) -> None:
    assert code_starts_at_stext(version) is stext


def test_code_starts_at_stext_is_the_models() -> None:
    # one source for the 64 KiB shift: the kernel model the dry run reserves the image with
    # (its kernel_range adds back what arm64_image_placement takes off)
    from cmacheck.dryrun import SZ_64K
    from cmacheck.kernel import kernel_model
    from cmacheck.live import arm64_image_placement

    for version in ((6, 1, 192), (6, 12, 117), (7, 2, 13)):
        model = kernel_model(version, "arm64", {"CMA_AREAS": "19"})
        assert code_starts_at_stext(version) is model.kernel_reserved_from_stext
        shift = SZ_64K if model.kernel_reserved_from_stext else 0
        assert arm64_image_placement((0x4121_0000, 0x20_0000), version) == (
            0x4121_0000 - shift, 0x20_0000 + shift)
    assert arm64_image_placement((0x4121_0000, 0x20_0000), None) == (0x4121_0000, 0x20_0000)
    with pytest.raises(ValueError, match="outside the modelled range"):
        code_starts_at_stext((4, 19, 0))
