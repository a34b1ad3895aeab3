"""cmacheck.load.kconfig: .config parsing, the bundled Kconfig model, problems, bad input."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmacheck.errors import InputError, UsageError
from cmacheck.load.kconfig import ConfigProblem, KernelConfig, default_symbols, load_config

DATA = Path(__file__).parent / "data" / "kconfig"
DEBIAN_ARM64 = DATA / "debian-6.1-arm64.config.gz"


def write(tmp_path: Path, text: str, name: str = ".config") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def load_text(tmp_path: Path, text: str, **kwargs: object) -> KernelConfig:
    return load_config(write(tmp_path, text), **kwargs)  # type: ignore[arg-type]


def problems(kc: KernelConfig) -> list[tuple[int | None, str, str]]:
    return [(p.line, p.kind, p.message) for p in kc.problems]


def header(arch: str, version: str) -> str:
    return (
        "#\n# Automatically generated file; DO NOT EDIT.\n"
        f"# Linux/{arch} {version} Kernel Configuration\n#\n"
    )


# ------------------------------------------------------------------ real configs


def test_debian_6_1_arm64() -> None:
    # peers.md §3.2 and kernel-model.md §2.4: the values of Debian's config-6.1.0-56-arm64
    kc = load_config(str(DEBIAN_ARM64))
    assert (kc.arch, kc.version, kc.version_string) == ("arm64", (6, 1, 192), "6.1.192")
    assert kc.problems == ()
    expected = {
        "ARM64_4K_PAGES": "y",
        "ARM64_16K_PAGES": "n",
        "ARM64_64K_PAGES": "n",
        "ARCH_FORCE_MAX_ORDER": "11",
        "HUGETLB_PAGE": "y",
        "TRANSPARENT_HUGEPAGE": "y",
        "CMA": "y",
        "CMA_AREAS": "19",
        "DMA_CMA": "y",
        "DMA_PERNUMA_CMA": "y",
        "CMA_SIZE_MBYTES": "64",
        "CMA_SIZE_SEL_MBYTES": "y",
        "CMA_SIZE_SEL_PERCENTAGE": "n",
        "CMA_ALIGNMENT": "8",
        "OF_RESERVED_MEM": "y",
        "DMA_RESTRICTED_POOL": "n",
        "NUMA": "y",
        "ZONE_DMA": "y",
        "ZONE_DMA32": "y",
        "ARM64_VA_BITS": "48",
        "ARM64_PA_BITS": "48",
        "CMDLINE": "",
        "CMDLINE_FORCE": "n",
        "64BIT": "y",
        "HIGHMEM": "n",
    }
    assert {name: kc.value(name) for name in expected} == expected
    # invisible int: absent; symbols of another version or arch: absent or "n"
    for absent in (
        "CMA_SIZE_PERCENTAGE",
        "FORCE_MAX_ZONEORDER",
        "PAGE_BLOCK_MAX_ORDER",
        "PAGE_OFFSET",
        "CMACHECK_VERSION",
    ):
        assert absent not in kc.symbols
    assert kc.value("DMA_NUMA_CMA") == "n"
    assert kc.enabled("DMA_CMA") and not kc.enabled("HIGHMEM") and not kc.enabled("NOPE")
    assert kc.requested["CMA_SIZE_MBYTES"] == ("64", 11109)
    assert kc.requested["CMA_SIZE_SEL_PERCENTAGE"] == ("n", 11111)
    assert kc.requested["CC_VERSION_TEXT"][1] == 5  # unmodelled symbols are recorded too
    assert kc.lines["CMA"] == 1091
    assert "CC_VERSION_TEXT" not in kc.symbols


def test_debian_6_1_arm64_plain_equals_gzip(tmp_path: Path) -> None:
    plain = tmp_path / "config-6.1.0-56-arm64"
    plain.write_bytes(gzip.decompress(DEBIAN_ARM64.read_bytes()))
    a, b = load_config(str(plain)), load_config(str(DEBIAN_ARM64))
    assert dict(a.symbols) == dict(b.symbols)
    assert dict(a.requested) == dict(b.requested)


def test_debian_6_1_armmp_lpae() -> None:
    kc = load_config(str(DATA / "debian-6.1-armmp-lpae.config.gz"))
    assert (kc.arch, kc.version) == ("arm", (6, 1, 176))
    assert kc.problems == ()
    expected = {
        "ARM_LPAE": "y",
        "HIGHMEM": "y",
        "VMSPLIT_3G": "y",
        "PAGE_OFFSET": "0xC0000000",
        "ARM_L1_CACHE_SHIFT": "6",
        "ARCH_FORCE_MAX_ORDER": "12",
        "HUGETLB_PAGE": "y",
        "TRANSPARENT_HUGEPAGE": "y",
        "CMA_AREAS": "7",
        "CMA_SIZE_MBYTES": "16",
        "ZONE_DMA": "y",
        "64BIT": "n",
        "ARM64": "n",
    }
    assert {name: kc.value(name) for name in expected} == expected
    assert "ZONE_DMA32" in kc.symbols and kc.value("ZONE_DMA32") == "n"


def test_debian_7_2_riscv64() -> None:
    kc = load_config(str(DATA / "debian-7.2-riscv64.trimmed.config"))
    assert (kc.arch, kc.version) == ("riscv64", (7, 2, 13))
    assert kc.problems == ()
    expected = {
        "CMA_AREAS": "20",
        "DMA_NUMA_CMA": "y",
        "CMA_SIZE_PERNUMA": "y",
        "PAGE_BLOCK_MAX_ORDER": "10",
        "CMA_SIZE_MBYTES": "128",
        "ZONE_DMA32": "y",
        "ZONE_DMA": "n",
        "RISCV": "y",
        "64BIT": "y",
    }
    assert {name: kc.value(name) for name in expected} == expected
    assert "ARCH_FORCE_MAX_ORDER" not in kc.symbols


# ------------------------------------------------------------------------ header


@pytest.mark.parametrize(
    ("text", "arch", "version", "version_string"),
    [
        (header("arm64", "6.1.192"), "arm64", (6, 1, 192), "6.1.192"),
        (header("arm", "6.12.57"), "arm", (6, 12, 57), "6.12.57"),
        (header("arm", "6.12.0-rc3"), "arm", (6, 12, 0), "6.12.0-rc3"),
        (header("riscv", "6.6.1") + "CONFIG_64BIT=y\n", "riscv64", (6, 6, 1), "6.6.1"),
        (header("riscv", "6.6.1") + "CONFIG_32BIT=y\n", "riscv32", (6, 6, 1), "6.6.1"),
        (header("arm64", "5.10"), "arm64", (5, 10, 0), "5.10"),
        ("CONFIG_CMA=y\n", None, None, None),
        ("CONFIG_ARM64=y\n", "arm64", None, None),
        ("CONFIG_ARM=y\n", "arm", None, None),
        ("CONFIG_RISCV=y\nCONFIG_64BIT=y\n", "riscv64", None, None),
        ("CONFIG_RISCV=y\n", "riscv64", None, None),
        ("# Linux/arm64 6.1.0 Kernel Configuration\n", "arm64", (6, 1, 0), "6.1.0"),
    ],
    ids=[
        "arm64",
        "arm",
        "arm-rc",
        "riscv64",
        "riscv32",
        "two-part",
        "no-header",
        "infer-arm64",
        "infer-arm",
        "infer-riscv64",
        "infer-riscv-default",
        "line-1",
    ],
)
def test_header(
    tmp_path: Path,
    text: str,
    arch: str | None,
    version: tuple[int, int, int] | None,
    version_string: str | None,
) -> None:
    kc = load_text(tmp_path, text)
    assert (kc.arch, kc.version, kc.version_string) == (arch, version, version_string)


def test_header_overrides(tmp_path: Path) -> None:
    kc = load_text(tmp_path, header("arm64", "6.1.192"), arch="arm", version=(5, 10, 0))
    assert (kc.arch, kc.version, kc.version_string) == ("arm", (5, 10, 0), "5.10.0")
    assert kc.value("ARM") == "y" and kc.value("ARM64") == "n"


def test_header_outside_first_lines_is_a_comment(tmp_path: Path) -> None:
    kc = load_text(tmp_path, "#\n" * 10 + "# Linux/arm 6.1.0 Kernel Configuration\n")
    assert (kc.arch, kc.version) == (None, None)


def test_version_selects_defaults(tmp_path: Path) -> None:
    frag = (
        "CONFIG_ARM64=y\nCONFIG_CMA=y\nCONFIG_NUMA=y\nCONFIG_DMA_CMA=y\nCONFIG_ARM64_64K_PAGES=y\n"
    )
    old = load_text(tmp_path, frag, version=(5, 10, 0))
    v61 = load_text(tmp_path, frag, version=(6, 1, 0))
    new = load_text(tmp_path, frag, version=(6, 12, 0))
    unknown = load_text(tmp_path, frag)
    assert old.value("FORCE_MAX_ZONEORDER") == "11"  # 64K without THP before 5.12
    assert "ARCH_FORCE_MAX_ORDER" not in old.symbols
    assert v61.value("ARCH_FORCE_MAX_ORDER") == "14"
    assert new.value("ARCH_FORCE_MAX_ORDER") == "13"
    assert unknown.value("ARCH_FORCE_MAX_ORDER") == "13"
    assert (old.value("CMA_AREAS"), new.value("CMA_AREAS"), unknown.value("CMA_AREAS")) == (
        "19",
        "20",
        "20",
    )
    assert (old.value("DMA_PERNUMA_CMA"), new.value("DMA_PERNUMA_CMA")) == ("y", "n")
    assert "PAGE_BLOCK_ORDER" not in new.symbols
    assert load_text(tmp_path, frag, version=(6, 16, 3)).value("PAGE_BLOCK_ORDER") == "13"
    assert load_text(tmp_path, frag, version=(6, 17, 0)).value("PAGE_BLOCK_MAX_ORDER") == "13"


def test_arch_selects_defaults(tmp_path: Path) -> None:
    frag = 'CONFIG_CMA=y\nCONFIG_DMA_CMA=y\nCONFIG_CMDLINE="cma=64M"\n'
    arm64 = load_text(tmp_path, frag, arch="arm64", version=(6, 1, 0))
    arm = load_text(tmp_path, frag, arch="arm", version=(6, 1, 0))
    riscv = load_text(tmp_path, frag, arch="riscv64", version=(6, 1, 0))
    assert arm64.value("CMDLINE_FROM_BOOTLOADER") == "y"
    assert arm.value("CMDLINE_FROM_BOOTLOADER") == "y"
    assert riscv.value("CMDLINE_FALLBACK") == "y"
    assert (arm64.value("ZONE_DMA"), arm.value("ZONE_DMA"), riscv.value("ZONE_DMA32")) == (
        "y",
        "n",
        "y",
    )
    assert arm.value("ARCH_FORCE_MAX_ORDER") == "11" and "ARCH_FORCE_MAX_ORDER" not in riscv.symbols
    assert arm.value("PAGE_OFFSET") == "0xC0000000"


def test_defconfig_defaults() -> None:
    kc = load_config(str(DATA / "defconfig-arm64"))
    assert (kc.arch, kc.version, kc.problems) == ("arm64", None, ())
    expected = {
        "CMA_SIZE_SEL_MAX": "y",
        "CMA_SIZE_MBYTES": "16",
        "CMA_SIZE_PERCENTAGE": "20",
        "CMA_ALIGNMENT": "8",
        "CMA_AREAS": "8",
        "ARM64_4K_PAGES": "y",
        "ARCH_FORCE_MAX_ORDER": "10",
        "OF_RESERVED_MEM": "y",
        "HAVE_DMA_CONTIGUOUS": "y",
        "HUGETLB_PAGE": "n",
        "MMU": "y",
        "CMDLINE": "",
    }
    assert {name: kc.value(name) for name in expected} == expected
    assert kc.requested == {
        "ARM64": ("y", 2),
        "CMA": ("y", 3),
        "DMA_CMA": ("y", 4),
        "CMA_SIZE_SEL_MAX": ("y", 5),
        "CMA_SIZE_PERCENTAGE": ("20", 6),
    }


# ---------------------------------------------------------------------- problems


def test_problem_kinds() -> None:
    kc = load_config(str(DATA / "problems.config"))
    assert problems(kc) == [
        (
            5,
            "choice-conflict",
            "CONFIG_CMA_SIZE_SEL_MBYTES=y has no effect: CONFIG_CMA_SIZE_SEL_PERCENTAGE=y on "
            "line 6 selects another option of the same choice",
        ),
        (
            7,
            "invisible",
            "CONFIG_CMA_SIZE_MBYTES=256 has no effect: CONFIG_CMA_SIZE_SEL_PERCENTAGE is selected",
        ),
        (
            8,
            "out-of-range",
            "CONFIG_CMA_ALIGNMENT=20 has no effect: outside the range 2..12, so kconfig uses 12",
        ),
        (
            9,
            "duplicate",
            "CONFIG_CMA_AREAS=64M has no effect: CONFIG_CMA_AREAS is set again on line 10",
        ),
        (11, "invisible", "CONFIG_HIGHMEM=y has no effect: arm64 has no such option"),
        (12, "unmet-dependency", "CONFIG_CMDLINE_FORCE=y has no effect: CONFIG_CMDLINE is empty"),
    ]
    assert kc.problems[0] == ConfigProblem(
        "CONFIG_CMA_SIZE_SEL_MBYTES", 5, kc.problems[0].message, "choice-conflict"
    )
    assert kc.value("CMA_ALIGNMENT") == "12"  # clamped, as scripts/kconfig does
    assert kc.value("CMA_AREAS") == "16"
    assert "CMA_SIZE_MBYTES" not in kc.symbols


@pytest.mark.parametrize(
    ("text", "expected", "values"),
    [
        pytest.param(
            "CONFIG_DMA_CMA=y\n# CONFIG_CMA is not set\n",
            [(1, "unmet-dependency", "CONFIG_DMA_CMA=y has no effect: CONFIG_CMA is not set")],
            {"DMA_CMA": "n"},
            id="unmet-dependency",
        ),
        pytest.param(
            "CONFIG_CMA=y\nCONFIG_CMA_SIZE_MBYTES=64M\nCONFIG_DMA_CMA=y\n",
            [
                (
                    2,
                    "invalid-value",
                    "CONFIG_CMA_SIZE_MBYTES=64M has no effect: '64M' is not a valid int value",
                )
            ],
            {"CMA_SIZE_MBYTES": "16"},
            id="invalid-int",
        ),
        pytest.param(
            "CONFIG_CMA=maybe\nCONFIG_DMA_CMA=m\n",
            [
                (
                    1,
                    "invalid-value",
                    "CONFIG_CMA=maybe has no effect: 'maybe' is not a valid bool value",
                ),
                (
                    2,
                    "invalid-value",
                    "CONFIG_DMA_CMA=m has no effect: 'm' is not a valid bool value",
                ),
            ],
            {"CMA": "n"},
            id="invalid-bool",
        ),
        pytest.param(
            "CONFIG_CMA=yes\n",  # confdata.c looks at the first character only
            [],
            {"CMA": "y"},
            id="bool-first-char",
        ),
        pytest.param(
            'CONFIG_CMDLINE=cma=64M\nCONFIG_CMDLINE="cma=64M\n',
            [
                (
                    1,
                    "duplicate",
                    "CONFIG_CMDLINE=cma=64M has no effect: CONFIG_CMDLINE is set again on line 2",
                ),
                (
                    2,
                    "invalid-value",
                    'CONFIG_CMDLINE="cma=64M has no effect: the string has no closing quote',
                ),
            ],
            {"CMDLINE": ""},
            id="invalid-string",
        ),
        pytest.param(
            "CONFIG_CMDLINE=cma=64M\n",
            [
                (
                    1,
                    "invalid-value",
                    "CONFIG_CMDLINE=cma=64M has no effect: a string value must be in double quotes",
                )
            ],
            {"CMDLINE": ""},
            id="unquoted-string",
        ),
        pytest.param(
            'CONFIG_CMDLINE="a \\"b\\" c\\\\" ignored\n',
            [],
            {"CMDLINE": 'a "b" c\\'},
            id="string-escapes",
        ),
        pytest.param(
            "CONFIG_CMA\n",
            [(1, "invalid-value", "CONFIG_CMA has no effect: missing '=value'")],
            {"CMA": "n"},
            id="no-equals",
        ),
        pytest.param(
            "CONFIG_CMA=y\nCONFIG_DMA_CMA=y\nCONFIG_CMA_ALIGNMENT=1\n",
            [
                (
                    3,
                    "out-of-range",
                    "CONFIG_CMA_ALIGNMENT=1 has no effect: "
                    "outside the range 2..12, so kconfig uses 2",
                )
            ],
            {"CMA_ALIGNMENT": "2"},
            id="below-range",
        ),
        pytest.param(
            "CONFIG_CMA=y\nCONFIG_DMA_CMA=y\n# CONFIG_CMA_SIZE_SEL_MBYTES is not set\n",
            [
                (
                    3,
                    "choice-conflict",
                    "CONFIG_CMA_SIZE_SEL_MBYTES=n has no effect: "
                    "it is the default of its choice and "
                    "no other option is selected",
                )
            ],
            {"CMA_SIZE_SEL_MBYTES": "y"},
            id="choice-default",
        ),
        pytest.param(
            "CONFIG_CMA=y\nCONFIG_DMA_CMA=y\nCONFIG_CMA_SIZE_SEL_MBYTES=y\n"
            "CONFIG_CMA_SIZE_SEL_MAX=y\nCONFIG_CMA_SIZE_SEL_MIN=y\n",
            [
                (
                    3,
                    "choice-conflict",
                    "CONFIG_CMA_SIZE_SEL_MBYTES=y has no effect: "
                    "CONFIG_CMA_SIZE_SEL_MIN=y on line 5 "
                    "selects another option of the same choice",
                ),
                (
                    4,
                    "choice-conflict",
                    "CONFIG_CMA_SIZE_SEL_MAX=y has no effect: CONFIG_CMA_SIZE_SEL_MIN=y on line 5 "
                    "selects another option of the same choice",
                ),
            ],
            {"CMA_SIZE_SEL_MIN": "y", "CMA_SIZE_SEL_MAX": "n"},
            id="choice-last-wins",
        ),
        pytest.param(
            "CONFIG_CMA=y\nCONFIG_CMA_SIZE_MBYTES=256\n",
            [
                (
                    2,
                    "invisible",
                    "CONFIG_CMA_SIZE_MBYTES=256 has no effect: CONFIG_DMA_CMA is not set",
                )
            ],
            {},
            id="invisible-block",
        ),
        pytest.param(
            "CONFIG_HUGETLB_PAGE=y\n",
            [
                (
                    1,
                    "invisible",
                    "CONFIG_HUGETLB_PAGE=y has no effect: "
                    "it has no prompt and is computed from other "
                    "options (here: not set)",
                )
            ],
            {"HUGETLB_PAGE": "n"},
            id="promptless",
        ),
        pytest.param(
            "CONFIG_MMU=n\n",
            [(1, "invisible", "CONFIG_MMU=n has no effect: it cannot be set on arm64")],
            {"MMU": "y"},
            id="prompt-condition",
        ),
        pytest.param(
            "CONFIG_CMA=y\nCONFIG_DMA_CMA=y\nCONFIG_CMA=y\n",
            [(1, "duplicate", "CONFIG_CMA=y has no effect: CONFIG_CMA is set again on line 3")],
            {"CMA": "y"},
            id="duplicate-same-value",
        ),
        pytest.param(
            "CONFIG_ARM64_VA_BITS=48\nCONFIG_NOT_MODELLED=1\nCONFIG_NOT_MODELLED=2\n"
            "CONFIG_NOT_MODELLED_EITHER=64M\n",
            [],
            {},
            id="unmodelled-ignored",
        ),
    ],
)
def test_problem(
    tmp_path: Path,
    text: str,
    expected: list[tuple[int, str, str]],
    values: dict[str, str],
) -> None:
    kc = load_text(tmp_path, text, arch="arm64")
    assert problems(kc) == expected
    assert {name: kc.value(name) for name in values} == values


def test_problem_int_not_set(tmp_path: Path) -> None:
    kc = load_text(tmp_path, "CONFIG_CMA=y\n# CONFIG_CMA_AREAS is not set\n", arch="arm64")
    assert problems(kc) == [
        (2, "invalid-value", "CONFIG_CMA_AREAS=n has no effect: 'n' is not a valid int value")
    ]
    assert kc.value("CMA_AREAS") == "8"


def test_problem_hex(tmp_path: Path) -> None:
    text = "CONFIG_PAGE_OFFSET=C0000000\nCONFIG_VMSPLIT_2G=y\nCONFIG_PAGE_OFFSET=0xC0000000\n"
    kc = load_text(tmp_path, text, arch="arm", version=(6, 1, 0))
    assert problems(kc) == [
        (
            1,
            "duplicate",
            "CONFIG_PAGE_OFFSET=C0000000 has no effect: CONFIG_PAGE_OFFSET is set again on line 3",
        ),
        (
            3,
            "invisible",
            "CONFIG_PAGE_OFFSET=0xC0000000 has no effect: it has no prompt and is computed from "
            "other options (here: 0x80000000)",
        ),
    ]
    kc = load_text(tmp_path, "CONFIG_PAGE_OFFSET=c0000000\n", arch="arm")
    assert (kc.problems, kc.value("PAGE_OFFSET")) == ((), "0xC0000000")


def test_lines_view(tmp_path: Path) -> None:
    kc = load_text(tmp_path, "CONFIG_CMA=y\nCONFIG_FOO=1\nCONFIG_CMA=y\n")
    assert kc.lines == {"CMA": 3, "FOO": 2}
    assert dict(kc.lines) == {"CMA": 3, "FOO": 2} and len(kc.lines) == 2
    assert repr(kc.lines) == "{'CMA': 3, 'FOO': 2}"


def test_non_utf8_text(tmp_path: Path) -> None:
    path = tmp_path / ".config"
    path.write_bytes(b'CONFIG_CMDLINE="caf\xe9"\n')
    assert load_config(str(path)).value("CMDLINE") == "caf\ufffd"


def test_problem_version_and_arch_gates(tmp_path: Path) -> None:
    text = (
        "CONFIG_CMA=y\nCONFIG_DMA_CMA=y\nCONFIG_NUMA=y\n"
        "CONFIG_DMA_PERNUMA_CMA=y\nCONFIG_VMSPLIT_2G=y\n"
    )
    kc = load_text(tmp_path, header("arm64", "6.12.0") + text)
    assert problems(kc) == [
        (8, "invisible", "CONFIG_DMA_PERNUMA_CMA=y has no effect: Linux 6.12 has no such option"),
        (9, "invisible", "CONFIG_VMSPLIT_2G=y has no effect: arm64 has no such option"),
    ]
    kc = load_text(tmp_path, text)  # no version: both generations of symbols exist
    assert problems(kc) == [
        (
            5,
            "invisible",
            "CONFIG_VMSPLIT_2G=y has no effect: arm64 (assumed, no architecture given) has no such "
            "option",
        ),
    ]


def test_problem_riscv_cmdline(tmp_path: Path) -> None:
    kc = load_text(
        tmp_path,
        header("riscv", "6.1.0")
        + 'CONFIG_64BIT=y\nCONFIG_CMDLINE="x"\nCONFIG_CMDLINE_FROM_BOOTLOADER=y\n',
    )
    assert problems(kc) == [
        (
            7,
            "invisible",
            "CONFIG_CMDLINE_FROM_BOOTLOADER=y has no effect: riscv64 has no such option",
        ),
    ]
    assert kc.value("CMDLINE_FALLBACK") == "y"


def test_crlf_and_comments(tmp_path: Path) -> None:
    path = tmp_path / ".config"
    path.write_bytes(
        b"# comment\r\n#no space\r\n# CONFIG_CMA is not set because\r\n\r\n"
        b"  \t\r\nCONFIG_DMA_CMA=y\r\n# CONFIG_FOO is enabled\r\n"
    )
    kc = load_config(str(path))
    assert kc.requested["CMA"] == ("n", 3)
    assert kc.requested["DMA_CMA"] == ("y", 6)
    assert "FOO" not in kc.requested


# --------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.config", "cannot read: No such file or directory"),
        ("not-text.dtb", "not a text file (binary data)"),
        ("truncated.config.gz", "cannot decompress: truncated or corrupt gzip data"),
    ],
)
def test_bad_file(name: str, message: str) -> None:
    path = str(DATA / name)
    with pytest.raises(InputError) as info:
        load_config(path)
    assert (info.value.message, info.value.line) == (message, None)
    assert str(info.value) == f"{path}: {message}"


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r": cannot read: Is a directory$"):
        load_config(str(tmp_path))


def test_gzip_of_binary(tmp_path: Path) -> None:
    path = tmp_path / "config.gz"
    path.write_bytes(gzip.compress(b"\xd0\x0d\xfe\xed\x00\x00"))
    with pytest.raises(InputError, match=r"not a text file \(binary data\)$"):
        load_config(str(path))


def test_garbage_line() -> None:
    path = str(DATA / "garbage.config")
    with pytest.raises(InputError) as info:
        load_config(path)
    assert (info.value.line, info.value.message) == (7, "not a Kconfig assignment: 'hello world'")
    assert str(info.value) == f"{path}:7: not a Kconfig assignment: 'hello world'"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("CONFIG_CMA=y\n  CONFIG_DMA_CMA=y\n", 2, "not a Kconfig assignment: '  CONFIG_DMA_CMA=y'"),
        ("config_cma=y\n", 1, "not a Kconfig assignment: 'config_cma=y'"),
        ("\n\n" + "x" * 100 + "\n", 3, "not a Kconfig assignment: '" + "x" * 77 + "...'"),
    ],
    ids=["indented", "lower-case", "long"],
)
def test_garbage(tmp_path: Path, text: str, line: int, message: str) -> None:
    with pytest.raises(InputError) as info:
        load_text(tmp_path, text)
    assert (info.value.line, info.value.message) == (line, message)


def test_unsupported_header_arch(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_text(tmp_path, header("x86", "6.1.0"))
    assert (info.value.line, info.value.message) == (
        3,
        "unsupported architecture 'x86': cmacheck models arm64, arm and riscv",
    )
    assert load_text(tmp_path, header("x86", "6.1.0"), arch="arm64").arch == "arm64"


def test_unsupported_arch_option(tmp_path: Path) -> None:
    with pytest.raises(
        UsageError, match="unsupported architecture 'mips': expected arm64, arm, riscv64 or riscv32"
    ):
        load_text(tmp_path, "", arch="mips")


def test_empty_file(tmp_path: Path) -> None:
    kc = load_text(tmp_path, "")
    assert (kc.arch, kc.version, kc.problems, dict(kc.requested)) == (None, None, (), {})
    assert kc.value("CMA") == "n"


def test_quiet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    load_config(str(DATA / "problems.config"))
    load_config(str(DEBIAN_ARM64))
    assert capsys.readouterr() == ("", "")


# ------------------------------------------- the text scans against the line loop


def _reference_parse(
    text: str, modelled: frozenset[str]
) -> tuple[dict[str, tuple[str, int]], list[tuple[str, str | None, int, bool]], int | None]:
    """The straightforward line loop (confdata.c conf_read_simple) that _parse's whole-text
    scans replace: (requested, modelled assignments, first garbage line)."""
    requested: dict[str, tuple[str, int]] = {}
    assignments: list[tuple[str, str | None, int, bool]] = []
    for number, line in enumerate(text.split("\n"), 1):
        if line[:7] == "CONFIG_":
            name, eq, value = line[7:].partition("=")
            if eq:
                requested[name] = (value, number)
            if name in modelled:
                assignments.append((name, value if eq else None, number, False))
        elif line[:9] == "# CONFIG_":
            name, _, rest = line[9:].partition(" ")
            if rest[:10] == "is not set":
                requested[name] = ("n", number)
                if name in modelled:
                    assignments.append((name, "n", number, True))
        elif line and line[0] != "#" and not line.isspace():
            return requested, assignments, number
    return requested, assignments, None


_PIECES = ["CONFIG_", "# CONFIG_", "#", "CMA", "CMA_AREAS", "ARM", "FOO", "=", "y", "n",
           " is not set", "is not set", " ", "\t", "\r", "\x0b", "\u2028", '"a b"', "x", "\n"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_scans_match_line_loop(text: str) -> None:
    from cmacheck.load import kconfig

    modelled = frozenset(("CMA", "CMA_AREAS", "ARM"))
    requested, assignments, garbage = _reference_parse(text, modelled)
    try:
        got, found, _ = kconfig._parse("t", text, modelled)
    except InputError as e:
        assert e.line == garbage
        return
    assert garbage is None
    assert [tuple(a) for a in found] == assignments
    # lookups one by one (what a run does), then the whole mapping (built once, same order)
    for name in [*requested, "CMA", "FOO", "", "CMA=y", "CMA ", "A\nB", "X"]:
        assert got.get(name) == requested.get(name)
        assert (name in got) == (name in requested)
    assert list(got.items()) == list(requested.items())
    assert len(got) == len(requested) and got == requested
    assert repr(got) == repr(requested)


@pytest.mark.parametrize(
    "names", [["CMA", "CMA_AREAS", "CMDLINE", "A", "AB", "ABC", "B"], ["X"], ["", "X"], ["A.B"]]
)
def test_alternation_matches_exactly_the_names(names: list[str]) -> None:
    import re

    from cmacheck.load.kconfig import _alternation

    pattern = re.compile(f"(?:{_alternation(names)})\\Z")
    for word in [*names, "CM", "CMA_", "ABCD", "", "C", "XX", "AxB"]:
        assert bool(pattern.match(word)) == (word in names), word


@pytest.mark.parametrize(("version", "arch", "pernuma"), [
    ((6, 1, 0), "arm64", "y"), ((6, 4, 0), "riscv64", "n"),  # default NUMA && ARM64 (6.1 tree)
    ((6, 5, 0), "riscv64", "y"), ((6, 6, 0), "arm64", "y"),  # default NUMA from 6.5
])
def test_dma_pernuma_cma_default(version: tuple[int, int, int], arch: str, pernuma: str) -> None:
    symbols = default_symbols(arch, version, {"NUMA": "y"})
    assert symbols["DMA_PERNUMA_CMA"] == pernuma
    # DMA_NUMA_CMA (6.7+) has no default in the 6.12.117 and 7.2.13 trees
    assert default_symbols(arch, (7, 2, 0), {"NUMA": "y"})["DMA_NUMA_CMA"] == "n"
