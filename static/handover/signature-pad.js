// The delivery page's signature pad: draw with a mouse, a finger or a pen
// (pointer events); each stroke puts the drawing, as a PNG data URL, in the
// hidden field the canvas names (data-signature-input). No dependencies, no
// inline script (the Content Security Policy runs none without a nonce).
"use strict";
(function () {
  function start() {
    const canvas = document.querySelector("canvas[data-signature-input]");
    if (!canvas) return;
    const input = document.getElementById(canvas.dataset.signatureInput);
    const context = canvas.getContext("2d");
    let drawing = false;
    let drawn = false;

    function point(event) {
      const box = canvas.getBoundingClientRect();
      return {
        x: ((event.clientX - box.left) * canvas.width) / box.width,
        y: ((event.clientY - box.top) * canvas.height) / box.height,
      };
    }

    function clear() {
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      input.value = "";
    }

    function save() {
      if (drawn) input.value = canvas.toDataURL("image/png");
    }

    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      const at = point(event);
      context.beginPath();
      context.moveTo(at.x, at.y);
      context.lineTo(at.x + 0.1, at.y + 0.1);
      context.stroke();
      drawn = true;
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      const at = point(event);
      context.lineTo(at.x, at.y);
      context.stroke();
      event.preventDefault();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () {
        if (drawing) save();
        drawing = false;
      });
    });

    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#000";
    const kept = input.value;
    clear();
    if (kept.startsWith("data:image/png;base64,")) {
      // The page came back with an error: the signature already drawn stays.
      const image = new Image();
      image.addEventListener("load", function () {
        context.drawImage(image, 0, 0);
        drawn = true;
        input.value = kept;
      });
      image.src = kept;
    }
    const button = document.getElementById("signature-clear");
    if (button) button.addEventListener("click", clear);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
