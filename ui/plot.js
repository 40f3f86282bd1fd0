// LR Lab's Plotly renderer: a Streamlit v2 component that owns one chart and redraws it as little as it can.
//
// st.plotly_chart hands every new spec to Plotly.react, which redraws the whole chart (axes, legend, the
// animation controls): 34 ms for the update-rule figure in headless Chromium, more than the whole slider round
// trip of an empty page. When a new spec differs from the one on screen only in what a slider moves (the traces'
// x, y and names, annotations, shapes and animation frames) and every axis has a fixed range, this renderer moves
// the traces with Plotly.animate without a redraw (about 9 ms), relabels the legend in place and swaps the frames;
// anything else gets Plotly.react.
// Measured in benchmarks/README.md.
//
// A control may be scrubbed on the figure (lr_core/scrub.py): the spec then comes with the figure's moving parts at
// every option of that control, and dragging picks which one is drawn, with no server round trip; the server
// learns the value once, when the drag ends (the trigger "scrub"). The figure that draws the control carries it
// (an <input type="range">, with the run's verdict at each option); other figures of its group follow it.
//
// data: {spec: the figure as Plotly JSON, src: where plotly.min.js is served, alt: the text alternative,
//        clickable: report clicks as the trigger "click" = {x, y},
//        scrub: {group, value, index, parts: JSON, control: {label, values, texts, verdicts} or null}}.

const CONFIG = { displaylogo: false, responsive: true };
const MOVING = ["x", "y", "name"]; // trace attributes the fast path may change

function loadPlotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__lrlabPlotly) {
    window.__lrlabPlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => reject(new Error(`plotly.js could not be loaded from ${src}`));
      document.head.appendChild(script);
    });
  }
  return window.__lrlabPlotly;
}

// Everything in a spec that the fast path must find unchanged, as one string.
function skeleton(spec) {
  const data = spec.data.map((trace) => {
    const rest = { ...trace };
    for (const key of MOVING) delete rest[key];
    return rest;
  });
  const { annotations, shapes, ...layout } = spec.layout;
  return JSON.stringify([data, layout]);
}

// True when every axis a trace draws on has a range given in the spec: animate without redraw keeps the axes.
function axesFixed(spec) {
  return spec.data.every((trace) =>
    [`xaxis${(trace.xaxis || "x").slice(1)}`, `yaxis${(trace.yaxis || "y").slice(1)}`].every((name) => {
      const axis = spec.layout[name];
      return axis && Array.isArray(axis.range) && axis.autorange !== true;
    }),
  );
}

