/* Street maps (Leaflet, vendored in core/static/vendor/leaflet). Progressive enhancement only:
   every map container starts hidden and the page around it (address field, area list, the list
   of reports) does the same job without JavaScript or without a map. No inline code (CSP).

   <div data-streetmap="pick|points|point|areas" data-tiles=… data-attribution=… data-max-zoom=…
        data-lat=… data-long=… data-zoom=… [data-points="json-script-id"] [data-points-url=…]
        [data-areas-url=…] [data-report-url="/…/NUMBER/"] [data-label=…] hidden>

   pick:   click, drag or move the pin with the arrow keys; fills #id_lat/#id_long and announces
           the position in [data-map-status] (aria-live). "Använd min position" [data-map-locate].
   points: clustered markers with a link to each report.  point: one marker.  areas: districts.
   points with data-viewport: the data URL is asked for the visible part only (bbox, zoom; the
           bbox snapped outwards to a quarter tile so that the public cache sees few distinct
           URLs), again after each move (debounced); above the server's limit the answer is grid
           clusters, drawn as numbered markers that zoom in when chosen. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }

  // The marker images by their static URLs: Leaflet guesses its image folder from leaflet.css,
  // which fails once the static files have hashed names (ManifestStaticFilesStorage).
  (function () {
    var el = document.getElementById("streetmap-texts");
    if (!el || !el.getAttribute("data-icon")) { return; }
    L.Icon.Default.imagePath = "";
    L.Icon.Default.mergeOptions({
      iconUrl: el.getAttribute("data-icon"),
      iconRetinaUrl: el.getAttribute("data-icon-2x"),
      shadowUrl: el.getAttribute("data-shadow")
    });
  }());

  function num(el, name, fallback) {
    var v = parseFloat(el.getAttribute(name));
    return isNaN(v) ? fallback : v;
  }

  function text(key, fallback) {
    var el = document.getElementById("streetmap-texts");
    if (!el) { return fallback; }
    try { return JSON.parse(el.getAttribute("data-texts"))[key] || fallback; } catch (e) { return fallback; }
  }

  function fmt(x) { return x.toFixed(5).replace(".", ","); }

  function baseMap(el) {
    var canvas = el.querySelector("[data-map-canvas]") || el;
    el.hidden = false;
    var map = L.map(canvas, {
      keyboard: true,
      scrollWheelZoom: false,
      maxZoom: num(el, "data-max-zoom", 19)
    }).setView([num(el, "data-lat", 59.8586), num(el, "data-long", 17.6389)], num(el, "data-zoom", 12));
    L.tileLayer(el.getAttribute("data-tiles"), {
      maxZoom: num(el, "data-max-zoom", 19),
      attribution: el.getAttribute("data-attribution") || ""
    }).addTo(map);
    map.attributionControl.setPrefix(false);
    var details = el.closest("details");
    if (details) { details.addEventListener("toggle", function () { map.invalidateSize(); }); }
    var container = map.getContainer();
    container.setAttribute("aria-label", el.getAttribute("data-label") || text("map", "Karta"));
    return map;
  }

  function loadJSON(url, done) {
    var req = new XMLHttpRequest();
    req.open("GET", url);
    req.responseType = "json";
    req.onload = function () { if (req.status === 200 && req.response) { done(req.response); } };
    req.send();
  }

  function addAreas(map, el, fit) {
    var url = el.getAttribute("data-areas-url");
    if (!url) { return; }
    loadJSON(url, function (data) {
      var layer = L.geoJSON(data, {
        interactive: el.getAttribute("data-streetmap") === "areas",
        style: function () { return { color: "#1d4f91", weight: 2, fillOpacity: 0.06 }; },
        onEachFeature: function (feature, lyr) {
          var name = feature.properties && feature.properties.name;
          if (name && el.getAttribute("data-streetmap") === "areas") { lyr.bindTooltip(name); }
        }
      }).addTo(map);
      if (fit && layer.getBounds().isValid()) { map.fitBounds(layer.getBounds()); }
    });
  }

  function reportLink(el, number) {
    var url = el.getAttribute("data-report-url") || "";
    return url.replace("NUMBER", encodeURIComponent(number));
  }

  function popup(el, row, data) {
    var div = document.createElement("div");
    var a = document.createElement("a");
    a.href = reportLink(el, row[2]);
    var category = data.categories ? data.categories[row[3]] : row[3];
    a.textContent = (category || "") + " (" + row[2] + ")";
    div.appendChild(a);
    if (data.statuses && data.statuses[row[4]]) {
      var p = document.createElement("p");
      p.textContent = data.statuses[row[4]];
      div.appendChild(p);
    }
    return div;
  }

  function addPoints(map, el, data) {
    var rows = data.points || [];
    var bounds = rows.map(function (r) { return [r[0], r[1]]; });
    // data-here: the place the resident chose (step 2 of the fault form), drawn apart from the
    // reports and kept in view.
    if (el.hasAttribute("data-here")) {
      var lat = num(el, "data-lat", NaN), long = num(el, "data-long", NaN);
      if (!isNaN(lat) && !isNaN(long)) {
        L.circleMarker([lat, long], { radius: 9, color: "#b3261e", weight: 3, fillOpacity: 0.3 })
          .bindTooltip(el.getAttribute("data-here")).addTo(map);
        bounds.push([lat, long]);
      }
    }
    var group = L.markerClusterGroup ? L.markerClusterGroup({ chunkedLoading: true }) : L.featureGroup();
    var markers = [];
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var m = L.marker([row[0], row[1]], {
        title: (data.categories ? data.categories[row[3]] : "") + " " + row[2],
        alt: (data.categories ? data.categories[row[3]] : "") + " " + row[2]
      });
      m.bindPopup(popup.bind(null, el, row, data));
      markers.push(m);
    }
    group.addLayers ? group.addLayers(markers) : markers.forEach(function (m) { group.addLayer(m); });
    group.addTo(map);
    if (bounds.length && !el.hasAttribute("data-keep-view") && !el.hasAttribute("data-viewport")) {
      map.fitBounds(L.latLngBounds(bounds), { maxZoom: 17, padding: [20, 20] });
    }
    return group;
  }

  function addClusters(map, data) {
    var group = L.featureGroup();
    function zoomIn(marker) { map.setView(marker.getLatLng(), Math.min(map.getZoom() + 2, map.getMaxZoom())); }
    var rows = data.clusters || [];
    for (var i = 0; i < rows.length; i++) {
      var n = rows[i][2];
      var label = n + " " + text("cluster", "felanmälningar här. Välj för att zooma in.");
      var size = n < 100 ? 34 : (n < 1000 ? 40 : 48);
      var m = L.marker([rows[i][0], rows[i][1]], {
        icon: L.divIcon({ className: "map-cluster", html: "", iconSize: [size, size] }),
        title: label
      });
      m.on("add", function () {
        var marker = this, node = this.getElement();
        if (node) {
          node.textContent = String(this.options.count);
          node.setAttribute("aria-label", this.options.title);
          node.setAttribute("role", "button");
          // Enter or Space on the focused cluster zooms in (preventDefault: no second keypress)
          node.addEventListener("keydown", function (e) {
            if (e.key === "Enter" || e.key === " ") { e.preventDefault(); zoomIn(marker); }
          });
        }
      });
      m.options.count = n;
      m.on("click", function () { zoomIn(this); });
      group.addLayer(m);
    }
    return group.addTo(map);
  }

  function viewportPoints(map, el, url) {
    var layer = null, seq = 0, timer = null;
    function snap(v, step, up) { return (up ? Math.ceil(v / step) : Math.floor(v / step)) * step; }
    function load() {
      var zoom = map.getZoom(), b = map.getBounds();
      var step = 360 / Math.pow(2, zoom) / 4;
      var west = Math.max(-180, snap(b.getWest(), step, false));
      var east = Math.min(180, snap(b.getEast(), step, true));
      var south = Math.max(-90, snap(b.getSouth(), step, false));
      var north = Math.min(90, snap(b.getNorth(), step, true));
      var bbox = [west, south, east, north].map(function (v) { return v.toFixed(5); }).join(",");
      var mine = ++seq;
      loadJSON(url + (url.indexOf("?") < 0 ? "?" : "&") + "bbox=" + bbox + "&zoom=" + zoom, function (data) {
        if (mine !== seq) { return; }  // a newer view was asked for meanwhile
        if (layer) { map.removeLayer(layer); }
        layer = (data.clusters && data.clusters.length) ? addClusters(map, data) : addPoints(map, el, data);
      });
    }
    map.on("moveend", function () {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(load, 250);
    });
    // A map in a closed <details> (the staff inbox) asks nothing until it is opened.
    var details = el.closest("details");
    if (details && !details.open) {
      details.addEventListener("toggle", function opened() {
        if (!details.open) { return; }
        details.removeEventListener("toggle", opened);
        load();
      });
    } else {
      load();
    }
  }

  function points(el) {
    var map = baseMap(el);
    addAreas(map, el, false);
    var id = el.getAttribute("data-points");
    if (id) {
      var script = document.getElementById(id);
      if (script) { addPoints(map, el, JSON.parse(script.textContent)); }
    }
    var url = el.getAttribute("data-points-url");
    if (url && el.hasAttribute("data-viewport")) {
      viewportPoints(map, el, url);
    } else if (url) {
      loadJSON(url, function (data) { addPoints(map, el, data); });
    }
    return map;
  }

  function point(el) {
    var map = baseMap(el);
    var lat = num(el, "data-lat", NaN), long = num(el, "data-long", NaN);
    if (!isNaN(lat) && !isNaN(long)) {
      L.marker([lat, long], { keyboard: false, title: el.getAttribute("data-label") || "" }).addTo(map);
      map.setView([lat, long], Math.min(17, num(el, "data-max-zoom", 19)));
    }
    return map;
  }

  function pick(el) {
    var map = baseMap(el);
    addAreas(map, el, false);
    var latInput = document.getElementById("id_lat");
    var longInput = document.getElementById("id_long");
    var status = el.querySelector("[data-map-status]");
    var locate = el.querySelector("[data-map-locate]");
    var marker = null;

    function announce(prefix, ll) {
      if (status) {
        status.textContent = prefix + " " + text("lat", "latitud") + " " + fmt(ll.lat) + ", " +
          text("long", "longitud") + " " + fmt(ll.lng) + ".";
      }
    }

    function fill(ll) {
      if (latInput) { latInput.value = ll.lat.toFixed(6); }
      if (longInput) { longInput.value = ll.lng.toFixed(6); }
      var details = latInput && latInput.closest("details");
      if (details) { details.open = true; }
      el.dispatchEvent(new CustomEvent("streetmap:moved", { bubbles: true, detail: ll }));
    }

    function onKey(event) {
      var step = { ArrowUp: [0, -10], ArrowDown: [0, 10], ArrowLeft: [-10, 0], ArrowRight: [10, 0] }[event.key];
      if (!step || !marker) { return; }
      event.preventDefault();
      event.stopPropagation();
      var factor = event.shiftKey ? 5 : 1;
      var p = map.latLngToContainerPoint(marker.getLatLng());
      var ll = map.containerPointToLatLng(L.point(p.x + step[0] * factor, p.y + step[1] * factor));
      marker.setLatLng(ll);
      if (!map.getBounds().contains(ll)) { map.panTo(ll); }
      fill(ll);
      announce(text("moved", "Markören flyttad till"), ll);
    }

    function place(ll, prefix, focus) {
      if (!marker) {
        marker = L.marker(ll, {
          draggable: true,
          keyboard: true,
          title: text("pin", "Markör för platsen. Flytta med piltangenterna."),
          alt: text("pin", "Markör för platsen. Flytta med piltangenterna.")
        }).addTo(map);
        marker.on("dragend", function () {
          fill(marker.getLatLng());
          announce(text("moved", "Markören flyttad till"), marker.getLatLng());
        });
        marker.getElement().addEventListener("keydown", onKey);
      } else {
        marker.setLatLng(ll);
      }
      fill(ll);
      announce(prefix, ll);
      if (focus) { marker.getElement().focus(); }
    }

    map.on("click", function (e) { place(e.latlng, text("chosen", "Vald plats:"), false); });
    // Enter on the focused map puts the pin in the middle; then the arrow keys move it.
    map.getContainer().addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target === map.getContainer()) {
        event.preventDefault();
        place(map.getCenter(), text("chosen", "Vald plats:"), true);
      }
    });

    var lat0 = latInput ? parseFloat(latInput.value.replace(",", ".")) : NaN;
    var long0 = longInput ? parseFloat(longInput.value.replace(",", ".")) : NaN;
    if (!isNaN(lat0) && !isNaN(long0)) {
      marker = null;
      place(L.latLng(lat0, long0), text("chosen", "Vald plats:"), false);
      map.setView([lat0, long0], 16);
    }

    // Another script (the place search) may set the place: follow it.
    document.addEventListener("streetmap:place", function (event) {
      var ll = L.latLng(event.detail.lat, event.detail.long);
      place(ll, text("chosen", "Vald plats:"), false);
      map.setView(ll, Math.max(map.getZoom(), 16));
    });

    if (locate) {
      if (!("geolocation" in navigator)) {
        locate.hidden = true;
      } else {
        locate.hidden = false;
        locate.addEventListener("click", function () {
          if (status) { status.textContent = text("locating", "Hämtar din position …"); }
          navigator.geolocation.getCurrentPosition(function (pos) {
            var ll = L.latLng(pos.coords.latitude, pos.coords.longitude);
            place(ll, text("yours", "Din position:"), true);
            map.setView(ll, 17);
          }, function () {
            if (status) {
              status.textContent = text("nolocation", "Positionen kunde inte hämtas. Skriv en adress eller välj område i stället.");
            }
          }, { enableHighAccuracy: true, timeout: 10000 });
        });
      }
    }
    return map;
  }

  function areas(el) {
    var map = baseMap(el);
    addAreas(map, el, true);
    return map;
  }

  var modes = { pick: pick, points: points, point: point, areas: areas };
  var els = document.querySelectorAll("[data-streetmap]");
  for (var i = 0; i < els.length; i++) {
    var mode = modes[els[i].getAttribute("data-streetmap")];
    if (mode) { mode(els[i]); }
  }
}());
