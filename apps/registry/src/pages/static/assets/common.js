/* global window, document, sessionStorage, history, location, fetch, atob, btoa, crypto, URL, URLSearchParams */
// Shared by the pages: sign-in (single sign-on or a pasted bearer token), API calls, DOM building and Chinese labels.
// Classic script (no modules, no inline code) so the pages run under `script-src 'self'`.
(function () {
  'use strict';

  // ── DOM ────────────────────────────────────────────────────────────
  // Elements are built with createElement/textContent only: API text (a statement, a name)
  // is never parsed as HTML.

  function h(tag, attrs) {
    const el = document.createElement(tag);
    setAttrs(el, attrs);
    for (let i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';

  function svg(tag, attrs) {
    const el = document.createElementNS(SVG_NS, tag);
    setAttrs(el, attrs);
    for (let i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }

  function setAttrs(el, attrs) {
    if (!attrs) return;
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'class') el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
      else if (name === 'text') el.textContent = value;
      else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? '' : String(value));
    }
  }

  function append(el, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) child.forEach((c) => append(el, c));
    else el.append(child instanceof window.Node ? child : String(child));
  }

  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
  }

  // ── formatting (China time, zh-CN) ─────────────────────────────────

  const dateTimeFormat = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
  const dateFormat = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' });
  const timeFormat = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

  function dateTime(iso) {
    return iso ? dateTimeFormat.format(new Date(iso)) : '—';
  }

  function date(iso) {
    if (!iso) return '—';
    // A plain date (YYYY-MM-DD) is a China calendar date already.
    return dateFormat.format(new Date(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? iso + 'T00:00:00+08:00' : iso));
  }

  function clock(d) {
    return timeFormat.format(d);
  }

  /** A duration in Chinese at the two largest units: 3 天 4 小时, 12 分 5 秒, 850 毫秒. */
  function duration(ms) {
    if (ms === null || ms === undefined || !isFinite(ms)) return '—';
    if (ms < 1000) return Math.round(ms) + ' 毫秒';
    const units = [
      [86400000, '天'],
      [3600000, '小时'],
      [60000, '分'],
      [1000, '秒'],
    ];
    if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 1 : 0) + ' 秒';
    const parts = [];
    let rest = ms;
    for (const [size, name] of units) {
      const n = Math.floor(rest / size);
      if (n > 0 || parts.length > 0) parts.push(n + ' ' + name);
      rest -= n * size;
      if (parts.length === 2) break;
    }
    return parts.filter((p) => !p.startsWith('0 ')).join(' ');
  }

  function percent(share, digits) {
    return share === null || share === undefined ? '—' : (share * 100).toFixed(digits === undefined ? 1 : digits) + '%';
  }

  function number(n) {
    return new Intl.NumberFormat('zh-CN').format(n);
  }

  // ── labels ─────────────────────────────────────────────────────────

  const labels = {
    role: { debtor: '被执行人', supervisor: '监督人员', court: '人民法院', partner: '协同单位', admin: '系统管理员' },
    kind: { DISHONEST_LISTING: '失信被执行人名单', CONSUMPTION_RESTRICTION: '限制消费令', EXIT_BAN: '限制出境' },
    status: { ACTIVE: '生效中', LIFTED: '已解除' },
    sector: {
      BANK: '银行业金融机构',
      MARKET_REGULATOR: '市场监管部门',
      AIRLINE: '航空公司',
      RAILWAY: '铁路运输企业',
      HOTEL_OPERATOR: '酒店经营单位',
      TRAVEL_AGENCY: '旅行社',
      BORDER_CONTROL: '出入境边防检查机关',
      CREDIT_BUREAU: '征信机构',
    },
    outcome: { APPLIED: '已执行', NOT_APPLICABLE: '不适用', FAILED: '执行失败' },
    idType: { RESIDENT_ID: '居民身份证', USCC: '统一社会信用代码', PASSPORT: '护照' },
    // List Rules Art. 11.
    correctionGround: {
      SHOULD_NOT_BE_LISTED: '不应将本人纳入失信被执行人名单',
      INFORMATION_WRONG: '记载和公布的失信信息不准确',
      SHOULD_BE_DELETED: '失信情形已消除，应当删除而未删除',
    },
    correctionStatus: {
      FILED: '已提交，待审查',
      ACCEPTED: '申请成立，待纠正',
      REJECTED: '已驳回',
      RECONSIDERATION_FILED: '已申请复议，待复议决定',
      RECONSIDERATION_ACCEPTED: '复议成立，待纠正',
      RECONSIDERATION_REJECTED: '复议驳回',
      CARRIED_OUT: '已纠正',
    },
    correctionAction: {
      FILED: '提交纠正申请',
      ACCEPTED: '执行法院决定：申请成立',
      REJECTED: '执行法院决定：驳回申请',
      RECONSIDERATION_FILED: '向上一级法院申请复议',
      RECONSIDERATION_ACCEPTED: '上一级法院复议决定：申请成立',
      RECONSIDERATION_REJECTED: '上一级法院复议决定：驳回',
      CARRIED_OUT: '执行法院已纠正',
    },
    pendingAct: {
      DECISION: '执行法院审查并作出决定',
      CARRY_OUT: '执行法院予以纠正',
      RECONSIDERATION_FILING: '您可以申请复议',
      RECONSIDERATION_DECISION: '上一级法院作出复议决定',
    },
    carryOut: { REVOKE: '撤销失信名单', AMEND: '更正失信信息', DELETE: '删除失信信息' },
  };

  const ERROR_TEXT = {
    UNAUTHENTICATED: '登录已失效或令牌无效，请重新登录。',
    FORBIDDEN: '无权访问：令牌的身份与本页不符。',
    RATE_LIMITED: '请求过于频繁，请稍后再试。',
    VALIDATION_FAILED: '填写的内容有误，请检查后重新提交。',
    CORRECTION_ALREADY_OPEN: '该名单已有尚未办结的纠正申请，请等待处理结果。',
    CORRECTION_RESTRICTION_LIFTED: '该名单已删除或解除，无需申请纠正。',
    CORRECTION_KIND_NOT_ALLOWED: '只能对失信被执行人名单申请纠正。',
    CORRECTION_INVALID_TRANSITION: '申请当前的状态不允许此操作，请刷新后查看。',
    RECONSIDERATION_WINDOW_CLOSED: '申请复议的期限已过。',
    NO_HIGHER_COURT: '执行法院没有上一级法院，无法申请复议。',
    STALE_VERSION: '申请的状态已发生变化，请刷新后重试。',
    CALENDAR_NOT_COVERED: '工作日历尚未覆盖相关期间，暂时无法计算期限，请稍后再试。',
    RESTRICTION_NOT_FOUND: '未找到该限制措施。',
    CORRECTION_NOT_FOUND: '未找到该纠正申请。',
  };

  function errorText(error) {
    if (error && error.code && ERROR_TEXT[error.code]) return ERROR_TEXT[error.code];
    if (error && error.status === 0) return '无法连接服务，请检查网络后重试。';
    return '请求未成功（' + (error && error.status ? 'HTTP ' + error.status : '未知错误') + (error && error.code ? '，' + error.code : '') + '），请稍后再试。';
  }

  // ── token and session ──────────────────────────────────────────────
  // The token lives in sessionStorage (this tab only, gone when it closes). `#token=…` in the
  // address is accepted once for demonstrations: a fragment never reaches the server, and it is
  // removed from the address bar (and so from history) at once.

  function decodeClaims(token) {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    try {
      const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(parts[1].length / 4) * 4, '='));
      const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
      const claims = JSON.parse(new window.TextDecoder().decode(bytes));
      return claims && typeof claims === 'object' ? claims : null;
    } catch (_error) {
      return null;
    }
  }

  function tokenFromFragment() {
    const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (!match) return null;
    history.replaceState(null, '', location.pathname + location.search);
    try {
      return decodeURIComponent(match[1]);
    } catch (_error) {
      return null;
    }
  }

  // ── single sign-on ─────────────────────────────────────────────────
  // OpenID Connect authorisation code flow with PKCE (RFC 7636, S256) as a public client: there is
  // no client secret, so the code is worth nothing without the verifier, which stays in this tab.
  // state (against a forged return, RFC 6749 §10.12), nonce and verifier are kept in sessionStorage
  // for the one round trip and removed when the user comes back, whatever the outcome.

  const OIDC_PARAMS = ['code', 'state', 'error', 'error_description', 'error_uri', 'iss', 'session_state'];

  const SSO_ERROR_TEXT = {
    access_denied: '您取消了登录，或统一身份认证平台拒绝了本次登录请求。',
    login_required: '请先在统一身份认证平台完成登录。',
    interaction_required: '统一身份认证平台需要您进一步操作，请重新登录。',
    consent_required: '您尚未同意本服务使用您的身份信息，请重新登录并确认授权。',
    temporarily_unavailable: '统一身份认证平台暂时无法处理登录请求，请稍后再试。',
    server_error: '统一身份认证平台出现错误，请稍后再试。',
  };

  /** An error code as the provider sent it, only if it looks like one (never free text from a link). */
  function safeCode(code) {
    return typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? code : '';
  }

  function base64url(bytes) {
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function randomString() {
    return base64url(crypto.getRandomValues(new Uint8Array(32)));
  }

  async function codeChallenge(verifier) {
    return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new window.TextEncoder().encode(verifier))));
  }

  /** The settings served at /pages/config.json: { authorizeUrl, tokenUrl, clientId, scope }, or null. */
  async function loadSso() {
    try {
      const response = await fetch('/pages/config.json', { headers: { accept: 'application/json' }, credentials: 'omit' });
      const body = response.ok ? await response.json() : null;
      return body && body.sso ? body.sso : null;
    } catch (_error) {
      return null;
    }
  }

  /** The provider's answer in the address (?code=&state= or ?error=), removed from the address bar and history at once. */
  function ssoResponseFromAddress() {
    const params = new URLSearchParams(location.search);
    if (!params.has('code') && !params.has('error')) return null;
    const response = { code: params.get('code'), state: params.get('state'), error: params.get('error') };
    for (const name of OIDC_PARAMS) params.delete(name);
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
    return response;
  }

  // The registered redirect URI is the page itself, without query or fragment.
  function redirectUri() {
    return location.origin + location.pathname;
  }

  /**
   * Wires the sign-in form, the sign-out button and the token for a page meant for `role`.
   * `onSignedIn()` loads the page's data; `onSignedOut()` clears it from the screen.
   */
  function startSession(options) {
    const key = 'credit-discipline.token.' + options.role;
    const ssoKey = 'credit-discipline.sso.' + options.role;
    const signin = document.getElementById('signin');
    const app = document.getElementById('app');
    const form = document.getElementById('signin-form');
    const input = document.getElementById('token-input');
    const signinError = document.getElementById('signin-error');
    const ssoButton = document.getElementById('sso-signin');
    const who = document.getElementById('who');
    let token = null;
    let sso = null;

    function check(candidate) {
      const claims = decodeClaims(candidate);
      if (!claims) return { error: '令牌格式不正确：应为三段以“.”分隔的 JWT。' };
      if (claims.role !== options.role) {
        return { error: '该令牌的身份是“' + (labels.role[claims.role] || claims.role || '未知') + '”，本页需要“' + labels.role[options.role] + '”身份的令牌。' };
      }
      if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return { error: '令牌已过期，请重新获取。' };
      return { claims };
    }

    function showSignin(message) {
      token = null;
      sessionStorage.removeItem(key);
      options.onSignedOut();
      app.hidden = true;
      signin.hidden = false;
      signinError.textContent = message || '';
      signinError.hidden = !message;
      input.value = '';
      ssoButton.disabled = false;
      (sso ? ssoButton : input).focus();
    }

    function signIn(candidate) {
      const checked = check(candidate);
      if (checked.error) {
        showSignin(checked.error);
        return;
      }
      token = candidate;
      sessionStorage.setItem(key, candidate);
      signin.hidden = true;
      app.hidden = false;
      signinError.hidden = true;
      if (who) who.textContent = options.describe ? options.describe(checked.claims) : labels.role[options.role];
      options.onSignedIn();
    }

    // With single sign-on the button leads and the pasted token folds away, kept for development.
    function offerSso() {
      document.getElementById('sso').hidden = false;
      document.getElementById('signin-note-sso').hidden = false;
      document.getElementById('signin-note-token').hidden = true;
      const fold = h('details', { class: 'token-signin' }, h('summary', { text: '使用访问令牌登录（供开发调试）' }));
      form.replaceWith(fold);
      fold.append(form);
      form.querySelector('button[type="submit"]').classList.remove('primary');
    }

    async function beginSso() {
      if (!crypto.subtle) {
        showSignin('本页面未通过 HTTPS 打开，无法使用统一身份认证登录。');
        return;
      }
      ssoButton.disabled = true;
      const pending = { state: randomString(), nonce: randomString(), verifier: randomString(), redirectUri: redirectUri() };
      sessionStorage.setItem(ssoKey, JSON.stringify(pending));
      const url = new URL(sso.authorizeUrl);
      const query = url.searchParams;
      query.set('response_type', 'code');
      query.set('client_id', sso.clientId);
      query.set('redirect_uri', pending.redirectUri);
      query.set('scope', sso.scope);
      query.set('state', pending.state);
      query.set('nonce', pending.nonce);
      query.set('code_challenge', await codeChallenge(pending.verifier));
      query.set('code_challenge_method', 'S256');
      location.assign(url.toString());
    }

    async function finishSso(response) {
      let pending = null;
      try {
        pending = JSON.parse(sessionStorage.getItem(ssoKey) || 'null');
      } catch (_error) {
        pending = null;
      }
      sessionStorage.removeItem(ssoKey);
      if (response.error) {
        const code = safeCode(response.error);
        showSignin((SSO_ERROR_TEXT[code] || '统一身份认证平台未完成登录，请重新登录。') + (code ? '（' + code + '）' : ''));
        return;
      }
      // Checked before the code goes anywhere: a code from someone else's login must not sign this tab in.
      if (!pending || !response.state || response.state !== pending.state) {
        showSignin('登录校验未通过：返回的登录状态与本次登录请求不符，可能是过期或伪造的登录链接。请重新登录。');
        return;
      }
      if (!sso) {
        showSignin('暂时无法获取统一身份认证的配置，请稍后重新登录。');
        return;
      }
      let answer;
      let body = null;
      try {
        answer = await fetch(sso.tokenUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: response.code || '',
            redirect_uri: pending.redirectUri,
            client_id: sso.clientId,
            code_verifier: pending.verifier,
          }).toString(),
          credentials: 'omit',
          cache: 'no-store',
        });
        body = await answer.json().catch(() => null);
      } catch (_error) {
        showSignin('无法连接统一身份认证平台，请稍后重新登录。');
        return;
      }
      if (!answer.ok || !body) {
        const code = safeCode(body && body.error);
        showSignin('统一身份认证平台未能签发令牌（HTTP ' + answer.status + (code ? '，' + code : '') + '），请重新登录。');
        return;
      }
      if (body.id_token) {
        const idClaims = decodeClaims(body.id_token);
        if (!idClaims || idClaims.nonce !== pending.nonce) {
          showSignin('登录校验未通过：身份令牌与本次登录请求不符，请重新登录。');
          return;
        }
      }
      // The access token is the one issued for this service's API (audience JWT_AUDIENCE, with the
      // role claim); the ID token is addressed to this client (aud = client id) and is used only
      // from a provider that issues no access token.
      const issued = body.access_token || body.id_token;
      if (typeof issued !== 'string' || !issued) {
        showSignin('统一身份认证平台的答复中没有令牌，请联系系统管理员。');
        return;
      }
      signIn(issued);
    }

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const value = input.value.trim().replace(/^Bearer\s+/i, '');
      if (!value) {
        showSignin('请先粘贴访问令牌。');
        return;
      }
      signIn(value);
    });
    ssoButton.addEventListener('click', () => {
      if (sso) void beginSso();
    });
    document.getElementById('signout').addEventListener('click', () => showSignin(''));

    // A return from the provider wins over a stored token; a stored or #token= token signs in at
    // once, without waiting for the settings. Either way the caller holds the returned session first.
    const returned = ssoResponseFromAddress();
    const fragment = tokenFromFragment();
    const given = returned ? null : fragment || sessionStorage.getItem(key);
    const settings = loadSso().then((loaded) => {
      sso = loaded;
      if (sso) offerSso();
    });
    if (given) window.queueMicrotask(() => signIn(given));
    else if (returned) settings.then(() => finishSso(returned));
    else settings.then(() => showSignin(''));

    return {
      token: () => token,
      expired: () => showSignin('登录已失效，请重新登录。'),
    };
  }

  // ── API ────────────────────────────────────────────────────────────

  function ApiError(status, problem) {
    this.status = status;
    this.code = problem && problem.code;
    this.problem = problem;
  }

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  /** Calls the API with the session's token; a 401 signs the user out. Resolves to { body, headers }. */
  async function api(session, path, init) {
    const headers = { accept: 'application/json', authorization: 'Bearer ' + session.token() };
    const request = { method: 'GET', headers, cache: 'no-store', credentials: 'omit' };
    if (init && init.body !== undefined) {
      request.method = init.method || 'POST';
      headers['content-type'] = 'application/json';
      headers['idempotency-key'] = newKey();
      request.body = JSON.stringify(init.body);
    }
    if (init && init.headers) Object.assign(headers, init.headers);
    let response;
    try {
      response = await fetch(path, request);
    } catch (_error) {
      throw new ApiError(0, null);
    }
    const type = response.headers.get('content-type') || '';
    const body = type.includes('json') ? await response.json().catch(() => null) : null;
    if (response.status === 401) session.expired();
    if (!response.ok) throw new ApiError(response.status, body);
    return { body, headers: response.headers };
  }

  function showMessage(el, kind, text) {
    el.className = 'message ' + kind;
    el.textContent = text;
  }

  window.CreditPages = {
    h,
    svg,
    clear,
    fmt: { dateTime, date, clock, duration, percent, number },
    labels,
    errorText,
    startSession,
    api,
    ApiError,
    showMessage,
  };
})();
