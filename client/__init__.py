"""The `cinesynth` command line: a client of the public VideoService (and, for single-stage runs,
of a service's public RPC). It imports no service internals, only the shared contract and runtime."""
