"""Exceptions raised by the library; only cli.py turns them into exit codes."""

from __future__ import annotations


class CmacheckError(Exception):
    """Base class: something the user gave cannot be used (exit status 2)."""


class InputError(CmacheckError):
    """An input file (DTB, DTS, overlay, .config, log) or option value is unusable.

    ``str()`` is the one-line message shown to the user:
    ``board.dtb: /reserved-memory/linux,cma: size has 1 cell, expected 2`` or
    ``.config:12: CONFIG_CMA_SIZE_MBYTES: ...``.
    """

    def __init__(
        self,
        path: str,
        message: str,
        *,
        line: int | None = None,
        node: str | None = None,
    ) -> None:
        self.path = path
        self.message = message
        self.line = line
        self.node = node
        where = path if line is None else f"{path}:{line}"
        text = f"{where}: {node}: {message}" if node else f"{where}: {message}"
        super().__init__(text)


class UsageError(CmacheckError):
    """An option value is malformed (e.g. ``--ram 12Q``)."""
