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

  // Where: a point is optional (the address is enough). It comes from the map, from the
  // phone's location or from a photo's GPS, and places the colonias of its locality first.
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
  locateButton.hidden = !("geolocation" in navigator);

  function load(tag, attrs) {
    return new Promise(function (resolve, reject) {
      var el = document.createElement(tag);
      Object.keys(attrs).forEach(function (k) { el[k] = attrs[k]; });
      el.onload = resolve; el.onerror = reject;
      document.head.appendChild(el);
    });
  }

  // The colonias of the point's locality go first, in a group of their own; the rest stay.
  function suggestColonias(la, lo) {
    if (!colonia || !slot.dataset.place) return;
    fetch(slot.dataset.place + "?lat=" + la + "&lon=" + lo).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (!answer || !answer.locality || !answer.colonias.length) return;
        var old = colonia.querySelector("optgroup[data-near]");
        if (old) {
          Array.prototype.slice.call(old.children).forEach(function (o) { colonia.querySelector("optgroup[data-rest]").appendChild(o); });
          old.remove();
        }
        var rest = colonia.querySelector("optgroup[data-rest]");
        if (!rest) {
          rest = document.createElement("optgroup");
          rest.label = "Todas las colonias";
          rest.dataset.rest = "";
          Array.prototype.slice.call(colonia.options, 1).forEach(function (o) { rest.appendChild(o); });
          colonia.appendChild(rest);
        }
        var near = document.createElement("optgroup");
        near.label = "Cerca de su punto, en " + answer.locality.name;
        near.dataset.near = "";
        answer.colonias.forEach(function (id) {
          var option = rest.querySelector('option[value="' + id + '"]');
          if (option) near.appendChild(option);
        });
        colonia.insertBefore(near, rest);
        var said = document.getElementById("colonia-elegida");
        if (said && !colonia.value) {
          said.textContent = "Su punto está en " + answer.locality.name + ": pusimos primero " +
            (near.children.length === 1 ? "su colonia" : "sus " + near.children.length + " colonias") + " en la lista.";
        }
      }).catch(function () {});
  }

  function place(la, lo, how) {
    la = Number(la).toFixed(6); lo = Number(lo).toFixed(6);
    lat.value = la; lon.value = lo;
    if (map) {
      var latlng = window.L.latLng(parseFloat(la), parseFloat(lo));
      if (marker) marker.setLatLng(latlng); else marker = window.L.marker(latlng).addTo(map);
      map.setView(latlng, Math.max(map.getZoom(), 16));
    }
    status.textContent = (how || "Punto marcado") + ": " + la + ", " + lo + ".";
    clearButton.hidden = false;
    suggestColonias(la, lo);
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
      map = L.map(canvas).setView([19.2474, -99.5883], 13);
      L.tileLayer(slot.dataset.tiles, {maxZoom: 19, attribution: slot.dataset.attribution}).addTo(map);
      fetch(slot.dataset.boundary).then(function (r) { return r.json(); }).then(function (shape) {
        L.geoJSON(shape, {style: {color: "#7a1f3d", weight: 2, fill: false}}).addTo(map);
      }).catch(function () {});
      map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng); });
      if (lat.value && lon.value) place(lat.value, lon.value);
      else status.textContent = "Toque el mapa para marcar el lugar.";
    }).catch(function () {
      openButton.disabled = false;
      status.textContent = "No se pudo cargar el mapa. Basta con la dirección.";
    });
  });

  locateButton.addEventListener("click", function () {
    status.textContent = "Buscando su ubicación…";
    navigator.geolocation.getCurrentPosition(function (position) {
      place(position.coords.latitude, position.coords.longitude, "Usamos su ubicación actual");
    }, function () {
      status.textContent = "No pudimos obtener su ubicación. Marque el lugar en el mapa o basta con la dirección.";
    }, {enableHighAccuracy: true, timeout: 10000});
  });

  clearButton.addEventListener("click", function () {
    lat.value = ""; lon.value = "";
    if (marker) { map.removeLayer(marker); marker = null; }
    clearButton.hidden = true;
    status.textContent = "Punto quitado. Basta con la dirección.";
  });

  // A photo taken on the spot often carries where it was taken. Read here, before upload, and
  // only offered: the resident decides. The server strips it from the photo either way.
  var photoInput = document.getElementById("id_photos");
  var offer = document.querySelector("[data-photo-place]");
  if (photoInput && offer && window.DataView) {
    var useButton = offer.querySelector("button");
    var offerText = offer.querySelector("[data-photo-place-text]");
    var found = null;
    photoInput.addEventListener("change", function () {
      offer.hidden = true;
      var files = Array.prototype.slice.call(photoInput.files || []);
      files.reduce(function (chain, file) {
        return chain.then(function (point) { return point || gpsOf(file); });
      }, Promise.resolve(null)).then(function (point) {
        if (!point) return;
        found = point;
        offerText.textContent = "Su foto trae el lugar donde se tomó (" + point.lat.toFixed(5) + ", " +
          point.lon.toFixed(5) + "). ¿Lo usamos como punto del reporte?";
        offer.hidden = false;
      });
    });
    useButton.addEventListener("click", function () {
      if (!found) return;
      place(found.lat, found.lon, "Usamos el lugar de su foto");
      offer.hidden = true;
    });
  }

  // Latitude and longitude from a JPEG's EXIF GPS block (the only tags needed: 1–4), or null.
  // A few dozen lines rather than a library: the report page must stay small on 3G.
  function gpsOf(file) {
    if (!/jpe?g$/i.test(file.type) && !/\.jpe?g$/i.test(file.name)) return Promise.resolve(null);
    return file.slice(0, 256 * 1024).arrayBuffer().then(function (buffer) {
      var view = new DataView(buffer);
      if (view.byteLength < 4 || view.getUint16(0) !== 0xFFD8) return null;
      var offset = 2;
      while (offset + 4 <= view.byteLength) {
        var marker = view.getUint16(offset);
        var size = view.getUint16(offset + 2);
        if (marker === 0xFFE1 && view.getUint32(offset + 4) === 0x45786966) return fromTiff(view, offset + 10);
        if ((marker & 0xFF00) !== 0xFF00 || marker === 0xFFDA) return null;
        offset += 2 + size;
      }
      return null;
    }).catch(function () { return null; });
  }

  function fromTiff(view, tiff) {
    var little = view.getUint16(tiff) === 0x4949;
    var u16 = function (at) { return view.getUint16(at, little); };
    var u32 = function (at) { return view.getUint32(at, little); };
    function entries(ifd) {
      var found = {};
      var count = u16(ifd);
      for (var i = 0; i < count; i++) {
        var entry = ifd + 2 + i * 12;
        found[u16(entry)] = entry;
      }
      return found;
    }
    var ifd0 = entries(tiff + u32(tiff + 4));
    if (!ifd0[0x8825]) return null;
    var gps = entries(tiff + u32(ifd0[0x8825] + 8));
    if (!gps[1] || !gps[2] || !gps[3] || !gps[4]) return null;
    function degrees(entry) {
      var at = tiff + u32(entry + 8), total = 0;
      for (var i = 0; i < 3; i++) {
        var den = u32(at + i * 8 + 4);
        total += den ? u32(at + i * 8) / den / Math.pow(60, i) : 0;
      }
      return total;
    }
    var ref = function (entry) { return String.fromCharCode(view.getUint8(entry + 8)); };
    var la = degrees(gps[2]) * (ref(gps[1]) === "S" ? -1 : 1);
    var lo = degrees(gps[4]) * (ref(gps[3]) === "W" ? -1 : 1);
    if (!isFinite(la) || !isFinite(lo) || (la === 0 && lo === 0)) return null;
    return { lat: la, lon: lo };
  }

  // "Revisar y enviar" from Mis reportes: a report kept offline that the server questioned
  // comes back into this form, photos included, with its own submission key.
  var draft = new URLSearchParams(location.search).get("borrador");
  if (draft && form && window.MetepecApp) {
    var kept;
    window.MetepecApp.store().then(function (store) { kept = store; return store.get(store.PENDING, draft); }).then(function (item) {
      if (!item) return;
      item.fields.forEach(function (pair) {
        if (pair[0] === "csrfmiddlewaretoken") return;
        var field = form.elements[pair[0]];
        if (!field) return;
        if (field instanceof RadioNodeList || field.type === "checkbox" || field.type === "radio") {
          form.querySelectorAll('[name="' + pair[0] + '"]').forEach(function (f) { if (f.value === pair[1]) f.checked = true; });
        } else {
          field.value = pair[1];
        }
      });
      if (item.photos.length && photoInput && window.DataTransfer) {
        var files = new DataTransfer();
        item.photos.forEach(function (p) { files.items.add(new File([p.blob], p.name, { type: p.type })); });
        photoInput.files = files.files;
      }
      if (lat.value && lon.value) place(lat.value, lon.value);
      var note = document.createElement("p");
      note.className = "notice";
      note.setAttribute("role", "status");
      note.textContent = "Recuperamos el reporte que guardó sin conexión. " + item.problem + " Revise y envíe.";
      form.insertBefore(note, form.firstChild);
      // Sent from here, it no longer waits on the phone (if this send fails for lack of
      // network, the worker keeps it again).
      form.addEventListener("submit", function () { kept.remove(kept.PENDING, draft); });
    });
  }
})();
