"""Generate docs/api.md, the API reference, from proto/cinesynth/v1 and its comments.

Every service, method, message, field (type, number, limits as the comments state them) and enum
value, in file order, so the limits a client must respect are written once: in the .proto.

    python tools/api_reference.py           # write docs/api.md
    python tools/api_reference.py --check   # exit 1 when docs/api.md is stale
"""

from __future__ import annotations

import argparse
import importlib.resources
import sys
import tempfile
from pathlib import Path

from google.protobuf import descriptor_pb2

ROOT = Path(__file__).resolve().parents[1]
PROTO_ROOT = ROOT / "proto"
OUT = ROOT / "docs" / "api.md"
# The public API first, then the internal services and the shared types.
ORDER = ("video_service", "common", "storyboard_service", "imagegen_service", "audio_service", "compositor_service")

FieldProto = descriptor_pb2.FieldDescriptorProto
_SCALARS = {
    FieldProto.TYPE_DOUBLE: "double", FieldProto.TYPE_FLOAT: "float", FieldProto.TYPE_INT64: "int64",
    FieldProto.TYPE_UINT64: "uint64", FieldProto.TYPE_INT32: "int32", FieldProto.TYPE_FIXED64: "fixed64",
    FieldProto.TYPE_FIXED32: "fixed32", FieldProto.TYPE_BOOL: "bool", FieldProto.TYPE_STRING: "string",
    FieldProto.TYPE_BYTES: "bytes", FieldProto.TYPE_UINT32: "uint32", FieldProto.TYPE_SFIXED32: "sfixed32",
    FieldProto.TYPE_SFIXED64: "sfixed64", FieldProto.TYPE_SINT32: "sint32", FieldProto.TYPE_SINT64: "sint64",
}


def descriptor_set() -> descriptor_pb2.FileDescriptorSet:
    from grpc_tools import protoc

    protos = sorted(str(p.relative_to(PROTO_ROOT)) for p in (PROTO_ROOT / "cinesynth" / "v1").glob("*.proto"))
    well_known = importlib.resources.files("grpc_tools") / "_proto"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "set.pb"
        args = ["protoc", f"-I{PROTO_ROOT}", f"-I{well_known}", "--include_source_info", f"-o{out}", *protos]
        if protoc.main(args) != 0:
            raise SystemExit("protoc failed")
        return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())


def _comments(file: descriptor_pb2.FileDescriptorProto) -> dict[tuple[int, ...], str]:
    out = {}
    for loc in file.source_code_info.location:
        text = (loc.leading_comments or loc.trailing_comments).strip()
        if text:
            out[tuple(loc.path)] = " ".join(line.strip() for line in text.splitlines())
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _type(field: FieldProto, maps: dict[str, descriptor_pb2.DescriptorProto]) -> str:
    if field.type_name in maps:
        entry = maps[field.type_name]
        key, value = entry.field[0], entry.field[1]
        return f"map<{_type(key, maps)}, {_type(value, maps)}>"
    name = _SCALARS.get(field.type) or field.type_name.lstrip(".").removeprefix("cinesynth.v1.")
    if field.label == FieldProto.LABEL_REPEATED:
        return f"repeated {name}"
    if field.proto3_optional:
        return f"optional {name}"
    return name


def _message(lines: list[str], msg: descriptor_pb2.DescriptorProto, path: tuple[int, ...], prefix: str,
             comments: dict[tuple[int, ...], str], maps: dict[str, descriptor_pb2.DescriptorProto]) -> None:
    name = f"{prefix}{msg.name}"
    lines += [f"### {name}", ""]
    if path in comments:
        lines += [comments[path], ""]
    if msg.field:
        oneofs = [o.name for o in msg.oneof_decl]
        lines += ["| Field | Type | # | Description |", "|---|---|---|---|"]
        for i, field in enumerate(msg.field):
            doc = comments.get((*path, 2, i), "")
            if field.HasField("oneof_index") and not field.proto3_optional:
                doc = f"(oneof `{oneofs[field.oneof_index]}`) {doc}".strip()
            lines.append(f"| `{field.name}` | `{_type(field, maps)}` | {field.number} | {_cell(doc)} |")
        lines.append("")
    for i, nested in enumerate(msg.nested_type):
        if not nested.options.map_entry:
            _message(lines, nested, (*path, 3, i), f"{name}.", comments, maps)
    for i, enum in enumerate(msg.enum_type):
        _enum(lines, enum, (*path, 4, i), f"{name}.", comments)


def _enum(lines: list[str], enum: descriptor_pb2.EnumDescriptorProto, path: tuple[int, ...], prefix: str,
          comments: dict[tuple[int, ...], str]) -> None:
    lines += [f"### enum {prefix}{enum.name}", ""]
    if path in comments:
        lines += [comments[path], ""]
    lines += ["| Value | # | Description |", "|---|---|---|"]
    for i, value in enumerate(enum.value):
        lines.append(f"| `{value.name}` | {value.number} | {_cell(comments.get((*path, 2, i), ''))} |")
    lines.append("")


def _maps(file: descriptor_pb2.FileDescriptorProto) -> dict[str, descriptor_pb2.DescriptorProto]:
    out = {}

    def walk(msg: descriptor_pb2.DescriptorProto, scope: str) -> None:
        for nested in msg.nested_type:
            full = f"{scope}.{msg.name}.{nested.name}"
            if nested.options.map_entry:
                out[full] = nested
            walk(nested, f"{scope}.{msg.name}")

    for msg in file.message_type:
        walk(msg, f".{file.package}")
    return out


def render() -> str:
    files = {Path(f.name).stem: f for f in descriptor_set().file if f.name.startswith("cinesynth/")}
    lines = [
        "# API reference (`cinesynth.v1`)",
        "",
        "Generated by `make docs` (`tools/api_reference.py`) from the comments in `proto/cinesynth/v1`;",
        "a test fails when it is stale. Zero values mean \"server default\" unless a field says otherwise;",
        "a value outside a stated limit is `INVALID_ARGUMENT` with a `google.rpc.BadRequest` naming the field.",
        "",
    ]
    for stem in sorted(files, key=lambda s: ORDER.index(s) if s in ORDER else len(ORDER)):
        file = files[stem]
        comments, maps = _comments(file), _maps(file)
        lines += [f"## {file.name}", ""]
        for si, service in enumerate(file.service):
            lines += [f"### service {service.name}", ""]
            if (6, si) in comments:
                lines += [comments[(6, si)], ""]
            lines += ["| Method | Request | Response | Description |", "|---|---|---|---|"]
            for mi, method in enumerate(service.method):
                request = ("stream " if method.client_streaming else "") + method.input_type.split(".")[-1]
                response = ("stream " if method.server_streaming else "") + method.output_type.split(".")[-1]
                doc = _cell(comments.get((6, si, 2, mi), ""))
                lines.append(f"| `{method.name}` | `{request}` | `{response}` | {doc} |")
            lines.append("")
        for i, msg in enumerate(file.message_type):
            _message(lines, msg, (4, i), "", comments, maps)
        for i, enum in enumerate(file.enum_type):
            _enum(lines, enum, (5, i), "", comments)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/api.md differs from a fresh render")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not OUT.exists() or OUT.read_text() != text:
            print("docs/api.md is stale: run `make docs`")
            return 1
        print("docs/api.md is up to date")
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
