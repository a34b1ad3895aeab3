"""Batch runs: directories, input order, -j, input errors that do not stop the batch."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_cli

from cmacheck import api, batch, rules
from cmacheck.errors import UsageError
from cmacheck.report import json_report


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A small DTS/DTB tree: three boards in two vendor directories, plus sources."""
    root = tmp_path / "dts"
    for rel, src in [("vendor-b/z.dtb", "clean/board.dtb"),
                     ("vendor-a/m.dtb", "problems/board.dtb"),
                     ("vendor-a/a.dtb", "overlay/board.dtb"),
                     ("vendor-a/a.dts", "clean/board.dts"),
                     ("vendor-a/ov.dtbo", "overlay/cma-512.dtbo")]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "examples" / src, root / rel)
    return root


def test_expand_directories(tree: Path) -> None:
    files, is_batch = batch.expand([str(tree)])
    assert is_batch
    assert [Path(f).relative_to(tree).as_posix() for f in files] == [
        "vendor-a/a.dtb", "vendor-a/m.dtb", "vendor-b/z.dtb"]  # *.dtb only, sorted
    files, is_batch = batch.expand(["examples/clean/board.dts"])
    assert (files, is_batch) == (["examples/clean/board.dts"], False)
    files, _ = batch.expand([str(tree / "vendor-b"), "examples/clean/board.dts",
                             str(tree / "vendor-b/z.dtb")])
    assert files == [str(tree / "vendor-b/z.dtb"), "examples/clean/board.dts"]  # deduplicated


def test_empty_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no \*\.dtb files below"):
        batch.expand([str(tmp_path)])
    r = run_cli([str(tmp_path)])
    assert (r.code, r.out) == (2, "")
    assert r.err == f"cmacheck: error: {tmp_path}: no *.dtb files below this directory\n"


def test_directory_json_is_a_batch(tree: Path) -> None:
    r = run_cli([str(tree / "vendor-b"), "--format", "json",
                 "--config", "examples/clean/kernel.config"])
    assert r.code == 0
    assert [b["input"]["dt"] for b in r.json["boards"]] == [str(tree / "vendor-b/z.dtb")]
    assert "errors" not in r.json


def test_parallel_equals_serial(tree: Path) -> None:
    args = [str(tree), "examples/problems/board.dts", "-I", "examples/problems",
            "--config", "examples/problems/kernel.config"]
    for fmt in ("json", "sarif"):
        serial = run_cli([*args, "--format", fmt, "-j", "1"])
        parallel = run_cli([*args, "--format", fmt, "-j", "2"])
        assert (parallel.code, parallel.out) == (serial.code, serial.out)
    boards = json.loads(serial.out if fmt == "json" else
                        run_cli([*args, "--format", "json"]).out)["boards"]
    assert [Path(b["input"]["dt"]).name for b in boards] == ["a.dtb", "m.dtb", "z.dtb",
                                                              "board.dts"]


def test_input_error_does_not_stop_the_batch(tree: Path) -> None:
    (tree / "vendor-a/broken.dtb").write_bytes(b"\xd0\x0d\xfe\xed" + b"\0" * 8)
    r = run_cli([str(tree), "--format", "json", "--config", "examples/clean/kernel.config"])
    assert r.code == 2
    assert r.err.startswith(f"cmacheck: error: {tree / 'vendor-a/broken.dtb'}: ")
    assert r.err.count("\n") == 1
    assert [Path(b["input"]["dt"]).name for b in r.json["boards"]] == ["a.dtb", "m.dtb", "z.dtb"]
    assert [e["dt"] for e in r.json["errors"]] == [str(tree / "vendor-a/broken.dtb")]
    text = run_cli([str(tree), "--no-color", "--config", "examples/clean/kernel.config"])
    assert text.code == 2 and "input error" in text.out
    gh = run_cli([str(tree), "--format", "github"])
    assert f"::error file={tree / 'vendor-a/broken.dtb'},title=input error::" in gh.out


def test_all_inputs_broken_prints_nothing(tmp_path: Path) -> None:
    r = run_cli([str(tmp_path / "a.dtb"), str(tmp_path / "b.dtb"), "--format", "json"])
    assert (r.code, r.out) == (2, "")
    assert r.err.count("cmacheck: error: ") == 2