// The page's colours on a transparent chart, so the same spec reads in the light and the dark theme.
function themed(layout, ink) {
  const faint = ink.replace(/^rgb\((.*)\)$/, "rgba($1, 0.15)");
  const axis = (a) => ({ automargin: true, gridcolor: faint, zerolinecolor: faint, linecolor: faint, ...a });
  const out = { paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", ...layout };
  out.font = { ...layout.font, color: ink };
  for (const key of Object.keys(out)) if (/^[xy]axis\d*$/.test(key)) out[key] = axis(out[key]);
  // Play and Pause: the page's ink on a faint fill, readable in the light and the dark theme alike
  if (out.updatemenus) {
    out.updatemenus = out.updatemenus.map((m) => ({ ...m, bgcolor: faint, bordercolor: ink, font: { color: ink } }));
  }
  return out;
}

// Rename traces without a redraw: each legend entry's text, and the names hover labels and the next diff read.
// False, having changed nothing, when a renamed trace has no legend entry to be found.
function relabel(gd, names) {
  const entries = new Map();
  for (const item of gd.querySelectorAll(".legend .traces")) {
    const trace = item.__data__ && item.__data__[0] && item.__data__[0].trace; // d3 binds [calcdata point]
    if (trace) entries.set(trace.index, item.querySelector("text.legendtext"));
  }
  const renamed = names.map((_, i) => i).filter((i) => gd.data[i].name !== names[i]);
  const visible = (i) => gd._fullData[i].showlegend !== false;
  if (!renamed.every((i) => !visible(i) || entries.get(i))) return false;
  for (const i of renamed) {
    gd.data[i].name = gd._fullData[i].name = names[i];
    if (visible(i)) entries.get(i).textContent = names[i];
  }
  return true;
}

// Keyboard access to what plotly.js draws as bare SVG. Play and Pause become buttons (Enter or Space click them);
// the animation's step slider becomes a slider (arrow keys step one frame, PageUp/PageDown a tenth, Home/End the
// ends, running the step's own command, so the slider follows as it does for a mouse). The toolbar's zoom and pan
// tools, which need a pointer, leave the tab order; its download button stays. Called after every draw: plotly.js
// may redraw these elements.
const KEEP_IN_TAB_ORDER = /download/i;

function keyboardLabels(gd) {
  for (const button of gd.querySelectorAll(".updatemenu-button")) {
    button.setAttribute("tabindex", "0");
    button.setAttribute("role", "button");
    button.setAttribute("aria-label", button.textContent.replace(/[▶❚]/g, "").trim());
  }
  const slider = gd._fullLayout && gd._fullLayout.sliders && gd._fullLayout.sliders[0];
  const rail = gd.querySelector(".slider-container");
  if (slider && rail) {
    const steps = slider.steps || [];
    const active = Math.min(slider.active || 0, steps.length - 1);
    rail.setAttribute("tabindex", "0");
    rail.setAttribute("role", "slider");
    rail.setAttribute("aria-label", "animation step");
    rail.setAttribute("aria-valuemin", "0");
    rail.setAttribute("aria-valuemax", String(steps.length - 1));
    rail.setAttribute("aria-valuenow", String(active));
    rail.setAttribute("aria-valuetext", `step ${steps[active] ? steps[active].label : ""}`);
  }
  for (const tool of gd.querySelectorAll(".modebar-btn")) {
    if (!KEEP_IN_TAB_ORDER.test(tool.getAttribute("data-title") || "")) tool.setAttribute("tabindex", "-1");
  }
}

function keyboardControls(gd) {
  const refresh = () => keyboardLabels(gd);
  gd.on("plotly_afterplot", refresh); // plotly.js listeners: dropped by a purge, so set again on a fresh draw
  gd.on("plotly_animated", refresh);
  gd.on("plotly_sliderchange", refresh);
  gd.on("plotly_animatingframe", () => requestAnimationFrame(refresh));
  if (gd.__lrlabKeys) return; // a DOM listener survives a purge: once per element
  gd.__lrlabKeys = true;
  gd.addEventListener("keydown", (event) => {
    const button = event.target.closest && event.target.closest(".updatemenu-button");
    if (button && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      button.dispatchEvent(new MouseEvent("click", { bubbles: true }));
      return;
    }
    const rail = event.target.closest && event.target.closest(".slider-container");
    const slider = rail && gd._fullLayout.sliders && gd._fullLayout.sliders[0];
    if (!slider) return;
    const last = slider.steps.length - 1;
    const page = Math.max(1, Math.round(last / 10));
    const moves = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: page, PageDown: -page };
    let to;
    if (event.key in moves) to = (slider.active || 0) + moves[event.key];
    else if (event.key === "Home") to = 0;
    else if (event.key === "End") to = last;
    else return;
    event.preventDefault();
    const step = slider.steps[Math.max(0, Math.min(last, to))];
    window.Plotly.animate(gd, ...step.args).catch(() => {}); // rejected when a newer animation interrupts it
  });
}

// plotly.js rejects an interrupted animation's promise with `undefined` on purpose, as a signal (plotly.js#2438),
// and its own Play/Pause buttons never catch it: Pause during Play logs "Uncaught (in promise) undefined".
// Swallow exactly that signal, once per page.
if (!window.__lrlabInterrupted) {
  window.__lrlabInterrupted = true;
  window.addEventListener("unhandledrejection", (event) => {
    if (event.reason === undefined) event.preventDefault();
  });
}

