"""The local development stack (`make up`, `make demo`): every service as a process on loopback.

Not part of any service or image: `services/common` is the runtime the services ship with; this is
the tooling a developer, the tests and the benchmarks run the services with.
"""
