"""JUnit XML: one ``<testsuite>`` per board, one ``<testcase>`` per rule per board.

A rule's testcase fails (``<failure>``) when the board has findings of that rule at or above
the fail level (``--fail-on``); findings below it are listed in ``<system-out>``.  Rules that
were not selected are ``<skipped>``.  A board that could not be read is a testsuite with one
``<error>`` testcase.  No timestamps or durations: the output is deterministic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from cmacheck import rules
from cmacheck.report.lines import finding_line

if TYPE_CHECKING:
    from cmacheck.batch import BatchResult


def _text(s: str) -> str:
    # XML 1.0 forbids most control characters even escaped.
    return xml_escape("".join(c if c in "\t\n" or ord(c) >= 0x20 else "?" for c in s))


def _attr(s: str) -> str:
    return quoteattr("".join(c if ord(c) >= 0x20 else " " for c in s))


def render_batch(result: BatchResult, out: TextIO) -> None:
    suites: list[str] = []
    total = fails = errors = skipped = 0
    for b in result.boards:
        name = _attr(b.dt)
        if b.report is None:
            total += 1
            errors += 1
            suites.append(
                f'  <testsuite name={name} tests="1" failures="0" errors="1" skipped="0">\n'
                f'    <testcase classname={name} name="input">\n'
                f'      <error message={_attr(b.error or "")} type="InputError"/>\n'
                "    </testcase>\n  </testsuite>\n")
            continue
        cases: list[str] = []
        s_fail = s_skip = 0
        for rule in rules.ALL:
            case = f'    <testcase classname={name} name={_attr(f"{rule.ID} {rule.NAME}")}'
            if not result.policy.enabled(rule.ID):
                s_skip += 1
                cases.append(f'{case}>\n      <skipped message="not selected"/>\n'
                             "    </testcase>\n")
                continue
            found = [f for f in b.report.findings if f.rule == rule.ID]
            failing = [f for f in found if result.failing(f)]
            other = [f for f in found if not result.failing(f)]
            if not found:
                cases.append(f"{case}/>\n")
                continue
            body = ""
            if failing:
                s_fail += 1
                lines = "\n".join(finding_line(f) for f in failing)
                body += (f"      <failure message={_attr(failing[0].message)} "
                         f'type="{failing[0].severity.label}">{_text(lines)}</failure>\n')
            if other:
                lines = "\n".join(finding_line(f) for f in other)
                body += f"      <system-out>{_text(lines)}</system-out>\n"
            cases.append(f"{case}>\n{body}    </testcase>\n")
        total += len(cases)
        fails += s_fail
        skipped += s_skip
        suites.append(f'  <testsuite name={name} tests="{len(cases)}" failures="{s_fail}" '
                      f'errors="0" skipped="{s_skip}">\n{"".join(cases)}  </testsuite>\n')
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(f'<testsuites name="cmacheck" tests="{total}" failures="{fails}" '
              f'errors="{errors}" skipped="{skipped}">\n')
    out.write("".join(suites))
    out.write("</testsuites>\n")