// Press the figure's own Play button, as a click would: a scene that plays on arrival, a run shown on a reveal,
// Space in a lecture. gd.__lrlabPlaying says whether it is playing, for Space to pause it.
function play(gd) {
  const menu = ((gd.layout && gd.layout.updatemenus) || [])[0];
  const button = menu && menu.buttons.find((b) => b.label.includes("Play"));
  if (!button) return false;
  gd.__lrlabPlaying = true;
  window.Plotly.animate(gd, ...button.args)
    .then(() => (gd.__lrlabPlaying = false))
    .catch(() => {}); // interrupted by a newer animation (a pause): that one says whether it plays
  return true;
}

function pause(gd) {
  gd.__lrlabPlaying = false;
  window.Plotly.animate(gd, [null], STILL).catch(() => {});
}

// Space in a lecture: play the page's first animated figure, or pause it if it is playing.
window.__lrlabTogglePlay = () => {
  const gd = [...document.querySelectorAll(".js-plotly-plot")].find((g) => g.layout && g.layout.updatemenus);
  if (!gd || !window.Plotly) return false;
  if (gd.__lrlabPlaying) pause(gd);
  else play(gd);
  return true;
};

// Present mode: the figure reaches the bottom of the screen (the projector's, whatever its size). What is above it
// settles after the first draw (the scene's text, the controls' button), so the height is measured again then,
// and whenever the window changes size.
function room(element) {
  return Math.round(window.innerHeight - element.getBoundingClientRect().top - 16);
}

function refit(view) {
  if (!view.fill || !window.Plotly || !view.graph._fullLayout) return;
  const height = Math.max(view.fill, room(view.graph.parentElement));
  if (Math.abs(height - view.graph._fullLayout.height) > 8) window.Plotly.relayout(view.graph, { height });
}

const stats = (window.__lrlabPlotStats = window.__lrlabPlotStats || { fast: 0, full: 0, scrub: 0 });
const STILL = { frame: { duration: 0, redraw: false }, transition: { duration: 0 }, mode: "immediate" };

// Move traces (and annotations and shapes, where given) without a redraw: the fast path, and a scrub's step.
async function moveParts(gd, traces, data, layout) {
  gd.__lrlabMoving = true; // our own animation, not a Play (holdStalePlay)
  try {
    await window.Plotly.animate(gd, { data: data.map((t) => ({ x: t.x, y: t.y })), traces, layout }, STILL);
  } finally {
    gd.__lrlabMoving = false;
  }
}

// ---------------------------------------------------------------------------------------------- scrubbing

// group -> {views: the figures that follow it, pending: {value, time} sent to the server and not yet drawn by it}
const groups = (window.__lrlabScrubGroups = window.__lrlabScrubGroups || new Map());
const CONFIRM_WAIT = 3000; // ms a sent value is awaited before a draw at another value is trusted again
const KEY_PAUSE = 500; // ms after the last arrow key before the server is told: a run of key presses is one drag

function group(name) {
  if (!groups.has(name)) groups.set(name, { views: new Set(), pending: null });
  return groups.get(name);
}

// Draw option i of the view's scrub: the parts of the latest option asked for, however many were asked on the way.
function scrubTo(view, i) {
  view.wanted = i;
  if (view.scrubbing) return;
  view.scrubbing = true;
  view.queue = view.queue
    .then(async () => {
      while (view.wanted !== null) {
        const { pool, parts } = view.scrub.parts;
        const shown = view.wanted;
        const stored = parts[shown];
        view.wanted = null;
        const part = { ...stored, data: stored.data.map((t) => ({ ...t, x: pool[t.x], y: pool[t.y] })) };
        const names = view.graph.data.map((t) => t.name);
        part.traces.forEach((t, k) => (names[t] = part.data[k].name === undefined ? names[t] : part.data[k].name));
        const layout = {};
        for (const key of ["annotations", "shapes"]) if (part[key]) layout[key] = part[key];
        relabel(view.graph, names);
        await moveParts(view.graph, part.traces, part.data, layout).catch(() => {}); // a newer animation (Play)
        view.stale = shown !== view.specIndex; // the animation's frames are still the server's option's
        stats.scrub += 1;
      }
    })
    .finally(() => (view.scrubbing = false));
}

