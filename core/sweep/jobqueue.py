"""dask-jobqueue files: the YAML a user writes to start sweep workers on SLURM, HTCondor, PBS or LSF.

The file takes dask-jobqueue's own configuration keys (``cores``, ``memory``, ``processes``,
``queue``, ``walltime``, ``job_extra_directives``...), in either of two forms: ``kind: slurm`` plus the
keys, or dask-jobqueue's configuration form ``jobqueue: {slurm: {...}}``. Every key is checked
against the cluster class's signature before anything starts (a typo is named, not ignored), and
:func:`job_script` prints the batch script a file makes without any batch system present.
The executor that uses it is ``jobqueue`` in :mod:`core.sweep.clusters`.
"""

from __future__ import annotations

import inspect
import os
from pathlib import Path
from typing import Any

from core import one_line
from core.sweep import SweepError

#: ``kind`` -> the dask-jobqueue cluster class name.
JOBQUEUE_KINDS = {
    "slurm": "SLURMCluster",
    "htcondor": "HTCondorCluster",
    "pbs": "PBSCluster",
    "lsf": "LSFCluster",
}

#: Expected YAML types of the standard keys (others the class accepts are passed as they are).
_KEY_TYPES: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(("cores", "processes", "job_cpu", "ncpus", "mem", "jobs"), (int,)),
    **dict.fromkeys(("death_timeout",), (int, float)),
    **dict.fromkeys(("nanny", "use_stdin"), (bool,)),
    **dict.fromkeys(("scheduler_options",), (dict,)),
    **dict.fromkeys(
        ("worker_extra_args", "job_extra_directives", "job_script_prologue", "job_directives_skip",
         "submit_command_extra", "cancel_command_extra"),
        (list,),
    ),
    **dict.fromkeys(
        ("memory", "queue", "account", "project", "walltime", "job_name", "python", "interface",
         "local_directory", "shared_temp_directory", "log_directory", "worker_command", "shebang",
         "job_mem", "resource_spec", "lsf_units", "disk", "protocol"),
        (str,),
    ),
}  # fmt: skip
_TYPE_WORDS = {int: "a whole number", float: "a number", str: "text", list: "a list", dict: "a mapping", bool: "true/false"}  # fmt: skip
#: Keys of the cluster (not of a job) a file may set.
_CLUSTER_KEYS = {"scheduler_options", "shared_temp_directory", "protocol", "interface"}
#: Keys TrigLab sets itself, or deprecated spellings dask-jobqueue only warns about.
_REFUSED = {"scheduler", "config_name", "security", "extra", "job_extra", "env_extra", "header_skip"}


class JobqueueConfig:
    """A checked jobqueue file: the batch system, the cluster keyword arguments, the number of jobs."""

    def __init__(self, kind: str, kwargs: dict[str, Any], jobs: int) -> None:
        self.kind, self.kwargs, self.jobs = kind, kwargs, jobs


