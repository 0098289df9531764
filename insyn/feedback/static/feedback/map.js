/* Fault report step 1: lets a pointer user pick the place on the SVG map and offers
   "Använd min position". Everything here is optional: without this file the address field,
   the area list and the coordinate fields do the same job. No inline code (CSP). */
(function () {
  "use strict";
  var picker = document.querySelector("[data-map-picker]");
  if (!picker) { return; }
  var svg = picker.querySelector("svg");
  var latInput = document.getElementById("id_lat");
  var longInput = document.getElementById("id_long");
  var status = picker.querySelector("[data-map-status]");
  var locate = picker.querySelector("[data-map-locate]");
  if (!svg || !latInput || !longInput) { return; }
  var b = {
    minLat: parseFloat(picker.getAttribute("data-min-lat")),
    maxLat: parseFloat(picker.getAttribute("data-max-lat")),
    minLong: parseFloat(picker.getAttribute("data-min-long")),
    maxLong: parseFloat(picker.getAttribute("data-max-long"))
  };
  var box = svg.viewBox.baseVal;
  var pin = null;
  picker.hidden = false;

  function openCoordinates() {
    var details = latInput.closest("details");
    if (details) { details.open = true; }
  }

  function show(lat, long) {
    var x = (long - b.minLong) / (b.maxLong - b.minLong) * box.width;
    var y = (b.maxLat - lat) / (b.maxLat - b.minLat) * box.height;
    if (!pin) {
      pin = document.createElementNS("http://www.w3.org/2000/svg", "circle");
      pin.setAttribute("r", "9");
      pin.setAttribute("class", "map-pin");
      svg.appendChild(pin);
    }
    pin.setAttribute("cx", String(x));
    pin.setAttribute("cy", String(y));
  }

  function choose(lat, long, text) {
    latInput.value = lat.toFixed(6);
    longInput.value = long.toFixed(6);
    openCoordinates();
    show(lat, long);
    if (status) { status.textContent = text + " " + lat.toFixed(5) + ", " + long.toFixed(5); }
  }

  svg.addEventListener("click", function (event) {
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    var matrix = svg.getScreenCTM();
    if (!matrix) { return; }
    var p = point.matrixTransform(matrix.inverse());
    var long = b.minLong + p.x / box.width * (b.maxLong - b.minLong);
    var lat = b.maxLat - p.y / box.height * (b.maxLat - b.minLat);
    choose(lat, long, "Vald plats:");
  });

  var lat0 = parseFloat(latInput.value), long0 = parseFloat(longInput.value);
  if (!isNaN(lat0) && !isNaN(long0)) { show(lat0, long0); }

  if (locate) {
    if (!("geolocation" in navigator)) { locate.hidden = true; return; }
    locate.addEventListener("click", function () {
      if (status) { status.textContent = "Hämtar din position …"; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        choose(pos.coords.latitude, pos.coords.longitude, "Din position:");
      }, function () {
        if (status) { status.textContent = "Positionen kunde inte hämtas. Skriv en adress i stället."; }
      }, { enableHighAccuracy: true, timeout: 10000 });
    });
  }
}());
