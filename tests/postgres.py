"""A real PostgreSQL server for the tests that need one: Debian's ``postgresql`` binaries (``make test`` installs
the package when it is missing), a fresh cluster in a temporary folder, on a free port of the loopback, stopped
and removed afterwards. PostgreSQL refuses to run as root, and CI runs as root: there the cluster belongs to the
package's ``postgres`` user and its commands run as that user (``runuser``)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.browser.conftest import _free_port


def binaries() -> Path:
    """The folder of Debian's PostgreSQL programs (the newest version installed); ``RuntimeError`` if none is."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: make test installs Debian's postgresql package (needs root)")
    return Path(found[-1]).parent


@contextmanager
def server() -> Iterator[str]:
    """Start a throw-away PostgreSQL server and yield its SQLAlchemy URL (psycopg 3)."""
    bin_dir, port = binaries(), _free_port()
    as_root = os.geteuid() == 0
    user = "postgres" if as_root else os.environ.get("USER", "postgres")
    run_as = ["runuser", "-u", "postgres", "--"] if as_root else []
    home = Path(tempfile.mkdtemp(prefix="lrlab-pg-"))
    data, sockets = home / "data", home / "sockets"
    sockets.mkdir()
    if as_root:
        shutil.chown(home, "postgres")
        shutil.chown(sockets, "postgres")

    def pg(*args: str) -> None:
        subprocess.run([*run_as, *args], check=True, capture_output=True, timeout=120)

    try:
        pg(str(bin_dir / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8")
        pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-t", "60", "-l", str(home / "log"),
           "-o", f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off", "start")  # fmt: skip
        deadline = time.monotonic() + 60
        while subprocess.run([str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                             capture_output=True).returncode != 0:  # fmt: skip
            if time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL did not accept connections within 60 s")
            time.sleep(0.2)
        pg(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", user, "lrlab")
        yield f"postgresql+psycopg://{user}@127.0.0.1:{port}/lrlab"
    finally:
        subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)  # fmt: skip
        shutil.rmtree(home, ignore_errors=True)
