/* "Sök plats" on the fault form: without this file the button reloads the page with the places
   found as links. With it, the places come from platser.json and appear as buttons in the same
   live region; choosing one fills the address and the coordinates and moves the map's pin. */
(function () {
  "use strict";
  var button = document.querySelector("[data-place-search]");
  var region = document.querySelector("[data-place-results]");
  var address = document.getElementById("id_address_text");
  if (!button || !region || !address) { return; }
  var texts = {};
  try { texts = JSON.parse(document.getElementById("streetmap-texts").getAttribute("data-texts")); } catch (e) { texts = {}; }
  function t(key, fallback) { return texts[key] || fallback; }

  function choose(place) {
    address.value = place.label;
    var lat = document.getElementById("id_lat"), long = document.getElementById("id_long");
    if (lat) { lat.value = place.lat.toFixed(6); }
    if (long) { long.value = place.long.toFixed(6); }
    document.dispatchEvent(new CustomEvent("streetmap:place", { detail: place }));
    region.textContent = "";
    var p = document.createElement("p");
    p.textContent = t("placechosen", "Vald plats:") + " " + place.label;
    region.appendChild(p);
    address.focus();
  }

  function show(data) {
    region.textContent = "";
    var results = data.results || [];
    var p = document.createElement("p");
    p.textContent = results.length
      ? results.length + " " + t("found", "träffar. Välj den som stämmer:")
      : t("nothing", "Ingen plats hittades. Skriv på ett annat sätt, välj område i listan eller beskriv platsen med egna ord.");
    region.appendChild(p);
    if (data.geocoder_failed) {
      var n = document.createElement("p");
      n.className = "notice";
      n.textContent = t("geocoderdown", "Adresstjänsten svarar inte just nu. Träffarna kommer från kommunens eget platsregister.");
      region.appendChild(n);
    }
    var ul = document.createElement("ul");
    ul.className = "plain";
    results.forEach(function (place) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "button button--secondary";
      b.textContent = place.label;
      b.addEventListener("click", function () { choose(place); });
      li.appendChild(b);
      ul.appendChild(li);
    });
    region.appendChild(ul);
  }

  button.addEventListener("click", function (event) {
    event.preventDefault();
    var q = address.value.trim();
    if (!q) { address.focus(); return; }
    region.textContent = t("searching", "Söker …");
    var req = new XMLHttpRequest();
    req.open("GET", button.getAttribute("data-url") + "?q=" + encodeURIComponent(q));
    req.responseType = "json";
    req.timeout = 8000;
    req.onload = function () { if (req.status === 200 && req.response) { show(req.response); } else { button.form.requestSubmit(button); } };
    req.onerror = req.ontimeout = function () { region.textContent = t("nothing", "Ingen plats hittades."); };
    req.send();
  });
}());
