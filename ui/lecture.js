// A lecture's keys, and the link between the projector and the presenter view (ui/lecture.py).
//
// Keys (on the page, never while the focus is in a text field or on a control): Right arrow and PageDown go to
// the next scene, Left arrow and PageUp to the previous one (what presentation clickers send), Home and End to the
// first and last; Space plays or pauses the figure (ui/plot.js). A move is sent to the server as the trigger
// "go" with the scene wanted.
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
    const { scene, total } = hub.data;
    let to = null;
    if (event.key === "ArrowRight" || event.key === "PageDown") to = scene + 1;
    else if (event.key === "ArrowLeft" || event.key === "PageUp") to = scene - 1;
    else if (event.key === "Home") to = 1;
    else if (event.key === "End") to = total;
    else if (event.key === " " || event.key === "Spacebar") {
      if (window.__lrlabTogglePlay && window.__lrlabTogglePlay()) event.preventDefault();
      return;
    } else return;
    event.preventDefault();
    to = Math.max(1, Math.min(total, to));
    if (to !== scene && to !== hub.pending) move(to, Date.now());
  });
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
