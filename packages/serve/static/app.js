/* The ssseg dashboard: polls the read-only API and keeps charts, tables and the gallery current. */
(function () {
  'use strict';
  var POLL_MS = 2000;
  var SKIP_KEYS = { event: 1, step: 1, epoch: 1, time: 1 };
  var MAX_AUTO_SELECTED = 12;
  var state = { runs: [], selected: {}, seen: {}, records: {}, offsets: {}, metric: 'loss', views: {}, galleries: {} };

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k]; else if (k === 'className') node.className = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }
  function getJson(url) {
    return fetch(url, { cache: 'no-store' }).then(function (r) { if (!r.ok) throw new Error(url + ': ' + r.status); return r.json(); });
  }
  function q(id) { return encodeURIComponent(id); }
  function num(v) { return typeof v === 'number' ? v : (typeof v === 'string' && v !== '' && !isNaN(Number(v)) ? Number(v) : undefined); }
  function pct(v) { return v === undefined || v === null || isNaN(v) ? '–' : (100 * v).toFixed(2); }
  function selectedRuns() { return state.runs.filter(function (r) { return state.selected[r.id]; }); }
  function evals(id) { return (state.records[id] || []).filter(function (r) { return r.event === 'eval'; }); }

  function renderRuns() {
    var body = $('runs').querySelector('tbody');
    body.innerHTML = '';
    state.runs.forEach(function (run) {
      var ev = evals(run.id);
      var last = ev.length ? num(ev[ev.length - 1].miou) : undefined;
      var best = ev.reduce(function (b, r) { var m = num(r.miou); return m !== undefined && (b === undefined || m > b) ? m : b; }, undefined);
      var box = el('input', { type: 'checkbox', 'data-run': run.id });
      box.checked = !!state.selected[run.id];
      box.addEventListener('change', function () { state.selected[run.id] = box.checked; refreshAll(true); });
      var fraction = run.totalSteps ? Math.min(1, run.step / run.totalSteps) : 0;
      var bar = el('span', { className: 'bar' }, [el('span', { style: 'width:' + (100 * fraction).toFixed(1) + '%' })]);
      body.appendChild(el('tr', { 'data-run': run.id }, [
        el('td', {}, [box]),
        el('td', { text: run.id }),
        el('td', {}, [el('span', { className: 'status ' + run.status, text: run.status })]),
        el('td', {}, [bar, document.createTextNode(run.step + (run.totalSteps ? ' / ' + run.totalSteps : ''))]),
        el('td', { text: run.method || '' }),
        el('td', { text: run.variant || (run.regularizers.length ? run.regularizers.join(', ') : 'none') }),
        el('td', { text: (run.split || '').replace('_', '/') }),
        el('td', { className: 'num', text: run.seed === undefined ? '' : String(run.seed) }),
        el('td', { className: 'num', text: pct(last) }),
        el('td', { className: 'num', text: pct(best) }),
      ]));
    });
  }

  function metricNames() {
    var names = {};
    selectedRuns().forEach(function (run) {
      (state.records[run.id] || []).forEach(function (r) {
        if (r.event !== 'step') return;
        Object.keys(r).forEach(function (k) { if (!SKIP_KEYS[k] && num(r[k]) !== undefined) names[k] = 1; });
      });
    });
    return Object.keys(names).sort();
  }

  function renderMetricSelect() {
    var select = $('metric');
    var names = metricNames();
    if (names.indexOf(state.metric) < 0 && names.length) state.metric = names.indexOf('loss') >= 0 ? 'loss' : names[0];
    var current = Array.prototype.map.call(select.options, function (o) { return o.value; }).join('|');
    if (current === names.join('|')) return;
    select.innerHTML = '';
    names.forEach(function (n) { var o = el('option', { value: n, text: n }); if (n === state.metric) o.selected = true; select.appendChild(o); });
  }

  function points(kind, runs, fromRecords) {
    var out = [];
    runs.forEach(function (run) {
      (fromRecords ? fromRecords[run.id] || [] : state.records[run.id] || []).forEach(function (r) {
        if (kind === 'miou' && r.event === 'eval' && num(r.miou) !== undefined) out.push({ run: run.id, step: r.step, value: 100 * num(r.miou) });
        if (kind === 'metric' && r.event === 'step' && num(r[state.metric]) !== undefined) out.push({ run: run.id, step: r.step, value: num(r[state.metric]) });
      });
    });
    return out;
  }

  function spec(title, withPoints, values) {
    var encoding = {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'value', type: 'quantitative', title: title, scale: { zero: false } },
      color: { field: 'run', type: 'nominal' },
      tooltip: [{ field: 'run' }, { field: 'step' }, { field: 'value', format: '.4f' }],
    };
    // runs differ by colour, dash and (where points are drawn) marker shape, so they stay apart in grey print too
    var line = { mark: { type: 'line', strokeWidth: 1.5 }, encoding: Object.assign({ strokeDash: { field: 'run', type: 'nominal' } }, encoding) };
    var layers = [line];
    if (withPoints) layers.push({ mark: { type: 'point', filled: true, size: 50 }, encoding: Object.assign({}, encoding, { shape: { field: 'run', type: 'nominal', legend: null }, color: { field: 'run', type: 'nominal', legend: null } }) });
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 'container', height: 240, autosize: { type: 'fit-x', contains: 'padding' },
      data: { name: 'points', values: values },
      layer: layers,
      config: { legend: { orient: 'bottom', columns: 2, labelLimit: 360 } },
    };
  }

  function embedChart(key, target, title, withPoints) {
    var data = points(key, selectedRuns());
    var old = state.views[key];
    if (old) old.finalize();
    state.views[key] = null;
    return vegaEmbed(target, spec(title, withPoints, data), { actions: false, renderer: 'svg' }).then(function (result) {
      state.views[key] = result.view;
      $(target.slice(1)).setAttribute('data-points', String(data.length));
    });
  }

  function addPoints(key, target, newRecords) {
    var view = state.views[key];
    if (!view) return;
    var added = points(key, selectedRuns(), newRecords);
    if (!added.length) return;
    view.insert('points', added).run();
    var box = $(target.slice(1));
    box.setAttribute('data-points', String(Number(box.getAttribute('data-points')) + added.length));
  }

  function renderPerClass() {
    var table = $('per-class');
    table.innerHTML = '';
    var runs = selectedRuns().filter(function (r) { return evals(r.id).length; });
    if (!runs.length) { table.appendChild(el('tr', {}, [el('td', { className: 'empty', text: 'no evaluation yet' })])); return; }
    var lasts = runs.map(function (r) { var e = evals(r.id); return e[e.length - 1]; });
    var names = (lasts[0].classNames || (lasts[0].iou || []).map(function (_, i) { return 'class ' + i; }));
    table.appendChild(el('tr', {}, [el('th', { text: 'class' })].concat(runs.map(function (r) { return el('th', { text: r.id }); }))));
    names.forEach(function (name, c) {
      table.appendChild(el('tr', {}, [el('td', { text: name })].concat(lasts.map(function (e) { return el('td', { className: 'num', text: pct(num((e.iou || [])[c])) }); }))));
    });
  }

  function renderGallery() {
    var table = $('gallery'), legend = $('legend');
    table.innerHTML = ''; legend.innerHTML = '';
    var runs = selectedRuns().filter(function (r) { return state.galleries[r.id]; }).slice(0, 2);
    if (!runs.length) { table.appendChild(el('tr', {}, [el('td', { className: 'empty', text: 'no predictions recorded yet (runs record them at each evaluation)' })])); return; }
    var first = state.galleries[runs[0].id];
    first.classNames.forEach(function (name, c) {
      var rgb = first.palette[c] || [0, 0, 0];
      legend.appendChild(el('span', {}, [el('span', { className: 'swatch', style: 'background: rgb(' + rgb.join(',') + ')' }), document.createTextNode(name)]));
    });
    var header = [el('th', { text: 'image' }), el('th', { text: 'ground truth' })].concat(runs.map(function (r) {
      var g = state.galleries[r.id], ev = g.evaluations[g.evaluations.length - 1];
      return el('th', { text: r.id + (ev ? ' (step ' + ev.step + ')' : '') });
    }));
    table.appendChild(el('tr', {}, header));
    function img(runId, name, alt) { return el('img', { src: '/api/run/gallery-file?id=' + q(runId) + '&name=' + q(name), alt: alt }); }
    first.images.forEach(function (entry, i) {
      var cells = [el('td', {}, [img(runs[0].id, entry.image, 'image ' + i)]), el('td', {}, [img(runs[0].id, entry.truth, 'ground truth ' + i)])];
      runs.forEach(function (r) {
        var g = state.galleries[r.id], ev = g.evaluations[g.evaluations.length - 1];
        cells.push(el('td', {}, ev && ev.predictions[i] ? [img(r.id, ev.predictions[i], r.id + ' prediction ' + i)] : [document.createTextNode('–')]));
      });
      table.appendChild(el('tr', {}, cells));
    });
  }

  function galleryKey(g) { return g ? g.evaluations.map(function (e) { return e.step; }).join(',') : ''; }

  function poll() {
    return getJson('/api/runs').then(function (body) {
      $('root').textContent = body.root;
      document.title = 'ssseg: ' + body.root;
      state.runs = body.runs;
      // runs that appear while the page is open (a comparison starting its next run) are ticked too
      state.runs.forEach(function (r) {
        if (state.seen[r.id]) return;
        state.seen[r.id] = true;
        if (Object.keys(state.selected).filter(function (id) { return state.selected[id]; }).length < MAX_AUTO_SELECTED) state.selected[r.id] = true;
      });
      var fresh = {};
      var fetches = state.runs.filter(function (r) { return r.status !== 'queued'; }).map(function (run) {
        var from = state.offsets[run.id] || 0;
        return Promise.all([
          getJson('/api/run/metrics?id=' + q(run.id) + '&from=' + from),
          getJson('/api/run/gallery?id=' + q(run.id)),
        ]).then(function (res) {
          var chunk = res[0];
          if (chunk.next < from) state.records[run.id] = []; // rewritten by a resume
          state.offsets[run.id] = chunk.next;
          if (chunk.records.length) {
            state.records[run.id] = (state.records[run.id] || []).concat(chunk.records);
            fresh[run.id] = chunk.records;
          }
          if (galleryKey(res[1]) !== galleryKey(state.galleries[run.id])) { state.galleries[run.id] = res[1]; fresh.__gallery = true; }
        });
      });
      return Promise.all(fetches).then(function () { return fresh; });
    });
  }

  function refreshAll(reembed) {
    renderRuns();
    renderMetricSelect();
    renderPerClass();
    renderGallery();
    if (reembed) return Promise.all([embedChart('miou', '#chart-miou', 'mIoU (%)', true), embedChart('metric', '#chart-metric', state.metric, false)]);
    return Promise.resolve();
  }

  function tick() {
    poll().then(function (fresh) {
      var changed = Object.keys(fresh).length > 0;
      renderRuns();
      if (!changed) return;
      var before = $('metric').value;
      renderMetricSelect();
      renderPerClass();
      if (fresh.__gallery) renderGallery();
      delete fresh.__gallery;
      if (!state.views.miou || before !== state.metric) return refreshAll(true);
      addPoints('miou', '#chart-miou', fresh);
      addPoints('metric', '#chart-metric', fresh);
    }).catch(function (err) { console.error(err); }).then(function () { setTimeout(tick, POLL_MS); });
  }

  $('metric').addEventListener('change', function () { state.metric = $('metric').value; embedChart('metric', '#chart-metric', state.metric, false); });
  poll().then(function () { return refreshAll(true); }).catch(function (err) { console.error(err); }).then(function () { setTimeout(tick, POLL_MS); });
})();
