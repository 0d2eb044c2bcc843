"""What one module of the grader hands the next, typed: the limits, the job, the sandbox's spec.

``autograde`` writes a ``Job`` for each submission and gives it to a ``grader.submission.worker``;
the worker writes a ``SandboxSpec`` that the forked kernel process enters
(``grader.submission.sandbox.enter``) before the kernel starts. Both cross a process boundary as
JSON (``to_json`` / ``from_json``).
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Limits:
    """How much a submission may use. Time is counted in CPU seconds of the kernel's whole process
    tree, so a verdict does not depend on how busy the machine is; a wall-clock backstop
    ``wall_factor`` times larger catches code that sleeps or blocks instead of computing."""

    cell_cpu: float = 60.0  # CPU seconds per cell, and per call of a student's function by a test
    notebook_cpu: float = 600.0  # CPU seconds for the whole submission
    wall_factor: float = 5.0  # the wall-clock backstop, as a multiple of a CPU limit
    memory_gb: float = 4.0  # address space of the student's kernel

    @property
    def cell_wall(self) -> float:
        return self.cell_cpu * self.wall_factor

    @property
    def notebook_wall(self) -> float:
        return self.notebook_cpu * self.wall_factor

    @property
    def memory_bytes(self) -> int:
        return int(self.memory_gb * 2**30)


@dataclass(frozen=True)
class Job:
    """One submission to grade, as ``autograde`` gives it to a worker process."""

    student: str
    unit: str
    job_dir: Path  # only the grader can read it; the kernel's scratch folder is inside
    submission: Path  # the student's notebook
    source: Path  # solutions/<unit>/<unit>.ipynb: the tests, visible and hidden
    released: Path  # labs/<unit>/<unit>.ipynb: the locked cells as released
    limits: Limits
    hide: tuple[str, ...]  # folders the kernel must not see (besides homes and temporary ones)
    isolate: bool  # namespaces, cgroup and a user id of its own (needs root)
    env: dict[str, str] = field(default_factory=dict)  # the kernel's whole environment

    def to_json(self) -> str:
        record = asdict(self)
        for key in ("job_dir", "submission", "source", "released"):
            record[key] = str(record[key])
        return json.dumps(record)

    @classmethod
    def from_json(cls, text: str) -> "Job":
        record = json.loads(text)
        paths = {key: Path(record.pop(key)) for key in ("job_dir", "submission", "source", "released")}
        limits, hide = Limits(**record.pop("limits")), tuple(record.pop("hide"))
        return cls(**record, **paths, limits=limits, hide=hide)

    @property
    def result_file(self) -> Path:
        return self.job_dir / "result.json"

    @property
    def executed_file(self) -> Path:
        return self.job_dir / "executed.ipynb"


@dataclass(frozen=True)
class SandboxSpec:
    """What ``grader.submission.sandbox.enter`` does before the kernel starts (see its docstring)."""

    kernel_dir: str  # the kernel's scratch folder: the only place it may write
    uid: int  # the unprivileged user id the kernel runs as
    memory_bytes: int  # RLIMIT_AS, and the cgroup's memory limit
    file_bytes: int  # RLIMIT_FSIZE
    cpu_seconds: int  # RLIMIT_CPU: a backstop behind the grader's own CPU accounting
    max_pids: int  # the cgroup's pids limit
    cgroup: str  # name of the kernel's own cgroup
    isolate: bool
    hide: list[str] = field(default_factory=list)  # covered by empty tmpfs
    keep: list[str] = field(default_factory=list)  # bound back, read-only

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "SandboxSpec":
        return cls(**json.loads(text))
