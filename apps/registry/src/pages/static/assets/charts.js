/* global window */
// Hand-written SVG bar charts for the dashboard. Each row is a label line (name left, figures
// right) over a full-width bar, drawn at the container's width: long names are never cut and
// text keeps its size on any screen. Each chart is an image with a title and a description for
// screen readers; supervision.js also gives the figures as a table beside it.
(function () {
  'use strict';
  const { svg } = window.CreditPages;

  const LABEL = 15; // baseline of the label line within a row
  const BAR_Y = 22; // top of the bar within a row
  const BAR = 12;
  const GAP = 14; // between rows

  function frame(options, height) {
    const titleId = options.id + '-title';
    const descId = options.id + '-desc';
    return svg(
      'svg',
      {
        class: 'chart',
        id: options.id,
        role: 'img',
        'aria-labelledby': titleId + ' ' + descId,
        viewBox: '0 0 ' + options.width + ' ' + height,
        width: options.width,
        height,
        'data-chart': options.kind,
      },
      svg('title', { id: titleId, text: options.title }),
      svg('desc', { id: descId, text: options.description }),
    );
  }

  /** Estimated width in pixels at the charts' 12–13 px font: CJK characters are square. */
  function textWidth(text) {
    let px = 0;
    for (const ch of String(text)) px += ch.charCodeAt(0) <= 0xff ? 7 : 13;
    return px;
  }

  /** Cuts `text` with an ellipsis to about `max` pixels (the full name stays in the row's tooltip). */
  function fit(text, max) {
    if (textWidth(text) <= max) return text;
    let out = '';
    for (const ch of String(text)) {
      if (textWidth(out + ch + '…') > max) break;
      out += ch;
    }
    return out + '…';
  }

  /** The row's group: a tooltip, its name on the left and its figures (text or tspans) on the right. */
  function rowGroup(row, y, width, tooltip, figures) {
    const figuresText = Array.isArray(figures) ? figures.filter(Boolean).map((f) => (typeof f === 'string' ? f : f.textContent)).join('　') : figures;
    return svg(
      'g',
      { class: 'row', 'data-key': row.key, transform: 'translate(0 ' + y + ')' },
      svg('title', { text: tooltip }),
      svg('text', { class: 'label', x: 0, y: LABEL, text: fit(row.label, Math.max(60, width - textWidth(figuresText) - 16)) }),
      svg('text', { class: 'value', x: width, y: LABEL, 'text-anchor': 'end' }, figures),
    );
  }

  /** Light marks at 25, 50 and 75 % across a bar's track. */
  function quarterTicks(g, y, width) {
    for (const q of [0.25, 0.5, 0.75]) g.append(svg('line', { class: 'tick', x1: width * q, x2: width * q, y1: y, y2: y + BAR }));
  }

  /**
   * Shares (0–1) as bars on a 0–100 % track.
   * rows: [{ key, label, share, valueText, note, tone }]
   */
  function shareBars(options) {
    const { width, rows } = options;
    const step = BAR_Y + BAR + GAP;
    const root = frame(options, rows.length * step - GAP + 2);
    rows.forEach((row, i) => {
      const w = row.share === null ? 0 : Math.max(row.share > 0 ? 3 : 0, width * row.share);
      const g = rowGroup(row, i * step, width, row.label + '：' + row.valueText + (row.note ? '，' + row.note : ''), [
        row.note && svg('tspan', { class: 'overdue-mark', text: row.note + '　' }),
        row.valueText,
      ]);
      g.append(
        svg('rect', { class: 'track', x: 0, y: BAR_Y, width, height: BAR, rx: BAR / 2 }),
        svg('rect', { class: 'bar ' + row.tone, x: 0, y: BAR_Y, width: w, height: BAR, rx: BAR / 2, 'data-value': row.share === null ? '' : row.share.toFixed(4) }),
      );
      quarterTicks(g, BAR_Y, width);
      root.append(g);
    });
    return root;
  }

  /**
   * Two durations per row (p50 and p95) as paired bars on one linear scale.
   * rows: [{ key, label, p50, p95 }] in milliseconds; format(ms) gives the text.
   */
  function pairedBars(options) {
    const { width, rows, format } = options;
    const thin = 9;
    const step = BAR_Y + 2 * thin + 2 + GAP;
    const root = frame(options, rows.length * step - GAP + 2);
    const max = Math.max(1, ...rows.map((r) => r.p95));
    const scale = (value) => Math.max(3, (width * value) / max);
    rows.forEach((row, i) => {
      const g = rowGroup(row, i * step, width, row.label + '：中位数 ' + format(row.p50) + '，95 分位 ' + format(row.p95), [
        svg('tspan', { class: 'p50-text', text: 'p50 ' + format(row.p50) }),
        svg('tspan', { dx: 10, text: 'p95 ' + format(row.p95) }),
      ]);
      g.append(
        svg('rect', { class: 'track', x: 0, y: BAR_Y, width, height: 2 * thin + 2, rx: 3 }),
        svg('rect', { class: 'bar p50', x: 0, y: BAR_Y, width: scale(row.p50), height: thin, rx: 2, 'data-value': row.p50 }),
        svg('rect', { class: 'bar p95', x: 0, y: BAR_Y + thin + 2, width: scale(row.p95), height: thin, rx: 2, 'data-value': row.p95 }),
      );
      root.append(g);
    });
    return root;
  }

  /**
   * Each row's counts across ordered buckets as a 100 % stacked bar (a histogram per row).
   * rows: [{ key, label, counts: number[] }]; bucketNames: string[].
   */
  function stackedBars(options) {
    const { width, rows, bucketNames } = options;
    const step = BAR_Y + BAR + GAP;
    const root = frame(options, rows.length * step - GAP + 2);
    rows.forEach((row, i) => {
      const total = row.counts.reduce((a, b) => a + b, 0);
      const parts = row.counts.map((n, b) => (n ? bucketNames[b] + ' ' + n + ' 条' : '')).filter(Boolean);
      const g = rowGroup(row, i * step, width, row.label + '：' + parts.join('，'), '共 ' + total + ' 条');
      g.append(svg('rect', { class: 'track', x: 0, y: BAR_Y, width, height: BAR, rx: 2 }));
      let x = 0;
      row.counts.forEach((n, b) => {
        if (!n || !total) return;
        const w = (width * n) / total;
        g.append(svg('rect', { class: 'bar hist-' + b, x, y: BAR_Y, width: w, height: BAR, 'data-bucket': b, 'data-count': n }));
        x += w;
      });
      quarterTicks(g, BAR_Y, width);
      root.append(g);
    });
    return root;
  }

  /** items: [{ name, cls }], cls being the bar's class in the chart. */
  function legend(items) {
    const { h } = window.CreditPages;
    return h(
      'ul',
      { class: 'legend', 'aria-label': '图例' },
      items.map((item) => h('li', null, svg('svg', { viewBox: '0 0 12 12', 'aria-hidden': 'true', class: 'chart' }, svg('rect', { class: 'bar ' + item.cls, width: 12, height: 12, rx: 2 })), item.name)),
    );
  }

  window.CreditCharts = { shareBars, pairedBars, stackedBars, legend };
})();
