/* global window, document */
// 本人限制措施查询: GET /v1/me/status and the correction requests (GET/POST /v1/me/corrections,
// POST /v1/me/corrections/{id}/reconsideration), with the debtor's own bearer token.
(function () {
  'use strict';
  const { h, clear, fmt, labels, errorText, startSession, api, showMessage } = window.CreditPages;

  const el = (id) => document.getElementById(id);
  const restrictionsEl = el('restrictions');
  const summaryEl = el('summary');
  const correctionsEl = el('corrections');
  const correctionForm = el('correction-form');
  const pageMessage = el('page-message');

  let status = null;
  let loading = false;

  const session = startSession({
    role: 'debtor',
    describe: () => '被执行人（本人）',
    onSignedIn: load,
    onSignedOut: () => {
      status = null;
      clear(restrictionsEl);
      clear(summaryEl);
      clear(correctionsEl);
      el('identifier').textContent = '—';
      el('as-of').textContent = '—';
      showMessage(pageMessage, '', '');
    },
  });

  el('refresh').addEventListener('click', load);

  async function load() {
    if (loading) return;
    loading = true;
    showMessage(pageMessage, 'info', '正在加载……');
    try {
      status = (await api(session, '/v1/me/status')).body;
      el('identifier').textContent = (labels.idType[status.debtor.identifier.type] || '') + ' ' + status.debtor.identifier.value;
      el('as-of').textContent = fmt.dateTime(status.asOf);
      renderRestrictions(status);
      showMessage(pageMessage, status.truncated ? 'info' : '', status.truncated ? '措施较多，仅显示最近的 200 项。' : '');
      await loadCorrections();
    } catch (error) {
      showMessage(pageMessage, 'error', errorText(error));
    } finally {
      loading = false;
    }
  }

  // ── restrictions ───────────────────────────────────────────────────

  function renderRestrictions(data) {
    const items = data.restrictions.slice().sort((a, b) => (a.status === b.status ? 0 : a.status === 'ACTIVE' ? -1 : 1));
    const active = items.filter((r) => r.status === 'ACTIVE').length;
    const waiting = items.reduce((n, r) => n + r.enforcement.filter((p) => p.overdue).length, 0);
    clear(summaryEl).append(
      tile('生效中的措施', active, active > 0 ? 'warn' : 'good'),
      tile('已解除的措施', items.length - active, ''),
      tile('协同单位逾期未反馈', waiting, waiting > 0 ? 'warn' : 'good'),
    );
    clear(restrictionsEl);
    if (items.length === 0) {
      restrictionsEl.append(h('p', { class: 'empty', text: '目前没有人民法院对您采取的失信惩戒或限制措施。' }));
      return;
    }
    for (const r of items) restrictionsEl.append(restrictionCard(r));
  }

  function tile(label, value, tone) {
    return h('div', { class: ['tile', tone] }, h('p', { class: 'tile-label', text: label }), h('p', { class: 'tile-value', text: fmt.number(value) }));
  }

  function restrictionCard(r) {
    const lifted = r.status === 'LIFTED';
    const badges = h(
      'div',
      { class: 'badges' },
      h('span', { class: ['badge', lifted ? 'lifted' : 'active'], text: labels.status[r.status] || r.status }),
      r.fullyLifted && h('span', { class: 'badge done', text: '全部解除确认' }),
      !lifted && r.fullyEnforced && h('span', { class: 'badge neutral', text: '各协同单位均已执行' }),
      !lifted && !r.published && h('span', { class: 'badge pending', text: '宽限期内，暂未公布' }),
    );
    const titleId = 'r-' + r.id;
    return h(
      'article',
      { class: ['card', 'restriction', lifted ? 'status-lifted' : 'status-active'], 'aria-labelledby': titleId, 'data-restriction-id': r.id },
      h('header', { class: 'card-head' }, h('h3', { id: titleId, text: r.kindText }), badges),
      h('p', { class: 'concern' }, '与您的关系：', r.concerns.map((c) => c.text).join('、'), r.subject.type === 'ORGANISATION' ? '（' + r.subject.name + '）' : ''),
      h('div', { class: 'card-body' }, h('div', null, facts(r), prohibits(r), persons(r), permissions(r)), h('div', null, h('h4', { text: '办理进度' }), timeline(r))),
    );
  }

  function fact(term, value, wide) {
    if (value === null || value === undefined || value === '') return null;
    return h('div', { class: wide ? 'wide' : undefined }, h('dt', { text: term }), h('dd', null, value));
  }

  function facts(r) {
    const subjectId = h('span', { class: 'mono', text: r.subject.identifier.value });
    return h(
      'dl',
      { class: 'facts' },
      fact('执行法院', r.court.name || r.court.code),
      fact('执行案号', r.case.caseNumber),
      fact('被执行人', [r.subject.name, '　', subjectId]),
      fact('执行依据', r.case.enforcementBasis.issuer + ' ' + r.case.enforcementBasis.documentNumber),
      fact('决定日期', fmt.date(r.decidedAt)),
      fact(lifted(r) ? '解除日期' : '生效日期', fmt.date(lifted(r) ? r.liftedAt : r.effectiveAt)),
      r.ground && fact('失信情形', r.ground.text + (r.extensionYears ? '（期限延长 ' + r.extensionYears + ' 年）' : ''), true),
      fact('应履行的义务', r.obligation, true),
      fact('履行情况', r.performanceStatus),
      r.linkedListingId && fact('关联', '因纳入失信被执行人名单而同时限制消费', false),
      fact(r.status === 'LIFTED' ? '解除原因' : '期限与解除条件', r.status === 'LIFTED' ? (r.liftReason ? r.liftReason.text : '—') : r.endsBy.text, true),
    );
  }

  function lifted(r) {
    return r.status === 'LIFTED';
  }

  function prohibits(r) {
    return [h('h4', { text: lifted(r) ? '曾限制的事项' : '限制事项' }), h('ul', { class: 'prohibits' }, r.prohibits.map((p) => h('li', { text: p.text })))];
  }

  function persons(r) {
    if (r.affectedPersons.length === 0) return null;
    return [
      h('h4', { text: '单位相关人员' }),
      h(
        'ul',
        { class: 'partners' },
        r.affectedPersons.map((p) =>
          h('li', null, h('span', null, h('span', { class: 'partner-name', text: p.name + (p.you ? '（您）' : '') }), h('span', { class: 'partner-sector', text: p.roleText })), h('span', { class: 'mono', text: p.identifier.value })),
        ),
      ),
    ];
  }

  function permissions(r) {
    if (r.permissions.length === 0) return null;
    return [
      h('h4', { text: '经准许的必要消费' }),
      h(
        'ul',
        { class: 'partners' },
        r.permissions.map((p) =>
          h(
            'li',
            null,
            h('span', { text: p.measures.map((m) => m.text).join('；') + '（' + p.reason + '）' }),
            h('span', { class: ['badge', p.inEffect ? 'done' : 'neutral'], text: p.inEffect ? '有效' : '未生效或已届满' }),
            h('span', { class: 'partner-when', text: fmt.dateTime(p.validFrom) + ' 至 ' + fmt.dateTime(p.validUntil) + (p.forYou ? '' : '（准许给单位的其他人员）') }),
          ),
        ),
      ),
    ];
  }

  // ── timeline: 决定 → 发布/通知 → 各协同单位执行 → 解除 → 各协同单位解除确认 ───────────

  function step(state, title, options) {
    const o = options || {};
    return h(
      'li',
      { class: state, 'data-step': o.key },
      h('div', { class: 'step-title' }, h('span', { text: title }), o.stateText && h('span', { class: 'step-state', text: o.stateText }), o.time && h('time', { class: 'step-time', datetime: o.time, text: fmt.dateTime(o.time) })),
      o.text && h('p', { class: 'step-text', text: o.text }),
      o.extra,
    );
  }

  function partnerLabel(p) {
    return [h('span', { class: 'partner-name', text: p.name || '协同单位' }), p.sector && h('span', { class: 'partner-sector', text: labels.sector[p.sector] || p.sector })];
  }

  function partnerRow(p, state) {
    return h(
      'li',
      { 'data-state': state.state },
      h('span', null, partnerLabel(p)),
      h('span', { class: ['badge', state.state === 'future' ? 'neutral' : state.state], text: state.text }),
      state.when && h('span', { class: 'partner-when', text: state.when }),
    );
  }

  function imposedState(p, r) {
    if (p.imposedConfirmedAt) {
      return { state: 'done', text: p.confirmedOutcome === 'NOT_APPLICABLE' ? '已反馈：不适用' : '已执行', when: '执行确认：' + fmt.dateTime(p.imposedConfirmedAt) };
    }
    if (lifted(r)) return { state: 'future', text: '解除前未反馈' };
    if (p.publishedVersion === 0) return { state: 'future', text: '待通知' };
    if (p.overdue) return { state: 'overdue', text: '逾期未执行', when: '应于 ' + fmt.dateTime(p.dueAt) + ' 前反馈' };
    return { state: 'pending', text: '待执行', when: p.dueAt ? '应于 ' + fmt.dateTime(p.dueAt) + ' 前反馈' : undefined };
  }

  function liftState(p, r) {
    if (p.liftConfirmedAt) return { state: 'done', text: '已解除确认', when: '解除确认：' + fmt.dateTime(p.liftConfirmedAt) };
    if (p.publishedVersion < r.version) return { state: 'pending', text: '待通知解除' };
    if (p.overdue) return { state: 'overdue', text: '逾期未确认解除', when: '应于 ' + fmt.dateTime(p.dueAt) + ' 前确认' };
    return { state: 'pending', text: '待确认解除', when: p.dueAt ? '应于 ' + fmt.dateTime(p.dueAt) + ' 前确认' : undefined };
  }

  /** One state for a group of partner rows: any overdue → overdue; all done → done; else pending. */
  function groupState(states) {
    if (states.some((s) => s.state === 'overdue')) return 'overdue';
    if (states.length > 0 && states.every((s) => s.state === 'done')) return 'done';
    return 'pending';
  }

  function timeline(r) {
    const partners = r.enforcement;
    const steps = [step('done', '决定', { key: 'decided', time: r.decidedAt, text: (r.court.name || '人民法院') + '作出' + r.kindText + '决定' })];

    const notified = partners.filter((p) => p.publishedVersion > 0).length;
    if (!r.published && !lifted(r)) {
      steps.push(step('pending', '发布/通知', { key: 'published', stateText: '宽限期', text: '宽限期内暂不公布，也不通知协同单位；将于 ' + fmt.dateTime(r.publishAfter) + ' 起发布。' }));
    } else if (partners.length === 0) {
      steps.push(step('done', '发布/通知', { key: 'published', time: r.effectiveAt, text: '已生效；目前没有负有协助执行义务的协同单位。' }));
    } else {
      steps.push(
        step(notified === partners.length ? 'done' : 'pending', '发布/通知', {
          key: 'published',
          time: r.publishAfter || r.effectiveAt,
          stateText: notified + '/' + partners.length + ' 家已通知',
          text: '已向 ' + notified + ' 家协同单位发布，请其在规定期限内执行并反馈。',
        }),
      );
    }

    if (partners.length > 0) {
      const imposed = partners.map((p) => imposedState(p, r));
      const state = lifted(r) && !imposed.every((s) => s.state === 'done') ? 'future' : groupState(imposed);
      const done = imposed.filter((s) => s.state === 'done').length;
      const late = imposed.filter((s) => s.state === 'overdue').length;
      steps.push(
        step(state, '各协同单位执行', {
          key: 'enforced',
          stateText: late > 0 ? late + ' 家逾期' : done === partners.length ? '全部已执行' : done + '/' + partners.length + ' 家已执行',
          extra: h('ul', { class: 'partners', 'aria-label': '各协同单位执行情况' }, partners.map((p, i) => partnerRow(p, imposed[i]))),
        }),
      );
    }

    if (lifted(r)) {
      steps.push(step('done', '解除', { key: 'lifted', time: r.liftedAt, text: '解除原因：' + (r.liftReason ? r.liftReason.text : '—') }));
      if (partners.length > 0) {
        const confirmations = partners.map((p) => liftState(p, r));
        const done = confirmations.filter((s) => s.state === 'done').length;
        steps.push(
          step(groupState(confirmations), '各协同单位解除确认', {
            key: 'lift-confirmed',
            stateText: r.fullyLifted ? '全部解除确认' : done + '/' + partners.length + ' 家已确认',
            extra: h('ul', { class: 'partners', 'aria-label': '各协同单位解除确认情况' }, partners.map((p, i) => partnerRow(p, confirmations[i]))),
          }),
        );
      }
    } else {
      steps.push(step('future', '解除', { key: 'lifted', text: '尚未解除。' + (r.expiresAt ? '期限至 ' + fmt.date(r.expiresAt) + '。' : '') }));
      if (partners.length > 0) steps.push(step('future', '各协同单位解除确认', { key: 'lift-confirmed', text: '解除后，各协同单位应及时解除限制并确认。' }));
    }
    return h('ol', { class: 'timeline', 'aria-label': r.kindText + '办理进度' }, steps);
  }

  // ── correction requests ────────────────────────────────────────────

  async function loadCorrections() {
    let requests;
    try {
      requests = (await api(session, '/v1/me/corrections')).body;
    } catch (error) {
      clear(correctionsEl).append(h('p', { class: 'message error', text: error.status === 404 ? '纠正申请服务暂不可用。' : errorText(error) }));
      correctionForm.hidden = true;
      return;
    }
    renderCorrections(requests);
  }

  function restrictionById(id) {
    return status ? status.restrictions.find((r) => r.id === id) : undefined;
  }

  function courtName(code) {
    const known = status && status.restrictions.find((r) => r.court.code === code);
    return known && known.court.name ? known.court.name : '人民法院（' + code + '）';
  }

  function actorText(actor, entry) {
    if (actor === 'debtor') return '本人';
    const code = actor.replace(/^court:/, '');
    if (entry.action && entry.action.startsWith('RECONSIDERATION_') && entry.action !== 'RECONSIDERATION_FILED') return '上一级人民法院（' + code + '）';
    return courtName(code);
  }

  function renderCorrections(requests) {
    clear(correctionsEl);
    if (requests.length === 0) correctionsEl.append(h('p', { class: 'empty', text: '您还没有提交过纠正申请。' }));
    for (const request of requests) correctionsEl.append(correctionCard(request));
    fillCorrectionForm(requests);
  }

  function correctionCard(c) {
    const listing = restrictionById(c.restrictionId);
    const closed = c.status === 'CARRIED_OUT' || c.status === 'RECONSIDERATION_REJECTED';
    const titleId = 'c-' + c.id;
    const badgeTone = c.status === 'CARRIED_OUT' ? 'done' : c.status.endsWith('REJECTED') ? 'neutral' : 'pending';
    return h(
      'article',
      { class: 'card correction', 'aria-labelledby': titleId, 'data-correction-id': c.id },
      h(
        'header',
        { class: 'card-head' },
        h('h3', { id: titleId, text: '纠正申请：' + (labels.correctionGround[c.ground] || c.ground) }),
        h('div', { class: 'badges' }, h('span', { class: ['badge', badgeTone], text: labels.correctionStatus[c.status] || c.status }), c.overdue && h('span', { class: 'badge overdue', text: '法院已逾期' })),
      ),
      h(
        'div',
        { class: 'card-body' },
        h(
          'div',
          null,
          h(
            'dl',
            { class: 'facts' },
            fact('所涉名单', listing ? listing.kindText + '　' + listing.case.caseNumber : c.restrictionId, true),
            fact('执行法院', courtName(c.enforcingCourtCode)),
            fact('提交时间', fmt.dateTime(c.filedAt)),
            fact('审查期限', fmt.dateTime(c.decisionDueAt)),
            c.decidedAt && fact('决定时间', fmt.dateTime(c.decidedAt)),
            c.decisionReason && fact('决定理由', c.decisionReason, true),
            c.carryOutDueAt && fact('纠正期限', fmt.dateTime(c.carryOutDueAt)),
            c.carriedOutAt && fact('纠正完成', fmt.dateTime(c.carriedOutAt) + (c.carryOutAction ? '（' + labels.carryOut[c.carryOutAction] + '）' : '')),
            c.reconsiderationDueBy && fact('复议申请期限', fmt.dateTime(c.reconsiderationDueBy)),
            c.reconsiderationDueAt && fact('复议决定期限', fmt.dateTime(c.reconsiderationDueAt)),
            c.reconsiderationReason && fact('复议决定理由', c.reconsiderationReason, true),
          ),
          h('h4', { text: '申请的事实与理由' }),
          h('p', { class: 'statement', text: c.statement }),
          c.reconsiderationStatement && [h('h4', { text: '复议申请理由' }), h('p', { class: 'statement', text: c.reconsiderationStatement })],
          !closed && c.pendingAct && h('p', { class: 'pending-act' }, '待办：', labels.pendingAct[c.pendingAct.act] || c.pendingAct.act, '，截止 ', h('time', { datetime: c.pendingAct.dueAt, text: fmt.dateTime(c.pendingAct.dueAt) })),
          c.reconsiderationWindowOpen && reconsiderationForm(c),
        ),
        h('div', null, h('h4', { text: '办理经过' }), correctionTimeline(c)),
      ),
    );
  }

  function correctionTimeline(c) {
    const steps = c.timeline.map((entry) =>
      step(entry.details && entry.details.late ? 'overdue' : 'done', labels.correctionAction[entry.action] || entry.action, {
        time: entry.at,
        stateText: entry.details && entry.details.late ? '逾期办理' : undefined,
        text: actorText(entry.actor, entry) + (entry.details && typeof entry.details.reason === 'string' ? '：' + entry.details.reason : ''),
      }),
    );
    if (c.pendingAct) {
      const party = c.pendingAct.party === 'DEBTOR' ? '本人' : c.pendingAct.party === 'HIGHER_COURT' ? '上一级人民法院' : courtName(c.enforcingCourtCode);
      steps.push(
        step(c.overdue ? 'overdue' : 'pending', labels.pendingAct[c.pendingAct.act] || c.pendingAct.act, {
          stateText: c.overdue ? '已逾期' : '进行中',
          text: party + '，截止 ' + fmt.dateTime(c.pendingAct.dueAt),
        }),
      );
    }
    return h('ol', { class: 'timeline', 'aria-label': '纠正申请办理经过' }, steps);
  }

  function reconsiderationForm(c) {
    const id = 'reconsider-' + c.id;
    const message = h('p', { class: 'message', role: 'status', 'aria-live': 'polite' });
    const statement = h('textarea', { id: id + '-statement', name: 'statement', rows: 4, maxlength: 5000, required: true });
    const form = h(
      'form',
      { class: 'reconsider', novalidate: true, 'aria-labelledby': id + '-title' },
      h('h4', { id: id + '-title', text: '申请复议' }),
      h('p', { class: 'hint', text: '对驳回决定不服的，可在 ' + fmt.dateTime(c.reconsiderationDueBy) + ' 前向上一级人民法院申请复议。' }),
      h('div', { class: 'field' }, h('label', { for: id + '-statement', text: '复议理由' }), statement),
      message,
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button primary', text: '申请复议' })),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!statement.value.trim()) {
        showMessage(message, 'error', '请填写复议理由。');
        statement.focus();
        return;
      }
      await submitting(form, async () => {
        try {
          await api(session, '/v1/me/corrections/' + c.id + '/reconsideration', { body: { statement: statement.value.trim() }, headers: { 'if-match': '"' + c.version + '"' } });
          showMessage(pageMessage, 'success', '复议申请已提交，上一级人民法院将在十五日内作出决定。');
          await loadCorrections();
        } catch (error) {
          showMessage(message, 'error', errorText(error));
        }
      });
    });
    return form;
  }

  function fillCorrectionForm(requests) {
    const select = el('correction-restriction');
    const open = new Set(requests.filter((c) => c.pendingAct !== null).map((c) => c.restrictionId));
    const own = (status ? status.restrictions : []).filter((r) => r.kind === 'DISHONEST_LISTING' && r.status === 'ACTIVE' && r.concerns.some((c) => c.code === 'SUBJECT'));
    const eligible = own.filter((r) => !open.has(r.id));
    const previous = select.value;
    clear(select).append(...eligible.map((r) => h('option', { value: r.id, text: r.case.caseNumber + '（' + (r.court.name || r.court.code) + '，' + fmt.date(r.decidedAt) + '决定）' })));
    if (eligible.some((r) => r.id === previous)) select.value = previous;
    correctionForm.hidden = eligible.length === 0;
    el('correction-none').hidden = eligible.length > 0;
    el('correction-none').textContent =
      own.length > 0 ? '您的失信名单已有尚未办结的纠正申请，请等待处理结果；一份名单同时只能有一件未办结的申请。' : '您目前没有可以申请纠正的失信被执行人名单（只能对本人被纳入、尚在公布中的名单申请纠正）。';
  }

  async function submitting(form, work) {
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      await work();
    } finally {
      button.disabled = false;
    }
  }

  correctionForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const message = el('correction-message');
    const restrictionId = el('correction-restriction').value;
    const ground = el('correction-ground').value;
    const statement = el('correction-statement').value.trim();
    const missing = !restrictionId ? ['correction-restriction', '请选择失信名单。'] : !ground ? ['correction-ground', '请选择申请理由。'] : !statement ? ['correction-statement', '请填写事实与理由。'] : null;
    if (missing) {
      showMessage(message, 'error', missing[1]);
      el(missing[0]).setAttribute('aria-invalid', 'true');
      el(missing[0]).focus();
      return;
    }
    for (const id of ['correction-restriction', 'correction-ground', 'correction-statement']) el(id).removeAttribute('aria-invalid');
    await submitting(correctionForm, async () => {
      try {
        const filed = (await api(session, '/v1/me/corrections', { body: { restrictionId, ground, statement } })).body;
        correctionForm.reset();
        showMessage(message, '', '');
        showMessage(pageMessage, 'success', '纠正申请已提交。执行法院应于 ' + fmt.dateTime(filed.decisionDueAt) + ' 前作出决定。');
        await loadCorrections();
        pageMessage.scrollIntoView({ block: 'nearest' });
      } catch (error) {
        showMessage(message, 'error', errorText(error));
      }
    });
  });
})();
