"""Messages that reach clients carry no internal addresses or host paths.

Downstream failures arrive with gRPC's own text ("failed to connect to all addresses; last error:
UNKNOWN: ipv4:127.0.0.1:50054: Failed to connect to remote host") and services sometimes name the
files they worked on. A client can act on neither, and both map the inside of the deployment.
Everything the gateway shows a client (job errors, warnings, upload refusals) goes through
`public_message`; operators still find the full text in the gateway's log.
"""

from __future__ import annotations

import re

_SUBSTITUTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Channel targets: ipv4:1.2.3.4:5[,6.7.8.9:10], ipv6:[::1]:5, unix:/run/x.sock, dns:///host:port.
    (re.compile(r"\bipv4:[\d.:,]*\d"), "<service address>"),
    (re.compile(r"\bipv6:[\[\]0-9A-Fa-f:.,%]*\d"), "<service address>"),
    (re.compile(r"\b(?:unix|unix-abstract|vsock):[^\s,;'\")]+"), "<service address>"),
    (re.compile(r"\bdns:(?://[^/\s]*/)?[^\s,;'\")]+"), "<service address>"),
    # Artifact and file URIs: the public name of an artifact is jobs/{id}/artifacts/{name}.
    (re.compile(r"\b(?:file|s3|gs|https?)://[^\s,;'\")]+"), "<artifact location>"),
    # Bare IP:port and [v6]:port, and host names with a port (pod or service DNS names).
    (re.compile(r"\[[0-9A-Fa-f:.]+\]:\d{1,5}\b"), "<service address>"),
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b"), "<service address>"),
    (re.compile(r"\b[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+:\d{2,5}\b"), "<service address>"),
    # Absolute host paths (not relative artifact names such as keyframes/scene-01.png).
    (re.compile(r"(?<![\w:/.<])/(?:[\w.@+-]+/)+[\w.@+-]*"), "<path>"),
)


def public_message(message: str) -> str:
    for pattern, replacement in _SUBSTITUTIONS:
        message = pattern.sub(replacement, message)
    return message
