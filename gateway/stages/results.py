"""Checks on what a downstream service returned, before the gateway checkpoints it on the job."""

from __future__ import annotations

from google.protobuf.message import Message

from gateway.finite import describe, non_finite_fields
from services.common.errors import Internal


def unstorable_result(service: str, message: Message) -> Internal | None:
    """An INTERNAL error naming the fields of `message` that are NaN or infinite; None when all are finite.

    Such a result cannot be stored (the job store writes strict JSON) nor trusted downstream, so the
    stage fails with it at once instead of the job looping on a checkpoint that can never be saved.
    """
    bad = non_finite_fields(message)
    if not bad:
        return None
    return Internal(
        f"the {service} returned a result that cannot be stored: {describe(bad)} "
        f"{'is' if len(bad) == 1 else 'are'} not a finite number (NaN or infinity). "
        f"This is a defect of the {service}; the job can be submitted again"
    )
