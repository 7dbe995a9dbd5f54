// The beltwatch dashboard: sign-in with a token, the belt's map (basemap from the embedded
// Natural Earth files, sectors coloured by level, events clustered by category), filters
// kept in the URL, a weekly timeline, event, sector, alert and search panels, English and
// Russian. Plain browser JavaScript over the JSON API; no build step.
"use strict";

(function () {
  const I = window.BW_I18N;
  const t = I.t;

  const CATEGORIES = [
    "terrorism",
    "border_incident",
    "weapons_trafficking",
    "drug_trafficking",
    "illegal_migration",
    "cooperation",
    "statement",
  ];
  const THREATS = CATEGORIES.slice(0, 5);
  // Okabe–Ito colours: told apart with the common colour-vision deficiencies.
  const CATEGORY_COLOUR = {
    terrorism: "#D55E00",
    border_incident: "#E69F00",
    weapons_trafficking: "#3d3d3d",
    drug_trafficking: "#009E73",
    illegal_migration: "#0072B2",
    cooperation: "#56B4E9",
    statement: "#CC79A7",
  };
  const LEVELS = ["low", "medium", "high", "critical"];
  const LEVEL_COLOUR = { low: "#f2d74e", medium: "#f39c34", high: "#c43d12", critical: "#8e1010" };
  const QUIET_COLOUR = "#c9d3c4";
  const REGION = [
    [29.0, 60.4],
    [39.4, 75.2],
  ];
  const ACTOR_PAGES = 20;
  const TOKEN_KEY = "bw.token";
  const LANG_KEY = "bw.lang";

  // ---- Small helpers ----

  const $ = (id) => document.getElementById(id);

  /** An element: `el("p", { class: "x", "data-testid": "y", onclick: f }, "text", child)`. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const svgNS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(svgNS, tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children.flat()) if (child) node.append(child);
    return node;
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const locale = () => (I.lang === "ru" ? "ru-RU" : "en-GB");
  const number = (n, digits) =>
    new Intl.NumberFormat(locale(), { maximumFractionDigits: digits === undefined ? 0 : digits }).format(n);

  function formatDate(value) {
    if (!value) return t("event.unknown");
    const date = new Date(value.length === 10 ? value + "T00:00:00Z" : value);
    if (Number.isNaN(date.getTime())) return value;
    return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeZone: "UTC" }).format(date);
  }

  function formatInstant(value) {
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) return value || "";
    return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(date);
  }

  /** A document's publication as precisely as it is known: a time, a day, a month or a year. */
  function formatPublished(when) {
    if (!when || !when.at) return "";
    const date = new Date(when.at);
    if (Number.isNaN(date.getTime())) return when.at;
    const utc = (options) => new Intl.DateTimeFormat(locale(), { ...options, timeZone: "UTC" }).format(date);
    switch (when.precision) {
      case "year":
        return utc({ year: "numeric" });
      case "month":
        return utc({ year: "numeric", month: "long" });
      case "day":
      case "week":
        return formatDate(when.at.slice(0, 10));
      default:
        return formatInstant(when.at);
    }
  }

  const categoryName = (c) => (I.has("category." + c) ? t("category." + c) : c);
  const typeName = (x) => (I.has("type." + x) ? t("type." + x) : String(x).replace(/_/g, " "));
  const levelName = (l) => (I.has("level." + l) ? t("level." + l) : l);
  const countryName = (c) => (c && I.has("country." + c) ? t("country." + c) : c || "");

  function chip(kind, value, label) {
    return el("span", { class: `chip ${kind}-${value}`, "data-value": value }, label);
  }

  function categoryChip(c) {
    const node = chip("cat", c, categoryName(c));
    node.style.setProperty("--c", CATEGORY_COLOUR[c] || "#777");
    return node;
  }

  function levelChip(level, testid) {
    const node = chip("level", level, levelName(level));
    if (testid) node.setAttribute("data-testid", testid);
    return node;
  }

  /** Day number (days since 1970-01-01) of a `YYYY-MM-DD` date. */
  function dayOf(date) {
    return Math.floor(Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / 86400000);
  }

  function dateOfDay(day) {
    return new Date(day * 86400000).toISOString().slice(0, 10);
  }

  /** The Monday of a day's week. */
  const weekOf = (day) => day - ((day + 3) % 7);

  // ---- State ----

  const state = {
    token: sessionStorage.getItem(TOKEN_KEY),
    me: null,
    filters: emptyFilters(),
    show: "",
    q: "",
    // Events: the GeoJSON features and columns derived from them once.
    features: null,
    categoryOf: null,
    dayOfEvent: null,
    markers: null,
    shown: [],
    actorIds: null,
    actorTruncated: false,
    sectors: null,
    sectorLayers: new Map(),
    alerts: [],
    alertsLoaded: false,
    showClosed: false,
    panelSeq: 0,
    rerender: null,
    lastFocus: null,
    tab: "timeline",
  };

  function emptyFilters() {
    return { since: "", until: "", categories: [], actor: "", country: "", sector: "", colour: "overall" };
  }

  // ---- The URL: filters and the open panel, so that a view can be shared ----

  function readHash() {
    const q = new URLSearchParams(location.hash.replace(/^#/, ""));
    const f = emptyFilters();
    const date = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v || "") ? v : "");
    f.since = date(q.get("since"));
    f.until = date(q.get("until"));
    f.categories = (q.get("category") || "").split(",").filter((c) => CATEGORIES.includes(c));
    f.actor = (q.get("actor") || "").trim();
    f.country = (q.get("country") || "").toUpperCase();
    f.sector = (q.get("sector") || "").toUpperCase();
    const colour = q.get("colour") || "overall";
    f.colour = colour === "overall" || THREATS.includes(colour) ? colour : "overall";
    state.filters = f;
    state.show = q.get("show") || "";
  }

  function hashOf() {
    const f = state.filters;
    const q = new URLSearchParams();
    if (f.since) q.set("since", f.since);
    if (f.until) q.set("until", f.until);
    if (f.categories.length) q.set("category", f.categories.join(","));
    if (f.actor) q.set("actor", f.actor);
    if (f.country) q.set("country", f.country);
    if (f.sector) q.set("sector", f.sector);
    if (f.colour !== "overall") q.set("colour", f.colour);
    if (state.show) q.set("show", state.show);
    const text = q.toString();
    return text ? "#" + text : location.pathname;
  }

  function writeHash(push) {
    const next = hashOf();
    if (next === (location.hash || location.pathname)) return;
    if (push) history.pushState(null, "", next);
    else history.replaceState(null, "", next);
  }

  // ---- The API ----

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(path, options) {
    const opts = options || {};
    let response;
    try {
      response = await fetch(path, {
        method: opts.method || "GET",
        headers: { Authorization: "Bearer " + (opts.token || state.token), Accept: "application/json" },
        signal: opts.signal,
      });
    } catch (e) {
      if (e.name === "AbortError") throw e;
      throw new ApiError(0, t("error.network"));
    }
    if (response.status === 401 && !opts.token) {
      expire();
      throw new ApiError(401, t("signin.expired"));
    }
    if (!response.ok) {
      let title = response.statusText;
      try {
        const problem = await response.json();
        title = problem.detail || problem.title || title;
        if (Array.isArray(problem.errors) && problem.errors.length)
          title += ": " + problem.errors.map((e) => `${e.field} ${e.message}`).join("; ");
      } catch (_) {
        // Not a problem document: the status says enough.
      }
      if (response.status === 403) title = t("error.forbidden");
      throw new ApiError(response.status, t("error.server", { status: response.status, title }));
    }
    if (response.status === 204) return null;
    return response.json();
  }

  // ---- Sign-in ----

  function showSignin(message) {
    $("app").hidden = true;
    $("signin").hidden = false;
    const error = $("signin-error");
    error.hidden = !message;
    error.textContent = message || "";
    $("signin-token").focus();
  }

  async function signin(event) {
    event.preventDefault();
    const token = $("signin-token").value.trim();
    const error = $("signin-error");
    if (!token) {
      error.hidden = false;
      error.textContent = t("signin.empty");
      return;
    }
    const button = $("signin-form").querySelector("button[type=submit]");
    button.disabled = true;
    error.hidden = false;
    error.textContent = t("signin.checking");
    try {
      const me = await api("/api/v1/whoami", { token });
      sessionStorage.setItem(TOKEN_KEY, token);
      state.token = token;
      state.me = me;
      $("signin-token").value = "";
      error.hidden = true;
      start();
    } catch (e) {
      error.textContent = e.status === 401 ? t("signin.invalid") : e.message;
    } finally {
      button.disabled = false;
    }
  }

  function signout() {
    sessionStorage.removeItem(TOKEN_KEY);
    location.reload();
  }

  /** The token stopped working: back to the sign-in form, saying why. */
  function expire() {
    if (!state.token) return;
    state.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.setItem("bw.expired", "1");
    location.reload();
  }

  // ---- Language ----

  function setLanguage(lang) {
    I.lang = lang;
    localStorage.setItem(LANG_KEY, I.lang);
    applyLanguage();
  }

  function applyLanguage() {
    document.documentElement.lang = I.lang;
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    for (const node of document.querySelectorAll("[data-i18n-placeholder]"))
      node.placeholder = t(node.dataset.i18nPlaceholder);
    for (const node of document.querySelectorAll("[data-i18n-aria-label]"))
      node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
    for (const node of document.querySelectorAll("[data-i18n-title]")) node.title = t(node.dataset.i18nTitle);
    for (const node of document.querySelectorAll("[data-lang]"))
      node.setAttribute("aria-pressed", String(node.dataset.lang === I.lang));
    if (!state.token || !map) return;
    renderWhoami();
    renderFilterControls();
    renderLegend();
    relabelBasemap();
    refreshSectorTooltips();
    renderHottest();
    renderCount();
    renderBottom();
    renderStreamStatus();
    if (state.rerender) state.rerender();
  }

  // ---- The map ----

  let map = null;
  let cluster = null;
  let sectorLayer = null;
  let seatsLayer = null;
  let countryLabels = [];
  let focusMarker = null;
  const basemapData = {
    countries: fetch("/assets/basemap/countries.geojson").then((r) => r.json()),
    seats: fetch("/assets/basemap/seats.geojson").then((r) => r.json()),
  };

  function initMap() {
    map = L.map("map", { zoomSnap: 0.5, minZoom: 4, maxZoom: 13, worldCopyJump: false, keyboard: true });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Natural Earth · GeoNames · Leaflet");
    map.fitBounds(REGION);
    for (const [name, z] of [
      ["basemap", 200],
      ["sectors", 400],
      ["seats", 450],
      ["labels", 460],
    ]) {
      map.createPane(name).style.zIndex = z;
    }
    map.getPane("basemap").style.pointerEvents = "none";
    map.getPane("seats").style.pointerEvents = "none";
    map.getPane("labels").style.pointerEvents = "none";
    const zoomClass = () => map.getContainer().classList.toggle("zoomed-in", map.getZoom() >= 6);
    map.on("zoomend", zoomClass);
    zoomClass();
    cluster = L.markerClusterGroup({
      chunkedLoading: true,
      chunkInterval: 120,
      chunkDelay: 8,
      maxClusterRadius: 55,
      showCoverageOnHover: false,
      spiderfyOnMaxZoom: true,
      removeOutsideVisibleBounds: true,
      iconCreateFunction: clusterIcon,
      chunkProgress: (done, total) => {
        if (done === total && clustering) clustering();
      },
    });
    cluster.on("click", (e) => openEvent(state.features[e.layer.bwIndex].id, true));
    cluster.on("keypress", (e) => {
      if (e.originalEvent && e.originalEvent.key === "Enter" && e.layer.bwIndex !== undefined)
        openEvent(state.features[e.layer.bwIndex].id, true);
    });
    map.addLayer(cluster);
    drawBasemap();
  }

  async function drawBasemap() {
    try {
      const [countries, seats] = await Promise.all([basemapData.countries, basemapData.seats]);
      L.geoJSON(countries, {
        pane: "basemap",
        interactive: false,
        style: (f) => ({
          color: "#7d8590",
          weight: 1,
          fillColor: I.alpha2(f.properties.id) === "AF" ? "#efe8d6" : "#f8f6f1",
          fillOpacity: 1,
        }),
        onEachFeature: (f, layer) => {
          const code = I.alpha2(f.properties.id);
          if (!code) return;
          const label = L.marker(layer.getBounds().getCenter(), {
            pane: "labels",
            interactive: false,
            keyboard: false,
            icon: L.divIcon({ className: "country-label", html: "", iconSize: null }),
          });
          label.bwCountry = { code, name: f.properties.name };
          countryLabels.push(label);
          label.addTo(map);
        },
      }).addTo(map);
      seatsLayer = L.layerGroup().addTo(map);
      for (const f of seats.features) {
        const [lon, lat] = f.geometry.coordinates;
        const seat = L.circleMarker([lat, lon], {
          pane: "seats",
          radius: 2.5,
          color: "#4a4f57",
          weight: 1,
          fillColor: "#fff",
          fillOpacity: 1,
          interactive: false,
        });
        seat.bwSeat = f.properties;
        seat.bindTooltip("", { permanent: true, direction: "right", offset: [4, 0], className: "seat-label", pane: "labels" });
        seatsLayer.addLayer(seat);
      }
      relabelBasemap();
    } catch (e) {
      showMapStatus("error", t("map.error", { message: e.message }));
    }
  }

  function relabelBasemap() {
    for (const label of countryLabels) {
      const { code, name } = label.bwCountry;
      const text = I.has("country." + code) ? countryName(code) : name;
      const node = label.getElement();
      if (node) node.textContent = text;
    }
    if (seatsLayer)
      seatsLayer.eachLayer((seat) => {
        const p = seat.bwSeat;
        seat.setTooltipContent(I.lang === "ru" && p.name_ru ? p.name_ru : p.name);
      });
  }

  // Sectors.

  function sectorLevel(p) {
    const colour = state.filters.colour;
    if (colour === "overall") return { level: p.level, score: p.score };
    const c = p.by_category && p.by_category[colour];
    return c ? { level: c.level, score: c.score } : { level: "low", score: 0 };
  }

  function sectorStyle(p) {
    const { level, score } = sectorLevel(p);
    const selected = state.filters.sector === p.id || state.show === "sector:" + p.id;
    const quiet = score <= 0;
    return {
      stroke: selected || !quiet,
      color: selected ? "#1b1f24" : "#6b4b10",
      weight: selected ? 2.5 : 0.6,
      fillColor: quiet ? QUIET_COLOUR : LEVEL_COLOUR[level] || QUIET_COLOUR,
      fillOpacity: quiet ? 0.45 : 0.7,
    };
  }

  function renderSectors(geojson) {
    state.sectors = geojson.features;
    if (sectorLayer) map.removeLayer(sectorLayer);
    state.sectorLayers.clear();
    sectorLayer = L.geoJSON(geojson, {
      pane: "sectors",
      style: (f) => sectorStyle(f.properties),
      onEachFeature: (f, layer) => {
        state.sectorLayers.set(f.properties.id, layer);
        layer.bindTooltip("", { sticky: true, className: "sector-tip" });
        layer.on("click", () => openSector(f.properties.id, true));
      },
    }).addTo(map);
    for (const [id, layer] of state.sectorLayers) {
      const node = layer.getElement();
      if (!node) continue;
      node.setAttribute("data-sector", id);
      node.setAttribute("data-border", layer.feature.properties.border);
      node.setAttribute("data-testid", "sector");
    }
    restyleSectors();
    refreshSectorTooltips();
    renderFilterControls();
    renderHottest();
  }

  function restyleSectors() {
    for (const layer of state.sectorLayers.values()) {
      const p = layer.feature.properties;
      const style = sectorStyle(p);
      layer.setStyle(style);
      if (style.weight > 1) layer.bringToFront();
      const node = layer.getElement();
      if (node) node.setAttribute("data-level", sectorLevel(p).level);
    }
  }

  function refreshSectorTooltips() {
    for (const layer of state.sectorLayers.values()) {
      const p = layer.feature.properties;
      const { level, score } = sectorLevel(p);
      layer.setTooltipContent(
        `<strong>${escapeHtml(p.name)}</strong> · ${escapeHtml(p.id)}<br>${escapeHtml(t("sector.level"))}: ` +
          `${escapeHtml(levelName(level))} (${number(score, 2)})`,
      );
    }
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  function renderLegend() {
    const legend = $("legend");
    legend.replaceChildren(
      el("h3", {}, t("legend.levels")),
      el(
        "ul",
        { class: "legend-levels" },
        LEVELS.map((l) => el("li", {}, swatch(LEVEL_COLOUR[l]), levelName(l))),
        el("li", {}, swatch(QUIET_COLOUR), t("legend.quiet")),
      ),
    );
  }

  function swatch(colour, round) {
    const node = el("span", { class: round ? "swatch round" : "swatch", "aria-hidden": "true" });
    node.style.background = colour;
    return node;
  }

  // Events.

  const markerIcons = Object.fromEntries(
    CATEGORIES.map((c) => [c, L.divIcon({ className: `ev-marker ev-${c}`, html: "", iconSize: [14, 14] })]),
  );

  /** A cluster's counts per category, kept on the cluster until its size changes. */
  function clusterCounts(c) {
    const size = c.getChildCount();
    if (c.bwCounts && c.bwSize === size) return c.bwCounts;
    const counts = new Array(CATEGORIES.length).fill(0);
    for (const m of c._markers) counts[state.categoryOf[m.bwIndex]]++;
    for (const child of c._childClusters) {
      const sub = clusterCounts(child);
      for (let k = 0; k < counts.length; k++) counts[k] += sub[k];
    }
    c.bwCounts = counts;
    c.bwSize = size;
    return counts;
  }

  function clusterIcon(c) {
    const n = c.getChildCount();
    const counts = clusterCounts(c);
    const stops = [];
    let at = 0;
    counts.forEach((count, k) => {
      if (!count) return;
      const end = at + (count / n) * 100;
      stops.push(`${CATEGORY_COLOUR[CATEGORIES[k]]} ${at.toFixed(1)}% ${end.toFixed(1)}%`);
      at = end;
    });
    const size = n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 42 : 50;
    const label = n >= 10000 ? `${Math.round(n / 1000)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
    return L.divIcon({
      html: `<div class="ring" style="background:conic-gradient(${stops.join(",")})"><span>${label}</span></div>`,
      className: "ev-cluster",
      iconSize: [size, size],
    });
  }

  function loadEvents(geojson) {
    const features = geojson.features;
    const n = features.length;
    state.features = features;
    state.categoryOf = new Uint8Array(n);
    state.dayOfEvent = new Int32Array(n);
    state.markers = new Array(n);
    const catIndex = Object.fromEntries(CATEGORIES.map((c, k) => [c, k]));
    for (let i = 0; i < n; i++) {
      const p = features[i].properties;
      state.categoryOf[i] = catIndex[p.category] ?? CATEGORIES.length - 1;
      state.dayOfEvent[i] = dayOf(p.date);
    }
    document.body.dataset.eventsTotal = String(n);
  }

  function marker(i) {
    let m = state.markers[i];
    if (!m) {
      const f = state.features[i];
      const [lon, lat] = f.geometry.coordinates;
      m = L.marker([lat, lon], {
        icon: markerIcons[CATEGORIES[state.categoryOf[i]]],
        title: `${f.properties.date} · ${f.properties.place || ""}`,
      });
      m.bwIndex = i;
      state.markers[i] = m;
    }
    return m;
  }

  function matching() {
    const f = state.filters;
    const since = f.since ? dayOf(f.since) : -Infinity;
    const until = f.until ? dayOf(f.until) : Infinity;
    const cats = f.categories.length ? new Set(f.categories.map((c) => CATEGORIES.indexOf(c))) : null;
    const out = [];
    const features = state.features;
    for (let i = 0; i < features.length; i++) {
      const day = state.dayOfEvent[i];
      if (day < since || day > until) continue;
      if (cats && !cats.has(state.categoryOf[i])) continue;
      const p = features[i].properties;
      if (f.country && p.country !== f.country) continue;
      if (f.sector && p.sector !== f.sector) continue;
      if (state.actorIds && !state.actorIds.has(features[i].id)) continue;
      out.push(i);
    }
    return out;
  }

  // Filtering re-clusters the events; a change while clustering waits for it to end.
  let clustering = null;
  let pendingApply = false;

  function applyFilters() {
    if (!state.features) return;
    if (clustering) {
      pendingApply = true;
      return;
    }
    document.body.dataset.mapBusy = "1";
    const shown = matching();
    state.shown = shown;
    renderCount();
    renderBottom();
    const done = () => {
      clustering = null;
      if (pendingApply) {
        pendingApply = false;
        applyFilters();
        return;
      }
      document.body.dataset.eventsShown = String(shown.length);
      document.body.dataset.mapBusy = "0";
      eventsRendered();
    };
    cluster.clearLayers();
    if (!shown.length) {
      done();
      return;
    }
    clustering = done;
    cluster.addLayers(shown.map(marker), true);
  }

  function renderCount() {
    const node = $("map-count");
    if (!state.features) {
      node.textContent = "";
      return;
    }
    const parts = [t("map.count", { shown: number(state.shown.length), total: number(state.features.length) })];
    if (state.actorTruncated) parts.push(t("map.actor.truncated", { count: number(ACTOR_PAGES * 500) }));
    node.textContent = parts.join(" · ");
    if ($("map-status").dataset.kind === "error") return;
    if (!state.shown.length) showMapStatus("empty", t("map.empty"));
    else if ($("map-status").dataset.kind === "empty") hideMapStatus();
  }

  function showMapStatus(kind, message, retry) {
    const node = $("map-status");
    node.dataset.kind = kind;
    node.className = "map-status " + kind;
    node.replaceChildren(el("span", {}, message));
    if (retry)
      node.append(el("button", { type: "button", "data-testid": "map-retry", onclick: retry }, t("map.retry")));
    node.hidden = false;
  }

  function hideMapStatus() {
    const node = $("map-status");
    node.hidden = true;
    node.dataset.kind = "";
  }

  // First render: the moment sectors and clusters are both on the map.
  const ready = { sectors: false, events: false, reported: false };

  function eventsRendered() {
    ready.events = true;
    if (!document.body.dataset.eventsReady) document.body.dataset.eventsReady = String(Math.round(performance.now()));
    reportReady();
  }

  function reportReady() {
    if (ready.reported || !ready.sectors || !ready.events) return;
    ready.reported = true;
    performance.mark("bw-map-ready");
    document.body.dataset.mapReady = String(Math.round(performance.now()));
  }

  async function loadMapData() {
    showMapStatus("loading", t("map.loading"));
    const sectors = api("/api/v1/export/sectors").then((geojson) => {
      renderSectors(geojson);
      ready.sectors = true;
      document.body.dataset.sectorsReady = String(Math.round(performance.now()));
      if (!state.features) showMapStatus("loading", t("map.loading.events"));
      reportReady();
    });
    const events = api("/api/v1/export/events").then(async (geojson) => {
      loadEvents(geojson);
      if (state.filters.actor) await loadActor();
      renderFilterControls();
      hideMapStatus();
      applyFilters();
    });
    try {
      await Promise.all([sectors, events]);
    } catch (e) {
      showMapStatus("error", t("map.error", { message: e.message }), () => loadMapData());
    }
  }

  async function loadActor() {
    const actor = state.filters.actor;
    state.actorIds = null;
    state.actorTruncated = false;
    if (!actor) return;
    const ids = new Set();
    let after = null;
    for (let page = 0; page < ACTOR_PAGES; page++) {
      const q = new URLSearchParams({ actor, limit: "500" });
      if (after) q.set("after", after);
      const listing = await api("/api/v1/events?" + q);
      for (const e of listing.items) ids.add(e.id);
      after = listing.next;
      if (!after) break;
      if (page === ACTOR_PAGES - 1) state.actorTruncated = true;
    }
    if (state.filters.actor === actor) state.actorIds = ids;
  }

  // ---- Filters ----

  function renderFilterControls() {
    const f = state.filters;
    $("f-since").value = f.since;
    $("f-until").value = f.until;
    $("f-actor").value = f.actor;
    const cats = $("f-categories");
    cats.replaceChildren(
      ...CATEGORIES.map((c) => {
        const box = el("input", {
          type: "checkbox",
          value: c,
          "data-testid": "filter-category-" + c,
          checked: f.categories.includes(c),
          onchange: () => {
            const picked = [...cats.querySelectorAll("input:checked")].map((x) => x.value);
            setFilters({ categories: picked });
          },
        });
        return el("label", { class: "category" }, box, swatch(CATEGORY_COLOUR[c], true), categoryName(c));
      }),
    );
    const countries = new Set(["AF", "TJ", "UZ", "TM", "IR", "PK"]);
    if (state.features) for (const x of state.features) if (x.properties.country) countries.add(x.properties.country);
    if (f.country) countries.add(f.country);
    fillSelect(
      $("f-country"),
      [["", t("filters.any")], ...[...countries].sort().map((c) => [c, `${countryName(c)} (${c})`])],
      f.country,
    );
    const sectorSelect = $("f-sector");
    sectorSelect.replaceChildren(el("option", { value: "" }, t("filters.any")));
    const byBorder = new Map();
    for (const s of state.sectors || []) {
      const p = s.properties;
      if (!byBorder.has(p.border)) byBorder.set(p.border, []);
      byBorder.get(p.border).push(p);
    }
    for (const [border, list] of byBorder) {
      sectorSelect.append(
        el("optgroup", { label: border }, list.map((p) => el("option", { value: p.id }, `${p.id} ${p.name}`))),
      );
    }
    if (f.sector && !state.sectorLayers.has(f.sector)) sectorSelect.append(el("option", { value: f.sector }, f.sector));
    sectorSelect.value = f.sector;
    fillSelect(
      $("f-colour"),
      [["overall", t("filters.colour.overall")], ...THREATS.map((c) => [c, categoryName(c)])],
      f.colour,
    );
  }

  function fillSelect(select, options, value) {
    select.replaceChildren(...options.map(([v, label]) => el("option", { value: v }, label)));
    select.value = value;
  }

  async function setFilters(change) {
    const before = state.filters;
    state.filters = Object.assign({}, before, change);
    writeHash(false);
    if ("colour" in change || "sector" in change) {
      restyleSectors();
      refreshSectorTooltips();
      renderHottest();
    }
    if ("actor" in change && change.actor !== before.actor) {
      try {
        document.body.dataset.mapBusy = "1";
        await loadActor();
      } catch (e) {
        // Nothing is shown for an actor that cannot be asked about, and the message says why.
        state.actorIds = new Set();
        renderFilterControls();
        applyFilters();
        showMapStatus("error", e.message);
        return;
      }
    }
    if ($("map-status").dataset.kind === "error") hideMapStatus();
    renderFilterControls();
    applyFilters();
  }

  function preset(days) {
    if (days === "all") return setFilters({ since: "", until: "" });
    // The range ends at the latest event, so that an archive's last months can be looked at.
    let last = Math.floor(Date.now() / 86400000);
    if (state.dayOfEvent && state.dayOfEvent.length) {
      let max = -Infinity;
      for (const d of state.dayOfEvent) if (d > max) max = d;
      last = Math.min(last, max);
    }
    return setFilters({ since: dateOfDay(last - Number(days) + 1), until: dateOfDay(last) });
  }

  function renderHottest() {
    const list = $("hottest");
    if (!state.sectors) {
      list.replaceChildren();
      return;
    }
    const hot = state.sectors
      .map((s) => ({ p: s.properties, ...sectorLevel(s.properties) }))
      .filter((x) => x.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, 8);
    if (!hot.length) {
      list.replaceChildren(el("li", { class: "empty" }, t("filters.none.hot")));
      return;
    }
    list.replaceChildren(
      ...hot.map((x) =>
        el(
          "li",
          {},
          el(
            "button",
            { type: "button", class: "link", "data-sector": x.p.id, onclick: () => openSector(x.p.id, true) },
            swatch(LEVEL_COLOUR[x.level]),
            `${x.p.id} ${x.p.name}`,
          ),
          el("span", { class: "muted" }, ` ${levelName(x.level)} · ${number(x.score, 1)}`),
        ),
      ),
    );
  }

  // ---- Timeline and list ----

  function renderBottom() {
    if (state.tab === "timeline") renderTimeline();
    else renderList();
  }

  function renderTimeline() {
    const box = $("timeline");
    if (!state.features) {
      box.replaceChildren();
      return;
    }
    const shown = state.shown;
    if (!shown.length) {
      box.replaceChildren(el("p", { class: "empty", "data-testid": "timeline-empty" }, t("timeline.empty")));
      return;
    }
    let first = Infinity;
    let last = -Infinity;
    for (const i of shown) {
      const d = state.dayOfEvent[i];
      if (d < first) first = d;
      if (d > last) last = d;
    }
    if (state.filters.since) first = dayOf(state.filters.since);
    if (state.filters.until) last = dayOf(state.filters.until);
    const start = weekOf(first);
    const weeks = Math.max(1, Math.floor((weekOf(last) - start) / 7) + 1);
    const counts = Array.from({ length: weeks }, () => new Array(CATEGORIES.length).fill(0));
    for (const i of shown) {
      const w = Math.floor((weekOf(state.dayOfEvent[i]) - start) / 7);
      if (w >= 0 && w < weeks) counts[w][state.categoryOf[i]]++;
    }
    const totals = counts.map((c) => c.reduce((a, b) => a + b, 0));
    const max = Math.max(1, ...totals);
    const width = Math.max(320, box.clientWidth || 800);
    const height = Math.max(90, (box.clientHeight || 120) - 4);
    const left = 44;
    const bottom = 18;
    const top = 8;
    const plotW = width - left - 8;
    const plotH = height - bottom - top;
    const barW = plotW / weeks;
    const chart = svg("svg", {
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-label": t("timeline.title"),
      "data-testid": "timeline-chart",
    });
    chart.append(
      svg("line", { x1: left, x2: width - 8, y1: top + plotH, y2: top + plotH, class: "axis" }),
      svg("text", { x: left - 6, y: top + 8, class: "tick", "text-anchor": "end" }, document.createTextNode(number(max))),
      svg("text", { x: left - 6, y: top + plotH, class: "tick", "text-anchor": "end" }, document.createTextNode("0")),
    );
    const monthFormat = new Intl.DateTimeFormat(locale(), { month: "short", timeZone: "UTC" });
    const yearFormat = new Intl.DateTimeFormat(locale(), { month: "short", year: "numeric", timeZone: "UTC" });
    let labelled = false;
    let lastMonth = -1;
    let lastLabelX = -Infinity;
    for (let w = 0; w < weeks; w++) {
      const day = start + w * 7;
      const x = left + w * barW;
      const date = new Date(day * 86400000);
      if (date.getUTCMonth() !== lastMonth) {
        lastMonth = date.getUTCMonth();
        if (x - lastLabelX > 48) {
          chart.append(
            svg(
              "text",
              { x: x + 1, y: height - 4, class: "tick" },
              document.createTextNode((labelled && lastMonth ? monthFormat : yearFormat).format(date)),
            ),
          );
          lastLabelX = x;
          labelled = true;
        }
      }
      if (!totals[w]) continue;
      const g = svg("g", {
        class: "week",
        "data-week": dateOfDay(day),
        "data-count": totals[w],
        onclick: () => setFilters({ since: dateOfDay(day), until: dateOfDay(day + 6) }),
      });
      g.append(svg("title", {}, document.createTextNode(t("timeline.week", { date: formatDate(dateOfDay(day)), count: totals[w] }) + "\n" +
        CATEGORIES.map((c, k) => (counts[w][k] ? `${categoryName(c)}: ${counts[w][k]}` : "")).filter(Boolean).join("\n"))));
      let y = top + plotH;
      counts[w].forEach((count, k) => {
        if (!count) return;
        const h = (count / max) * plotH;
        y -= h;
        g.append(
          svg("rect", {
            x: x + 0.5,
            y,
            width: Math.max(1, barW - 1),
            height: Math.max(0.5, h),
            fill: CATEGORY_COLOUR[CATEGORIES[k]],
          }),
        );
      });
      chart.append(g);
    }
    box.replaceChildren(chart);
  }

  function renderList() {
    const box = $("event-list");
    if (!state.features) {
      box.replaceChildren();
      return;
    }
    if (!state.shown.length) {
      box.replaceChildren(el("p", { class: "empty" }, t("map.empty")));
      return;
    }
    const latest = [...state.shown].sort((a, b) => state.dayOfEvent[b] - state.dayOfEvent[a]).slice(0, 200);
    const table = el(
      "table",
      { class: "list" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ["list.date", "list.category", "list.type", "list.place", "list.sector"].map((k) =>
            el("th", { scope: "col" }, t(k)),
          ),
        ),
      ),
      el(
        "tbody",
        {},
        latest.map((i) => {
          const f = state.features[i];
          const p = f.properties;
          return el(
            "tr",
            {},
            el("td", {}, formatDate(p.date)),
            el("td", {}, categoryChip(p.category)),
            el("td", {}, typeName(p.event_type)),
            el(
              "td",
              {},
              el(
                "button",
                { type: "button", class: "link", "data-event": f.id, onclick: () => openEvent(f.id, true) },
                [p.place, countryName(p.country)].filter(Boolean).join(", ") || t("event.unknown"),
              ),
            ),
            el("td", {}, p.sector || ""),
          );
        }),
      ),
    );
    box.replaceChildren(table);
    if (state.shown.length > latest.length)
      box.append(el("p", { class: "muted" }, t("list.more", { shown: latest.length, total: number(state.shown.length) })));
  }

  function selectTab(tab) {
    state.tab = tab;
    $("tab-timeline").setAttribute("aria-selected", String(tab === "timeline"));
    $("tab-list").setAttribute("aria-selected", String(tab === "list"));
    $("timeline").hidden = tab !== "timeline";
    $("event-list").hidden = tab !== "list";
    renderBottom();
  }

  // ---- The side panel ----

  function openPanel(title, testid) {
    const panel = $("panel");
    if (panel.hidden) state.lastFocus = document.activeElement;
    panel.hidden = false;
    document.body.classList.add("panel-open");
    panel.dataset.kind = testid;
    $("panel-title").textContent = title;
    $("panel-body").replaceChildren(el("p", { class: "muted" }, t("panel.loading")));
    $("panel-body").scrollTop = 0;
    state.rerender = null;
    setTimeout(() => map && map.invalidateSize(), 0);
    return ++state.panelSeq;
  }

  function panelContent(seq, title, ...children) {
    if (seq !== state.panelSeq) return false;
    $("panel-title").textContent = title;
    $("panel-body").replaceChildren(...children.flat(3).filter((c) => c !== null && c !== undefined && c !== false));
    return true;
  }

  function panelError(seq, message, testid) {
    panelContent(seq, $("panel-title").textContent, el("p", { class: "error", role: "alert", "data-testid": testid || "panel-error" }, message));
  }

  function closePanel() {
    const panel = $("panel");
    if (panel.hidden) return;
    panel.hidden = true;
    document.body.classList.remove("panel-open");
    state.panelSeq++;
    state.rerender = null;
    show("", false);
    if (focusMarker) {
      map.removeLayer(focusMarker);
      focusMarker = null;
    }
    setTimeout(() => map && map.invalidateSize(), 0);
    const back = state.lastFocus;
    if (back && document.contains(back) && back !== document.body) back.focus();
  }

  function show(what, push) {
    const sectorBefore = state.show.startsWith("sector:");
    state.show = what;
    writeHash(push);
    if (sectorBefore || what.startsWith("sector:")) restyleSectors();
  }

  function focusPanel() {
    $("panel").focus({ preventScroll: true });
  }

  function row(label, ...value) {
    return [el("dt", {}, label), el("dd", {}, ...value)];
  }

  // Event.

  async function openEvent(id, push) {
    show("event:" + id, push);
    const seq = openPanel(t("event.title"), "event");
    focusPanel();
    let event;
    try {
      event = await api("/api/v1/events/" + encodeURIComponent(id));
    } catch (e) {
      if (e.status === 404 || e.status === 400) panelError(seq, t("event.notfound"), "event-notfound");
      else panelError(seq, t("panel.error", { message: e.message }));
      return;
    }
    const ids = [...new Set(event.documents)];
    const documents = await Promise.all(
      ids.map((d) => api("/api/v1/documents/" + encodeURIComponent(d)).catch((error) => ({ id: d, error }))),
    );
    if (seq !== state.panelSeq) return;
    state.rerender = () => renderEvent(seq, event, documents);
    renderEvent(seq, event, documents);
    if (event.place && event.place.point) {
      const [lon, lat] = event.place.point;
      if (focusMarker) map.removeLayer(focusMarker);
      focusMarker = L.circleMarker([lat, lon], { radius: 14, className: "focus-ring", interactive: false }).addTo(map);
      if (!map.getBounds().pad(-0.1).contains([lat, lon])) map.panTo([lat, lon]);
    }
  }

  function renderEvent(seq, event, documents) {
    const place = event.place || {};
    const fields = el(
      "dl",
      { class: "fields", "data-testid": "event-fields" },
      row(t("event.category"), categoryChip(event.category)),
      row(t("event.type"), typeName(event.event_type)),
      row(t("event.date"), formatDate(event.when && event.when.at && event.when.at.slice(0, 10)),
        event.when && event.when.precision && event.when.precision !== "day" ? ` (${event.when.precision})` : ""),
      row(t("event.place"), place.name || t("event.unknown"), place.precision ? ` (${place.precision})` : ""),
      place.country ? row(t("event.country"), countryName(place.country)) : [],
      event.sector
        ? row(
            t("event.sector"),
            el("button", { type: "button", class: "link", onclick: () => openSector(event.sector, true) }, event.sector),
          )
        : [],
      row(t("event.stance"), I.has("stance." + event.stance) ? t("stance." + event.stance) : event.stance),
      row(t("event.confidence"), number((event.confidence || 0) * 100) + " %"),
      event.credibility ? row(t("event.credibility"), event.credibility) : [],
      event.marking ? row(t("event.marking"), chip("tlp", event.marking.tlp, "TLP:" + String(event.marking.tlp).toUpperCase())) : [],
      event.actors && event.actors.length
        ? row(
            t("event.actors"),
            el(
              "ul",
              { class: "plain" },
              event.actors.map((a) =>
                el("li", {}, el("code", {}, a.actor), " — ", I.has("role." + a.role) ? t("role." + a.role) : a.role),
              ),
            ),
          )
        : [],
      event.quantities && event.quantities.length
        ? row(
            t("event.quantities"),
            el(
              "ul",
              { class: "plain" },
              event.quantities.map((q) => el("li", {}, `${number(q.value, 3)} ${q.unit} — ${q.kind}`)),
            ),
          )
        : [],
    );
    const sources = el(
      "ul",
      { class: "sources", "data-testid": "event-sources" },
      documents.map((d) =>
        d.error
          ? el("li", { class: "muted" }, t("event.nodoc"))
          : el(
              "li",
              {},
              el("strong", {}, d.title || d.id),
              el("br"),
              el("span", { class: "muted" }, [d.source_name, d.published && formatPublished(d.published), d.language].filter(Boolean).join(" · ")),
              " ",
              d.url ? el("a", { href: d.url, target: "_blank", rel: "noopener noreferrer" }, t("doc.link")) : null,
            ),
      ),
    );
    const texts = documents
      .filter((d) => !d.error)
      .map((d, k) => {
        const spans = (event.evidence || []).filter((e) => e.document === d.id);
        const body = el("div", { class: "doctext", "data-testid": "event-text", lang: d.language || "" });
        body.append(highlight(d.text || "", spans));
        return el(
          "details",
          { open: k === 0 },
          el("summary", {}, d.title || d.id),
          body,
        );
      });
    panelContent(
      seq,
      `${categoryName(event.category)} · ${typeName(event.event_type)}`,
      fields,
      el("h3", {}, t("event.sources")),
      sources,
      el("h3", {}, t("event.text")),
      el("p", { class: "muted legend-inline" }, t("event.evidence"), " ",
        ["trigger", "actor", "place", "quantity"].map((k) => el("mark", { class: "ev-" + k }, t("evidence." + k)))),
      texts.length ? texts : el("p", { class: "muted" }, t("event.nodoc")),
    );
    const first = $("panel-body").querySelector(".doctext mark");
    if (first) first.scrollIntoView({ block: "nearest" });
  }

  /**
   * The text with `<mark>` around each evidence span. Spans are UTF-8 byte offsets into the
   * text; they are turned into string indices by walking the text's code points.
   */
  function highlight(text, evidence) {
    const fragment = document.createDocumentFragment();
    const wanted = new Set();
    for (const e of evidence) {
      wanted.add(e.span.start);
      wanted.add(e.span.end);
    }
    const index = new Map();
    let byte = 0;
    let unit = 0;
    for (const ch of text) {
      if (wanted.has(byte)) index.set(byte, unit);
      const cp = ch.codePointAt(0);
      byte += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      unit += ch.length;
    }
    index.set(byte, unit);
    const total = byte;
    // An offset inside a character (never expected) moves to the next character.
    const at = (b) => {
      if (b >= total) return text.length;
      if (index.has(b)) return index.get(b);
      let x = b;
      while (x < total && !index.has(x)) x++;
      return index.has(x) ? index.get(x) : text.length;
    };
    const priority = { trigger: 0, quantity: 1, actor: 2, place: 3 };
    const spans = evidence
      .map((e) => ({ start: at(e.span.start), end: at(e.span.end), kind: e.kind, resolved: e.resolved }))
      .filter((s) => s.end > s.start);
    const cuts = new Set([0, text.length]);
    for (const s of spans) {
      cuts.add(s.start);
      cuts.add(s.end);
    }
    const points = [...cuts].sort((a, b) => a - b);
    for (let k = 0; k + 1 < points.length; k++) {
      const a = points[k];
      const b = points[k + 1];
      const piece = text.slice(a, b);
      const covering = spans.filter((s) => s.start <= a && s.end >= b);
      if (!covering.length) {
        fragment.append(piece);
        continue;
      }
      covering.sort((x, y) => (priority[x.kind] ?? 9) - (priority[y.kind] ?? 9));
      const kinds = [...new Set(covering.map((s) => s.kind))];
      fragment.append(
        el(
          "mark",
          {
            class: "ev-" + kinds[0],
            "data-testid": "evidence",
            "data-kind": kinds.join(" "),
            title: covering.map((s) => `${I.has("evidence." + s.kind) ? t("evidence." + s.kind) : s.kind}: ${s.resolved}`).join("\n"),
          },
          piece,
        ),
      );
    }
    return fragment;
  }

  // Sector.

  async function openSector(id, push) {
    show("sector:" + id, push);
    const seq = openPanel(t("sector.title") + " " + id, "sector");
    focusPanel();
    const weeks = 12;
    let explanation;
    let trend = null;
    try {
      const [x, trends] = await Promise.all([
        api(`/api/v1/sectors/${encodeURIComponent(id)}/explanation?limit=30`),
        api(`/api/v1/trends?by=sector&weeks=${weeks}`).catch(() => null),
      ]);
      explanation = x;
      trend = trends && trends.rows.find((r) => r.key === id);
    } catch (e) {
      if (e.status === 404 || e.status === 400) panelError(seq, t("sector.notfound"), "sector-notfound");
      else panelError(seq, t("panel.error", { message: e.message }));
      return;
    }
    state.rerender = () => renderSector(seq, explanation, trend, weeks);
    renderSector(seq, explanation, trend, weeks);
    const layer = state.sectorLayers.get(id);
    if (layer && !map.getBounds().intersects(layer.getBounds())) map.fitBounds(layer.getBounds(), { maxZoom: 8 });
  }

  function renderSector(seq, x, trend, weeks) {
    const categories = Object.entries(x.by_category || {}).sort((a, b) => b[1].score - a[1].score);
    const contributions = x.contributions || [];
    panelContent(
      seq,
      `${t("sector.title")} ${x.id} · ${x.name}`,
      el(
        "dl",
        { class: "fields", "data-testid": "sector-fields" },
        row(t("sector.level"), levelChip(x.level, "sector-level")),
        row(t("sector.score"), number(x.score, 2)),
        row(t("sector.incidents"), number(x.incidents)),
        row(t("sector.border"), `${x.border} (${(x.countries || []).map(countryName).join(" – ")})`),
        row(t("sector.length"), `${number(x.length_km, 1)} km`),
      ),
      categories.length
        ? [
            el("h3", {}, t("sector.bycategory")),
            el(
              "ul",
              { class: "plain bycat" },
              categories.map(([c, v]) => el("li", {}, categoryChip(c), " ", levelChip(v.level), ` ${number(v.score, 2)}`)),
            ),
          ]
        : [],
      el("h3", {}, t("sector.trend", { weeks })),
      trend ? sparkline(trend, x.as_of) : el("p", { class: "muted", "data-testid": "sector-notrend" }, t("sector.notrend", { weeks })),
      trend && trend.flagged ? el("p", { class: "warning" }, t("sector.spike")) : [],
      el("h3", {}, t("sector.explanation")),
      contributions.length
        ? el(
            "ol",
            { class: "contributions", "data-testid": "sector-explanation" },
            contributions.map((c) =>
              el(
                "li",
                {},
                el(
                  "div",
                  {},
                  categoryChip(c.category),
                  " ",
                  el("button", { type: "button", class: "link", onclick: () => openEvent(c.incident, true) },
                    `${typeName(c.event_type)} · ${c.place || ""}`),
                  el("span", { class: "muted" }, ` · ${formatDate(c.date)} · ${t("sector.weight", { weight: number(c.weight, 2) })}`),
                ),
                el("div", { class: "why" }, c.why),
                el(
                  "div",
                  { class: "muted" },
                  t("sector.sources", { count: c.independent_sources }),
                  c.outlets && c.outlets.length ? ` · ${[...new Set(c.outlets)].join(", ")}` : "",
                  c.contested_by && c.contested_by.length ? ` · ${t("sector.contested")}` : "",
                ),
              ),
            ),
          )
        : el("p", { class: "muted", "data-testid": "sector-noexplanation" }, t("sector.noexplanation")),
      el(
        "p",
        {},
        el("button", { type: "button", "data-testid": "sector-show-events", onclick: () => setFilters({ sector: x.id }) }, t("sector.showevents")),
      ),
    );
  }

  function sparkline(trend, asOf) {
    const weekly = trend.weekly;
    const w = 300;
    const h = 60;
    const max = Math.max(1, ...weekly);
    const barW = w / weekly.length;
    const chart = svg("svg", { width: w, height: h + 14, viewBox: `0 0 ${w} ${h + 14}`, role: "img", class: "sparkline", "data-testid": "sector-trend" });
    const end = weekOf(dayOf(asOf || new Date().toISOString().slice(0, 10)));
    weekly.forEach((count, k) => {
      const bh = (count / max) * h;
      const day = end - (weekly.length - 1 - k) * 7;
      const rect = svg("rect", {
        x: k * barW + 1,
        y: h - bh,
        width: barW - 2,
        height: Math.max(bh, count ? 1 : 0.5),
        class: k === weekly.length - 1 && trend.flagged ? "bar spike" : "bar",
      });
      rect.append(svg("title", {}, document.createTextNode(t("timeline.week", { date: formatDate(dateOfDay(day)), count }))));
      chart.append(rect);
    });
    chart.append(svg("text", { x: 0, y: h + 12, class: "tick" }, document.createTextNode(formatDate(dateOfDay(end - (weekly.length - 1) * 7)))));
    chart.append(svg("text", { x: w, y: h + 12, class: "tick", "text-anchor": "end" }, document.createTextNode(`max ${max}`)));
    return chart;
  }

  // Alerts.

  const canWrite = () => state.me && ["analyst", "admin"].includes(state.me.user.role);

  async function refreshAlerts() {
    try {
      const listing = await api("/api/v1/alerts?limit=200");
      const byId = new Map(state.alerts.map((a) => [a.id, a]));
      for (const a of listing.items) byId.set(a.id, Object.assign(byId.get(a.id) || {}, a));
      state.alerts = [...byId.values()].sort((a, b) => (a.fired_at < b.fired_at ? 1 : a.fired_at > b.fired_at ? -1 : 0));
      state.alertsLoaded = true;
      state.alertsError = null;
    } catch (e) {
      state.alertsError = e.message;
    }
    renderBadge();
    if (state.show === "alerts" && state.rerender) state.rerender();
  }

  function renderBadge() {
    const open = state.alerts.filter((a) => a.status === "new").length;
    const badge = $("alerts-badge");
    badge.hidden = open === 0;
    badge.textContent = String(open);
  }

  function openAlerts(push) {
    show("alerts", push);
    const seq = openPanel(t("alerts.title"), "alerts");
    focusPanel();
    state.rerender = () => renderAlerts(seq);
    renderAlerts(seq);
    refreshAlerts();
  }

  function renderAlerts(seq) {
    if (!state.alertsLoaded && !state.alertsError) return;
    const list = state.alerts.filter((a) => state.showClosed || a.status !== "closed");
    const toggle = el(
      "label",
      { class: "toggle" },
      el("input", {
        type: "checkbox",
        checked: state.showClosed,
        "data-testid": "alerts-show-closed",
        onchange: (e) => {
          state.showClosed = e.target.checked;
          renderAlerts(seq);
        },
      }),
      " ",
      t("alerts.showclosed"),
    );
    const items = list.map((a) => {
      const actions = canWrite()
        ? el(
            "div",
            { class: "actions" },
            a.status === "new"
              ? el("button", { type: "button", "data-testid": "alert-acknowledge", onclick: (e) => moveAlert(a, "acknowledge", e.target) }, t("alerts.acknowledge"))
              : null,
            a.status !== "closed"
              ? el("button", { type: "button", class: "quiet", "data-testid": "alert-close", onclick: (e) => moveAlert(a, "close", e.target) }, t("alerts.close"))
              : null,
          )
        : null;
      return el(
        "li",
        { class: "alert status-" + a.status + (a.fresh ? " fresh" : ""), "data-testid": "alert", "data-alert-id": a.id, "data-status": a.status },
        el("div", { class: "alert-head" }, el("strong", { class: "alert-title" }, a.title), " ",
          el("span", { class: "chip status-" + a.status, "data-testid": "alert-status" }, t("status." + a.status))),
        el("div", { class: "muted" }, t("alerts.fired", { when: formatInstant(a.fired_at) })),
        el(
          "div",
          { class: "alert-links" },
          a.sector ? el("button", { type: "button", class: "link", onclick: () => openSector(a.sector, true) }, t("alerts.sector", { id: a.sector })) : null,
          (a.events || []).slice(0, 5).map((id, k) =>
            el("button", { type: "button", class: "link", onclick: () => openEvent(id, true) }, `${t("alerts.events")} ${k + 1}`),
          ),
        ),
        actions,
      );
    });
    panelContent(
      seq,
      t("alerts.title"),
      state.alertsError ? el("p", { class: "error", role: "alert" }, state.alertsError) : [],
      canWrite() ? [] : el("p", { class: "muted" }, t("alerts.readonly")),
      toggle,
      items.length
        ? el("ul", { class: "alerts", "data-testid": "alerts-list" }, items)
        : el("p", { class: "empty", "data-testid": "alerts-empty" }, state.showClosed ? t("alerts.empty") : t("alerts.empty.open")),
    );
  }

  async function moveAlert(alert, action, button) {
    button.disabled = true;
    try {
      const moved = await api(`/api/v1/alerts/${encodeURIComponent(alert.id)}/${action}`, { method: "POST" });
      Object.assign(alert, moved, { fresh: false });
      toast(t("alerts.moved", { status: t("status." + moved.status) }));
    } catch (e) {
      toast(e.message, "error");
      await refreshAlerts();
    }
    renderBadge();
    if (state.show === "alerts" && state.rerender) state.rerender();
  }

  function onAlert(alert) {
    if (state.alerts.some((a) => a.id === alert.id)) return;
    alert.fresh = true;
    state.alerts.unshift(alert);
    renderBadge();
    toast(t("alerts.new", { title: alert.title }), "alert");
    if (state.show === "alerts" && state.rerender) state.rerender();
  }

  // The alert stream: Server-Sent Events read through fetch, since EventSource cannot
  // send the token.
  let streamStatus = "connecting";
  let streamController = null;

  function renderStreamStatus() {
    const node = $("stream-status");
    node.dataset.status = streamStatus;
    node.textContent = t(streamStatus === "live" ? "alerts.live" : streamStatus === "offline" ? "alerts.offline" : "alerts.connecting");
  }

  function setStreamStatus(status) {
    streamStatus = status;
    renderStreamStatus();
  }

  async function streamAlerts() {
    let backoff = 1000;
    while (state.token) {
      setStreamStatus("connecting");
      try {
        streamController = new AbortController();
        const response = await fetch("/api/v1/alerts/stream", {
          headers: { Authorization: "Bearer " + state.token, Accept: "text/event-stream" },
          signal: streamController.signal,
        });
        if (response.status === 401) {
          expire();
          return;
        }
        if (!response.ok || !response.body) throw new Error("stream " + response.status);
        setStreamStatus("live");
        document.body.dataset.streamLive = "1";
        backoff = 1000;
        // Alerts raised while the stream was down.
        refreshAlerts();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n?/g, "\n");
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            serverEvent(block);
          }
        }
      } catch (e) {
        if (!state.token) return;
      }
      document.body.dataset.streamLive = "0";
      setStreamStatus("offline");
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 15000);
    }
  }

  function serverEvent(block) {
    let name = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") name = value;
      else if (field === "data") data.push(value);
    }
    if (name !== "alert" || !data.length) return;
    try {
      onAlert(JSON.parse(data.join("\n")));
    } catch (_) {
      // A malformed event is skipped; the next refresh brings the list up to date.
    }
  }

  // Search and documents.

  async function search(q, push) {
    q = q.trim();
    if (!q) return;
    $("search-input").value = q;
    show("search:" + q, push);
    const seq = openPanel(t("search.title", { q }), "search");
    let result;
    try {
      result = await api("/api/v1/search?" + new URLSearchParams({ q, limit: "50" }));
    } catch (e) {
      panelError(seq, t("panel.error", { message: e.message }));
      return;
    }
    state.rerender = () => renderSearch(seq, q, result.items);
    renderSearch(seq, q, result.items);
  }

  function renderSearch(seq, q, items) {
    panelContent(
      seq,
      t("search.title", { q }),
      el("p", { class: "muted" }, t("search.hint")),
      items.length
        ? [
            el("p", { "data-testid": "search-count" }, t("search.count", { count: items.length })),
            el(
              "ol",
              { class: "results", "data-testid": "search-results" },
              items.map((hit) => {
                const d = hit.document;
                return el(
                  "li",
                  { "data-testid": "search-result", "data-document": d.id },
                  el("button", { type: "button", class: "link", onclick: () => openDocument(d.id, true) }, d.title || d.id),
                  el("div", { class: "muted" }, [d.source_name, d.published && formatPublished(d.published), d.language].filter(Boolean).join(" · ")),
                  el("div", { class: "snippet" }, snippet(hit.snippet || "")),
                );
              }),
            ),
          ]
        : el("p", { class: "empty", "data-testid": "search-empty" }, t("search.empty", { q })),
    );
  }

  function snippet(text) {
    const parts = text.split(/\[([^\]]*)\]/);
    return parts.map((part, k) => (k % 2 ? el("mark", {}, part) : part));
  }

  async function openDocument(id, push) {
    show("doc:" + id, push);
    const seq = openPanel(t("doc.title"), "document");
    focusPanel();
    let d;
    try {
      d = await api("/api/v1/documents/" + encodeURIComponent(id));
    } catch (e) {
      if (e.status === 404) panelError(seq, t("doc.notfound"), "doc-notfound");
      else panelError(seq, t("panel.error", { message: e.message }));
      return;
    }
    // The events read in the report, each opening its own panel.
    let events = [];
    try {
      events = (await api("/api/v1/events?limit=100&document=" + encodeURIComponent(id))).items || [];
    } catch (e) {
      events = [];
    }
    const eventList = () =>
      el(
        "section",
        { "data-testid": "document-events" },
        el("h3", {}, t("doc.events")),
        events.length
          ? el(
              "ul",
              { class: "plain" },
              events.map((e) =>
                el(
                  "li",
                  {},
                  el(
                    "button",
                    { type: "button", class: "link", onclick: () => openEvent(e.id, true) },
                    [categoryName(e.category), e.event_type, e.place && e.place.name].filter(Boolean).join(" · "),
                  ),
                ),
              ),
            )
          : el("p", { class: "empty" }, t("doc.noevents")),
      );
    const render = () =>
      panelContent(
        seq,
        d.title || t("doc.title"),
        el(
          "dl",
          { class: "fields" },
          row(t("doc.source"), d.source_name || ""),
          d.published ? row(t("doc.published"), formatPublished(d.published)) : [],
          row(t("doc.language"), d.language || ""),
          d.marking ? row(t("event.marking"), chip("tlp", d.marking.tlp, "TLP:" + String(d.marking.tlp).toUpperCase())) : [],
          d.url ? row(t("doc.link"), el("a", { href: d.url, target: "_blank", rel: "noopener noreferrer" }, d.url)) : [],
        ),
        eventList(),
        el("div", { class: "doctext", "data-testid": "document-text", lang: d.language || "" }, d.text || ""),
      );
    state.rerender = render;
    render();
  }

  /** Opens what the URL's `show` names. */
  function openShown() {
    const s = state.show;
    const [kind, ...rest] = s.split(":");
    const arg = rest.join(":");
    if (kind === "event" && arg) openEvent(arg, false);
    else if (kind === "sector" && arg) openSector(arg, false);
    else if (kind === "alerts") openAlerts(false);
    else if (kind === "search" && arg) search(arg, false);
    else if (kind === "doc" && arg) openDocument(arg, false);
    else closePanel();
  }

  // ---- Toasts ----

  function toast(message, kind) {
    const node = el("div", { class: "toast " + (kind || ""), "data-testid": "toast" }, message);
    $("toasts").append(node);
    setTimeout(() => node.remove(), 6000);
  }

  // ---- Start ----

  function renderWhoami() {
    if (!state.me) return;
    const u = state.me.user;
    $("whoami").textContent = t("top.signedin", { name: u.name, role: t("role." + u.role) });
  }

  function wireControls() {
    $("f-since").addEventListener("change", (e) => setFilters({ since: e.target.value }));
    $("f-until").addEventListener("change", (e) => setFilters({ until: e.target.value }));
    $("f-actor").addEventListener("change", (e) => setFilters({ actor: e.target.value.trim() }));
    $("f-country").addEventListener("change", (e) => setFilters({ country: e.target.value }));
    $("f-sector").addEventListener("change", (e) => setFilters({ sector: e.target.value }));
    $("f-colour").addEventListener("change", (e) => setFilters({ colour: e.target.value }));
    for (const b of document.querySelectorAll("[data-preset]")) b.addEventListener("click", () => preset(b.dataset.preset));
    $("f-reset").addEventListener("click", () => setFilters(emptyFilters()));
    $("f-share").addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(location.href);
        toast(t("filters.copied"));
      } catch (_) {
        toast(location.href);
      }
    });
    $("search-form").addEventListener("submit", (e) => {
      e.preventDefault();
      search($("search-input").value, true);
    });
    $("alerts-button").addEventListener("click", () => (state.show === "alerts" ? closePanel() : openAlerts(true)));
    $("panel-close").addEventListener("click", closePanel);
    $("signout").addEventListener("click", signout);
    $("tab-timeline").addEventListener("click", () => selectTab("timeline"));
    $("tab-list").addEventListener("click", () => selectTab("list"));
    window.addEventListener("hashchange", () => {
      const before = state.filters;
      const shown = state.show;
      readHash();
      const after = state.filters;
      state.filters = before;
      const change = {};
      for (const key of Object.keys(after))
        if (JSON.stringify(after[key]) !== JSON.stringify(before[key])) change[key] = after[key];
      if (Object.keys(change).length) setFilters(change);
      if (state.show !== shown) openShown();
    });
    // The timeline is drawn to its box's width: again when the box changes (window, panel).
    let drawnWidth = 0;
    new ResizeObserver(() => {
      const width = $("timeline").clientWidth;
      if (!width || width === drawnWidth) return;
      drawnWidth = width;
      renderBottom();
    }).observe($("timeline"));
  }

  function keyboard(e) {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement && document.activeElement.tagName);
    if (e.key === "Escape") {
      if (typing && document.activeElement.id === "search-input") document.activeElement.blur();
      else if (!$("panel").hidden) closePanel();
      return;
    }
    if (typing || e.ctrlKey || e.metaKey || e.altKey || $("app").hidden) return;
    if (e.key === "/") {
      e.preventDefault();
      $("search-input").focus();
      $("search-input").select();
    } else if (e.key === "a" || e.key === "A") {
      e.preventDefault();
      state.show === "alerts" ? closePanel() : openAlerts(true);
    }
  }

  let started = false;

  async function start() {
    $("signin").hidden = true;
    $("app").hidden = false;
    if (started) return;
    started = true;
    initMap();
    renderLegend();
    renderFilterControls();
    applyLanguage();
    const mapData = loadMapData();
    if (!state.me) {
      try {
        state.me = await api("/api/v1/whoami");
      } catch (e) {
        toast(e.message, "error");
      }
    }
    renderWhoami();
    document.body.dataset.role = state.me ? state.me.user.role : "";
    refreshAlerts();
    streamAlerts();
    openShown();
    await mapData;
    // Actor ids seen in the latest events, to suggest in the actor filter.
    api("/api/v1/events?limit=500")
      .then((listing) => {
        const ids = new Set();
        for (const e of listing.items) for (const a of e.actors || []) ids.add(a.actor);
        $("actor-ids").replaceChildren(...[...ids].sort().map((id) => el("option", { value: id })));
      })
      .catch(() => {});
  }

  function boot() {
    const saved = localStorage.getItem(LANG_KEY);
    I.lang = saved || ((navigator.language || "").toLowerCase().startsWith("ru") ? "ru" : "en");
    readHash();
    for (const node of document.querySelectorAll("[data-lang]")) node.addEventListener("click", () => setLanguage(node.dataset.lang));
    $("signin-form").addEventListener("submit", signin);
    document.addEventListener("keydown", keyboard);
    wireControls();
    applyLanguage();
    if (state.token) start();
    else {
      const expired = sessionStorage.getItem("bw.expired");
      sessionStorage.removeItem("bw.expired");
      showSignin(expired ? t("signin.expired") : "");
    }
  }

  boot();
})();
