"""The local stack without Docker: the five servers as processes on loopback.

    python -m services.common.stack up       # start, wait until every one is SERVING
    python -m services.common.stack status   # health of each
    python -m services.common.stack down     # SIGTERM, wait for the drain, then stop

Pids and logs live in `run/` (CINESYNTH_STACK_DIR). Ports: gRPC 50051..50055 and metrics 9091..9095 in
the order gateway, storyboard, imagegen, audio, compositor (CINESYNTH_STACK_GRPC_BASE,
CINESYNTH_STACK_METRICS_BASE, CINESYNTH_STACK_HOST). CINESYNTH_STACK_IMAGEGEN_REPLICAS=N runs N image
workers (imagegen, imagegen-1, ... on the ports after the compositor's); the gateway balances over all.
CINESYNTH_STACK_MOTION=1 adds the motion/upscale worker (`cinesynth-motion`) on the next port.
Anything else a service reads from its own `CINESYNTH_*` variables passes through unchanged.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from grpc_health.v1 import health_pb2

from services.common.server import check_health

SERVICE_ORDER = ("gateway", "storyboard", "imagegen", "audio", "compositor")


@dataclass(frozen=True)
class StackConfig:
    host: str = "127.0.0.1"
    grpc_base: int = 50051
    metrics_base: int = 9091
    run_dir: Path = Path("run")
    start_timeout_s: float = 300.0
    stop_timeout_s: float = 60.0
    imagegen_replicas: int = 1
    # The motion/upscale worker (services/motion), last in the port order: CINESYNTH_STACK_MOTION=1.
    motion: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> StackConfig:
        return cls(
            host=env.get("CINESYNTH_STACK_HOST", cls.host),
            grpc_base=int(env.get("CINESYNTH_STACK_GRPC_BASE", cls.grpc_base)),
            metrics_base=int(env.get("CINESYNTH_STACK_METRICS_BASE", cls.metrics_base)),
            run_dir=Path(env.get("CINESYNTH_STACK_DIR", str(cls.run_dir))),
            start_timeout_s=float(env.get("CINESYNTH_STACK_START_TIMEOUT_S", cls.start_timeout_s)),
            imagegen_replicas=int(env.get("CINESYNTH_STACK_IMAGEGEN_REPLICAS", cls.imagegen_replicas)),
            motion=env.get("CINESYNTH_STACK_MOTION", "").strip().lower() in ("1", "true", "yes", "on"),
        )

    @property
    def instances(self) -> tuple[str, ...]:
        """Process names: the five services, then the extra image workers (imagegen-1, ...)."""
        extra = tuple(f"imagegen-{i}" for i in range(1, self.imagegen_replicas))
        return SERVICE_ORDER + extra + (("motion",) if self.motion else ())

    def _slot(self, name: str) -> int:
        return self.instances.index(name)

    def grpc_port(self, name: str) -> int:
        return self.grpc_base + self._slot(name)

    def metrics_port(self, name: str) -> int:
        return self.metrics_base + self._slot(name)

    @property
    def imagegen_target(self) -> str:
        workers = [n for n in self.instances if service_of(n) == "imagegen"]
        if len(workers) == 1:
            return self.target(workers[0])
        return "ipv4:" + ",".join(self.target(n) for n in workers)

    def target(self, name: str) -> str:
        return f"{self.host}:{self.grpc_port(name)}"

    def pid_file(self, name: str) -> Path:
        return self.run_dir / "pids" / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.run_dir / "logs" / f"{name}.log"

    @property
    def artifact_store(self) -> str:
        return (self.run_dir / "artifacts").resolve().as_uri()


# Below Linux's ephemeral range (32768+), so outgoing connections never take a port we probed free.
PRIVATE_PORTS = (20000, 32000)


def free_port_block(count: int, span: tuple[int, int] = PRIVATE_PORTS) -> int:
    """First of `count` consecutive free loopback ports, from a random place in `span`."""
    low, high = span
    slots = (high - low) // count
    first = random.randrange(slots)
    for step in range(slots):
        base = low + ((first + step) % slots) * count
        sockets: list[socket.socket] = []
        try:
            for port in range(base, base + count):
                probe = socket.socket()
                sockets.append(probe)
                probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for probe in sockets:
                probe.close()
        return base
    raise RuntimeError(f"no {count} consecutive free ports in {low}..{high}")


def config_on_free_ports(run_dir: Path, imagegen_replicas: int = 1, **overrides: object) -> StackConfig:
    """A stack config whose gRPC and metrics ports are one block of free ports (tests, benchmarks)."""
    slots = len(SERVICE_ORDER) + imagegen_replicas - 1 + int(bool(overrides.get("motion")))
    base = free_port_block(2 * slots)
    return StackConfig(
        grpc_base=base, metrics_base=base + slots, run_dir=run_dir, imagegen_replicas=imagegen_replicas,
        **overrides,  # type: ignore[arg-type]
    )


def service_of(instance: str) -> str:
    """'imagegen-2' -> 'imagegen'."""
    return instance.split("-", 1)[0]


def service_env(config: StackConfig, name: str, base: Mapping[str, str]) -> dict[str, str]:
    """Environment of one stack process: shared store, its own ports, the gateway's targets."""
    env = dict(base)
    env.setdefault("CINESYNTH_ARTIFACT_STORE", config.artifact_store)
    env.setdefault("CINESYNTH_LOG_FORMAT", "json")
    env["CINESYNTH_HOST"] = config.host
    env["CINESYNTH_PORT"] = str(config.grpc_port(name))
    env["CINESYNTH_METRICS_HOST"] = config.host
    env["CINESYNTH_METRICS_PORT"] = str(config.metrics_port(name))
    if name == "gateway":
        for downstream in ("storyboard", "audio", "compositor"):
            env.setdefault(f"CINESYNTH_{downstream.upper()}_TARGET", config.target(downstream))
        env.setdefault("CINESYNTH_IMAGEGEN_TARGET", config.imagegen_target)
        if config.motion:
            env.setdefault("CINESYNTH_MOTION_TARGET", config.target("motion"))
            env.setdefault("CINESYNTH_UPSCALE_TARGET", config.target("motion"))
        env.setdefault("CINESYNTH_JOB_STORE", f"sqlite:///{(config.run_dir / 'jobs.db').resolve()}")
        env.setdefault("CINESYNTH_AUTH_MODE", "none")
    return env


