// A payment block (the register page's payment, the delivery page's cash on
// delivery, the cancellation's refund): only the fields of the chosen method,
// and the change as the clerk types what was handed over (in cents, so
// 20.00 - 12.40 is 7.60, not 7.6000000001). A block is an element with
// data-payment-block (data-due and data-currency where change is given); its
// fields may carry a form prefix (cod-payment_method). No inline script: the
// Content Security Policy runs none without a nonce.
"use strict";
(function () {
  function cents(text) {
    return /^\s*\d+(\.\d{1,2})?\s*$/.test(text || "") ? Math.round(parseFloat(text) * 100) : null;
  }

  function wire(block) {
    const field = (name) => block.querySelector(`[name="${name}"], [name$="-${name}"]`);
    const method = field("payment_method");
    if (!method) return;
    const tendered = field("amount_tendered");
    const output = block.querySelector("output[data-change]");
    const changeRow = block.querySelector("[data-change-row]");

    function showRow(name, shown) {
      const row = block.querySelector(`.field-${name}`);
      if (row) row.hidden = !shown;
    }

    function show() {
      const chosen = method.value;
      showRow("amount_tendered", chosen === "cash");
      showRow("card_last4", chosen === "card");
      showRow("payment_reference", chosen !== "cash" && chosen !== "");
      if (changeRow) changeRow.hidden = chosen !== "cash";
      if (!output || !tendered) return;
      const due = cents(block.dataset.due);
      const given = cents(tendered.value);
      if (due === null) {
        output.textContent = "Get a quote first.";
        return;
      }
      if (given === null) {
        output.textContent = "—";
        return;
      }
      const change = given - due;
      output.textContent =
        change < 0
          ? `${(-change / 100).toFixed(2)} ${block.dataset.currency} short`
          : `${(change / 100).toFixed(2)} ${block.dataset.currency}`;
    }

    method.addEventListener("change", show);
    if (tendered) tendered.addEventListener("input", show);
    show();
  }

  function start() {
    document.querySelectorAll("[data-payment-block]").forEach(wire);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
