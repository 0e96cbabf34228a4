"""Fallbacks and adjustments a service took: every one reaches the caller as a Warning."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from services.common.gen.cinesynth.v1 import common_pb2


class WarningLike(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def stage(self) -> str: ...


@dataclass(frozen=True)
class Notice:
    """A machine-readable code, a message for people, and the pipeline stage that raised it.

    Services subclass it only to give `stage` their own default.
    """

    code: str
    message: str
    stage: str


def warning_messages(notices: Iterable[WarningLike]) -> list[common_pb2.Warning]:
    return [common_pb2.Warning(code=n.code, message=n.message, stage=n.stage) for n in notices]
