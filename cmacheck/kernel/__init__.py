"""Kernel model: per-version / per-arch / per-config facts of early-boot memory handling.

Public interface::

    from cmacheck.kernel import KernelModel, kernel_model, parse_version, ERAS
    model = kernel_model(parse_version("6.1.0-56-arm64"), "arm64", {"CMA_AREAS": "19"})
"""

from cmacheck.kernel.model import ERAS, MESSAGE_KEYS, EraInfo, KernelModel, kernel_model, model_for
from cmacheck.kernel.versions import Msg, format_version, parse_version

__all__ = [
    "ERAS",
    "MESSAGE_KEYS",
    "EraInfo",
    "KernelModel",
    "Msg",
    "format_version",
    "kernel_model",
    "model_for",
    "parse_version",
]
