"""The device layer: what the worker runs on, how much memory it has, and out-of-memory handling.

Everything that asks the accelerator about memory goes through a `Device`, so selection and the
OOM path can be exercised with a `SimulatedDevice` (any VRAM size, injected CUDA OOM errors) while
the tensors still run on the CPU. `TorchDevice` is the real one.
"""

from __future__ import annotations

import gc
import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

GIB = 1024**3


@dataclass(frozen=True)
class DeviceInfo:
    """A measurement of the device's memory."""

    kind: str  # "cuda", "mps" or "cpu"
    name: str
    total_bytes: int = 0
    free_bytes: int = 0
    # Held by this process's caching allocator but not in use: reusable by us, invisible to `free`.
    reclaimable_bytes: int = 0

    @property
    def accelerated(self) -> bool:
        return self.kind != "cpu"

    @property
    def available_bytes(self) -> int:
        return self.free_bytes + self.reclaimable_bytes

    def usable_gb(self, reserve_gb: float) -> float:
        """GiB a model may use after keeping `reserve_gb` free for activations and other tenants."""
        return max(0.0, self.available_bytes / GIB - reserve_gb) if self.accelerated else 0.0


@dataclass(frozen=True)
class GenerationAttempt:
    """What is about to run on the device (the fault-injection hook sees it)."""

    model: str
    tier: str
    batch_size: int
    width: int
    height: int
    memory_savers: bool
    # "keyframe", or "warmup" for the start-up generation.
    purpose: str = "keyframe"


class Device(ABC):
    """A compute device. Subclasses measure memory and free caches; the pipeline runs on `torch_device`."""

    @abstractmethod
    def info(self) -> DeviceInfo: ...

    @property
    @abstractmethod
    def torch_device(self) -> str:
        """Where tensors go ("cuda:0", "mps", "cpu")."""

    @property
    def kind(self) -> str:
        return self.info().kind

    def empty_cache(self) -> None:
        """Give cached allocator blocks back after an OOM (and collect garbage holding tensors)."""
        gc.collect()

    def before_generation(self, attempt: GenerationAttempt) -> None:  # noqa: B027 - an optional hook
        """Called right before each pipeline call; the simulated device raises injected OOMs here."""

    def reset_peak(self) -> None:  # noqa: B027 - only accelerators track a peak
        """Start a new peak-memory window."""

    def peak_bytes(self) -> int:
        return 0

    @staticmethod
    def is_oom(exc: BaseException) -> bool:
        """True for accelerator out-of-memory errors (CUDA's typed error, MPS's RuntimeError text)."""
        import torch

        if isinstance(exc, torch.OutOfMemoryError):
            return True
        return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


class TorchDevice(Device):
    """The real device: CUDA when present (or `preference`), else MPS, else CPU."""

    def __init__(self, preference: str = "auto") -> None:
        import torch

        self._torch = torch
        if preference == "auto":
            if torch.cuda.is_available():
                preference = "cuda"
            elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
                preference = "mps"
            else:
                preference = "cpu"
        if preference.startswith("cuda"):
            if not torch.cuda.is_available():
                raise RuntimeError(f"device {preference!r} requested but CUDA is not available")
            index = int(preference.split(":", 1)[1]) if ":" in preference else torch.cuda.current_device()
            self._torch_device = f"cuda:{index}"
        elif preference in ("mps", "cpu"):
            self._torch_device = preference
        else:
            raise ValueError(f"unknown device {preference!r} (auto, cpu, mps, cuda or cuda:N)")

    @property
    def torch_device(self) -> str:
        return self._torch_device

    def info(self) -> DeviceInfo:
        torch = self._torch
        if self._torch_device.startswith("cuda"):
            index = int(self._torch_device.split(":")[1])
            free, total = torch.cuda.mem_get_info(index)
            reclaimable = torch.cuda.memory_reserved(index) - torch.cuda.memory_allocated(index)
            return DeviceInfo("cuda", torch.cuda.get_device_name(index), total, free, max(0, reclaimable))
        if self._torch_device == "mps":
            total = int(torch.mps.recommended_max_memory())
            used = int(torch.mps.driver_allocated_memory())
            return DeviceInfo("mps", "Apple MPS", total, max(0, total - used), 0)
        return DeviceInfo("cpu", _cpu_name())

    def empty_cache(self) -> None:
        gc.collect()
        if self._torch_device.startswith("cuda"):
            self._torch.cuda.empty_cache()
        elif self._torch_device == "mps":
            self._torch.mps.empty_cache()

    def reset_peak(self) -> None:
        if self._torch_device.startswith("cuda"):
            self._torch.cuda.reset_peak_memory_stats(self._torch_device)

    def peak_bytes(self) -> int:
        if self._torch_device.startswith("cuda"):
            return int(self._torch.cuda.max_memory_allocated(self._torch_device))
        return 0


OomRule = Callable[[GenerationAttempt], bool]


@dataclass
class SimulatedDevice(Device):
    """A device of any kind and memory size whose work runs on the CPU.

    `plan --vram-gb X` measures one; tests use it to table-test selection and to inject CUDA OOM
    errors: each generation attempt for which `oom_rule` returns True raises
    `torch.cuda.OutOfMemoryError`, as a real GPU does when a batch does not fit. With a `gate`, each
    generation waits until the gate is set (a long-running job, for admission tests).
    """

    kind_: str = "cuda"
    vram_gb: float = 0.0
    name: str = "simulated"
    oom_rule: OomRule | None = None
    attempts: list[GenerationAttempt] = field(default_factory=list)
    cache_empties: int = 0
    gate: threading.Event | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def with_vram(cls, vram_gb: float, **kwargs: Any) -> SimulatedDevice:
        """0 GiB is a CPU-only node; anything else a CUDA GPU of that size."""
        return cls(kind_="cuda" if vram_gb > 0 else "cpu", vram_gb=vram_gb, **kwargs)

    @property
    def torch_device(self) -> str:
        return "cpu"

    def info(self) -> DeviceInfo:
        if self.kind_ == "cpu":
            return DeviceInfo("cpu", self.name)
        size = int(self.vram_gb * GIB)
        return DeviceInfo(self.kind_, self.name, size, size, 0)

    def empty_cache(self) -> None:
        with self._lock:
            self.cache_empties += 1
        gc.collect()

    def before_generation(self, attempt: GenerationAttempt) -> None:
        with self._lock:
            self.attempts.append(attempt)
        if self.gate is not None and attempt.purpose != "warmup":
            self.gate.wait(timeout=60)
        if self.oom_rule is not None and self.oom_rule(attempt):
            import torch

            raise torch.cuda.OutOfMemoryError(
                f"CUDA out of memory (simulated): {attempt.tier} batch of {attempt.batch_size} at "
                f"{attempt.width}x{attempt.height}"
            )


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or "cpu"
