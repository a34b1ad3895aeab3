"""GitHub Actions workflow commands: ``::error file=F,line=L,title=CMA009::message``.

Escaping follows @actions/core (toolkit ``command.ts``): in the message ``%``, CR and LF
become ``%25``, ``%0D``, ``%0A``; in property values ``:`` and ``,`` also become ``%3A`` and
``%2C``.  GitHub shows at most 10 error, 10 warning and 10 notice annotations per step (50
per job), so a plain summary line comes first and every finding is still emitted (the rest
stay readable in the log).  :func:`step_summary` gives the same findings as Markdown for the
job summary (``$GITHUB_STEP_SUMMARY``, at most 1 MiB per step), which the CLI appends to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from cmacheck.findings import Finding, Severity

if TYPE_CHECKING:
    from cmacheck.batch import BatchResult

ANNOTATION_LIMIT = 10  # per severity, per step
SUMMARY_LIMIT = 1 << 20  # bytes of job summary per step (GitHub refuses a larger one)
_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **props: str | int | None) -> str:
    fields = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items()
                      if v is not None)
    return f"::{kind} {fields}::{escape_data(message)}" if fields else \
        f"::{kind}::{escape_data(message)}"


def annotation(f: Finding, board: str) -> str:
    text = f"{f.at.node}: {f.message}" if f.at.node else f.message
    return command(_COMMAND[f.severity], text, file=f.at.file or board,
                   line=f.at.line, title=f.rule)


def render_batch(result: BatchResult, out: TextIO) -> None:
    findings = [(b.dt, f) for b in result.boards if b.report is not None
                for f in b.report.findings]
    counts = {s: sum(1 for _, f in findings if f.severity == s) for s in Severity}
    summary = (f"cmacheck: {len(result.boards)} board(s), {counts[Severity.ERROR]} error(s), "
               f"{counts[Severity.WARNING]} warning(s), {counts[Severity.NOTE]} note(s), "
               f"{len(result.errors)} input error(s)")
    if any(n > ANNOTATION_LIMIT for n in counts.values()):
        summary += (f"; GitHub shows only {ANNOTATION_LIMIT} annotations of each kind per "
                    "step, all findings are listed below")
    out.write(summary + "\n")
    for b in result.errors:
        out.write(command("error", b.error or "", file=b.dt, title="input error") + "\n")
    for board, f in findings:
        out.write(annotation(f, board) + "\n")
    for rule, board, anchor, message in result.stale:
        out.write(f"cmacheck: {result.baseline}: stale baseline entry [{rule}] {board}: "
                  f"{anchor}: {message}\n")


_MARKDOWN = str.maketrans({"\\": "\\\\", "|": "\\|", "*": "\\*", "`": "\\`", "&": "&amp;",
                           "<": "&lt;", ">": "&gt;"})


def _cell(text: str) -> str:
    # A Markdown table cell: one line, no column break, no emphasis or HTML from the text.
    return " ".join(text.split()).translate(_MARKDOWN)


def _where(f: Finding, board: str) -> str:
    file = f.at.file or board
    where = f"{file}:{f.at.line}" if f.at.line is not None else file
    return "`" + where.replace("`", "'").replace("|", "\\|") + "`"


def step_summary(result: BatchResult, limit: int = SUMMARY_LIMIT) -> str:
    """The job summary (Markdown): per-board counts, then a table of every finding
    (file:line, rule, severity, message); both tables share ``limit`` bytes, and what does
    not fit is counted in a closing line."""
    boards = [f"| {_cell(b.dt)} | input error: {_cell(b.error or '')} | | |\n"
              if b.report is None else
              f"| {_cell(b.dt)} | {b.count(Severity.ERROR)} | {b.count(Severity.WARNING)} | "
              f"{b.count(Severity.NOTE)} |\n" for b in result.boards]
    findings = [(b.dt, f) for b in result.boards if b.report is not None
                for f in b.report.findings]
    text = "## cmacheck\n\n| board | errors | warnings | notes |\n|---|--:|--:|--:|\n"
    size, budget = len(text.encode()), limit - 200  # room for the closing line
    for i, row in enumerate(boards):
        size += len(row.encode())
        if size > budget:
            return (text + f"\n{len(boards) - i} more board(s) and {len(findings)} finding(s) "
                    f"not shown: a job summary holds at most {limit} bytes; all of them are "
                    "in the log above\n")
        text += row
    if findings:
        text += "\n| file:line | rule | severity | message |\n|---|---|---|---|\n"
    for i, (board, f) in enumerate(findings):
        message = f"{f.at.node}: {f.message}" if f.at.node else f.message
        row = f"| {_where(f, board)} | {f.rule} | {f.severity.label} | {_cell(message)} |\n"
        size += len(row.encode())
        if size > budget:
            return (text + f"\n{len(findings) - i} more finding(s) not shown: a job summary "
                    f"holds at most {limit} bytes; all of them are in the log above\n")
        text += row
    return text
