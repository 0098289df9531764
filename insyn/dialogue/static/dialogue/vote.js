/* Progressive enhancement for the ballot: a live running total (the page works without it). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-budget]");
  var out = document.getElementById("summa");
  if (!form || !out) { return; }
  var budget = parseInt(form.getAttribute("data-budget"), 10);
  var format = function (n) { return n.toLocaleString("sv-SE"); };
  var update = function () {
    var total = 0;
    form.querySelectorAll("input[data-cost]:checked").forEach(function (box) {
      total += parseInt(box.getAttribute("data-cost"), 10) || 0;
    });
    var text = out.getAttribute("data-template")
      .replace("{total}", format(total)).replace("{amount}", format(budget));
    if (total > budget) { text += " " + out.getAttribute("data-over"); }
    out.textContent = text;
  };
  form.addEventListener("change", update);
  update();
}());
