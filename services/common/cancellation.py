"""Cancellation that reaches worker threads and subprocesses.

A gRPC call's work runs on threads (numpy, Piper, diffusers, transformers, ffmpeg). When the client
cancels or the deadline passes, grpc.aio cancels the handler's task — but a thread cannot be
cancelled, so without this the work runs on to the end and burns the cores.

    result = await cancellation.to_thread(engine.render, spec)     # in the servicer

    cancellation.check()                       # in a loop on the worker thread: raises WorkCancelled
    with cancellation.kill_on_cancel(proc):    # a subprocess dies with the call
    callback_on_step_end / StoppingCriteria    # read `cancellation.current().cancelled`

`to_thread` runs the function with a fresh CancelToken as the thread's current token (a context
variable, so it reaches every function the thread calls without being passed down). When the awaiting
task is cancelled the token is set: loops stop at their next check, subprocesses are killed at once.
Tokens nest: work started from a cancelled call's thread is cancelled with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from typing import ParamSpec, TypeVar

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

# How long a cancelled call waits for its thread to stop (its cleanup, e.g. removing a work dir, runs
# there). A thread that ignores its token is abandoned after this, never waited on for ever.
STOP_WAIT_S = 10.0


class WorkCancelled(BaseException):
    """Raised on a worker thread whose call was cancelled.

    A BaseException, like asyncio.CancelledError and for the same reason: the many `except Exception`
    fallbacks (music source chains, degrade paths) must not turn a cancellation into "try the next
    source" and keep working.
    """


class CancelToken:
    """Set once, when the work it belongs to should stop; callbacks (e.g. killing a process) run then."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []
        self.reason = ""

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def is_set(self) -> bool:  # a threading.Event's interface: code that takes an Event takes a token
        return self._event.is_set()

    def cancel(self, reason: str = "the call was cancelled") -> None:
        with self._lock:
            if self._event.is_set():
                return
            self.reason = reason
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # one failing callback must not keep the others from stopping work
                log.exception("cancel callback failed")

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Run `callback` when cancelled (at once if already); returns a function that unregisters it."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)

                def unregister() -> None:
                    with self._lock, contextlib.suppress(ValueError):
                        self._callbacks.remove(callback)

                return unregister
        callback()
        return lambda: None

    def check(self) -> None:
        """Raise WorkCancelled when set: call it between units of work."""
        if self._event.is_set():
            raise WorkCancelled(self.reason or "cancelled")

    def wait(self, timeout: float | None = None) -> bool:
        return self._event.wait(timeout)


# The token of the work running in this context; a never-cancelled one outside any cancellable call.
_NEVER = CancelToken()
_current: contextvars.ContextVar[CancelToken] = contextvars.ContextVar("cinesynth_cancel_token", default=_NEVER)


def current() -> CancelToken:
    return _current.get()


def check() -> None:
    """Raise WorkCancelled when the current work was cancelled."""
    _current.get().check()


@contextlib.contextmanager
def scope(token: CancelToken) -> Iterator[CancelToken]:
    """Make `token` current for the block (cancelled with the enclosing token, if any)."""
    parent = _current.get()
    unlink = parent.on_cancel(lambda: token.cancel(parent.reason)) if parent is not _NEVER else (lambda: None)
    reset = _current.set(token)
    try:
        yield token
    finally:
        _current.reset(reset)
        unlink()


async def to_thread(func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """`asyncio.to_thread`, but cancelling the awaiting task cancels the thread's token and waits
    (up to STOP_WAIT_S) for the thread to stop, so its cleanup has run when the cancellation goes on."""
    token = CancelToken()

    def run() -> T:
        with scope(token):
            return func(*args, **kwargs)

    work = asyncio.ensure_future(asyncio.to_thread(run))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        token.cancel()
        started = time.monotonic()
        try:
            await asyncio.wait_for(asyncio.shield(work), STOP_WAIT_S)
        except TimeoutError:
            log.warning("worker thread did not stop within %.0f s of cancellation", STOP_WAIT_S)
        except BaseException:  # WorkCancelled, or whatever the interrupted work raised: the call is over
            pass
        log.info("cancelled work stopped", extra={"stop_s": round(time.monotonic() - started, 3)})
        raise


def submit(pool: Executor, func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
    """`pool.submit`, the function running in the caller's context: a pool thread starts with an
    empty one, where no token is current and nothing could cancel the work."""
    return pool.submit(contextvars.copy_context().run, func, *args, **kwargs)


def kill(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL a child process (no-op when it has exited)."""
    with contextlib.suppress(ProcessLookupError, OSError):
        if proc.poll() is None:
            proc.kill()


@contextlib.contextmanager
def kill_on_cancel(proc: subprocess.Popen[bytes]) -> Iterator[CancelToken]:
    """Kill `proc` as soon as the current work is cancelled (while the block runs).

    The child stays in the service's process group, so a pod's kill (the whole group) takes it too;
    ffmpeg starts no children of its own, so killing the process is killing all of it.
    """
    token = _current.get()
    unregister = token.on_cancel(lambda: kill(proc))
    try:
        yield token
    finally:
        unregister()


# --- adapters for the model libraries (imported lazily: only the services that use them have them) ---


def diffusers_step_callback() -> Callable[..., dict[str, object]]:
    """A diffusers `callback_on_step_end` that interrupts the denoising loop once the current work
    is cancelled (the pipeline then returns after the step; the caller calls `check()`)."""
    token = _current.get()

    def on_step_end(pipe: object, step: int, timestep: object, callback_kwargs: dict[str, object]) -> dict[str, object]:
        if token.cancelled:
            pipe._interrupt = True  # type: ignore[attr-defined]  # diffusers' own interrupt flag
        return callback_kwargs

    return on_step_end


def stopping_criteria() -> object:
    """A transformers StoppingCriteria that ends `generate` at the next token once the current work
    is cancelled (the caller calls `check()` after generate returns)."""
    import torch
    from transformers import StoppingCriteria

    token = _current.get()

    class StopWhenCancelled(StoppingCriteria):
        def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor, **kwargs: object) -> torch.Tensor:
            return torch.full((input_ids.shape[0],), token.cancelled, dtype=torch.bool, device=input_ids.device)

    return StopWhenCancelled()
