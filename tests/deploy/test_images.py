"""Container images: every Dockerfile passes hadolint at error level and follows our image policy
(pinned bases, multi-stage, non-root, no build tools or sources in the final stage, the right
torch build per image); .dockerignore keeps the context small; the compose file and the
Kubernetes manifests agree with the images. No Docker engine here: nothing is built or run."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.deploy.conftest import require, validate
from tests.deploy.tooling import all_containers, main_container, workloads

REPO = validate.REPO_ROOT
IMAGES = ("gateway", "storyboard", "imagegen", "audio", "compositor", "motion")
# The compose files run the five services of a film; the motion worker runs on Kubernetes GPU pools.
COMPOSE_IMAGES = ("gateway", "storyboard", "imagegen", "audio", "compositor")
GRPC_PORTS = {
    "gateway": 50051, "storyboard": 50052, "imagegen": 50053, "audio": 50054, "compositor": 50055, "motion": 50056,
}
BUILD_TOOLS = re.compile(r"\b(build-essential|gcc|g\+\+|clang|make|cmake|git|curl|wget|[a-z0-9.+-]+-dev)\b")


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def commands(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def parse_dockerfile(path: Path) -> tuple[dict[str, str], list[Stage]]:
    """(global ARG defaults, stages) of a Dockerfile: continuation lines joined, comments dropped."""
    lines: list[str] = []
    pending = ""
    for raw in path.read_text().splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        lines.append(" ".join((pending + stripped).split()))
        pending = ""
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in lines:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            match = re.fullmatch(r"(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", args.strip(), re.IGNORECASE)
            assert match, line
            stages.append(Stage(base=match.group(1), name=match.group(2)))
        elif not stages:
            assert keyword == "ARG", f"{path.name}: only ARG may precede FROM"
            name, _, default = args.partition("=")
            global_args[name.strip()] = default.strip()
        else:
            stages[-1].instructions.append((keyword, args.strip()))
    return global_args, stages


def resolve(reference: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda m: args[m.group(1)], reference)


def dockerfile(image: str) -> Path:
    return validate.DOCKER_DIR / f"{image}.Dockerfile"


def torch_pin() -> str:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    pins = {
        dep
        for deps in pyproject["project"]["optional-dependencies"].values()
        for dep in deps
        if dep.startswith("torch")
    }
    (pin,) = pins
    return pin.split("==")[1]


def test_there_is_one_dockerfile_per_image():
    assert sorted(p.name for p in validate.dockerfiles()) == sorted(f"{i}.Dockerfile" for i in IMAGES)


@pytest.mark.parametrize("image", IMAGES)
def test_hadolint_passes_at_error_level(image):
    require("hadolint")
    report = validate.lint_dockerfiles([dockerfile(image)], threshold="error")
    assert report.errors == []


@pytest.mark.parametrize("image", IMAGES)
def test_base_images_are_pinned_by_exact_tag_and_digest(image):
    global_args, stages = parse_dockerfile(dockerfile(image))
    for stage in stages:
        reference = resolve(stage.base, global_args)
        name, _, digest = reference.partition("@")
        repository, _, tag = name.rpartition(":")
        assert repository and tag and tag != "latest", reference
        assert re.search(r"\d+\.\d+", tag), f"{reference}: not an exact version tag"
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", digest), f"{reference}: no digest"


@pytest.mark.parametrize("image", IMAGES)
def test_final_stage_is_non_root_without_build_tools_or_sources(image):
    global_args, stages = parse_dockerfile(dockerfile(image))
    assert len(stages) >= 2, "multi-stage build"
    build, final = stages[0], stages[-1]
    assert build.name == "build" and final.name == "runtime"
    assert resolve(final.base, global_args) == resolve(build.base, global_args), "the venv needs the same Python"
    (user,) = final.commands("USER")
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) >= 10000 and gid.isdigit(), "numeric non-root user (runAsNonRoot can verify it)"
    for run in final.commands("RUN"):
        assert "pip install" not in run
        for package in re.findall(r"apt-get install[^&]*", run):
            assert not BUILD_TOOLS.search(package.replace("--no-install-recommends", "")), package
    copies = final.commands("COPY")
    assert copies and all(c.startswith("--from=build ") for c in copies), "only the built venv enters"
    (entrypoint,) = final.commands("ENTRYPOINT")
    assert entrypoint == f'["cinesynth-{image}"]'
    assert final.commands("CMD") == ['["serve"]']
    exposed = {int(p) for e in final.commands("EXPOSE") for p in e.split()}
    assert GRPC_PORTS[image] in exposed
    env = " ".join(final.commands("ENV"))
    assert "CINESYNTH_HOST=0.0.0.0" in env and "CINESYNTH_METRICS_HOST=0.0.0.0" in env


@pytest.mark.parametrize("image", IMAGES)
def test_each_image_installs_only_its_own_extra(image):
    _, stages = parse_dockerfile(dockerfile(image))
    runs = " ".join(stages[0].commands("RUN"))
    extras = set(re.findall(r'"\.\[([a-z,]+)\]"', runs))
    assert extras == {image}
    assert "-e " not in runs and "--editable" not in runs


def test_gateway_image_carries_no_torch():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    requirements = pyproject["project"]["dependencies"] + pyproject["project"]["optional-dependencies"]["gateway"]
    assert not [r for r in requirements if re.match(r"(torch|diffusers|transformers)\b", r)]
    _, stages = parse_dockerfile(dockerfile("gateway"))
    assert not [i for s in stages for i in s.instructions if "torch" in i[1]]


def test_torch_comes_from_the_pytorch_index_of_each_image():
    version = torch_pin()
    cpu = (validate.DOCKER_DIR / "torch-cpu.txt").read_text()
    cuda = (validate.DOCKER_DIR / "torch-cuda.txt").read_text()
    assert re.search(rf"^torch=={re.escape(version)}\+cpu$", cpu, re.M)
    assert re.search(rf"^torch=={re.escape(version)}\+cu\d+$", cuda, re.M)
    cuda_tag = re.search(r"\+(cu\d+)", cuda).group(1)

    storyboard = " ".join(parse_dockerfile(dockerfile("storyboard"))[1][0].commands("RUN"))
    assert "--index-url https://download.pytorch.org/whl/cpu --requirement deploy/docker/torch-cpu.txt" in storyboard
    assert "--constraint deploy/docker/torch-cpu.txt" in storyboard

    global_args, stages = parse_dockerfile(dockerfile("imagegen"))
    build_args = {k: v for kw, a in stages[0].instructions if kw == "ARG" for k, _, v in [a.partition("=")]}
    assert build_args["TORCH_INDEX_URL"] == f"https://download.pytorch.org/whl/{cuda_tag}"
    assert build_args["TORCH_REQUIREMENTS"] == "deploy/docker/torch-cuda.txt"
    assert global_args["BASE_IMAGE"].startswith(f"nvidia/cuda:{cuda_tag[2:4]}.{cuda_tag[4:]}")
    imagegen = " ".join(stages[0].commands("RUN"))
    assert '--index-url "${TORCH_INDEX_URL}" --requirement "${TORCH_REQUIREMENTS}"' in imagegen
    assert '--constraint "${TORCH_REQUIREMENTS}"' in imagegen
    # The local CPU constraints file is for this machine only.
    for image in IMAGES:
        assert "constraints.txt" not in dockerfile(image).read_text()


def test_audio_installs_gtts_without_its_dependencies():
    runs = " ".join(parse_dockerfile(dockerfile("audio"))[1][0].commands("RUN"))
    assert "--no-deps --requirement requirements-nodeps.txt" in runs
    for image in ("audio", "compositor", "motion"):
        final = parse_dockerfile(dockerfile(image))[1][-1]
        assert any(re.search(r"install -y --no-install-recommends [^&]*\bffmpeg\b", r) for r in final.commands("RUN"))


def test_dockerignore_keeps_the_context_small_but_complete():
    ignored = {
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "run", "build", "tests", "**/__pycache__"} <= ignored
    copied = set()
    for image in IMAGES:
        for stage in parse_dockerfile(dockerfile(image))[1]:
            for copy in stage.commands("COPY"):
                if not copy.startswith("--from"):
                    copied.update(copy.split()[:-1])
    for path in copied:
        assert (REPO / path).exists(), path
        assert path not in ignored and path.split("/")[0] not in ignored, f"{path} is needed by a build"


def test_kubernetes_images_are_the_images_built_here(all_rendered):
    for docs in all_rendered.values():
        for workload in workloads(docs):
            for container in all_containers(workload):
                repository = container["image"].split("@")[0].rsplit(":", 1)[0]
                assert re.fullmatch(r"ghcr\.io/cinesynth/([a-z]+)", repository), repository
                assert dockerfile(repository.rsplit("/", 1)[1]).is_file()
            port = next(p["containerPort"] for p in main_container(workload)["ports"] if p["name"] == "grpc")
            image = main_container(workload)["image"].rsplit("/", 1)[1].split(":")[0]
            assert port == GRPC_PORTS[image]


def test_compose_runs_the_five_images_hardened_with_consistent_wiring():
    compose = yaml.safe_load((validate.DEPLOY_DIR / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == set(COMPOSE_IMAGES)
    for name, service in services.items():
        assert (
            validate.DEPLOY_DIR / service["build"]["context"] / service["build"]["dockerfile"]
        ).resolve() == dockerfile(name)
        assert service["user"] == "10001:10001" and service["read_only"] is True
        assert service["cap_drop"] == ["ALL"] and "no-new-privileges:true" in service["security_opt"]
        env = service["environment"]
        assert env["CINESYNTH_PORT"] == str(GRPC_PORTS[name]) and env["CINESYNTH_HOST"] == "0.0.0.0"
        assert "check_health" in " ".join(service["healthcheck"]["test"])
        assert ":latest" not in service["image"]
    gateway = services["gateway"]["environment"]
    for backend in ("storyboard", "audio", "compositor"):
        assert gateway[f"CINESYNTH_{backend.upper()}_TARGET"] == f"dns:///{backend}:{GRPC_PORTS[backend]}"
    assert set(services["gateway"]["depends_on"]) == set(COMPOSE_IMAGES) - {"gateway"}
    gpu = yaml.safe_load((validate.DEPLOY_DIR / "compose.gpu.yaml").read_text())["services"]
    assert gpu["imagegen"]["deploy"]["resources"]["reservations"]["devices"][0]["capabilities"] == ["gpu"]
    assert gpu["fetch-models"]["command"][0] == "fetch-models"
    assert gpu["imagegen"]["depends_on"]["fetch-models"]["condition"] == "service_completed_successfully"
