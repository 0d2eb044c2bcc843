"""Put a student's kernel in a sandbox: ``enter(spec)``, in a kernel forked by
``grader.submission.forkserver``.

Run in the kernel's process (as root, normally) before it runs anything; ``spec`` is a
``grader.submission.job.SandboxSpec``. In order it:
1. sets resource limits (address space, file size, CPU time as a backstop, no core dumps);
2. joins a cgroup of its own when cgroups are writable: memory and pids limits for the whole
   process tree, and the CPU-time counter the grader reads (``cpu_seconds``);
3. enters new mount and network namespaces: the network is gone (the grader talks to the kernel
   over unix sockets), empty tmpfs hide the repository, the submissions, the output folder, home
   folders and temporary folders, and only what the kernel needs is bound back, read-only
   (the Python install, the venv, ``seqlab``, ``grader``) plus the kernel's own scratch folder;
4. drops to an unprivileged user id of its own, with no way back (no_new_privs);
5. moves into the kernel's scratch folder, which becomes its home; then the kernel starts.
Steps 2-4 need root; without it the kernel gets the limits of step 1 only, and the grader says so.
"""

import ctypes
import os
import resource
from pathlib import Path

from grader.submission.job import SandboxSpec

CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38
CGROUP_ROOT = Path("/sys/fs/cgroup")
_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None):
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {target}")


def set_limits(memory_bytes: int, file_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def cgroup_dirs(name: str) -> list[tuple[Path, dict[str, int]]]:
    """Where the cgroup ``name`` lives, with the limit files to write (v2 or v1 layout). In v2
    every cgroup counts its CPU time (``cpu.stat``); in v1 the ``cpuacct`` hierarchy does."""
    if (CGROUP_ROOT / "cgroup.controllers").exists():
        return [(CGROUP_ROOT / name, {"memory.max": 0, "pids.max": 0})]
    return [
        (CGROUP_ROOT / "memory" / name, {"memory.limit_in_bytes": 0}),
        (CGROUP_ROOT / "pids" / name, {"pids.max": 0}),
        (CGROUP_ROOT / "cpuacct" / name, {}),
    ]


def cgroup_cpu_seconds(name: str) -> float | None:
    """CPU seconds used so far by every process that was ever in cgroup ``name`` (children
    included, whether they are still running or not); None when there is no such counter."""
    v2, v1 = CGROUP_ROOT / name / "cpu.stat", CGROUP_ROOT / "cpuacct" / name / "cpuacct.usage"
    try:
        if v2.is_file():
            fields = dict(line.split() for line in v2.read_text().splitlines())
            return int(fields["usage_usec"]) / 1e6
        if v1.is_file():
            return int(v1.read_text()) / 1e9
    except (OSError, ValueError, KeyError):
        pass
    return None


def join_cgroup(name: str, memory_bytes: int, max_pids: int) -> bool:
    """Put this process in a fresh cgroup with memory and pids limits; False if impossible."""
    joined = False
    for folder, files in cgroup_dirs(name):
        try:
            folder.mkdir(exist_ok=True)
            for file in files:
                value = memory_bytes if file.startswith("memory") else max_pids
                (folder / file).write_text(str(value))
            (folder / "cgroup.procs").write_text(str(os.getpid()))
            joined = True
        except OSError:
            continue
    return joined


def release_cgroup(name: str) -> None:
    """Kill every process left in cgroup ``name`` and remove it (the grader calls this)."""
    import signal
    import time

    for folder, _ in cgroup_dirs(name):
        procs = folder / "cgroup.procs"
        for _attempt in range(50):
            try:
                pids = [int(p) for p in procs.read_text().split()]
            except OSError:
                break
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)
        try:
            folder.rmdir()
        except OSError:
            pass


def _is_under(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def isolate(hide: list[str], keep: list[str], writable: list[str]) -> None:
    """New mount and network namespaces; tmpfs over ``hide``; ``keep`` and ``writable`` bound back."""
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    # Opened inside the new namespace, before the tmpfs cover them: the sources of the binds.
    handles = {p: os.open(p, os.O_PATH) for p in [*keep, *writable] if os.path.exists(p)}
    for path in sorted(hide, key=len):
        if os.path.isdir(path):
            sticky = any(_is_under(path, t) for t in ("/tmp", "/var/tmp", "/dev/shm"))
            _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777" if sticky else "mode=755")
    for path, fd in sorted(handles.items(), key=lambda item: len(item[0])):
        if not any(_is_under(path, h) for h in hide):
            continue
        os.makedirs(path, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        if path not in writable:
            _mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC)
    for fd in handles.values():
        os.close(fd)
    try:  # hide other users' processes; not every kernel allows it
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2")
    except OSError:
        pass


def drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl")


def enter(spec: SandboxSpec) -> None:
    """Steps 1-4 for this process, then into the kernel's scratch folder with its own home."""
    kernel_dir = spec.kernel_dir
    set_limits(spec.memory_bytes, spec.file_bytes, spec.cpu_seconds)
    if os.geteuid() == 0 and spec.isolate:
        join_cgroup(spec.cgroup, spec.memory_bytes, spec.max_pids)
        for path in [kernel_dir, *(str(p) for p in Path(kernel_dir).rglob("*"))]:
            os.chown(path, spec.uid, spec.uid)
        isolate(spec.hide, spec.keep, [kernel_dir])
        drop_privileges(spec.uid)
    os.chdir(kernel_dir)
    os.environ.update({
        "HOME": kernel_dir, "TMPDIR": "/tmp", "MPLCONFIGDIR": kernel_dir, "IPYTHONDIR": kernel_dir + "/.ipython",
        "KERAS_HOME": kernel_dir + "/.keras",
    })
