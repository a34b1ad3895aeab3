"""Reading effective Kconfig values (kconfiglib ``str_value`` strings) with kernel defaults.

``symbols`` maps names without ``CONFIG_`` to ``"y"``/``"m"``/``"n"``, decimal or hex
strings, or unquoted text.  A missing key means "not set / not defined".
"""

from __future__ import annotations

from collections.abc import Mapping


def is_enabled(symbols: Mapping[str, str], name: str) -> bool:
    """True for ``y`` (or ``m``, which early-boot code treats as present only if built in).

    Tristates relevant here (CMA, DMA_CMA ...) are bool in the kernel; ``m`` is accepted
    as enabled only to be lenient with hand-written inputs.
    """
    return symbols.get(name, "n") in ("y", "m")


def int_value(symbols: Mapping[str, str], name: str) -> int | None:
    """Integer value of an int/hex symbol, ``None`` if missing or empty.

    Raises:
        ValueError: the value is not a decimal or 0x-hex integer.
    """
    raw = symbols.get(name)
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip()
    try:
        return int(text, 16) if text.lower().startswith("0x") else int(text, 10)
    except ValueError:
        raise ValueError(f"CONFIG_{name}={raw!r} is not an integer") from None


def first_int(symbols: Mapping[str, str], names: tuple[str, ...]) -> int | None:
    """Value of the first of ``names`` that is set."""
    for name in names:
        value = int_value(symbols, name)
        if value is not None:
            return value
    return None
