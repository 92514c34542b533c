// The report form's progressive enhancements. Everything here is optional: the form works
// without JavaScript, and the server is the one that validates.
(function () {
  "use strict";

  // Move focus to the error summary (or the "is it one of these?" panel) after a reload.
  var focusTarget = document.querySelector("[data-focus-on-load]");
  if (focusTarget) focusTarget.focus();

  // Characters left in the description, announced politely.
  document.querySelectorAll("[data-counter-for]").forEach(function (counter) {
    var field = document.getElementById(counter.dataset.counterFor);
    if (!field) return;
    var limit = parseInt(field.getAttribute("maxlength"), 10) || 4000;
    var timer;
    function update() {
      var left = limit - field.value.length;
      counter.textContent = "Quedan " + left.toLocaleString("es-MX") + " de " + limit.toLocaleString("es-MX") + " caracteres.";
    }
    counter.hidden = false;
    field.setAttribute("aria-describedby", (field.getAttribute("aria-describedby") || "") + " " + counter.id);
    update();
    field.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 300); });
  });

  // Colonia: a search box that narrows the long list (name or postal code).
  var colonia = document.getElementById("id_colonia");
  if (colonia) {
    var search = document.createElement("input");
    search.type = "search";
    search.id = "buscar-colonia";
    search.className = "colonia-search";
    search.placeholder = "Buscar colonia o código postal";
    search.setAttribute("aria-label", "Buscar colonia o código postal");
    search.setAttribute("aria-controls", "id_colonia");
    colonia.parentNode.insertBefore(search, colonia);
    // What was picked is said aloud (and shown): typing alone now chooses, so the resident
    // must hear which colonia the report will carry.
    var said = document.createElement("p");
    said.id = "colonia-elegida";
    said.className = "hint";
    said.setAttribute("aria-live", "polite");
    colonia.parentNode.insertBefore(said, colonia.nextSibling);
    var placeholder = colonia.options[0];
    var options = Array.prototype.slice.call(colonia.options, 1);
    var fold = function (text) { return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); };
    // "Coaxustenco (barrio, CP 52140)": the name before the parenthesis, the postal code in it.
    var nameOf = function (option) { return fold(option.text.split(" (")[0].trim()); };
    var codeOf = function (option) { var m = option.text.match(/CP (\d{5})/); return m ? m[1] : ""; };
    search.addEventListener("input", function () {
      var query = fold(search.value.trim());
      var matches = [];
      options.forEach(function (option) {
        var match = !query || fold(option.text).indexOf(query) !== -1;
        option.hidden = !match;
        option.disabled = !match && !option.selected;
        if (match && query) matches.push(option);
      });
      if (!query) { said.textContent = ""; return; }
      if (!matches.length) { said.textContent = "Ninguna colonia coincide con «" + search.value.trim() + "»."; return; }
      // The best match: the colonia with exactly that name or postal code, else the first.
      var best = matches.filter(function (o) { return nameOf(o) === query || codeOf(o) === query; })[0] || matches[0];
      var current = colonia.selectedOptions[0];
      if (!current || current === placeholder || current.hidden) {
        best.selected = true;
        colonia.dispatchEvent(new Event("change", { bubbles: true }));
      }
      var chosen = colonia.selectedOptions[0];
      said.textContent = "Colonia elegida: " + chosen.text + "." +
        (matches.length > 1 ? " Coinciden " + matches.length + "; si no es la suya, elíjala en la lista." : "");
    });
  }

  // A second click while the first submission travels is ignored (the server ignores it too).
  var form = document.querySelector(".report-form");
  if (form) {
    var sending = false;
    form.addEventListener("submit", function (event) {
      if (sending) { event.preventDefault(); return; }
      sending = true;
      setTimeout(function () { sending = false; }, 15000);
    });
  }

  // The map, loaded only when asked for: Leaflet is ~40 kB gzipped, too much to impose on 3G.
  var slot = document.querySelector("[data-map]");
  if (!slot) return;
  slot.hidden = false;
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  var canvas = slot.querySelector("[data-map-canvas]");
  var status = slot.querySelector("[data-map-status]");
  var openButton = slot.querySelector("[data-map-open]");
  var locateButton = slot.querySelector("[data-map-locate]");
  var clearButton = slot.querySelector("[data-map-clear]");
  var map, marker;

  function load(tag, attrs) {
    return new Promise(function (resolve, reject) {
      var el = document.createElement(tag);
      Object.keys(attrs).forEach(function (k) { el[k] = attrs[k]; });
      el.onload = resolve; el.onerror = reject;
      document.head.appendChild(el);
    });
  }

  function place(latlng) {
    var la = latlng.lat.toFixed(6), lo = latlng.lng.toFixed(6);
    lat.value = la; lon.value = lo;
    if (marker) marker.setLatLng(latlng); else marker = window.L.marker(latlng).addTo(map);
    status.textContent = "Punto marcado: " + la + ", " + lo + ".";
    clearButton.hidden = false;
  }

  openButton.addEventListener("click", function () {
    openButton.disabled = true;
    status.textContent = "Cargando el mapa…";
    Promise.all([
      load("link", {rel: "stylesheet", href: slot.dataset.leafletCss}),
      load("script", {src: slot.dataset.leafletJs})
    ]).then(function () {
      var L = window.L;
      canvas.hidden = false;
      openButton.hidden = true;
      locateButton.hidden = !("geolocation" in navigator);
      map = L.map(canvas).setView([19.2474, -99.5883], 13);
      L.tileLayer(slot.dataset.tiles, {maxZoom: 19, attribution: slot.dataset.attribution}).addTo(map);
      fetch(slot.dataset.boundary).then(function (r) { return r.json(); }).then(function (shape) {
        L.geoJSON(shape, {style: {color: "#7a1f3d", weight: 2, fill: false}}).addTo(map);
      }).catch(function () {});
      map.on("click", function (event) { place(event.latlng); });
      if (lat.value && lon.value) place(L.latLng(parseFloat(lat.value), parseFloat(lon.value)));
      status.textContent = lat.value ? status.textContent : "Toque el mapa para marcar el lugar.";
    }).catch(function () {
      openButton.disabled = false;
      status.textContent = "No se pudo cargar el mapa. Basta con la dirección.";
    });
  });

  locateButton.addEventListener("click", function () {
    status.textContent = "Buscando su ubicación…";
    navigator.geolocation.getCurrentPosition(function (position) {
      var latlng = window.L.latLng(position.coords.latitude, position.coords.longitude);
      map.setView(latlng, 17);
      place(latlng);
    }, function () {
      status.textContent = "No pudimos obtener su ubicación. Toque el mapa para marcar el lugar.";
    }, {enableHighAccuracy: true, timeout: 10000});
  });

  clearButton.addEventListener("click", function () {
    lat.value = ""; lon.value = "";
    if (marker) { map.removeLayer(marker); marker = null; }
    clearButton.hidden = true;
    status.textContent = "Punto quitado. Basta con la dirección.";
  });
})();
