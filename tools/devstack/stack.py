"""The local stack without Docker: the five servers as processes on loopback.

    python -m tools.devstack up       # start, wait until every one is SERVING
    python -m tools.devstack status   # health of each
    python -m tools.devstack down     # SIGTERM, wait for the drain, then stop
    python -m tools.devstack demo     # up, render a movie with the offline defaults (tools/devstack/demo.py)

Pids and logs live in `run/` (CINESYNTH_STACK_DIR). Ports: gRPC 50051..50055 and metrics 9091..9095 in
the order gateway, storyboard, imagegen, audio, compositor (CINESYNTH_STACK_GRPC_BASE,
CINESYNTH_STACK_METRICS_BASE, CINESYNTH_STACK_HOST). CINESYNTH_STACK_IMAGEGEN_REPLICAS=N runs N image
workers (imagegen, imagegen-1, ... on the ports after the compositor's); the gateway balances over all.
CINESYNTH_STACK_COMPOSITOR_REPLICAS=N runs N compositors (compositor-1, ... after the image workers);
the gateway fans a film's segments out over all of them.
CINESYNTH_STACK_MOTION=1 adds the motion/upscale worker (`cinesynth-motion`) on the next port.
Anything else a service reads from its own `CINESYNTH_*` variables passes through unchanged.

CINESYNTH_STACK_GRPC_BASE=0 (what tests and benchmarks use, `config_on_free_ports`): every process binds
port 0 and writes the ports it got to `run/ports/<name>.json`; the gateway is started once its
downstream services have reported theirs. Nothing is probed free and reused, so parallel stacks on one
machine never race for a port. A restarted process binds the port it had, so the gateway's targets hold.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from grpc_health.v1 import health_pb2

from services.common.portfile import BoundPorts, read_port_file, wait_port_file
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
    compositor_replicas: int = 1
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
            compositor_replicas=int(env.get("CINESYNTH_STACK_COMPOSITOR_REPLICAS", cls.compositor_replicas)),
            motion=env.get("CINESYNTH_STACK_MOTION", "").strip().lower() in ("1", "true", "yes", "on"),
        )

    @property
    def instances(self) -> tuple[str, ...]:
        """Process names: the five services, then the extra image workers (imagegen-1, ...), then the
        extra compositors (compositor-1, ...)."""
        extra = tuple(f"imagegen-{i}" for i in range(1, self.imagegen_replicas))
        extra += tuple(f"compositor-{i}" for i in range(1, self.compositor_replicas))
        return SERVICE_ORDER + extra + (("motion",) if self.motion else ())

    def _slot(self, name: str) -> int:
        return self.instances.index(name)

    @property
    def dynamic_ports(self) -> bool:
        """Processes bind port 0 and report what they got (see the module docstring)."""
        return self.grpc_base == 0

    def bound(self, name: str) -> BoundPorts | None:
        return read_port_file(self.port_file(name))

    def grpc_port(self, name: str) -> int:
        if not self.dynamic_ports:
            return self.grpc_base + self._slot(name)
        ports = self.bound(name)
        if ports is None:
            raise LookupError(f"{name} has not reported its port (not started?)")
        return ports.grpc_port

    def metrics_port(self, name: str) -> int:
        if not self.dynamic_ports:
            return self.metrics_base + self._slot(name)
        ports = self.bound(name)
        if ports is None or ports.metrics_port is None:
            raise LookupError(f"{name} has not reported its metrics port (not started?)")
        return ports.metrics_port

    @property
    def imagegen_target(self) -> str:
        return self.replicas_target("imagegen")

    def replicas_target(self, service: str) -> str:
        """One address, or an `ipv4:a,b` list of every replica of `service`."""
        workers = [n for n in self.instances if service_of(n) == service]
        if len(workers) == 1:
            return self.target(workers[0])
        return "ipv4:" + ",".join(self.target(n) for n in workers)

    def target(self, name: str) -> str:
        return f"{self.host}:{self.grpc_port(name)}"

    def pid_file(self, name: str) -> Path:
        return self.run_dir / "pids" / f"{name}.pid"

    def port_file(self, name: str) -> Path:
        return self.run_dir / "ports" / f"{name}.json"

    def log_file(self, name: str) -> Path:
        return self.run_dir / "logs" / f"{name}.log"

    @property
    def artifact_store(self) -> str:
        return (self.run_dir / "artifacts").resolve().as_uri()


def config_on_free_ports(
    run_dir: Path, imagegen_replicas: int = 1, compositor_replicas: int = 1, **overrides: object
) -> StackConfig:
    """A stack config whose processes bind free ports themselves and report them (tests, benchmarks)."""
    return StackConfig(
        grpc_base=0, metrics_base=0, run_dir=run_dir, imagegen_replicas=imagegen_replicas,
        compositor_replicas=compositor_replicas, **overrides,  # type: ignore[arg-type]
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
    env["CINESYNTH_METRICS_HOST"] = config.host
    if config.dynamic_ports:
        # A restart binds the ports it had (the gateway's targets name them); a first start, any free one.
        previous = config.bound(name)
        env["CINESYNTH_PORT"] = str(previous.grpc_port if previous else 0)
        env["CINESYNTH_METRICS_PORT"] = str(previous.metrics_port if previous and previous.metrics_port else 0)
        env["CINESYNTH_PORT_FILE"] = str(config.port_file(name).resolve())
    else:
        env["CINESYNTH_PORT"] = str(config.grpc_port(name))
        env["CINESYNTH_METRICS_PORT"] = str(config.metrics_port(name))
    if name == "gateway":
        # A stable lease owner across restarts, whatever port it binds.
        env.setdefault("CINESYNTH_REPLICA_ID", f"stack-{name}")
        for downstream in ("storyboard", "audio"):
            env.setdefault(f"CINESYNTH_{downstream.upper()}_TARGET", config.target(downstream))
        env.setdefault("CINESYNTH_COMPOSITOR_TARGET", config.replicas_target("compositor"))
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
    """Start the services that are not running; returns name -> pid.

    With dynamic ports the gateway starts last, once the services it calls have reported their ports.
    """
    names = config.instances if names is None else names
    for sub in ("pids", "logs", "ports"):
        (config.run_dir / sub).mkdir(parents=True, exist_ok=True)
    base = env if env is not None else os.environ
    pids: dict[str, int] = {}
    ordered = sorted(names, key=lambda n: n == "gateway")
    for name in ordered:
        existing = read_pid(config.pid_file(name))
        if existing:
            pids[name] = existing
            continue
        if name == "gateway" and config.dynamic_ports:
            for downstream in config.instances:
                if downstream != "gateway":
                    _wait_reported(config, downstream)
        service_environment = service_env(config, name, base)
        with open(config.log_file(name), "ab") as log:
            proc = subprocess.Popen(
                command_for(name),
                env=service_environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # outlives `make up`; `down` signals its process group
            )
        config.pid_file(name).write_text(f"{proc.pid}\n")
        pids[name] = proc.pid
    return pids


def _wait_reported(config: StackConfig, name: str) -> BoundPorts:
    """The ports `name`'s current process reported (it binds before loading models: this is quick)."""
    pid = read_pid(config.pid_file(name))
    if pid is None:
        raise RuntimeError(f"{name} is not running; log tail:\n{tail(config.log_file(name))}")
    try:
        return wait_port_file(
            config.port_file(name), pid=pid, alive=lambda: alive(pid), timeout_s=config.start_timeout_s
        )
    except RuntimeError as exc:
        raise RuntimeError(f"{name} exited during start-up; log tail:\n{tail(config.log_file(name))}") from exc