// Play pressed while a scrubbed figure shows another option than its frames (the drag has not reached the server,
// or its redraw not come back): the frames would play the previous rate's run. Hold it back, tell the server now,
// and play when the figure of this option arrives.
function holdStalePlay(view) {
  view.graph.on("plotly_animating", () => {
    if (!view.stale || view.graph.__lrlabMoving) return;
    view.playOnArrival = true;
    pause(view.graph);
    const g = view.group && groups.get(view.group);
    if (g && g.flush) g.flush();
  });
}

// The control: an <input type="range"> over the options' indices (the options are log-spaced, so it is a log
// scale), its value and ends as text, and the verdict of the run at the value.
function scrubControl(view, scrub, ink) {
  const { control } = scrub;
  let box = view.control;
  if (!box) {
    box = view.control = document.createElement("div");
    box.className = "lrlab-scrub";
    const id = `lrlab-scrub-${Math.random().toString(36).slice(2)}`;
    // one row: the label, the range between its ends, the value; the verdict under it (beside it on a projector)
    box.innerHTML =
      `<label for="${id}"><span class="lrlab-scrub-long"></span><span class="lrlab-scrub-short"></span></label>` +
      `<span class="lrlab-scrub-end"></span><input type="range" id="${id}" min="0" step="1">` +
      `<span class="lrlab-scrub-end"></span><output for="${id}"></output>` +
      `<p class="lrlab-scrub-verdict" aria-live="polite"></p>`;
    view.graph.before(box);
    const input = box.querySelector("input");
    let keyed = 0;
    let timer = null;
    const send = () => {
      clearTimeout(timer);
      timer = null;
      const c = view.scrubState.control;
      const value = c.values[Number(input.value)];
      group(view.scrubState.group).pending = { value, time: performance.now() };
      view.setTriggerValue("scrub", value);
    };
    group(scrub.group).flush = () => timer && send(); // a value still waiting for the key pause
    input.addEventListener("keydown", () => (keyed = performance.now()));
    input.addEventListener("input", () => {
      const i = Number(input.value);
      show(box, view.scrubState.control, i);
      const { views } = group(view.scrubState.group);
      for (const v of views) {
        if (!v.graph.isConnected) views.delete(v); // a figure of a page left since: it follows no more
        else if (v.scrub) scrubTo(v, i);
      }
    });
    input.addEventListener("change", () => {
      if (performance.now() - keyed < 200) {
        clearTimeout(timer);
        timer = setTimeout(send, KEY_PAUSE);
      } else send(); // a pointer let go: the drag is over
    });
    input.addEventListener("blur", () => timer && send());
  }
  view.scrubState = scrub;
  const light = (ink.match(/\d+/g) || [0]).slice(0, 3).reduce((a, b) => a + Number(b), 0) > 384; // light ink: dark theme
  box.style.accentColor = light ? "#56B4E9" : "#0072B2"; // the themes' primary colours
  const input = box.querySelector("input");
  box.querySelector(".lrlab-scrub-long").textContent = control.label;
  box.querySelector(".lrlab-scrub-short").textContent = control.short || control.label;
  input.setAttribute("aria-label", control.label); // the full name, also where the label shows only the symbol
  input.max = String(control.values.length - 1);
  const ends = box.querySelectorAll(".lrlab-scrub-end");
  ends[0].textContent = control.texts[0];
  ends[1].textContent = control.texts[control.texts.length - 1];
  input.value = String(scrub.index);
  show(box, control, scrub.index);
}

function show(box, control, i) {
  const input = box.querySelector("input");
  input.setAttribute("aria-valuetext", control.texts[i]);
  box.querySelector("output").textContent = control.texts[i];
  box.querySelector(".lrlab-scrub-verdict").textContent = control.verdicts[i] || "";
}

