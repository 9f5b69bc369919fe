// cxlens dashboard: draws the Vega-Lite specs the server put next to each number. The pages
// work without this file (numbers and tables are HTML); it only adds the charts.
(function () {
  "use strict";
  function draw(root) {
    if (typeof vegaEmbed === "undefined") return;
    (root || document).querySelectorAll("[data-chart]").forEach(function (figure) {
      if (figure.dataset.drawn) return;
      var source = figure.querySelector('script[type="application/json"]');
      var target = figure.querySelector(".vega");
      if (!source || !target) return;
      figure.dataset.drawn = "1";
      vegaEmbed(target, JSON.parse(source.textContent), { actions: false, renderer: "svg" })
        .then(function () { figure.dataset.ready = "1"; })
        .catch(function (err) { target.textContent = "This chart could not be drawn: " + err; });
    });
  }
  if (typeof htmx !== "undefined") {
    htmx.onLoad(function (elt) { draw(elt); });  // the first page and every swapped fragment
  } else {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  }
})();