def test_config_loaded_once_per_batch(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = batch.load_config

    def counting(path: str, **kw: Any) -> Any:
        calls.append(path)
        return real(path, **kw)

    monkeypatch.setattr(batch, "load_config", counting)
    monkeypatch.setattr(batch, "_CONFIGS", {})
    r = run_cli([str(tree), "--format", "json", "--config", "examples/clean/kernel.config"])
    assert len(r.json["boards"]) == 3
    assert calls == ["examples/clean/kernel.config"]


def test_batch_exit_status_and_fail_on(tree: Path) -> None:
    args = [str(tree / "vendor-b"), str(tree / "vendor-a/a.dtb"),
            "--config", "examples/clean/kernel.config", "--format", "json"]
    assert run_cli(args).code == 0
    assert run_cli([*args, str(tree / "vendor-a/m.dtb")]).code == 1


def test_batch_sarif_single_run(tree: Path) -> None:
    r = run_cli([str(tree), "--format", "sarif"])
    log = json.loads(r.out)
    assert len(log["runs"]) == 1
    targets = {res["analysisTarget"]["uri"] for res in log["runs"][0]["results"]}
    assert targets == {(tree / "vendor-a/m.dtb").as_uri()}  # absolute paths become file: URIs


def _job(dt: str, config: str | None = "examples/clean/kernel.config") -> batch.Job:
    return batch.Job(api.Inputs(dt=dt, config=config), tuple(r.ID for r in rules.ALL), {})


def test_results_do_not_keep_the_tree_or_the_config() -> None:
    """A batch holds every board until the output is written and -j pickles each result
    back: the device tree and the .config are dropped once the rules have read them."""
    r = batch.check_board(_job("examples/problems/board.dtb", "examples/problems/kernel.config"))
    assert r.report is not None
    with pytest.raises(AttributeError, match=r"the device tree is not kept .*: \.node$"):
        r.report.ctx.dt.node  # noqa: B018
    with pytest.raises(AttributeError, match=r"the kernel config is not kept"):
        r.report.ctx.config.symbols  # noqa: B018
    full = api.run(api.Inputs(dt="examples/problems/board.dtb",
                              config="examples/problems/kernel.config"))
    assert json_report.board_object(r.report) == json_report.board_object(full)
    # What a worker sends back: about 10 KB, not the 100s of KB of tree and config.
    assert len(pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL)) < 40_000
    assert pickle.loads(pickle.dumps(r)).report.ctx.dt.what == "the device tree"
    no_config = batch.check_board(_job("examples/clean/board.dtb", None))
    assert no_config.report is not None and no_config.report.ctx.config is None


def test_boards_of_one_kernel_share_its_model(tree: Path) -> None:
    jobs = [_job(str(p)) for p in sorted(tree.rglob("*.dtb"))]
    kernels = [b.report.ctx.kernel for b in batch.run_jobs(jobs) if b.report is not None]
    assert len(kernels) == 3 and kernels[0] is not None
    assert all(k is kernels[0] for k in kernels)


@pytest.mark.parametrize("workers", [2, 3])
def test_parallel_jobs_come_back_in_order(tree: Path, workers: int) -> None:
    # 27 boards in chunks of 3 (-j2) or 2 (-j3, the last one short): this process checks some
    # chunks itself while the workers - 1 spawned ones check the others; on_done sees the
    # job order.
    paths = [*sorted(str(p) for p in tree.rglob("*.dtb")), "missing.dtb"]
    jobs = [_job(paths[i % len(paths)], "examples/problems/kernel.config") for i in range(27)]
    seen: list[str] = []
    parallel = batch.run_jobs(jobs, workers, on_done=lambda r: seen.append(r.dt))
    serial = batch.run_jobs(jobs)
    assert [b.dt for b in parallel] == seen == [j.inputs.dt for j in jobs]
    assert [json_report.board_object(b.report) if b.report else b.error for b in parallel] \
        == [json_report.board_object(b.report) if b.report else b.error for b in serial]
    assert sum(b.error is not None for b in parallel) == 6