async def settle(config: StackConfig, names: Sequence[str] | None = None) -> dict[str, str]:
    """Wait until each service is SERVING or has failed (exited, or not SERVING in time).

    Returns name -> why it failed, for the failed ones only; the others are SERVING.
    """
    names = config.instances if names is None else names
    deadline = time.monotonic() + config.start_timeout_s
    pending = list(names)
    failed: dict[str, str] = {}
    while pending:
        for name in list(pending):
            pid = read_pid(config.pid_file(name))
            if pid is None:
                pending.remove(name)
                failed[name] = f"exited during start-up; log tail:\n{tail(config.log_file(name))}"
                continue
            if config.dynamic_ports and getattr(config.bound(name), "pid", None) != pid:
                continue  # not bound yet (or the file is its previous process's)
            if await check_health(config.target(name), timeout=1.0) == health_pb2.HealthCheckResponse.SERVING:
                pending.remove(name)
                print(f"  {name:<11} SERVING on {config.target(name)} (metrics :{config.metrics_port(name)})")
        if pending and time.monotonic() > deadline:
            for name in pending:
                failed[name] = f"not SERVING after {config.start_timeout_s:.0f} s"
            break
        if pending:
            await asyncio.sleep(0.25)
    return failed


async def wait_serving(config: StackConfig, names: Sequence[str] | None = None) -> None:
    """Wait until every service answers SERVING; raises naming the ones that did not."""
    failed = await settle(config, names)
    if failed:
        kind = TimeoutError if all(why.startswith("not SERVING") for why in failed.values()) else RuntimeError
        raise kind("; ".join(f"{name} {why}" for name, why in failed.items()))


def stop(config: StackConfig, names: Sequence[str] | None = None, sig: int = signal.SIGTERM) -> list[str]:
    """Signal each service, wait for its drain, SIGKILL what is left; returns the names stopped."""
    everything = names is None
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
        if everything:  # a stopped stack starts afresh; a single restarted service keeps its ports
            config.port_file(name).unlink(missing_ok=True)
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
    """Start the stack. A service that fails is stopped and reported; the healthy ones keep running,
    so fixing the one that failed and running `up` again starts just that one."""
    print(f"starting the local stack (logs in {config.run_dir / 'logs'})")
    try:
        start(config)
    except RuntimeError as exc:  # with dynamic ports the gateway cannot start without its downstreams
        print(f"stack failed to start: {exc}", file=sys.stderr)
    failed = asyncio.run(settle(config, [n for n in config.instances if read_pid(config.pid_file(n))]))
    failed.update({n: "not started" for n in config.instances if n not in failed and not read_pid(config.pid_file(n))})
    if not failed:
        print("stack is up: `make down` stops it")
        return 0
    stop(config, [name for name in failed if read_pid(config.pid_file(name))])
    for name, why in failed.items():
        print(f"  {name:<11} FAILED: {why}", file=sys.stderr)
    healthy = [n for n in config.instances if n not in failed]
    print(
        f"stack is partly up ({', '.join(healthy) or 'nothing'} running): fix the failed service(s) and run "
        "`make up` again to start them, or `make down`",
        file=sys.stderr,
    )
    return 1