def command_for(name: str) -> list[str]:
    name = service_of(name)
    script = Path(sys.executable).with_name(f"cinesynth-{name}")
    if script.exists():
        return [str(script)]
    module = "gateway.main" if name == "gateway" else f"services.{name}.main"
    return [sys.executable, "-m", module]


def read_pid(path: Path) -> int | None:
    try:
        pid = int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if alive(pid) else None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours counts as gone.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def start(
    config: StackConfig, names: Sequence[str] | None = None, env: Mapping[str, str] | None = None
) -> dict[str, int]:
    """Start the services that are not running; returns name -> pid."""
    names = config.instances if names is None else names
    (config.run_dir / "pids").mkdir(parents=True, exist_ok=True)
    (config.run_dir / "logs").mkdir(parents=True, exist_ok=True)
    pids: dict[str, int] = {}
    for name in names:
        existing = read_pid(config.pid_file(name))
        if existing:
            pids[name] = existing
            continue
        with open(config.log_file(name), "ab") as log:
            proc = subprocess.Popen(
                command_for(name),
                env=service_env(config, name, env if env is not None else os.environ),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # outlives `make up`; `down` signals its process group
            )
        config.pid_file(name).write_text(f"{proc.pid}\n")
        pids[name] = proc.pid
    return pids


async def wait_serving(config: StackConfig, names: Sequence[str] | None = None) -> None:
    """Wait until every service answers SERVING; fail fast when a process dies."""
    names = config.instances if names is None else names
    deadline = time.monotonic() + config.start_timeout_s
    pending = list(names)
    while pending:
        for name in list(pending):
            if await check_health(config.target(name), timeout=1.0) == health_pb2.HealthCheckResponse.SERVING:
                pending.remove(name)
                print(f"  {name:<11} SERVING on {config.target(name)} (metrics :{config.metrics_port(name)})")
            elif read_pid(config.pid_file(name)) is None:
                raise RuntimeError(f"{name} exited during start-up; log tail:\n{tail(config.log_file(name))}")
        if pending and time.monotonic() > deadline:
            raise TimeoutError(f"not SERVING after {config.start_timeout_s:.0f} s: {', '.join(pending)}")
        if pending:
            await asyncio.sleep(0.25)


def stop(config: StackConfig, names: Sequence[str] | None = None, sig: int = signal.SIGTERM) -> list[str]:
    """Signal each service, wait for its drain, SIGKILL what is left; returns the names stopped."""
    if names is None:  # everything this run dir has pids for, extra replicas included
        pid_dir = config.run_dir / "pids"
        found = sorted(p.stem for p in pid_dir.glob("*.pid")) if pid_dir.exists() else []
        names = list(dict.fromkeys([*config.instances, *found]))
    stopped: list[str] = []
    waiting: dict[str, int] = {}
    for name in names:
        pid = read_pid(config.pid_file(name))
        if pid is None:
            config.pid_file(name).unlink(missing_ok=True)
            continue
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            pass
        waiting[name] = pid
    deadline = time.monotonic() + config.stop_timeout_s
    while waiting and time.monotonic() < deadline:
        for name, pid in list(waiting.items()):
            if not alive(pid):
                del waiting[name]
                stopped.append(name)
        time.sleep(0.1)
    for name, pid in waiting.items():
        print(f"  {name} did not stop in {config.stop_timeout_s:.0f} s; killing", file=sys.stderr)
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        stopped.append(name)
    for name in names:
        config.pid_file(name).unlink(missing_ok=True)
    return stopped


def tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


async def health_table(config: StackConfig) -> dict[str, str]:
    out = {}
    for name in config.instances:
        status = await check_health(config.target(name), timeout=1.0)
        out[name] = health_pb2.HealthCheckResponse.ServingStatus.Name(status)
    return out


def up(config: StackConfig) -> int:
    print(f"starting the local stack (logs in {config.run_dir / 'logs'})")
    start(config)
    try:
        asyncio.run(wait_serving(config))
    except (RuntimeError, TimeoutError) as exc:
        print(f"stack failed to start: {exc}", file=sys.stderr)
        stop(config)
        return 1
    print("stack is up: `make down` stops it")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.common.stack", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["up", "down", "status", "demo", "bench-e2e"])
    args = parser.parse_args(argv)
    config = StackConfig.from_env()
    if args.action == "up":
        return up(config)
    if args.action == "down":
        stopped = stop(config)
        print(f"stopped: {', '.join(stopped) if stopped else 'nothing was running'}")
        return 0
    if args.action == "status":
        for name, status in asyncio.run(health_table(config)).items():
            print(f"  {name:<11} {config.target(name):<17} {status}")
        return 0
    from services.common.demo import run_bench, run_demo

    return run_demo(config) if args.action == "demo" else run_bench(config)


if __name__ == "__main__":
    raise SystemExit(main())
