"""The pieces of an LR Lab deployment on this machine, each started and stopped by a context manager: the app (one
``streamlit run`` replica), a PostgreSQL server (Debian's ``postgresql``) and nginx (Debian's ``nginx``) in front
of several replicas. ``python -m deploy.scale`` puts them together; the tests and the benchmarks start the same
pieces the same way.

PostgreSQL refuses to run as root, and CI runs as root: there its cluster belongs to the package's ``postgres``
user and its commands run as that user (``runuser``).
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NGINX_CONF = Path(__file__).with_name("nginx.conf")
"""The nginx configuration; :func:`nginx` fills in its address, replicas and folder (the words in at-signs)."""
HEALTHY_WITHIN = 60.0
"""Seconds a server has to answer before it is given up as broken."""


def free_port() -> int:
    """A TCP port of the loopback that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen | None = None, within: float = HEALTHY_WITHIN) -> None:
    """Wait until ``url`` answers 200; ``RuntimeError`` if it does not in time or ``proc`` exits first."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {within:g} s")


def start_app(
    port: int | None = None, env: Mapping[str, str] | None = None, options: Sequence[str] = ()
) -> tuple[subprocess.Popen, str]:
    """Start the app (``python -m ui.server``, which is ``streamlit run app.py``) on ``port`` (a free one by
    default) with ``env`` added to the environment and Streamlit ``options``; wait until it is healthy. Returns the
    process and its ``http://`` URL. The caller stops it (``terminate``)."""
    port = port or free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.server", "--server.port", str(port), "--server.headless", "true", *options],
        cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/_stcore/health", proc)
    except RuntimeError:
        proc.kill()
        raise
    return proc, url


@contextmanager
def app(port: int | None = None, env: Mapping[str, str] | None = None, options: Sequence[str] = ()) -> Iterator[str]:
    """:func:`start_app` as a context manager: yields the URL, stops the server afterwards."""
    proc, url = start_app(port, env, options)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


# ---------------------------------------------------------------------------------------------- PostgreSQL


def postgres_binaries() -> Path:
    """The folder of Debian's PostgreSQL programs (the newest version installed); ``RuntimeError`` if none is."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: make test installs Debian's postgresql package (needs root)")
    return Path(found[-1]).parent


@contextmanager
def postgres(max_connections: int = 200) -> Iterator[str]:
    """A throw-away PostgreSQL server: a fresh cluster in a temporary folder, on a free port of the loopback,
    stopped and removed afterwards. Yields its SQLAlchemy URL (psycopg 3)."""
    bin_dir, port = postgres_binaries(), free_port()
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
           "-o", f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
                 f"-c max_connections={max_connections}", "start")  # fmt: skip
        deadline = time.monotonic() + HEALTHY_WITHIN
        while subprocess.run([str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                             capture_output=True).returncode != 0:  # fmt: skip
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not accept connections within {HEALTHY_WITHIN:g} s")
            time.sleep(0.2)
        pg(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", user, "lrlab")
        yield f"postgresql+psycopg://{user}@127.0.0.1:{port}/lrlab"
    finally:
        subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)  # fmt: skip
        shutil.rmtree(home, ignore_errors=True)


# --------------------------------------------------------------------------------------------------- nginx


def nginx_config(listen: int, replicas: Sequence[str], prefix: Path) -> str:
    """:data:`NGINX_CONF` for nginx on port ``listen`` of the loopback in front of ``replicas`` (``host:port``)."""
    servers = "\n".join(f"        server {r};" for r in replicas)
    text = NGINX_CONF.read_text()
    return (
        text.replace("@LISTEN@", f"127.0.0.1:{listen}")
        .replace("@REPLICAS@", servers.strip())
        .replace("@PREFIX@", str(prefix))
    )


@contextmanager
def nginx(replicas: Sequence[str], listen: int | None = None) -> Iterator[tuple[str, Path]]:
    """Debian's nginx on ``listen`` (a free port by default) in front of ``replicas``, with sticky sessions; yields
    its URL and its access log (one line per request: the sticky cookie, the replica that served it, the
    request). Stopped afterwards."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise RuntimeError("nginx is not installed: make scale-test installs Debian's nginx package (needs root)")
    listen = listen or free_port()
    prefix = Path(tempfile.mkdtemp(prefix="lrlab-nginx-"))
    prefix.chmod(0o755)
    (prefix / "tmp").mkdir(mode=0o777)
    (prefix / "tmp").chmod(0o777)  # the workers (nobody, under root) write their buffers there
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_config(listen, replicas, prefix))
    checked = subprocess.run([binary, "-t", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx refused its configuration: {checked.stderr.strip()}")
    proc = subprocess.Popen([binary, "-p", str(prefix), "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{listen}"
    try:
        wait_for(f"{url}/_stcore/health", proc)
        yield url, prefix / "access.log"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(prefix, ignore_errors=True)


@dataclass(frozen=True)
class Deployment:
    """A running scale-out: nginx's URL, the shared database's, nginx's access log (one line per request: the
    sticky cookie, the replica that served it, the status, the request) and the replicas' ``host:port``."""

    url: str
    database_url: str
    access_log: Path
    replicas: tuple[str, ...]


@contextmanager
def scaled(replicas: int, database_url: str | None = None, listen: int | None = None) -> Iterator[Deployment]:
    """A whole scale-out: PostgreSQL (unless ``database_url`` names a database), ``replicas`` app servers sharing
    it and one cookie secret, and nginx in front on ``listen``; stopped afterwards."""
    with ExitStack() as stack:
        url = database_url or stack.enter_context(postgres())
        env = {"LRLAB_DATABASE_URL": url, "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_urlsafe(32)}
        addresses = tuple(f"127.0.0.1:{free_port()}" for _ in range(replicas))
        for address in addresses:
            stack.enter_context(app(int(address.rsplit(":", 1)[1]), env))
        front, log = stack.enter_context(nginx(addresses, listen))
        yield Deployment(front, url, log, addresses)
