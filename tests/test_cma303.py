"""CMA303 (default-cma-below-minimum): which fix it suggests and which input it names."""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli

DIR = Path(__file__).resolve().parent / "rules" / "CMA303"


def _findings(fixture: str, *args: str) -> list[dict[str, object]]:
    r = run_cli([str(DIR / fixture), "--select", "CMA303", "--format", "json", *args])
    assert r.code in (0, 1), r.err
    return [f for f in r.json["findings"] if f["rule"] == "CMA303"]


def test_no_cma_suggestion_before_5_6() -> None:
    # 5.4 ignores cma= while a linux,cma-default region exists (row cma.bypass_mode "none")
    (f,) = _findings("fail-dt-before-5.6.dts", "--config", str(DIR / "kconfig-5.4.config"),
                     "--min-cma", "16M")
    assert f["node"] == "/reserved-memory/linux,cma"
    assert f["message"].endswith("raise its size to at least 16 MiB")
    assert "cma=" not in f["message"]


def test_cma_suggested_from_5_6() -> None:
    (f,) = _findings("fail-dt-shrinks-default.dts", "--config", str(DIR / "kconfig-16m.config"),
                     "--min-cma", "16M")
    assert f["message"].endswith(
        "raise its size to at least 16 MiB (or pass cma=16M, which bypasses it)")


def test_cma_suggested_from_5_6_with_version_option() -> None:
    (f,) = _findings("fail-dt-before-5.6.dts", "--kernel-version", "5.6", "--arch", "arm64",
                     "--min-cma", "16M")
    assert f["message"].endswith("(or pass cma=16M, which bypasses it)")
    (f,) = _findings("fail-dt-before-5.6.dts", "--kernel-version", "5.4", "--arch", "arm64",
                     "--min-cma", "16M")
    assert "cma=" not in f["message"]


def test_ram_unknown_compares_the_aligned_size() -> None:
    # cma=0x800001 becomes a 12 MiB area (ALIGN to 4 MiB, arm64 6.1 with 4K pages)
    assert _findings("pass-cmdline-rounded-up.dts", "--config", str(DIR / "kconfig-16m.config"),
                     "--min-cma", "0x800002") == []
    assert _findings("pass-cmdline-rounded-up.dts", "--config", str(DIR / "kconfig-16m.config"),
                     "--min-cma", "0xC00000") == []
    (f,) = _findings("fail-cmdline-rounded-below.dts", "--config",
                     str(DIR / "kconfig-16m.config"), "--min-cma", "0xC00001")
    assert f["message"].startswith("the default CMA area is 12 MiB, below the ")


def test_kconfig_names_the_deciding_value() -> None:
    # SEL_MIN of CONFIG_CMA_SIZE_MBYTES=64 and 1% of 2 GiB (20 MiB): the percentage decides
    config = DIR / "sel-min-percentage.config"
    (f,) = _findings("fail-kconfig-sel-min-percentage.dts", "--config", str(config),
                     "--min-cma", "32M")
    assert f["symbol"] == "CONFIG_CMA_SIZE_PERCENTAGE"
    assert (f["file"], f["line"]) == (str(config), 6)
    assert "Kconfig sets it (CONFIG_CMA_SIZE_SEL_MIN=y takes the smaller of " in f["message"]
    assert f["message"].endswith("raise CONFIG_CMA_SIZE_PERCENTAGE or pass cma=32M")


def test_kconfig_mbytes_still_named() -> None:
    config = DIR / "kconfig-16m.config"
    (f,) = _findings("fail-kconfig.dts", "--config", str(config), "--min-cma", "64M")
    assert (f["symbol"], f["line"]) == ("CONFIG_CMA_SIZE_MBYTES", 4)
    assert f["message"].endswith("raise CONFIG_CMA_SIZE_MBYTES or pass cma=64M")


def test_cma104_names_the_deciding_value() -> None:
    config = DIR.parent / "CMA104" / "sel-min-percentage.config"
    r = run_cli([str(DIR.parent / "CMA104" / "fail-sel-min-percentage-decides.dts"),
                 "--config", str(config), "--select", "CMA104", "--format", "json"])
    (f,) = r.json["findings"]
    assert (f["symbol"], f["file"], f["line"]) == ("CONFIG_CMA_SIZE_PERCENTAGE", str(config), 6)