def read_jobqueue_file(path: str | os.PathLike) -> JobqueueConfig:
    """Read and check a dask-jobqueue YAML file.

    Two forms are accepted::

        kind: slurm            # or htcondor, pbs, lsf
        cores: 4
        memory: 8GB
        walltime: "01:00:00"
        job_extra_directives: ["--constraint=cpu"]
        jobs: 4                # batch jobs to start (TrigLab's key; default 1)

    or dask-jobqueue's own configuration layout (``~/.config/dask/jobqueue.yaml``), with one
    batch system in it::

        jobqueue:
          slurm:
            cores: 4
            memory: 8GB
            job-extra-directives: ["--constraint=cpu"]

    Keys may be written with ``-`` or ``_``; ``name`` is the job name. Values the file leaves out
    come from dask-jobqueue's defaults (and the user's Dask configuration).

    Raises:
        SweepError: unreadable file, not YAML, unknown batch system, unknown key or wrong type
            (naming the key), or settings dask-jobqueue refuses (no ``cores``/``memory``...).
    """
    import yaml

    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SweepError(f"cannot read the jobqueue file '{p}': {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise SweepError(f"'{p}' is not valid YAML: {one_line(exc, 400)}") from None
    if not isinstance(data, dict):
        raise SweepError(f"'{p}' must hold a mapping (kind: slurm, cores: 4, memory: 8GB ...)")
    if "jobqueue" in data:
        if set(data) != {"jobqueue"} or not isinstance(data["jobqueue"], dict) or len(data["jobqueue"]) != 1:
            raise SweepError(
                f"'{p}': the 'jobqueue:' form holds exactly one batch system (e.g. jobqueue: {{slurm: ...}})"
            )
        ((kind, body),) = data["jobqueue"].items()
        if not isinstance(body, dict):
            raise SweepError(f"'{p}': jobqueue.{kind} must be a mapping of settings")
    else:
        body = dict(data)
        kind = body.pop("kind", None)
        if kind is None:
            raise SweepError(
                f"'{p}' does not say which batch system: add 'kind: slurm' (or htcondor, pbs, lsf)"
            )
    kind = str(kind).lower()
    if kind not in JOBQUEUE_KINDS:
        raise SweepError(f"'{p}': unknown batch system '{kind}' (choose one of: {', '.join(JOBQUEUE_KINDS)})")
    allowed = _job_keys(kind) | _CLUSTER_KEYS | {"jobs"}
    kwargs: dict[str, Any] = {}
    for raw_key, value in body.items():
        key = str(raw_key).replace("-", "_")
        if key == "name":
            key = "job_name"
        if key in _REFUSED or key not in allowed:
            known = ", ".join(sorted(k for k in allowed if k != "job_name") + ["name"])
            raise SweepError(f"'{p}': unknown key '{raw_key}' for {kind} (known keys: {known})")
        if value is None:
            continue  # as in dask-jobqueue's own file: null = its default
        _check_type(p, raw_key, key, kind, value)
        kwargs[key] = value
    jobs = int(kwargs.pop("jobs", 1))
    if jobs < 1:
        raise SweepError(f"'{p}': 'jobs' must be at least 1 (got {jobs})")
    conf = JobqueueConfig(kind, kwargs, jobs)
    job_script(conf, source=p)  # dask-jobqueue's own checks (cores and memory given...)
    return conf


def _check_type(p: Path, raw_key, key: str, kind: str, value: Any) -> None:
    types = _KEY_TYPES.get(key)
    if key == "job_extra_directives" and kind == "htcondor":
        types = (dict,)  # HTCondor's extra submit attributes are a mapping
    if key == "walltime" and isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 01:00:00 as a number (3600): say so rather than "not text".
        raise SweepError(f"'{p}': '{raw_key}' must be a quoted time like \"01:00:00\" (YAML read {value!r})")
    if types is None:
        return
    bad_bool = isinstance(value, bool) and bool not in types
    if not isinstance(value, types) or bad_bool:
        want = " or ".join(_TYPE_WORDS[t] for t in types)
        raise SweepError(f"'{p}': '{raw_key}' must be {want} (got {value!r})")
    if isinstance(value, list) and not all(isinstance(v, str) for v in value):
        raise SweepError(f"'{p}': every item of '{raw_key}' must be text (got {value!r})")
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and key in ("cores", "processes", "jobs")
        and value < 1
    ):
        raise SweepError(f"'{p}': '{raw_key}' must be at least 1 (got {value})")


def cluster_class(kind: str):
    import dask_jobqueue

    return getattr(dask_jobqueue, JOBQUEUE_KINDS[kind])


def _job_keys(kind: str) -> set[str]:
    """Keyword arguments a job of ``kind`` takes (its own and the base ``Job``'s)."""
    from dask_jobqueue.core import Job

    job_cls = cluster_class(kind).job_cls
    names = set()
    for cls in (job_cls, Job):
        for name, par in inspect.signature(cls.__init__).parameters.items():
            if par.kind not in (par.VAR_KEYWORD, par.VAR_POSITIONAL) and name not in ("self", "name"):
                names.add(name)
    return names - _REFUSED


def job_script(conf: JobqueueConfig | str | os.PathLike, *, source: Path | None = None) -> str:
    """The batch script one worker job would be submitted with (no batch system needed).

    The scheduler's address is a placeholder: the real one is known once the cluster starts.

    Args:
        conf: A jobqueue file (see :func:`read_jobqueue_file`) or its checked content.

    Raises:
        SweepError: the file is unusable.
    """
    if not isinstance(conf, JobqueueConfig):
        return job_script(read_jobqueue_file(conf), source=Path(conf))
    job_cls = cluster_class(conf.kind).job_cls
    kwargs = {k: v for k, v in conf.kwargs.items() if k not in ("scheduler_options", "shared_temp_directory")}
    try:
        job = job_cls("tcp://<scheduler-address>:8786", name="dummy-name", **kwargs)
        return job.job_script()
    except (ValueError, TypeError, KeyError) as exc:
        raise SweepError(
            f"'{source or 'jobqueue file'}': dask-jobqueue refuses it: {one_line(exc, 400)}"
        ) from None
