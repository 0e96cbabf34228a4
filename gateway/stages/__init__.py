"""One module per stage of a job (the stage graph is `Pipeline.run` in gateway/pipeline.py).

Each stage module holds a pure `request(job, ...)` (the service's request, built from the job) and a
pure `record(job, response)` (the answer written back into the job), and the stage class that makes
the call with its retry policy. `base` has what every stage shares; `config` the pipeline settings;
`retry` the wait for a gone service; `results` the check of a result before it is stored.
"""
