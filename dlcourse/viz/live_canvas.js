// The browser half of dlcourse's live canvas (the kernel half: dlcourse/viz/canvas.py).
//
// The kernel pushes frames: a PNG picture and where it goes, {type: "frame", frame, x, y, whole, ask}.
// A whole frame replaces the canvas (and sets its size); any other frame holds only the pixels that
// changed (the rest transparent) and is drawn over the old picture at (x, y). Frames are drawn in the
// order they were sent, none is skipped: each one builds on the one before. Pictures are decoded by
// createImageBitmap, off the page's main thread. When a frame asks ("ask"), the view answers
// {type: "shown", frame} once it has drawn it: the kernel keeps only a few frames unanswered.
// Mouse events over the canvas go to the kernel as matplotlib's WebAgg events (its handlers run them),
// but only the kinds the figure listens to (`_listening`), and motion at most once per display frame.

function render({ model, el }) {
  const canvas = document.createElement("canvas");
  canvas.className = "dlcourse-live-canvas";
  canvas.style.display = "block";
  const context = canvas.getContext("2d");
  const ratio = window.devicePixelRatio || 1; // the kernel renders at this many pixels per CSS pixel

  function setSize(width, height) {
    // width, height: the figure in device pixels; CSS pixels keep it the size matplotlib means
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    canvas.style.width = `${width / ratio}px`;
    canvas.style.height = `${height / ratio}px`;
  }
  const [width, height] = model.get("_size");
  setSize(Math.round(width * ratio), Math.round(height * ratio)); // until the first whole frame arrives
  el.appendChild(canvas);

  // ------------------------------------------------------------------ frames from the kernel
  let drawing = Promise.resolve(); // frames are drawn one after another, in the order they came
  function onMessage(message, buffers) {
    if (message.type !== "frame") return;
    const decoded = createImageBitmap(new Blob([buffers[0]], { type: "image/png" })); // starts decoding now
    drawing = drawing
      .then(async () => {
        const picture = await decoded;
        if (message.whole) {
          setSize(picture.width, picture.height); // also clears the canvas
          context.clearRect(0, 0, canvas.width, canvas.height);
        }
        context.drawImage(picture, message.x, message.y);
        picture.close();
      })
      .catch((error) => console.error("dlcourse live canvas: a frame could not be drawn", error))
      .then(() => {
        if (message.ask) model.send({ type: "shown", frame: message.frame });
      });
  }
  model.on("msg:custom", onMessage);

  // ------------------------------------------------------------------ mouse events to the kernel
  function mouseEvent(type, event) {
    const box = canvas.getBoundingClientRect();
    const modifiers = ["ctrl", "alt", "shift", "meta"].filter((key) => event[`${key}Key`]);
    return {
      type,
      x: ((event.clientX - box.left) * canvas.width) / box.width, // device pixels from the left
      y: ((event.clientY - box.top) * canvas.height) / box.height, // device pixels from the top
      button: event.button,
      buttons: event.buttons,
      modifiers,
    };
  }
  let motion = null; // the newest motion not sent yet
  const listeners = [];
  function listen(domType, type) {
    const handler = (event) => {
      if (!model.get("_listening").includes(type)) return;
      if (type !== "motion_notify") {
        model.send(mouseEvent(type, event));
        return;
      }
      const waiting = motion !== null;
      motion = mouseEvent(type, event);
      if (!waiting) {
        requestAnimationFrame(() => {
          model.send(motion);
          motion = null;
        });
      }
    };
    canvas.addEventListener(domType, handler);
    listeners.push([domType, handler]);
  }
  listen("mousedown", "button_press");
  listen("mouseup", "button_release");
  listen("mousemove", "motion_notify");

  model.send({ type: "view", device_pixel_ratio: ratio }); // a new view: the kernel sends a whole frame
  return () => {
    model.off("msg:custom", onMessage);
    for (const [domType, handler] of listeners) canvas.removeEventListener(domType, handler);
    try {
      model.send({ type: "closing" }); // the kernel stops drawing for this view
    } catch (error) {
      // the widget itself is gone (its comm closed): nothing to tell
    }
  };
}

export default { render };
