"""Start LR Lab as `streamlit run app.py` does, with Streamlit's older pages/ lookup off from the first request.

    python -m ui.server [streamlit options, e.g. --server.port 8501]

Until the first ``st.navigation`` call in a server process, Streamlit 1.67 resolves a deep link against
``pages/*.py`` (its first multipage mode): the first visitor of a fresh server on ``/update-rule`` gets a "Page not
found" dialog, and one on ``/update_rule`` or ``/quiz`` runs that page file without ``app.py`` (no navigation, no
score), for every later visitor too, until someone's link runs ``app.py``. The first ``st.navigation`` call turns
that mode off for the whole process (``PagesManager.uses_pages_directory = False``); this entry point turns it off
before the first request instead, then hands over to Streamlit's own command line, in this process.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parents[1] / "app.py"


def main(argv: list[str] | None = None) -> None:
    PagesManager.uses_pages_directory = False  # what app.py's st.navigation sets, set before anyone connects
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
