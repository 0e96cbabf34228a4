"""Domain exceptions and their one mapping to gRPC status codes.

Cores raise these; the error interceptor turns them into statuses. INVALID_ARGUMENT carries a
google.rpc.BadRequest with one field violation per bad field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

# google.rpc.ErrorInfo of an UNAVAILABLE that is a dependency's failure (see Unavailable).
DEPENDENCY_UNAVAILABLE = "DEPENDENCY_UNAVAILABLE"
ERROR_DOMAIN = "internal.cinesynth"


@dataclass(frozen=True)
class FieldViolation:
    field: str
    description: str


class CinesynthError(Exception):
    """Base of all errors a client may see. The message must be safe to show to a client."""

    code: grpc.StatusCode = grpc.StatusCode.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def details(self) -> list[any_pb2.Any]:
        return []


class InvalidArgument(CinesynthError):
    code = grpc.StatusCode.INVALID_ARGUMENT

    def __init__(self, violations: FieldViolation | Sequence[FieldViolation] | str, message: str = "") -> None:
        if isinstance(violations, str):
            violations = [FieldViolation(violations, message or "invalid value")]
        elif isinstance(violations, FieldViolation):
            violations = [violations]
        self.violations = list(violations)
        text = message or "; ".join(f"{v.field}: {v.description}" for v in self.violations)
        super().__init__(text or "invalid argument")

    @classmethod
    def field(cls, field: str, description: str) -> InvalidArgument:
        return cls([FieldViolation(field, description)])

    def details(self) -> list[any_pb2.Any]:
        bad = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
                for v in self.violations
            ]
        )
        packed = any_pb2.Any()
        packed.Pack(bad)
        return [packed]


class NotFound(CinesynthError):
    code = grpc.StatusCode.NOT_FOUND


class AlreadyExists(CinesynthError):
    """With `reason`, carries a google.rpc.ErrorInfo (AIP-193); with `resource_name`, a ResourceInfo
    naming what already exists, so a client can go and fetch it."""

    code = grpc.StatusCode.ALREADY_EXISTS

    def __init__(
        self,
        message: str,
        *,
        reason: str = "",
        domain: str = "",
        metadata: dict[str, str] | None = None,
        resource_type: str = "",
        resource_name: str = "",
    ) -> None:
        super().__init__(message)
        self.reason, self.domain, self.metadata = reason, domain, dict(metadata or {})
        self.resource_type, self.resource_name = resource_type, resource_name

    def details(self) -> list[any_pb2.Any]:
        out: list[any_pb2.Any] = []
        if self.reason:
            info = error_details_pb2.ErrorInfo(reason=self.reason, domain=self.domain, metadata=self.metadata)
            out.append(_packed(info))
        if self.resource_name:
            out.append(_packed(error_details_pb2.ResourceInfo(
                resource_type=self.resource_type, resource_name=self.resource_name, description=self.message
            )))
        return out


def _packed(message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


class FailedPrecondition(CinesynthError):
    code = grpc.StatusCode.FAILED_PRECONDITION


class ResourceExhausted(CinesynthError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class Unavailable(CinesynthError):
    """`dependency_failed`: the service is up but something it depends on failed (the artifact store,
    a music host), so waiting for the service to come back cannot help; the status carries an
    ErrorInfo with reason DEPENDENCY_UNAVAILABLE so that callers can tell. Otherwise: the service
    is not ready (loading, draining) or was not reached, and may be waited for."""

    code = grpc.StatusCode.UNAVAILABLE

    def __init__(self, message: str, *, dependency_failed: bool = False) -> None:
        super().__init__(message)
        self.dependency_failed = dependency_failed

    def details(self) -> list[any_pb2.Any]:
        if not self.dependency_failed:
            return []
        return [_packed(error_details_pb2.ErrorInfo(reason=DEPENDENCY_UNAVAILABLE, domain=ERROR_DOMAIN))]


class DeadlineExceeded(CinesynthError):
    code = grpc.StatusCode.DEADLINE_EXCEEDED


class Cancelled(CinesynthError):
    code = grpc.StatusCode.CANCELLED


class Unauthenticated(CinesynthError):
    code = grpc.StatusCode.UNAUTHENTICATED


class PermissionDenied(CinesynthError):
    code = grpc.StatusCode.PERMISSION_DENIED


class Unimplemented(CinesynthError):
    code = grpc.StatusCode.UNIMPLEMENTED


class Aborted(CinesynthError):
    code = grpc.StatusCode.ABORTED


class Internal(CinesynthError):
    code = grpc.StatusCode.INTERNAL


class Collector:
    """Gathers field violations so a request reports all its bad fields at once."""

    def __init__(self) -> None:
        self.violations: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self.violations.append(FieldViolation(field, description))

    def check(self, ok: bool, field: str, description: str) -> None:
        if not ok:
            self.add(field, description)

    def extend(self, violations: Iterable[FieldViolation]) -> None:
        self.violations.extend(violations)

    def raise_if_any(self) -> None:
        if self.violations:
            raise InvalidArgument(self.violations)


def to_status(error: CinesynthError) -> grpc.Status:
    """The rich status (code, message, details) for a domain error."""
    proto = status_pb2.Status(code=error.code.value[0], message=error.message, details=error.details())
    return rpc_status.to_status(proto)


def internal_status(correlation_id: str) -> grpc.Status:
    proto = status_pb2.Status(
        code=code_pb2.INTERNAL, message=f"internal error (correlation id {correlation_id})"
    )
    return rpc_status.to_status(proto)


def field_violations(error: grpc.RpcError) -> list[FieldViolation]:
    """Client side: decode the BadRequest field violations of a failed call."""
    trailing = error.trailing_metadata() or ()
    for key, value in trailing:
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            out: list[FieldViolation] = []
            for detail in status.details:
                if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                    bad = error_details_pb2.BadRequest()
                    detail.Unpack(bad)
                    out.extend(FieldViolation(v.field, v.description) for v in bad.field_violations)
            return out
    return []


def dependency_failed(error: grpc.RpcError) -> bool:
    """Whether a failed call is a service's answer that one of its dependencies failed (see
    `Unavailable`), not an unreachable, loading or draining service."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            for detail in status_pb2.Status.FromString(value).details:
                if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                    info = error_details_pb2.ErrorInfo()
                    detail.Unpack(info)
                    if info.reason == DEPENDENCY_UNAVAILABLE and info.domain == ERROR_DOMAIN:
                        return True
    return False


def from_rpc_error(error: grpc.RpcError) -> CinesynthError:
    """Re-raise a downstream failure as the matching domain error (same code, same message)."""
    by_code: dict[grpc.StatusCode, type[CinesynthError]] = {
        cls.code: cls
        for cls in (
            NotFound, AlreadyExists, FailedPrecondition, ResourceExhausted, Unavailable,
            DeadlineExceeded, Cancelled, Unauthenticated, PermissionDenied, Unimplemented, Aborted,
        )
    }
    code = error.code()
    details = error.details() or code.name
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        return InvalidArgument(field_violations(error) or [FieldViolation("", details)], details)
    if code == grpc.StatusCode.UNAVAILABLE:
        return Unavailable(details, dependency_failed=dependency_failed(error))
    return by_code.get(code, Internal)(details)
