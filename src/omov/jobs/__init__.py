"""Background jobs: long work (a 654,006-row roll upload) run by ``omov worker``, with progress.

Decision 0016. Apps register the kinds of job they run (:func:`omov.jobs.registry.job_kind`);
the web starts a job, the worker runs it, the job's page shows its progress and its outcome.
"""
