"""Engine calls cached across reruns and sessions.

The decorators live here, in a module imported once, and not in the page scripts: a page script runs again on
every interaction, and re-decorating a function there makes Streamlit read its source again to key the cache
(``inspect.getsource``, about 8 ms a rerun, measured). ``cache_resource`` returns the very object it stored (no
pickling: trajectories hold functions); callers never modify what they get.
"""

import streamlit as st

from lr_core.lessons import adaptive, convergence, schedules


@st.cache_resource(max_entries=64, show_spinner="Sweeping 300 rates…")
def tolerance_sweep(lmin: float, lmax: float, angle: float) -> convergence.ToleranceSweep:
    return convergence.tolerance_sweep(lmin, lmax, angle, convergence.Stability2DConfig.start)


@st.cache_resource(max_entries=64, show_spinner=False)
def schedules_scene(cfg: schedules.SchedulesConfig) -> schedules.SchedulesScene:
    return schedules.schedules_scene(cfg)


@st.cache_resource(max_entries=512, show_spinner=False)
def run_racer(*args):  # each racer on its own: moving one racer's η reruns only that racer
    return adaptive.race_run(*args)


@st.cache_resource(max_entries=64, show_spinner=False)
def range_test(cfg: adaptive.RangeTestConfig) -> adaptive.RangeTestScene:
    return adaptive.range_test(cfg)
