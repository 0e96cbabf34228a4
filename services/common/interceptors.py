"""Server interceptors: Prometheus RPC metrics and the one domain-error -> status mapping."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc
from grpc import aio

from services.common import errors
from services.common.metrics import (
    GRPC_HANDLED,
    GRPC_HANDLING_SECONDS,
    GRPC_MSG_SENT,
    GRPC_STARTED,
    split_method,
)

log = logging.getLogger(__name__)

Behavior = Callable[..., Any]
# Wraps one behavior: (behavior, is_response_streaming, method name) -> new behavior.
Wrapper = Callable[[Behavior, bool, str], Behavior]


def _rewrap(
    handler: grpc.RpcMethodHandler,
    wrap: Wrapper,
    method: str,
    request_deserializer: Callable[[bytes], Any] | None = None,
) -> grpc.RpcMethodHandler:
    """Return a handler of the same shape whose behavior is `wrap`ped (and deserializer replaced)."""
    deserializer = request_deserializer or handler.request_deserializer
    if handler.unary_unary:
        return grpc.unary_unary_rpc_method_handler(
            wrap(handler.unary_unary, False, method),
            request_deserializer=deserializer,
            response_serializer=handler.response_serializer,
        )
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(
            wrap(handler.unary_stream, True, method),
            request_deserializer=deserializer,
            response_serializer=handler.response_serializer,
        )
    if handler.stream_unary:
        return grpc.stream_unary_rpc_method_handler(
            wrap(handler.stream_unary, False, method),
            request_deserializer=deserializer,
            response_serializer=handler.response_serializer,
        )
    return grpc.stream_stream_rpc_method_handler(
        wrap(handler.stream_stream, True, method),
        request_deserializer=deserializer,
        response_serializer=handler.response_serializer,
    )


@dataclass(frozen=True)
class Undecodable:
    """Stands in for a request whose bytes are not a valid message (e.g. a string field that is not UTF-8).

    gRPC answers a deserializer that raises with UNKNOWN and the exception's type name; the servicer
    behaviour sees this instead and the call ends INVALID_ARGUMENT, like any other bad input.
    """

    type_name: str

    def error(self) -> errors.InvalidArgument:
        return errors.InvalidArgument.field(
            "request",
            f"is not a valid {self.type_name} (malformed protobuf bytes, or a string field that is not UTF-8)",
        )


def tolerant_deserializer(deserializer: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    """`deserializer`, answering an `Undecodable` where it would raise."""
    if deserializer is None:
        return None
    message_class = getattr(deserializer, "__self__", None)
    descriptor = getattr(message_class, "DESCRIPTOR", None)
    type_name = getattr(descriptor, "full_name", None) or "request message"

    def deserialize(data: bytes) -> Any:
        try:
            return deserializer(data)
        except Exception:  # DecodeError (upb), UnicodeDecodeError, ...: the bytes are the client's fault
            return Undecodable(type_name)

    return deserialize


async def _checked(requests: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """A client stream that ends in INVALID_ARGUMENT at the first message that did not decode."""
    async for request in requests:
        if isinstance(request, Undecodable):
            raise request.error()
        yield request


def _rpc_type(handler: grpc.RpcMethodHandler) -> str:
    if handler.unary_unary:
        return "unary"
    if handler.unary_stream:
        return "server_stream"
    if handler.stream_unary:
        return "client_stream"
    return "bidi_stream"


async def _stream(behavior: Behavior, request: Any, context: aio.ServicerContext) -> AsyncIterator[Any]:
    """Iterate a streaming behavior, whether it is an async generator or writes via context.write."""
    result = behavior(request, context)
    if inspect.isasyncgen(result):
        async for item in result:
            yield item
    elif inspect.isawaitable(result):
        await result
    else:  # a plain iterator
        for item in result:
            yield item


def _decoded(request: Any) -> Any:
    """The request, its client stream checked message by message; raises for one that did not decode."""
    if isinstance(request, Undecodable):
        raise request.error()
    if hasattr(request, "__aiter__"):
        return _checked(request)
    return request


class ErrorMappingInterceptor(aio.ServerInterceptor):
    """Maps domain exceptions to rich statuses; hides unexpected errors behind a correlation id."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        return _rewrap(
            handler, self._wrap, handler_call_details.method, tolerant_deserializer(handler.request_deserializer)
        )

    @staticmethod
    async def _abort(context: aio.ServicerContext, exc: BaseException, method: str) -> None:
        if isinstance(exc, NotImplementedError):
            # The generated servicer base class answers methods that are not built yet this way.
            exc = errors.Unimplemented(f"{method} is not implemented")
        if isinstance(exc, errors.CinesynthError):
            status = errors.to_status(exc)
            if exc.code == grpc.StatusCode.INTERNAL:
                log.error("internal error in %s: %s", method, exc.message)
        else:
            correlation_id = uuid.uuid4().hex[:16]
            log.error(
                "unhandled error in %s", method, exc_info=exc, extra={"correlation_id": correlation_id}
            )
            status = errors.internal_status(correlation_id)
        await context.abort(status.code, status.details, status.trailing_metadata)

    def _wrap(self, behavior: Behavior, streaming: bool, method: str) -> Behavior:
        if streaming:

            async def stream_behavior(request: Any, context: aio.ServicerContext) -> AsyncIterator[Any]:
                try:
                    request = _decoded(request)
                    async for item in _stream(behavior, request, context):
                        yield item
                except (asyncio.CancelledError, aio.AbortError):
                    raise
                except Exception as exc:
                    await self._abort(context, exc, method)

            return stream_behavior

        async def unary_behavior(request: Any, context: aio.ServicerContext) -> Any:
            try:
                return await behavior(_decoded(request), context)
            except (asyncio.CancelledError, aio.AbortError):
                raise
            except Exception as exc:
                await self._abort(context, exc, method)

        return unary_behavior


