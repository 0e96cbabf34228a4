"""Checks on what a downstream service returned, before the gateway checkpoints it on the job."""

from __future__ import annotations

from collections.abc import Sequence

from google.protobuf.message import Message

from gateway.finite import describe, non_finite_fields
from services.common.errors import Internal


def unstorable_result(service: str, message: Message, fields: Sequence[str] | None = None) -> Internal | None:
    """An INTERNAL error naming the fields of `message` (only the top-level `fields` given, with
    everything inside them) that are NaN or infinite; None when all are finite.

    Only what the job keeps or passes on is checked: some doubles are legitimately infinite (the
    true peak of a silent soundtrack is -inf dBTP) and the gateway never stores them.

    Such a result cannot be stored (the job store writes strict JSON) nor trusted downstream, so the
    stage fails with it at once instead of the job looping on a checkpoint that can never be saved.
    """
    bad = [
        path for path in non_finite_fields(message)
        if fields is None or path.split(".", 1)[0].split("[", 1)[0] in fields
    ]
    if not bad:
        return None
    return Internal(
        f"the {service} returned a result that cannot be stored: {describe(bad)} "
        f"{'is' if len(bad) == 1 else 'are'} not a finite number (NaN or infinity). "
        f"This is a defect of the {service}; the job can be submitted again"
    )
