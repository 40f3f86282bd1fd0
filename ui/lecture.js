// A lecture's keys, and the link between the projector and the presenter view (ui/lecture.py).
//
// Keys (on the page, never while the focus is in a text field or on a control): Right arrow and PageDown go to
// the next scene, Left arrow and PageUp to the previous one (what presentation clickers send), Home and End to the
// first and last; Space plays or pauses the figure (ui/plot.js); B or "." blacks the screen out until the next
// key, F toggles full screen, as in reveal.js. A move is sent to the server as the trigger "go" with the scene
// wanted.
//
// The two windows are two tabs of one browser, so they talk over a BroadcastChannel, not through the server:
// each says where it is whenever it draws a scene ({lecture, scene, t}), and the other follows a newer move.
// `t` is when the move was made (the time of the key press or click, kept in sessionStorage across the page
// switches of one tab), so a stale message never drags a window back.

const CHANNEL = "lrlab-lecture";
const INTERACTIVE =
  "input, textarea, select, button, a[href], [contenteditable=''], [contenteditable='true'], [role=slider], " +
  "[role=combobox], [role=listbox], [role=option], [role=radio], [role=checkbox], [role=switch], [role=spinbutton], " +
  "[role=tab], [role=menuitem], .updatemenu-button, .slider-container";

const hub = (window.__lrlabLecture = window.__lrlabLecture || { data: null, set: null, element: null });

function moved() {
  return Number(sessionStorage.getItem("lrlab.lecture.t") || 0);
}

function move(to, t) {
  sessionStorage.setItem("lrlab.lecture.t", String(t));
  hub.pending = to;
  hub.set("go", to);
}

function live() {
  return hub.data && hub.element && hub.element.isConnected;
}

if (!window.__lrlabLectureKeys) {
  window.__lrlabLectureKeys = true;
  hub.channel = new BroadcastChannel(CHANNEL);
  hub.channel.onmessage = (event) => {
    const m = event.data || {};
    if (!live() || m.lecture !== hub.data.lecture || !(m.t > moved())) return;
    if (m.scene !== hub.data.scene) move(m.scene, m.t);
    else sessionStorage.setItem("lrlab.lecture.t", String(m.t));
  };
  document.addEventListener("keydown", (event) => {
    if (!live() || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target && target.closest && target.closest(INTERACTIVE)) return;
    const { total } = hub.data;
    // where we are: a move asked for and not yet drawn, else the address bar (it changes as soon as the server
    // switches scene; the component's own data may still be the last scene's)
    const here = Number(new URLSearchParams(location.search).get("scene")) || hub.data.scene;
    const scene = hub.pending ?? here;
    let to = null;
    if (event.key === "ArrowRight" || event.key === "PageDown") to = scene + 1;
    else if (event.key === "ArrowLeft" || event.key === "PageUp") to = scene - 1;
    else if (event.key === "Home") to = 1;
    else if (event.key === "End") to = total;
    else if (event.key === " " || event.key === "Spacebar") {
      if (window.__lrlabTogglePlay && window.__lrlabTogglePlay()) event.preventDefault();
      return;
    } else if (event.key === "b" || event.key === "B" || event.key === ".") {
      blackout(); // reveal.js's pause: the screen goes black until the next key
      event.preventDefault();
      return;
    } else if (event.key === "f" || event.key === "F") {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen().catch(() => {});
      event.preventDefault();
      return;
    } else return;
    event.preventDefault();
    to = Math.max(1, Math.min(total, to));
    if (to !== scene) move(to, Date.now());
  });
}

// B or "." (what a clicker's "blank screen" button sends): a black screen over the page, gone at the next key
// or click, so the hall looks at the speaker.
function blackout() {
  const veil = document.createElement("div");
  veil.className = "lrlab-blackout";
  veil.setAttribute("role", "presentation");
  veil.style.cssText = "position:fixed;inset:0;background:#000;z-index:2147483647";
  const lift = (event) => {
    event.preventDefault();
    event.stopPropagation();
    veil.remove();
    document.removeEventListener("keydown", lift, true);
  };
  veil.addEventListener("click", lift);
  // a capture listener added while the B's own keydown bubbles does not hear that keydown: only the next one
  document.addEventListener("keydown", lift, true);
  document.body.appendChild(veil);
}

function timer(parent) {
  let clock = parent.querySelector(".lrlab-timer");
  if (clock) return;
  if (!sessionStorage.getItem("lrlab.lecture.start")) sessionStorage.setItem("lrlab.lecture.start", String(Date.now()));
  const box = document.createElement("div");
  box.style.cssText = "display:flex;gap:1rem;align-items:center;font-size:2rem;font-variant-numeric:tabular-nums";
  clock = document.createElement("span");
  clock.className = "lrlab-timer";
  clock.setAttribute("role", "timer");
  clock.setAttribute("aria-label", "time since the lecture began");
  const reset = document.createElement("button");
  reset.type = "button";
  reset.textContent = "Reset the timer";
  reset.style.cssText = "font-size:1rem;padding:0.3rem 0.8rem";
  reset.onclick = () => sessionStorage.setItem("lrlab.lecture.start", String(Date.now()));
  box.append(clock, reset);
  parent.appendChild(box);
  const tick = () => {
    const s = Math.max(0, Math.floor((Date.now() - Number(sessionStorage.getItem("lrlab.lecture.start"))) / 1000));
    const two = (n) => String(n).padStart(2, "0");
    clock.textContent = `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
  };
  tick();
  setInterval(tick, 1000);
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const arrived = !hub.data || hub.data.lecture !== data.lecture || hub.data.scene !== data.scene;
  const followed = hub.pending === data.scene; // a move this script asked for (a key, the other window)
  hub.data = data;
  hub.set = setTriggerValue;
  hub.element = parentElement;
  hub.pending = null;
  if (data.role === "presenter") timer(parentElement);
  if (arrived) {
    let t = moved();
    if (!followed) {
      t = Date.now(); // a button, a link, a reload: a move made here, now
      sessionStorage.setItem("lrlab.lecture.t", String(t));
    }
    hub.channel.postMessage({ lecture: data.lecture, scene: data.scene, t });
  }
}
