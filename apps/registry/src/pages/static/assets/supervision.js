/* global window, document, setInterval, clearInterval, setTimeout, clearTimeout */
// 协同执行监督: GET /v1/supervision/coverage?by=partner|court|kind, /overdue and /receipt-latency
// with a supervisor's bearer token, redrawn every 30 seconds.
(function () {
  'use strict';
  const { h, clear, fmt, labels, errorText, startSession, api, showMessage } = window.CreditPages;
  const { shareBars, pairedBars, stackedBars, legend } = window.CreditCharts;

  const REFRESH_MS = 30000;
  const OVERDUE_LIMIT = 200;
  const el = (id) => document.getElementById(id);
  const pageMessage = el('page-message');
  const autoRefresh = el('auto-refresh');

  const CHART_ROWS = 20;
  const overduePartner = el('overdue-partner');
  const overdueCourt = el('overdue-court');

  let data = null;
  let timer = null;
  let loading = false;
  /** Charts showing every row rather than the CHART_ROWS lowest. */
  const expanded = new Set();

  const session = startSession({
    role: 'supervisor',
    describe: (claims) => '监督人员' + (claims.sub ? '（' + claims.sub + '）' : ''),
    onSignedIn: () => {
      load();
      schedule();
    },
    onSignedOut: () => {
      stop();
      data = null;
      for (const id of ['tiles', 'partner-coverage', 'court-coverage', 'kind-coverage', 'overdue', 'latency', 'histogram']) clear(el(id));
      el('updated').textContent = '—';
      showMessage(pageMessage, '', '');
    },
  });

  el('refresh').addEventListener('click', load);
  autoRefresh.addEventListener('change', schedule);
  overduePartner.addEventListener('change', reloadOverdue);
  overdueCourt.addEventListener('change', reloadOverdue);

  function schedule() {
    stop();
    if (autoRefresh.checked && session.token()) {
      timer = setInterval(() => {
        if (!document.hidden) load();
      }, REFRESH_MS);
    }
  }

  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
  }

  async function load() {
    if (loading || !session.token()) return;
    loading = true;
    try {
      const get = async (path) => (await api(session, path)).body;
      const [byPartner, byCourt, byKind, overdue, latency] = await Promise.all([
        get('/v1/supervision/coverage?by=partner'),
        get('/v1/supervision/coverage?by=court'),
        get('/v1/supervision/coverage?by=kind'),
        get(overduePath()),
        get('/v1/supervision/receipt-latency'),
      ]);
      data = { byPartner, byCourt, byKind, overdue, latency, at: new Date() };
      render();
      el('updated').textContent = fmt.clock(data.at);
      showMessage(pageMessage, '', '');
    } catch (error) {
      showMessage(pageMessage, 'error', errorText(error));
    } finally {
      loading = false;
    }
  }

  function render() {
    renderTiles();
    renderCharts();
    renderFilters();
    renderOverdue();
  }

  function overduePath() {
    const query = new window.URLSearchParams({ limit: String(OVERDUE_LIMIT) });
    if (overduePartner.value) query.set('partnerId', overduePartner.value);
    if (overdueCourt.value) query.set('courtCode', overdueCourt.value);
    return '/v1/supervision/overdue?' + query;
  }

  async function reloadOverdue() {
    if (!data) return;
    try {
      data.overdue = (await api(session, overduePath())).body;
      data.at = new Date();
      renderOverdue();
    } catch (error) {
      showMessage(pageMessage, 'error', errorText(error));
    }
  }

  /** Keeps the chosen filter across refreshes; the options are the partners and courts with deliveries. */
  function renderFilters() {
    const fill = (select, rows, all) => {
      const chosen = select.value;
      const options = rows
        .map((r) => ({ value: r.key, text: r.name ? r.name + '（' + r.key + '）' : r.key }))
        .sort((a, b) => a.text.localeCompare(b.text, 'zh-CN'));
      clear(select).append(h('option', { value: '', text: all }), ...options.map((o) => h('option', { value: o.value, text: o.text })));
      select.value = options.some((o) => o.value === chosen) ? chosen : '';
    };
    fill(overduePartner, data.byPartner, '全部协同单位');
    fill(overdueCourt, data.byCourt, '全部法院');
  }

  // ── overview ───────────────────────────────────────────────────────

  function renderTiles() {
    const sum = (rows, field) => rows.reduce((n, r) => n + r[field], 0);
    const published = sum(data.byPartner, 'published');
    const confirmed = sum(data.byPartner, 'confirmed');
    const overdue = sum(data.byPartner, 'overdue');
    const share = published ? confirmed / published : null;
    clear(el('tiles')).append(
      tile('送达记录', fmt.number(sum(data.byPartner, 'deliveries')), ''),
      tile('已发布', fmt.number(published), ''),
      tile('已确认', fmt.number(confirmed), ''),
      tile('总体覆盖率', fmt.percent(share), share === null || share >= 0.95 ? 'good' : 'warn'),
      tile('逾期未反馈', fmt.number(overdue), overdue > 0 ? 'warn' : 'good'),
      tile('近 30 日回执', fmt.number(sum(data.latency, 'receipts')), ''),
    );
  }

  function tile(label, value, tone) {
    return h('div', { class: ['tile', tone], 'data-tile': label }, h('p', { class: 'tile-label', text: label }), h('p', { class: 'tile-value', text: value }));
  }

  // ── charts ─────────────────────────────────────────────────────────

  function tone(share) {
    if (share === null) return 'none';
    return share >= 0.95 ? 'good' : share >= 0.8 ? 'fair' : 'poor';
  }

  function coverageRows(rows, name) {
    return rows
      .map((r) => ({
        key: r.key,
        label: name(r),
        share: r.coverage,
        valueText: r.coverage === null ? '未发布' : fmt.percent(r.coverage) + '（' + r.confirmed + '/' + r.published + '）',
        note: r.overdue ? '逾期 ' + r.overdue : '',
        tone: tone(r.coverage),
        row: r,
      }))
      .sort((a, b) => (a.share === null ? 2 : a.share) - (b.share === null ? 2 : b.share) || a.label.localeCompare(b.label, 'zh-CN'));
  }

  function coverageTable(rows, keyTitle) {
    return dataTable(
      [keyTitle, '送达', '已发布', '已确认', '逾期', '覆盖率'],
      rows.map((r) => [r.label, fmt.number(r.row.deliveries), fmt.number(r.row.published), fmt.number(r.row.confirmed), fmt.number(r.row.overdue), fmt.percent(r.row.coverage)]),
    );
  }

  function dataTable(head, body) {
    return h(
      'details',
      { class: 'data' },
      h('summary', { text: '查看数据表' }),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          null,
          h('thead', null, h('tr', null, head.map((t, i) => h('th', { scope: 'col', class: i > 0 ? 'num' : undefined, text: t })))),
          h('tbody', null, body.map((cells) => h('tr', null, cells.map((c, i) => (i === 0 ? h('th', { scope: 'row', text: c }) : h('td', { class: 'num', text: c })))))),
        ),
      ),
    );
  }

  function widthOf(host) {
    return Math.max(280, Math.floor(host.clientWidth || 560));
  }

  function placeChart(id, build) {
    const host = clear(el(id));
    const parts = build(widthOf(host));
    for (const part of parts) if (part) host.append(part);
  }

  /** The first CHART_ROWS rows, or all once expanded; with a button to switch. */
  function limited(id, rows) {
    if (rows.length <= CHART_ROWS) return { shown: rows, toggle: null };
    const all = expanded.has(id);
    const toggle = h('button', {
      type: 'button',
      class: 'button chart-more',
      'aria-expanded': all ? 'true' : 'false',
      text: all ? '只显示前 ' + CHART_ROWS + ' 项' : '显示全部 ' + rows.length + ' 项',
      onclick: () => {
        if (all) expanded.delete(id);
        else expanded.add(id);
        renderCharts();
      },
    });
    return { shown: all ? rows : rows.slice(0, CHART_ROWS), toggle };
  }

  function emptyNote(text) {
    return h('p', { class: 'empty', text });
  }

  function renderCharts() {
    const partnerName = (r) => r.name || r.key;
    const courtName = (r) => r.name || r.key;
    const kindName = (r) => labels.kind[r.key] || r.key;

    placeChart('partner-coverage', (width) => {
      const rows = coverageRows(data.byPartner, partnerName);
      if (rows.length === 0) return [emptyNote('尚无协同单位的送达记录。')];
      const { shown, toggle } = limited('partner', rows);
      return [shareBars({ id: 'chart-partner-coverage', kind: 'coverage-partner', width, rows: shown, title: '各协同单位执行覆盖率', description: describeShares(shown) }), toggle, coverageTable(rows, '协同单位')];
    });
    placeChart('court-coverage', (width) => {
      const rows = coverageRows(data.byCourt, courtName);
      if (rows.length === 0) return [emptyNote('尚无法院的送达记录。')];
      const { shown, toggle } = limited('court', rows);
      return [shareBars({ id: 'chart-court-coverage', kind: 'coverage-court', width, rows: shown, title: '各法院执行覆盖率', description: describeShares(shown) }), toggle, coverageTable(rows, '法院')];
    });
    placeChart('kind-coverage', (width) => {
      const rows = coverageRows(data.byKind, kindName);
      if (rows.length === 0) return [emptyNote('尚无送达记录。')];
      return [shareBars({ id: 'chart-kind-coverage', kind: 'coverage-kind', width, rows, title: '按措施类型的执行覆盖率', description: describeShares(rows) }), coverageTable(rows, '措施类型')];
    });

    const latency = data.latency
      .map((r) => ({ key: r.partnerId, label: r.partnerName || r.partnerId, p50: r.p50Ms, p95: r.p95Ms, row: r }))
      .sort((a, b) => b.p95 - a.p95 || a.label.localeCompare(b.label, 'zh-CN'));
    placeChart('latency', (width) => {
      if (latency.length === 0) return [emptyNote('近 30 日没有收到回执。')];
      const { shown, toggle } = limited('latency', latency);
      return [
        pairedBars({
          id: 'chart-latency',
          kind: 'latency',
          width,
          rows: shown,
          format: fmt.duration,
          title: '回执时延（中位数 / 95 分位）',
          description: shown.map((r) => r.label + '：中位数 ' + fmt.duration(r.p50) + '，95 分位 ' + fmt.duration(r.p95)).join('；'),
        }),
        legend([{ name: '中位数（p50）', cls: 'p50' }, { name: '95 分位（p95）', cls: 'p95' }]),
        toggle,
        dataTable(
          ['协同单位', '回执数', '中位数', '95 分位'],
          latency.map((r) => [r.label, fmt.number(r.row.receipts), fmt.duration(r.p50), fmt.duration(r.p95)]),
        ),
      ];
    });

    placeChart('histogram', (width) => {
      const withBuckets = latency.filter((r) => Array.isArray(r.row.histogram));
      if (withBuckets.length === 0) return [emptyNote(latency.length === 0 ? '近 30 日没有收到回执。' : '服务未提供时延分布。')];
      const names = bucketNames(withBuckets[0].row.histogram);
      const rows = withBuckets.map((r) => ({ key: r.key, label: r.label, counts: r.row.histogram.map((b) => b.count) }));
      const { shown, toggle } = limited('histogram', rows);
      return [
        stackedBars({
          id: 'chart-histogram',
          kind: 'histogram',
          width,
          rows: shown,
          bucketNames: names,
          title: '回执时延分布',
          description: shown.map((r) => r.label + '：' + r.counts.map((n, i) => (n ? names[i] + ' ' + n + ' 条' : '')).filter(Boolean).join('，')).join('；'),
        }),
        legend(names.map((name, i) => ({ name, cls: 'hist-' + i }))),
        toggle,
        dataTable(['协同单位'].concat(names), rows.map((r) => [r.label].concat(r.counts.map(String)))),
      ];
    });
  }

  function describeShares(rows) {
    return rows.map((r) => r.label + ' ' + r.valueText + (r.note ? '，' + r.note : '')).join('；');
  }

  function shortDuration(ms) {
    const units = [
      [86400000, ' 天'],
      [3600000, ' 小时'],
      [60000, ' 分'],
      [1000, ' 秒'],
    ];
    for (const [size, name] of units) if (ms % size === 0) return ms / size + name;
    return ms + ' 毫秒';
  }

  function bucketNames(histogram) {
    return histogram.map((b, i) => {
      const previous = i > 0 ? histogram[i - 1].upToMs : null;
      if (b.upToMs === null) return '超过 ' + shortDuration(previous);
      if (previous === null) return '≤ ' + shortDuration(b.upToMs);
      return shortDuration(previous) + '–' + shortDuration(b.upToMs);
    });
  }

  // ── overdue deliveries ─────────────────────────────────────────────

  const OVERDUE_COLUMNS = ['协同单位', '执行法院', '限制措施', '应反馈时间', '已逾期', '版本（已发布/已确认）', '重新发布'];

  /** A cell labelled with its column, so a narrow screen can show each row as a small card. */
  function cell(column, cls) {
    const content = h('div');
    for (let i = 2; i < arguments.length; i++) content.append(arguments[i]);
    return h('td', { class: cls, 'data-label': OVERDUE_COLUMNS[column] }, content);
  }

  function renderOverdue() {
    const host = clear(el('overdue'));
    const rows = data.overdue;
    if (rows.length === 0) {
      host.append(h('p', { class: 'empty', text: '目前没有逾期未反馈的送达。' }));
      return;
    }
    const now = data.at.getTime();
    host.append(
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { id: 'overdue-table', class: 'stack' },
          h('caption', { class: 'visually-hidden', text: '逾期未反馈的送达' }),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              OVERDUE_COLUMNS.map((t, i) => h('th', { scope: 'col', class: i >= 5 ? 'num' : undefined, text: t })),
            ),
          ),
          h(
            'tbody',
            null,
            rows.map((d) =>
              h(
                'tr',
                { 'data-restriction-id': d.restrictionId, 'data-partner-id': d.partnerId },
                cell(0, null, d.partnerName || d.partnerId, h('div', { class: 'hint mono', text: d.partnerId })),
                cell(1, null, d.courtName || d.courtCode),
                cell(2, null, labels.kind[d.kind] || d.kind, h('div', { class: 'hint mono', text: d.restrictionId })),
                cell(3, null, h('time', { datetime: d.dueAt, text: fmt.dateTime(d.dueAt) })),
                cell(4, 'late', fmt.duration(Math.max(0, now - Date.parse(d.dueAt)))),
                cell(5, 'num', d.publishedVersion + ' / ' + d.confirmedVersion),
                cell(6, 'num', d.announceCount + ' 次'),
              ),
            ),
          ),
        ),
      ),
    );
    if (rows.length >= OVERDUE_LIMIT) host.append(h('p', { class: 'hint', text: '仅显示最早的 ' + OVERDUE_LIMIT + ' 条。' }));
  }

  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (data) renderCharts();
    }, 150);
  });
})();
