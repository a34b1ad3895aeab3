"""DTS input through cpp and dtc: the only module that runs programs.

``load_dts`` does what the kernel build does (``scripts/Makefile.lib`` ``cmd_dtc``):
``cpp -nostdinc -undef -D__DTS__ -x assembler-with-cpp -I<dir>...``, then dtc twice on the same
preprocessed text, in parallel: ``-O dtb`` (with ``-@`` when overlays follow) for
:func:`cmacheck.load.dtb.parse_dtb`, and ``-O dts -T -T`` whose ``/* file:line:col-line:col */``
comments give every node and property its :class:`SourceLoc`, matched by path.

What the locations mean:

* ``Prop.loc``: the winning definition, after ``&label`` overrides and ``/delete-property/``.
* ``Node.loc``: the *last* block that opened the node (an ``&label { }`` override, a reopened
  ``/ { }``, a node re-created after ``/delete-node/``): where it was last touched. dtc lists
  every block; the first (where the node was created) is not kept, the model has one slot.
* ``None`` for what dtc generates (``phandle``, ``__symbols__``, ``fragment@N``/``target`` of a
  ``/plugin/`` source) and for ``/memreserve/`` entries (the model has no location for them).
* Overlays: a property set by an overlay *source* carries the overlay's file:line, and a node it
  touches the overlay block's; a property set by a ``.dtbo`` has no location (the base one
  would be wrong); a node a ``.dtbo`` creates has none, one it only touches keeps the base's.

File names are those of cpp's line markers and dtc's ``/include/`` search, normalised; an
absolute name under the current directory is made relative to it. ``/include/`` (dtc's, not
cpp's) is searched in the source's directory, then ``include_dirs``. Temporary files live in a
``TemporaryDirectory``; nothing is written next to the input.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence

from cmacheck.errors import InputError
from cmacheck.load.dtb import FDT_MAGIC, parse_dtb, read_file, tree_kind
from cmacheck.model import DeviceTree, Node, SourceLoc
from cmacheck.records import field, record

TIMEOUT_S = 60.0
_MISSING = {
    "cpp": "cpp not found: install the cpp package (apt-get install cpp)",
    "dtc": "dtc not found: install the device-tree-compiler package"
    " (apt-get install device-tree-compiler)",
}
_NOT_OVERLAY = "not an overlay: no fragment with an __overlay__ node (missing /plugin/;?)"
_CPP = ("cpp", "-nostdinc", "-undef", "-D__DTS__", "-x", "assembler-with-cpp")
_FIXUP_PHANDLE = 0xFFFFFFFF  # dtc's placeholder for a target resolved through __fixups__

# cpp: "soc.dtsi:5:10: fatal error: x.h: No such file or directory"
_CPP_ERR = re.compile(r"(?P<file>.+?):(?P<line>\d+):(?:\d+:)? (?:fatal )?error: (?P<msg>.*)")
# dtc srcpos_string(): file:line.col, file:line.col-col or file:line.col-line.col
_POS = r"(?P<file>.+?):(?P<line>\d+)\.\d+(?:-\d+(?:\.\d+)?)?"
_DTC_PARSE_ERR = re.compile(rf"Error: {_POS} (?P<msg>.*)")
_DTC_CHECK_ERR = re.compile(r"(?P<where>.+?): ERROR \([\w-]+\): (?:(?P<node>/\S*): )?(?P<msg>.*)")
_DTC_WHERE = re.compile(_POS)
_DTC_FATAL = re.compile(r"FATAL ERROR: (?P<msg>.*)")


@record(frozen=False)
class _SourceMap:
    nodes: dict[str, SourceLoc] = field(default_factory=dict)
    props: dict[tuple[str, str], SourceLoc] = field(default_factory=dict)


@record()
class _Overlay:
    name: str  # as the user gave it
    dtbo: str  # the file libfdt applies: the user's .dtbo, or one compiled into the temp dir
    smap: _SourceMap | None  # None for a .dtbo: what it sets gets no location


@record()
class _Job:
    tmp: str
    cwd: str
    include_dirs: tuple[str, ...]
    defines: tuple[str, ...]

    def display(self, name: str) -> str:
        """A file name from cpp or dtc as the user should read it."""
        if name.startswith("<"):
            return name
        norm = os.path.normpath(name)
        if os.path.isabs(norm) and not self.is_temp(norm):
            rel = os.path.relpath(norm, self.cwd)
            if rel != os.pardir and not rel.startswith(os.pardir + os.sep):
                return rel
        return norm

    def is_temp(self, name: str) -> bool:
        return os.path.dirname(os.path.abspath(name)) == os.path.abspath(self.tmp)


def load_devicetree(
    path: str,
    *,
    include_dirs: Sequence[str] = (),
    overlays: Sequence[str] = (),
    defines: Sequence[str] = (),
) -> DeviceTree:
    """A DTB (by magic, whatever its name) or DTS source (by suffix), overlays applied in order.

    Raises:
        InputError: ``path`` is neither, cannot be read or does not compile.
    """
    if tree_kind(path) == "dts":
        return load_dts(path, include_dirs=include_dirs, overlays=overlays, defines=defines)
    data = read_file(path)
    if not overlays:
        return parse_dtb(path, data)
    with tempfile.TemporaryDirectory(prefix="cmacheck-") as tmp:
        job = _Job(tmp, os.getcwd(), tuple(include_dirs), tuple(defines))
        ovls = [_overlay(o, i, job) for i, o in enumerate(overlays)]
        return _assemble(path, data, None, ovls)


def load_dts(
    path: str,
    *,
    include_dirs: Sequence[str] = (),
    overlays: Sequence[str] = (),
    defines: Sequence[str] = (),
) -> DeviceTree:
    """Preprocess and compile DTS source; nodes and properties carry their SourceLoc.

    ``overlays`` are ``.dtbo`` files or overlay source (``/plugin/;``), applied in order with
    libfdt as a bootloader would. ``defines`` are cpp ``NAME`` or ``NAME=value``.

    Raises:
        InputError: unreadable or empty file, cpp or dtc missing, or a cpp/dtc error (with the
            source file and line they report).
    """
    _check_source(path)
    with tempfile.TemporaryDirectory(prefix="cmacheck-") as tmp:
        job = _Job(tmp, os.getcwd(), tuple(include_dirs), tuple(defines))
        base_dtb, smap = _compile(path, "base", job, symbols=bool(overlays))
        ovls = [_overlay(o, i, job) for i, o in enumerate(overlays)]
        return _assemble(path, read_file(base_dtb), smap, ovls)


def _check_source(path: str) -> None:
    data = read_file(path)
    if not data.strip():
        raise InputError(path, "empty file")
    if data.startswith(FDT_MAGIC):
        raise InputError(path, "is a DTB, not DTS source")


def _overlay(path: str, index: int, job: _Job) -> _Overlay:
    if tree_kind(path) == "dtb":
        return _Overlay(name=path, dtbo=path, smap=None)
    _check_source(path)
    dtbo, smap = _compile(path, f"overlay{index}", job, symbols=True)
    return _Overlay(name=path, dtbo=dtbo, smap=smap)


def _compile(src: str, stem: str, job: _Job, *, symbols: bool) -> tuple[str, _SourceMap]:
    """cpp, then dtc to a DTB and to annotated DTS at once; (DTB path, locations)."""
    pp, dtb, ann = (os.path.join(job.tmp, f"{stem}.{ext}") for ext in ("pp", "dtb", "ann"))
    cpp = [*_CPP]
    for d in job.include_dirs:
        cpp += ["-I", d or os.curdir]
    cpp += [f"-D{d}" for d in job.defines if d]
    cpp += ["-o", pp, os.path.join(os.curdir, src) if src.startswith("-") else src]
    ((status, stderr),) = _run([cpp], src)
    if status:
        raise _cpp_error(src, stderr, job)

    dtc = ["dtc", "-q", "-I", "dts", "-i", os.path.dirname(src) or os.curdir]
    for d in job.include_dirs:
        dtc += ["-i", d or os.curdir]
    to_dtb = [*dtc, "-O", "dtb", *(["-@"] if symbols else []), "-o", dtb, pp]
    to_dts = [*dtc, "-O", "dts", "-T", "-T", "-o", ann, pp]
    for status, stderr in _run([to_dtb, to_dts], src):
        if status:
            raise _dtc_error(src, stderr, job)
    with open(ann, encoding="utf-8", errors="replace") as f:
        return dtb, _parse_annotated(f.read(), job)


def _run(argvs: list[list[str]], src: str) -> list[tuple[int, str]]:
    """Run the commands concurrently (no shell, C locale); (exit status, stderr) of each."""
    env = dict(os.environ, LC_ALL="C")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for argv in argvs:
            try:
                proc = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    env=env,
                )
            except FileNotFoundError:
                raise InputError(src, _MISSING.get(argv[0], f"{argv[0]} not found")) from None
            except OSError as e:
                raise InputError(src, f"{argv[0]} cannot be run: {e.strerror or e}") from None
            procs.append(proc)
        deadline = time.monotonic() + TIMEOUT_S
        out = []
        for argv, proc in zip(argvs, procs, strict=True):
            # communicate() wakes up at EOF; wait(timeout=) would poll with sleeps.
            try:
                _, err = proc.communicate(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                raise InputError(src, f"{argv[0]} timed out after {TIMEOUT_S:g} s") from None
            out.append((proc.returncode, err.decode("utf-8", "replace")))
        return out
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


def _cpp_error(src: str, stderr: str, job: _Job) -> InputError:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    for ln in lines:
        m = _CPP_ERR.fullmatch(ln)
        if m:
            return _located(src, m["file"], int(m["line"]), m["msg"], None, job)
    detail = lines[0].removeprefix("cc1: ") if lines else "no message"
    return InputError(src, f"cpp failed: {detail}")


def _dtc_error(src: str, stderr: str, job: _Job) -> InputError:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    for ln in lines:
        m = _DTC_PARSE_ERR.fullmatch(ln)
        if m:
            return _located(src, m["file"], int(m["line"]), m["msg"], None, job)
        m = _DTC_CHECK_ERR.fullmatch(ln)
        if m:
            w = _DTC_WHERE.fullmatch(m["where"])
            if w:  # else dtc named its output file: no source position
                return _located(src, w["file"], int(w["line"]), m["msg"], m["node"], job)
            return InputError(src, m["msg"], node=m["node"])
    for ln in lines:
        m = _DTC_FATAL.fullmatch(ln)
        if m:
            return InputError(src, m["msg"])
    return InputError(src, f"dtc failed: {lines[0] if lines else 'no message'}")


def _located(src: str, file: str, line: int, msg: str, node: str | None, job: _Job) -> InputError:
    name = job.display(file)
    if line < 1 or name.startswith("<") or job.is_temp(name):
        return InputError(src, msg, node=node)
    return InputError(name, msg, line=line, node=node)


def _parse_annotated(text: str, job: _Job) -> _SourceMap:
    """Node and property locations from ``dtc -O dts -T -T`` output, keyed by path.

    A line ends in ``/* file:line:col-line:col[, ...] */``, the last entry being the latest
    definition; ``<no-file>:<no-line>`` marks what dtc generated.
    """
    smap = _SourceMap()
    files: dict[str, str] = {}
    stack: list[str] = []
    for raw in text.splitlines():
        cut = raw.rfind(" /* ")
        if cut < 0 or not raw.endswith(" */"):
            continue
        code = raw[:cut].strip()
        if code == "};":
            if stack:
                stack.pop()
            continue
        # "file:12:3-14:4": the line is between the 2nd-last and the last ':' before the '-'
        ann = raw[max(cut + 4, raw.rfind(", ") + 2) : -3]
        j = ann.rfind(":", 0, ann.rfind("-"))
        i = ann.rfind(":", 0, j)
        number = ann[i + 1 : j]
        loc = None
        if i > 0 and number.isdigit():
            file = files.get(ann[:i]) or files.setdefault(ann[:i], job.display(ann[:i]))
            loc = SourceLoc(file, int(number))
        if code.endswith("{"):
            name = code[:-1].rstrip().rsplit(" ", 1)[-1]  # after any "label: "
            path = "/" if not stack else f"{stack[-1].rstrip('/')}/{name}"
            stack.append(path)
            if loc is not None:
                smap.nodes[path] = loc
        elif code.endswith(";") and stack and loc is not None:
            name = code[:-1].split(" = ", 1)[0].rsplit(" ", 1)[-1]
            smap.props[(stack[-1], name)] = loc
    return smap


def _assemble(
    path: str, data: bytes, smap: _SourceMap | None, ovls: Sequence[_Overlay]
) -> DeviceTree:
    """Apply the overlays to the base DTB, then attach locations by path."""
    overlay_trees = []
    for o in ovls:
        tree = parse_dtb(o.name, read_file(o.dtbo))
        if next(_fragments(tree), None) is None:
            raise InputError(o.name, _NOT_OVERLAY)
        overlay_trees.append(tree)
    try:
        merged = parse_dtb(path, data, [o.dtbo for o in ovls])
    except InputError as e:
        raise _overlay_error(e, path, data, ovls, overlay_trees) from None
    merged.overlays = tuple(o.name for o in ovls)
    locs = smap or _SourceMap()
    for o, tree in zip(ovls, overlay_trees, strict=True):
        _map_overlay(tree, o.smap, merged, locs)
    for node in merged.walk():
        node.loc = locs.nodes.get(node.path)
        for prop in node.props.values():
            prop.loc = locs.props.get((node.path, prop.name))
    return merged


def _overlay_error(
    err: InputError,
    path: str,
    data: bytes,
    ovls: Sequence[_Overlay],
    trees: Sequence[DeviceTree],
) -> InputError:
    """Name the overlay the user gave and, if a label is missing from the base, which one."""
    failed = next((i for i, o in enumerate(ovls) if o.dtbo == err.path), None)
    if failed is None:
        return err
    ovl, tree = ovls[failed], trees[failed]
    renamed = InputError(ovl.name, err.message, line=err.line, node=err.node)
    symbols = parse_dtb(path, data).node("/__symbols__")
    if symbols is None:  # dtb.apply_overlays() already says so
        return renamed
    known = set(symbols.props)
    for earlier in trees[:failed]:  # libfdt adds each applied overlay's labels
        added = earlier.node("/__symbols__")
        known.update(added.props if added else ())
    fixups = tree.node("/__fixups__")
    for label, prop in fixups.props.items() if fixups else ():
        if label in known:
            continue
        # A fixup is "/fragment@0:target:0" (an &label block) or "<node>:<property>:<offset>".
        node, _, rest = (prop.strings or ("",))[0].partition(":")
        loc = None
        if ovl.smap is not None:
            loc = ovl.smap.props.get((node, rest.partition(":")[0]))
            loc = loc or ovl.smap.nodes.get(f"{node}/__overlay__")
        msg = f'label "{label}" not found in {path}'
        return InputError(loc.file, msg, line=loc.line) if loc else InputError(ovl.name, msg)
    return renamed


def _fragments(ovl: DeviceTree) -> Iterator[tuple[Node, Node]]:
    for frag in ovl.root.children:
        body = frag.child("__overlay__")
        if body is not None:
            yield frag, body


def _map_overlay(
    ovl: DeviceTree, osmap: _SourceMap | None, merged: DeviceTree, locs: _SourceMap
) -> None:
    # libfdt overlay_apply_node(): every property under __overlay__ is set on the target.
    for frag, body in _fragments(ovl):
        target = _target(frag, ovl, merged)
        if target is None:
            continue
        for n in body.walk():
            dest = (target.rstrip("/") + n.path[len(body.path) :]) or "/"
            if osmap is not None and n.path in osmap.nodes:
                locs.nodes[dest] = osmap.nodes[n.path]
            for name in n.props:
                loc = osmap.props.get((n.path, name)) if osmap is not None else None
                if loc is None:
                    locs.props.pop((dest, name), None)
                else:
                    locs.props[(dest, name)] = loc


def _target(frag: Node, ovl: DeviceTree, merged: DeviceTree) -> str | None:
    """The path a fragment was applied to, as libfdt overlay_get_target() finds it."""
    tpath = frag.prop("target-path")
    if tpath is not None:
        return _resolve(merged, tpath.string)
    phandle = frag.cell_value("target")
    if phandle is None:
        return None
    if phandle != _FIXUP_PHANDLE:
        node = merged.by_phandle(phandle)
        return node.path if node else None
    fixups, symbols = ovl.node("/__fixups__"), merged.node("/__symbols__")
    if fixups is None or symbols is None:
        return None
    want = f"{frag.path}:target:0"
    for label, prop in fixups.props.items():
        sym = symbols.prop(label)
        if sym is not None and want in prop.strings:
            return _resolve(merged, sym.string)
    return None


def _resolve(tree: DeviceTree, path: str) -> str | None:
    # fdt_path_offset(): a path that does not start with '/' starts with an alias.
    if not path.startswith("/"):
        alias, _, rest = path.partition("/")
        aliases = tree.node("/aliases")
        prop = aliases.prop(alias) if aliases else None
        if prop is None:
            return None
        path = f"{prop.string.rstrip('/')}/{rest}" if rest else prop.string
    node = tree.lookup(path)
    return node.path if node else None
