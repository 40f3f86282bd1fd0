// LR Lab's quiz keeper: a Streamlit v2 component that keeps a student's quiz in the browser's localStorage, so
// a reload (F5), a dropped connection or a restarted server loses nothing.
//
// data: {save: the quiz as JSON to store, or null while the server has not yet heard what was stored}.
// Once per page load it sends what is stored (or null) as the trigger "restore"; every later run that carries
// `save` writes it. Nothing else leaves the browser.
const KEY = "lrlab.quiz.v1";

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  if (!parentElement.__lrlabStore) {
    parentElement.__lrlabStore = true;
    let stored = null;
    try {
      stored = window.localStorage.getItem(KEY);
    } catch (error) {
      stored = null; // storage disabled (private mode): the quiz then lasts as long as the session
    }
    setTriggerValue("restore", stored);
  }
  if (data && typeof data.save === "string") {
    try {
      window.localStorage.setItem(KEY, data.save);
    } catch (error) {
      // full or disabled: nothing to do
    }
  }
}