class MetricsInterceptor(aio.ServerInterceptor):
    """grpc_server_started/handled/handling_seconds with service, method and code labels."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        rpc_type = _rpc_type(handler)
        service, method = split_method(handler_call_details.method)
        labels = (rpc_type, service, method)

        def wrap(behavior: Behavior, streaming: bool, _: str) -> Behavior:
            if streaming:

                async def stream_behavior(request: Any, context: aio.ServicerContext) -> AsyncIterator[Any]:
                    start = _started(labels)
                    code = grpc.StatusCode.OK
                    try:
                        async for item in _stream(behavior, request, context):
                            GRPC_MSG_SENT.labels(*labels).inc()
                            yield item
                        code = context.code() or grpc.StatusCode.OK
                    except asyncio.CancelledError:
                        code = grpc.StatusCode.CANCELLED
                        raise
                    except BaseException:
                        code = context.code() or grpc.StatusCode.UNKNOWN
                        raise
                    finally:
                        _handled(labels, code, start)

                return stream_behavior

            async def unary_behavior(request: Any, context: aio.ServicerContext) -> Any:
                start = _started(labels)
                code = grpc.StatusCode.OK
                try:
                    result = await behavior(request, context)
                    code = context.code() or grpc.StatusCode.OK
                    return result
                except asyncio.CancelledError:
                    code = grpc.StatusCode.CANCELLED
                    raise
                except BaseException:
                    code = context.code() or grpc.StatusCode.UNKNOWN
                    raise
                finally:
                    _handled(labels, code, start)

            return unary_behavior

        return _rewrap(handler, wrap, handler_call_details.method)


def _started(labels: tuple[str, str, str]) -> float:
    GRPC_STARTED.labels(*labels).inc()
    return time.perf_counter()


def _handled(labels: tuple[str, str, str], code: Any, start: float) -> None:
    name = code.name if isinstance(code, grpc.StatusCode) else _code_name(code)
    GRPC_HANDLED.labels(*labels, name).inc()
    GRPC_HANDLING_SECONDS.labels(*labels).observe(time.perf_counter() - start)


def _code_name(code: Any) -> str:
    for status in grpc.StatusCode:
        if status.value[0] == code:
            return status.name
    return "UNKNOWN"
