"""A probe server run as a real process through the production entry point (SIGTERM drain test)."""

from __future__ import annotations

import sys

from services.common.entrypoint import serve_cli
from services.common.settings import ServiceSettings
from tests.integration.common.probe import probe_service

if __name__ == "__main__":
    sys.exit(serve_cli(sys.argv[1:], prog="probe", settings_cls=ServiceSettings, build=lambda s: probe_service()[0]))
