"""The portability view: one board under several kernel versions and page sizes."""

from __future__ import annotations

import pytest
from conftest import ROOT, run_cli

from cmacheck.errors import UsageError
from cmacheck.portability import parse_page_sizes, parse_versions

CLEAN = [str(ROOT / "examples/clean/board.dtb"), "--config",
         str(ROOT / "examples/clean/kernel.config")]


@pytest.mark.parametrize(("values", "expected"), [
    ((), [None]),
    (("all",), [4096, 16384, 65536]),
    (("4K", "64k"), [4096, 65536]),
    (("16K,4K,16K",), [16384, 4096]),
    (("65536",), [65536]),
])
def test_parse_page_sizes(values: tuple[str, ...], expected: list[int | None]) -> None:
    assert parse_page_sizes(values) == expected


def test_parse_page_size_error() -> None:
    with pytest.raises(UsageError) as e:
        parse_page_sizes(["8K"])
    assert str(e.value) == "--page-size 8K: expected 4K, 16K, 64K or all"


def test_parse_versions() -> None:
    assert parse_versions(None) == [None]
    assert parse_versions("5.10, 6.1,6.1") == ["5.10", "6.1"]


def test_matrix_json() -> None:
    r = run_cli([*CLEAN, "--page-size", "all", "--kernel-version", "5.10,6.1", "--format",
                 "json"])
    assert r.code == 1  # the 64K rows have errors
    rows = {(c["kernel_version"], c["page_size"]): c for c in r.json["combinations"]}
    assert list(rows) == [("5.10.0", 4096), ("5.10.0", 16384), ("5.10.0", 65536),
                          ("6.1.0", 4096), ("6.1.0", 16384), ("6.1.0", 65536)]
    # CMA alignment per version and page size (kernel-model.md §5).
    assert [c["cma_min_alignment"] >> 20 for c in rows.values()] == [4, 32, 512, 2, 32, 512]
    for (_, page), c in rows.items():
        cma = c["regions"]["/reserved-memory/linux,cma"]
        assert cma == ("rejected" if page == 65536 else "created")
        # On 64K pages the DT pool is dropped and the Kconfig area (64 MiB rounded up to
        # the 512 MiB alignment) takes over.
        expected = ({"size": 512 << 20, "status": "created", "source": "kconfig"}
                    if page == 65536 else
                    {"size": 256 << 20, "status": "created", "source": "dt"})
        assert c["default_cma"] == expected


def test_matrix_text() -> None:
    r = run_cli([*CLEAN, "--page-size", "4K,64K", "--no-color"])
    assert r.code == 1
    assert "Portability of" in r.out and "/reserved-memory/linux,cma rejected" in r.out


def test_single_page_size_is_a_normal_run() -> None:
    r = run_cli([*CLEAN, "--page-size", "64K", "--format", "json"])
    assert r.json["kernel"]["page_size"] == 65536
    assert "CMA202" in {f["rule"] for f in r.json["findings"]}


def test_page_size_needs_arm64() -> None:
    r = run_cli([str(ROOT / "examples/clean/board.dtb"), "--kernel-version", "6.1", "--arch",
                 "arm", "--page-size", "16K"])
    assert (r.code, r.out) == (2, "")
    assert r.err == "cmacheck: error: --page-size 16K: only arm64 has 16K/64K pages\n"


def test_portability_takes_one_board() -> None:
    r = run_cli([*CLEAN[:1], CLEAN[0], "--page-size", "all"])
    assert r.code == 2
