"""Class mode for a lecture hall larger than one process serves: PostgreSQL (Debian's ``postgresql``), N replicas
of the app sharing it, and nginx (Debian's ``nginx``) in front with sticky sessions, all on this machine.

    python -m deploy.scale --replicas 3 --port 8080 [--database-url postgresql+psycopg://...]

Students and the instructor open ``http://<this host>:8080``; answers from every replica land in one tally.
``make scale`` installs the two Debian packages if they are missing, then runs this. Stop it with Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading

from deploy import services


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicas", type=int, default=2, help="app processes (default 2)")
    ap.add_argument("--port", type=int, default=8080, help="nginx's port (default 8080)")
    ap.add_argument("--database-url", default=None, help="an existing PostgreSQL database (default: start one)")
    args = ap.parse_args(argv)
    if args.replicas < 1:
        ap.error("--replicas must be at least 1")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with services.scaled(args.replicas, args.database_url, args.port) as hall:
        print(f"LR Lab on {hall.url}: {args.replicas} replicas ({', '.join(hall.replicas)}), database "
              f"{hall.database_url}. Ctrl-C stops it.", flush=True)  # fmt: skip
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


if __name__ == "__main__":
    main()
