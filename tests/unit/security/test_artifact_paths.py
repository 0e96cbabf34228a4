"""Path traversal through artifact keys and URIs: whatever a caller or a compromised service sends,
the store only ever touches files inside its root (FileArtifactStore) or keys under its prefix (S3)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.artifacts import FileArtifactStore, S3ArtifactStore, validate_key
from services.common.errors import InvalidArgument

SEGMENTS = st.one_of(
    st.sampled_from(["..", ".", "", "...", ".hidden", "a", "jobs", "keyframes", "%2e%2e", "..%2f", "~", "a\x00b",
                     "C:", "\\..\\", "a/../..", "\u2025", "\uff0e\uff0e"]),
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12),
)
KEYS = st.lists(SEGMENTS, min_size=1, max_size=6).map("/".join)
TRAVERSALS = [
    "../etc/passwd", "jobs/../../etc/passwd", "/etc/passwd", "jobs/./x", "jobs//x", "jobs/x/..", ".",
    "a\\..\\..\\x", "jobs/\x00/x", "", "a" * 1025,
]


class NoCalls:
    """An S3 client that fails the test when a refused URI reaches it."""

    def __getattr__(self, operation: str) -> object:
        return lambda **_: pytest.fail(f"S3 {operation} was called for a URI outside the store")


@pytest.fixture
def store(tmp_path: Path) -> FileArtifactStore:
    return FileArtifactStore(tmp_path / "store")


@pytest.mark.parametrize("key", TRAVERSALS)
def test_traversing_keys_are_refused(store: FileArtifactStore, key: str) -> None:
    with pytest.raises(InvalidArgument):
        validate_key(key)
    with pytest.raises(InvalidArgument):
        store.put_bytes(key, b"x")


@settings(max_examples=300, deadline=None)
@given(key=KEYS)
def test_any_accepted_key_stays_inside_the_store(tmp_path_factory: pytest.TempPathFactory, key: str) -> None:
    root = tmp_path_factory.getbasetemp() / "prop-store"
    store = FileArtifactStore(root)
    try:
        validate_key(key)
    except InvalidArgument:
        return
    uri = store.uri_for(key)
    path = store.local_path(uri)
    assert os.path.commonpath([path, store.root]) == str(store.root) and path != store.root
    assert store.key_for(uri) == key


def _outside_uris(store: FileArtifactStore) -> list[str]:
    root = store.root.as_uri()
    return [
        "file:///etc/passwd",
        f"{root}/../outside.png",
        f"{root}/jobs/../../outside.png",
        f"{root}/jobs/../../../{store.root.parent.name}/outside.png",
        f"{root}-sibling/x.png",  # a sibling directory whose name starts like the root
        f"file://evil.example{store.root}/x.png",
        "http://169.254.169.254/latest/meta-data/",
        "s3://other-bucket/x.png",
        "../../etc/passwd",
    ]


def test_uris_outside_the_store_are_refused(store: FileArtifactStore, tmp_path: Path) -> None:
    (tmp_path / "outside.png").write_bytes(b"secret")
    for uri in _outside_uris(store):
        for operation in (store.key_for, store.stat, store.open_read, store.local_path, store.delete):
            with pytest.raises(InvalidArgument):
                operation(uri)
    assert (tmp_path / "outside.png").read_bytes() == b"secret"


@pytest.mark.parametrize("tail", ["%2e%2e/outside.png", "jobs/%00/x.png", "jobs/%2F..%2F..%2Fx"])
def test_percent_escapes_are_not_decoded_into_a_way_out(store: FileArtifactStore, tail: str) -> None:
    uri = f"{store.root.as_uri()}/{tail}"
    with pytest.raises(InvalidArgument):
        store.key_for(uri)  # not a key: '%' is no key character
    assert store.root in store.local_path(uri).parents  # and the literal name stays inside


def test_the_store_root_itself_is_not_an_artifact(store: FileArtifactStore) -> None:
    for operation in (store.open_read, store.delete):
        with pytest.raises(InvalidArgument):
            operation(store.root.as_uri())


@settings(max_examples=300, deadline=None)
@given(tail=KEYS)
def test_any_uri_the_store_accepts_is_inside_it(tmp_path_factory: pytest.TempPathFactory, tail: str) -> None:
    store = FileArtifactStore(tmp_path_factory.getbasetemp() / "prop-store")
    uri = f"{store.root.as_uri()}/{tail}"
    try:
        path = store.local_path(uri)
        key = store.key_for(uri)
    except InvalidArgument:
        return
    assert store.root in path.parents
    validate_key(key)


@pytest.mark.parametrize(
    "uri",
    ["s3://bucket/other-prefix/x.png", "s3://bucket/prefix/../x.png", "s3://bucket/prefix/a/../../x",
     "s3://other/prefix/x.png", "s3://bucket/prefixed/x.png", "file:///etc/passwd"],
)
def test_s3_uris_outside_the_prefix_are_refused(uri: str) -> None:
    store = S3ArtifactStore("bucket", "prefix", client=NoCalls())
    with pytest.raises(InvalidArgument):
        store.key_for(uri)
    with pytest.raises(InvalidArgument):
        store.stat(uri)
