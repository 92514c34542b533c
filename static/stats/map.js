// The public map of reports (/mapa/). Optional: the list beside it has the same reports and
// works without JavaScript. The server clusters (stats/publicmap.py); this only draws what
// it answers for the view: clusters as numbered circles, reports as dots linked to their page.
(function () {
  "use strict";
  var slot = document.querySelector("[data-public-map]");
  if (!slot) return;
  var canvas = slot.querySelector("[data-map-canvas]");
  var status = slot.querySelector("[data-map-status]");
  var legend = slot.querySelector("[data-map-legend]");
  var noscript = slot.querySelector("[data-map-noscript]");
  var filters = new URLSearchParams(window.location.search);
  var wanted = {};
  ["servicio", "estado", "colonia"].forEach(function (name) { if (filters.get(name)) wanted[name] = filters.get(name); });

  function load(tag, attrs) {
    return new Promise(function (resolve, reject) {
      var el = document.createElement(tag);
      Object.keys(attrs).forEach(function (k) { el[k] = attrs[k]; });
      el.onload = resolve; el.onerror = reject;
      document.head.appendChild(el);
    });
  }

  function plural(n, one, many) { return n.toLocaleString("es-MX") + " " + (n === 1 ? one : many); }

  Promise.all([
    load("link", {rel: "stylesheet", href: slot.dataset.leafletCss}),
    load("script", {src: slot.dataset.leafletJs})
  ]).then(function () {
    var L = window.L;
    noscript.hidden = true;
    canvas.hidden = false;
    legend.hidden = false;
    var map = L.map(canvas, {minZoom: 11, maxZoom: 19, zoomControl: false}).setView([19.2474, -99.5883], 13);
    L.control.zoom({zoomInTitle: "Acercar", zoomOutTitle: "Alejar"}).addTo(map);
    L.tileLayer(slot.dataset.tiles, {maxZoom: 19, attribution: slot.dataset.attribution}).addTo(map);
    fetch(slot.dataset.boundary).then(function (r) { return r.json(); }).then(function (shape) {
      L.geoJSON(shape, {style: {color: "#7a1f3d", weight: 2, fill: false}, interactive: false}).addTo(map);
    }).catch(function () {});
    var layer = L.layerGroup().addTo(map);
    var asked = 0;

    function cluster(group) {
      var size = group.reportes < 10 ? 30 : group.reportes < 100 ? 38 : group.reportes < 1000 ? 46 : 54;
      var label = plural(group.reportes, "reporte", "reportes") + " en esta zona; acercar el mapa";
      var marker = L.marker([group.latitud, group.longitud], {
        title: label, alt: label,
        icon: L.divIcon({className: "", html: '<span class="map-cluster">' + group.reportes.toLocaleString("es-MX") + "</span>",
                         iconSize: [size, size]})
      });
      marker.on("click", function () { map.setView(marker.getLatLng(), Math.min(map.getZoom() + 2, 19)); });
      return marker;
    }

    function point(p) {
      var label = "Folio " + p.folio + ": " + p.servicio + ", " + p.estado_nombre.toLowerCase();
      var marker = L.marker([p.latitud, p.longitud], {
        title: label, alt: label,
        icon: L.divIcon({className: "", html: '<span class="map-point map-point-' + p.estado_publico + '"></span>',
                         iconSize: [18, 18]})
      });
      marker.on("click", function () { window.location.href = p.url; });
      return marker;
    }

    function refresh() {
      var b = map.getBounds();
      var params = new URLSearchParams(wanted);
      params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(","));
      params.set("zoom", map.getZoom());
      var ticket = ++asked;
      fetch(slot.dataset.points + "?" + params.toString()).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(function (answer) {
        if (ticket !== asked) return;  // an older view's answer arriving late
        layer.clearLayers();
        answer.grupos.forEach(function (g) { layer.addLayer(cluster(g)); });
        answer.puntos.forEach(function (p) { layer.addLayer(point(p)); });
        status.textContent = answer.reportes ? plural(answer.reportes, "reporte", "reportes") + " en esta vista" +
          (answer.grupos.length ? "; los números son grupos: acerque el mapa para ver cada reporte." : ".") :
          "No hay reportes en esta vista.";
      }).catch(function () {
        if (ticket === asked) status.textContent = "No se pudieron cargar los reportes del mapa. La lista tiene los mismos.";
      });
    }
    map.on("moveend", refresh);
    refresh();
  }).catch(function () {
    status.textContent = "No se pudo cargar el mapa. La lista tiene los mismos reportes.";
  });
})();
