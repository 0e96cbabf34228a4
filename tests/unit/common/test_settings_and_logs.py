from __future__ import annotations

import argparse
import json
import logging

import pytest
from pydantic import ValidationError

from services.common.entrypoint import add_server_flags, settings_from_args
from services.common.logs import JsonFormatter, job_id_var
from services.common.settings import Port, ServiceSettings


class DemoSettings(ServiceSettings):
    port: Port = 50099


def test_settings_come_from_cinesynth_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CINESYNTH_PORT", "50123")
    monkeypatch.setenv("CINESYNTH_REFLECTION", "false")
    monkeypatch.setenv("CINESYNTH_GRACE_PERIOD_S", "7.5")
    settings = DemoSettings()
    assert (settings.port, settings.reflection, settings.grace_period_s) == (50123, False, 7.5)


def test_flags_override_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CINESYNTH_PORT", "50123")
    parser = argparse.ArgumentParser()
    add_server_flags(parser)
    settings = settings_from_args(DemoSettings, parser.parse_args(["--port", "0", "--no-reflection"]))
    assert settings.port == 0
    assert settings.reflection is False
    untouched = settings_from_args(DemoSettings, parser.parse_args([]))
    assert untouched.port == 50123 and untouched.reflection is True


def test_bad_settings_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CINESYNTH_PORT", "70000")
    with pytest.raises(ValidationError):
        DemoSettings()


def test_json_log_lines_carry_job_id_and_extras() -> None:
    formatter = JsonFormatter("audio")
    record = logging.makeLogRecord({"name": "x", "levelno": 20, "levelname": "INFO", "msg": "hello %s",
                                    "args": ("world",), "grpc_port": 5})
    token = job_id_var.set("job-1")
    try:
        line = json.loads(formatter.format(record))
    finally:
        job_id_var.reset(token)
    assert line["msg"] == "hello world"
    assert line["service"] == "audio"
    assert line["job_id"] == "job-1"
    assert line["grpc_port"] == 5
