"""Run a run package on the lab server over SSH (OpenSSH client), the output streaming into the job log.

:func:`run_remote` does what a student would type (``scp`` the package over, unpack and run its
standalone runner with ``ssh``, ``scp`` the results back), as one cancellable job: every command
goes through :func:`core.jobs.run_subprocess`, so the server's output appears line by line in the
job log and Cancel kills the local ``ssh`` (which ends the remote command with it).

The server needs Python 3 with numpy and, for the card, ``pyxrt`` (hls4ml kernel) or
``vart``/``xir`` (DPU). Authentication is the user's own SSH set-up (keys, agent, ``~/.ssh/config``):
``BatchMode=yes`` makes a missing key fail at once instead of waiting for a password nobody can
type. On the server everything happens in ``~/triglab-runs/<package id>/``.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

from core.deploy import DeployError
from core.jobs import Progress, ensure_progress, run_subprocess

SSH_OPTIONS = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=20"]
REMOTE_ROOT = "triglab-runs"
_HOST = re.compile(
    r"^[A-Za-z0-9_][A-Za-z0-9_.:\-]{0,252}$"
)  # a name, an IPv4/IPv6 address or an ssh_config alias
_USER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}$")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DeployError(
            f"'{name}' (the OpenSSH client) was not found; install it (Debian/Ubuntu: apt install "
            "openssh-client) or copy the run package to the server by hand (see its README)."
        )
    return path


def remote_command(manifest: dict, folder: str, zip_name: str, emulator: bool = False) -> str:
    """The shell command run on the server: unpack the package, run its standalone runner."""
    script = manifest["script"]
    if not re.fullmatch(r"run_[a-z_]+\.py", script):
        raise DeployError(f"The package names an unexpected runner script {script!r}.")
    q = shlex.quote
    # unzip keeps the emulator executable; Python's zipfile is the fallback on a server without it
    unpack = (
        f"{{ {{ command -v unzip >/dev/null && unzip -o -q {q(zip_name)} -d {q(folder)}; }} "
        f"|| python3 -m zipfile -e {q(zip_name)} {q(folder)}; }}"
    )
    run = f"python3 {q(folder + '/' + script)} --package {q(folder)} --out {q(folder + '/results.json')}"
    return f"cd ~/{REMOTE_ROOT} && {unpack} && {run}" + (" --emulator" if emulator else "")


def run_remote(
    pkg: str | Path,
    host: str,
    user: str | None = None,
    progress: Progress | None = None,
    *,
    out: str | Path | None = None,
    emulator: bool = False,
) -> Path:
    """Copy run package ``pkg`` to ``[user@]host``, run it there, bring its results JSON back.

    Args:
        pkg: A run package written by :func:`core.deploy.package.write_run_package`.
        host: The lab server (name, address or an alias of ``~/.ssh/config``).
        user: The account on it (None: the one ``ssh`` picks).
        progress: Job progress; the server's output lines go to its log; cancellable.
        out: Where to write the results JSON (default: next to the package, ``<pkg>.results.json``).
        emulator: Run the package's emulator on the server instead of the card (numbers emulated).

    Returns:
        The local results JSON (import it with :func:`core.deploy.package.import_results`).

    Raises:
        DeployError: no ssh/scp, a host or user that is not a plain name, a failed command.
    """
    from core.deploy.package import read_manifest
    from core.jobs import SubprocessError

    progress = ensure_progress(progress)
    pkg = Path(pkg)
    if not _HOST.match(host or ""):
        raise DeployError(f"{host!r} is not a host name or address (letters, digits, '.', '-', ':').")
    if user is not None and not _USER.match(user):
        raise DeployError(f"{user!r} is not a user name (letters, digits, '.', '-', '_').")
    manifest = read_manifest(pkg)
    ssh, scp = _tool("ssh"), _tool("scp")
    dest = f"{user}@{host}" if user else host
    pid = re.sub(r"[^A-Za-z0-9-]", "_", str(manifest.get("package_id", "package")))
    zip_name, folder = f"{pid}.zip", pid
    out = Path(out) if out else pkg.with_name(pkg.stem + ".results.json")
    steps = [
        ("creating the run folder", [ssh, *SSH_OPTIONS, dest, f"mkdir -p ~/{REMOTE_ROOT}"]),
        ("copying the package", [scp, *SSH_OPTIONS, str(pkg), f"{dest}:{REMOTE_ROOT}/{zip_name}"]),
        ("running it on the server", [ssh, *SSH_OPTIONS, dest, remote_command(manifest, folder, zip_name, emulator)]),
        ("copying the results back", [scp, *SSH_OPTIONS, f"{dest}:{REMOTE_ROOT}/{folder}/results.json", str(out)]),
    ]  # fmt: skip
    for i, (what, cmd) in enumerate(steps):
        progress.update(i / len(steps), f"{host}: {what}")
        progress.log(f"$ {shlex.join(cmd[:1] + cmd[1 + len(SSH_OPTIONS) :])}")
        try:
            run_subprocess(cmd, progress)
        except SubprocessError as exc:
            tail = " ".join(line.strip() for line in exc.tail[-3:] if line.strip())
            raise DeployError(f"{what} on {host} failed (exit {exc.returncode}): {tail}") from None
    progress.update(1.0, f"results of {host} in {out}")
    return out


def run_variant_remote(
    ws,
    variant: str,
    target: str,
    destination: str,
    events: int,
    batch_size: int,
    progress: Progress | None = None,
    *,
    emulator: bool = False,
):
    """Package ``variant`` for ``target``, run it on the server ``[user@]host``, import the results.

    ``target`` ``"auto"`` means the card target of the variant's path (``u50-hls`` / ``u50-dpu``).
    The package and the results stay in ``<ws>/deploy/packages/``.

    Returns:
        The imported :class:`~core.deploy.run.RunReport`, labelled with the server's card.
    """
    from core.deploy.package import import_results, write_run_package
    from core.deploy.run import choose_path, deploy_dir, safe_name

    progress = ensure_progress(progress)
    user, _, host = destination.rpartition("@")
    if target == "auto":
        target = f"u50-{choose_path(ws, variant)}"
    pkg = deploy_dir(ws) / "packages" / f"{safe_name(variant)}-{safe_name(target)}.zip"
    pkg.parent.mkdir(parents=True, exist_ok=True)
    write_run_package(ws, variant, target, pkg, events, batch_size, progress=progress.sub(0.0, 0.4))
    results = run_remote(pkg, host, user or None, progress.sub(0.4, 0.9), emulator=emulator)
    return import_results(ws, variant, results, progress=progress.sub(0.9, 1.0))