// Whether data for this group at ``value`` is older than what the student has moved to (a draw of an earlier
// value, arriving after the student moved on): such a draw is skipped.
function outdated(scrub) {
  const pending = group(scrub.group).pending;
  if (!pending) return false;
  if (pending.value === scrub.value || performance.now() - pending.time > CONFIRM_WAIT) {
    group(scrub.group).pending = null;
    return false;
  }
  return true;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let view = parentElement.__lrlab;
  if (!view) {
    const graph = document.createElement("div");
    // "figure", not "img": an img's children are presentational, and Plotly's toolbar buttons inside it would be
    // focusable controls hidden from screen readers (axe: nested-interactive)
    graph.setAttribute("role", "figure");
    parentElement.appendChild(graph);
    view = parentElement.__lrlab = { graph, key: null, skeleton: null, queue: Promise.resolve() };
  }
  view.setTriggerValue = setTriggerValue;
  view.clickable = Boolean(data.clickable);
  const scrub = data.scrub;
  if (scrub && outdated(scrub)) return; // the student has moved on since: the draw of their latest value follows
  view.graph.setAttribute("aria-label", data.alt || "");
  const ink = getComputedStyle(parentElement).color;
  const key = ink + data.spec + (data.autoplay || "");
  if (scrub) {
    if (view.scrub?.text !== scrub.parts) view.scrub = { text: scrub.parts, parts: JSON.parse(scrub.parts) };
    if (view.group && view.group !== scrub.group) group(view.group).views.delete(view);
    view.group = scrub.group;
    group(scrub.group).views.add(view);
    if (scrub.control) scrubControl(view, scrub, ink);
  } else if (view.group) {
    group(view.group).views.delete(view);
    view.group = view.scrub = null;
  }
  if (view.control) {
    view.control.hidden = !(scrub && scrub.control);
    view.control.classList.toggle("lrlab-scrub-big", Boolean(data.fill));
  }
  if (view.key === key) return; // a rerun that sent the same figure: nothing to draw
  view.key = key;
  const spec = JSON.parse(data.spec);
  spec.layout = themed(spec.layout, ink);
  view.fill = data.fill ? spec.layout.height || 0 : 0;
  if (view.fill) spec.layout.height = Math.max(view.fill, room(parentElement));
  view.queue = view.queue
    .then(async () => {
      const Plotly = await loadPlotly(data.src);
      const gd = view.graph;
      const shape = skeleton(spec);
      const names = spec.data.map((trace) => trace.name);
      if (view.skeleton === shape && axesFixed(spec) && relabel(gd, names)) {
        await moveParts(
          gd,
          spec.data.map((_, i) => i),
          spec.data,
          { annotations: spec.layout.annotations || [], shapes: spec.layout.shapes || [] },
        );
        // The skeleton holds the frame names (the animation slider's steps), so each new frame replaces the old
        // frame of its name. (Plotly.deleteFrames never settles in plotly.js 4.1.)
        if (spec.frames) await Plotly.addFrames(gd, spec.frames);
        stats.fast += 1;
      } else {
        const first = view.skeleton === null; // a clean div: nothing drawn yet, or purged after an error
        if (first) gd.replaceChildren(); // an earlier error's message
        await Plotly.react(gd, { data: spec.data, layout: spec.layout, frames: spec.frames, config: CONFIG });
        if (first) {
          holdStalePlay(view);
          gd.on("plotly_click", (event) => {
            const point = event.points && event.points[0];
            if (point && view.clickable) view.setTriggerValue("click", { x: point.x, y: point.y });
          });
          keyboardControls(gd);
        }
        keyboardLabels(gd);
        stats.full += 1;
      }
      view.skeleton = shape;
      if (scrub) {
        view.specIndex = scrub.index; // what the frames now show
        view.stale = false;
        if (view.playOnArrival) {
          view.playOnArrival = false;
          play(gd);
        }
      }
      if (view.fill) {
        setTimeout(() => refit(view), 300);
        if (!view.resizes) {
          view.resizes = true;
          window.addEventListener("resize", () => refit(view));
        }
      }
      // A scene that plays on arrival names its arrival: play once for each (a rerun of the scene does not)
      if (data.autoplay && view.played !== data.autoplay) {
        view.played = data.autoplay;
        play(gd);
      }
    })
    .catch((error) => {
      if (window.Plotly) window.Plotly.purge(view.graph); // drops the chart and its listeners: redrawn from scratch
      view.key = view.skeleton = null;
      view.graph.textContent = `This figure could not be drawn: ${error.message}`;
    });
}
