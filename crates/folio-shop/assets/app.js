// folio-shop's browsable page: the dynamic parts. The page itself is rendered on
// the server; this script only adds what a link cannot do:
// - infinite scroll (cursor mode): follows each page's `next` link as the reader
//   nears the bottom, with a visible loading state, no duplicates and a clear end;
// - a user's orders, loaded on demand from /api/users/{id}/orders with "load more";
// - each list's "last request" line, from X-Statement-Count and Server-Timing.
(function () {
  'use strict';

  var API = document.body.getAttribute('data-api') || '/api';

  // An API link (absolute, from a response body) as a path under this page's API.
  function toApi(link) {
    var u = new URL(link, window.location.href);
    return API + u.pathname.replace(/^\/api(?=\/|$)/, '') + u.search;
  }

  function fmtInt(n) { return Number(n).toLocaleString('en-US'); }
  function money(cents) {
    var a = Math.abs(cents);
    return (cents < 0 ? '-' : '') + '$' + fmtInt(Math.floor(a / 100)) + '.' + String(a % 100).padStart(2, '0');
  }
  function totalText(total, relation) {
    if (total === null || total === undefined) return null;
    if (relation === 'approx') return 'about ' + fmtInt(total);
    if (relation === 'gte') return fmtInt(total) + '+';
    return fmtInt(total);
  }

  // h('td', {class: 'num'}, 'text', childNode, …)
  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) el.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      el.append(c instanceof Node ? c : String(c));
    }
    return el;
  }

  // {statements, db, total} from a response's headers.
  function statsOf(res) {
    var timing = res.headers.get('Server-Timing') || '';
    function dur(name) {
      var m = new RegExp('(?:^|,)\\s*' + name + ';dur=([0-9.]+)').exec(timing);
      return m ? Number(m[1]) : null;
    }
    var n = res.headers.get('X-Statement-Count');
    return { statements: n === null ? null : Number(n), db: dur('db'), total: dur('total') };
  }

  function statsLine() {
    return h('p', { class: 'stats', 'data-stats': '', 'aria-live': 'polite' },
      'Last request: ', h('code', { class: 'req' }, ''), ' — ',
      h('strong', { class: 'stmts' }, ''), ' · db ', h('span', { class: 'db' }, ''), ' ms',
      ' · total ', h('span', { class: 'total' }, ''), ' ms');
  }

  function showStats(el, url, s) {
    if (!el) return;
    el.querySelector('.req').textContent = 'GET ' + url;
    el.querySelector('.stmts').textContent = s.statements === null ? '? SQL statements'
      : s.statements + ' SQL statement' + (s.statements === 1 ? '' : 's');
    el.querySelector('.db').textContent = s.db === null ? '?' : s.db.toFixed(2);
    el.querySelector('.total').textContent = s.total === null ? '?' : s.total.toFixed(2);
  }

  // GET a JSON API URL: {body, stats}; a refusal throws with the problem's detail.
  function getJson(url) {
    return fetch(url, { headers: { Accept: 'application/json' } }).then(function (res) {
      var stats = statsOf(res);
      return res.json().catch(function () { return null; }).then(function (body) {
        if (!res.ok) {
          var err = new Error((body && (body.detail || body.title)) || ('HTTP ' + res.status));
          err.stats = stats;
          throw err;
        }
        return { body: body, stats: stats };
      });
    });
  }

  // ---- products: infinite scroll ------------------------------------------------

  function productRow(p) {
    var created = p.created_at || '';
    return h('tr', { 'data-id': p.id },
      h('td', { class: 'num' }, p.id),
      h('td', { class: 'name' }, p.name, h('span', { class: 'sub' }, p.category)),
      h('td', { class: 'cat' }, p.category),
      h('td', { class: 'num price' }, money(p.price)),
      h('td', { class: 'num rating' },
        p.rating === null || p.rating === undefined ? h('span', { class: 'muted' }, 'n/a') : Number(p.rating).toFixed(1)),
      h('td', { class: 'added' }, h('time', { datetime: created }, created.slice(0, 10))));
  }

  function setupScroll(table) {
    var tbody = table.tBodies[0];
    var status = document.getElementById('scroll-status');
    var button = document.getElementById('load-more');
    var sentinel = document.getElementById('scroll-sentinel');
    var stats = document.querySelector('main [data-stats]');
    var totalEl = document.getElementById('products-total');
    var total = totalEl ? totalText(totalEl.getAttribute('data-total'), totalEl.getAttribute('data-relation')) : null;
    var seen = new Set();
    Array.prototype.forEach.call(tbody.rows, function (r) { seen.add(r.getAttribute('data-id')); });
    var next = table.getAttribute('data-next');
    var loading = false;
    var failed = false;
    var observer = null;

    function nearBottom() {
      return sentinel && sentinel.getBoundingClientRect().top < window.innerHeight + 600;
    }

    function finish() {
      status.textContent = 'End of the list: all ' + fmtInt(seen.size) + ' products shown.';
      status.classList.add('end');
      if (button) { button.remove(); button = null; }
      if (observer) observer.disconnect();
    }

    function loadMore() {
      if (loading || !next) return;
      loading = true;
      failed = false;
      var url = toApi(next);
      table.setAttribute('aria-busy', 'true');
      status.classList.remove('error');
      status.classList.add('loading');
      status.textContent = 'Loading more products…';
      if (button) button.disabled = true;
      getJson(url).then(function (r) {
        (r.body.products || []).forEach(function (p) {
          var id = String(p.id);
          if (seen.has(id)) return; // never show a row twice
          seen.add(id);
          tbody.append(productRow(p));
        });
        next = r.body.next || null;
        table.setAttribute('data-next', next || '');
        showStats(stats, url, r.stats);
        if (next) {
          status.textContent = 'Showing ' + fmtInt(seen.size) + (total ? ' of ' + total : '') + ' products. Scroll down for more.';
        } else {
          finish();
        }
      }).catch(function (e) {
        failed = true;
        if (e.stats) showStats(stats, url, e.stats);
        status.classList.add('error');
        status.textContent = 'Could not load more products: ' + e.message + '.';
        if (button) button.textContent = 'Try again';
      }).then(function () {
        loading = false;
        table.removeAttribute('aria-busy');
        status.classList.remove('loading');
        if (button) { button.disabled = false; if (!failed) button.textContent = 'Load more products'; }
        // A tall window may still show the bottom: keep filling it.
        if (next && !failed && nearBottom()) window.requestAnimationFrame(loadMore);
      });
    }

    if (!next) { finish(); return; }
    if (button) button.addEventListener('click', loadMore);
    if ('IntersectionObserver' in window && sentinel) {
      observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) loadMore();
      }, { rootMargin: '0px 0px 600px 0px' });
      observer.observe(sentinel);
    }
    // The observer reports only changes: when rows are appended and the reader
    // scrolls to the new bottom within one frame, the sentinel never stops
    // intersecting and no entry comes. Scrolling and resizing check the
    // position themselves, once a frame at most.
    var checkQueued = false;
    function checkPosition() {
      if (checkQueued) return;
      checkQueued = true;
      window.requestAnimationFrame(function () {
        checkQueued = false;
        if (!failed && nearBottom()) loadMore();
      });
    }
    window.addEventListener('scroll', checkPosition, { passive: true });
    window.addEventListener('resize', checkPosition, { passive: true });
  }

  // ---- the filter form: no empty parameters in the URL --------------------------

  function setupFilters(form) {
    form.addEventListener('submit', function () {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name && el.value === '') el.disabled = true;
      });
      // Re-enable after the navigation starts, for a page restored from history.
      window.setTimeout(function () {
        Array.prototype.forEach.call(form.elements, function (el) { el.disabled = false; });
      }, 0);
    });
  }

  // ---- users and their orders ---------------------------------------------------

  function userRow(u) {
    var created = u.created_at || '';
    return h('tr', { 'data-user-id': u.id },
      h('td', { class: 'num' }, u.id),
      h('td', { class: 'name' }, u.name, h('span', { class: 'sub' }, u.email)),
      h('td', { class: 'email' }, u.email),
      h('td', { class: 'added' }, h('time', { datetime: created }, created.slice(0, 10))),
      h('td', {}, h('button', {
        type: 'button', class: 'orders-toggle', 'data-user': u.id, 'data-name': u.name,
        'aria-expanded': 'false', 'aria-controls': 'orders-' + u.id,
      }, 'Show orders')));
  }

  function orderRow(o) {
    var created = o.created_at || '';
    return h('tr', { 'data-order-id': o.id },
      h('td', { class: 'num' }, o.id),
      h('td', {}, h('span', { class: 'status-pill' }, o.status)),
      h('td', { class: 'num' }, money(o.total)),
      h('td', {}, h('time', { datetime: created }, created.slice(0, 10))));
  }

  // Opens (loading its first page) or closes the orders panel under a user's row.
  function toggleOrders(button) {
    var id = button.getAttribute('data-user');
    var name = button.getAttribute('data-name') || ('user ' + id);
    var panelId = 'orders-' + id;
    var row = document.getElementById(panelId);
    if (button.getAttribute('aria-expanded') === 'true') {
      button.setAttribute('aria-expanded', 'false');
      button.textContent = 'Show orders';
      if (row) row.hidden = true;
      return;
    }
    button.setAttribute('aria-expanded', 'true');
    button.textContent = 'Hide orders';
    if (row) { row.hidden = false; return; }

    var tbody = h('tbody');
    var stats = statsLine();
    var status = h('p', { class: 'orders-status', role: 'status', 'aria-live': 'polite', tabindex: '-1' }, '');
    var more = h('button', { type: 'button', class: 'orders-more', hidden: '' }, 'Load more orders');
    var panel = h('div', { class: 'orders', role: 'region', 'aria-label': 'Orders of ' + name },
      h('div', { class: 'table-wrap' },
        h('table', { class: 'orders-table' },
          h('caption', {}, 'Orders of ' + name),
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col', class: 'num' }, 'Order'),
            h('th', { scope: 'col' }, 'Status'),
            h('th', { scope: 'col', class: 'num' }, 'Total'),
            h('th', { scope: 'col' }, 'Placed'))),
          tbody)),
      stats, status, more);
    var userRowEl = button.closest('tr');
    row = h('tr', { id: panelId, class: 'orders-row' }, h('td', { colspan: userRowEl.cells.length }, panel));
    userRowEl.after(row);

    var seen = new Set();
    var next = API + '/users/' + encodeURIComponent(id) + '/orders?cursor=&per_page=5';
    var loading = false;
    function load() {
      if (loading || !next) return;
      loading = true;
      var url = next;
      more.disabled = true;
      status.classList.remove('error');
      status.classList.add('loading');
      status.textContent = 'Loading orders…';
      getJson(url).then(function (r) {
        (r.body.orders || []).forEach(function (o) {
          var oid = String(o.id);
          if (seen.has(oid)) return;
          seen.add(oid);
          tbody.append(orderRow(o));
        });
        next = r.body.next ? toApi(r.body.next) : null;
        showStats(stats, url, r.stats);
        var total = totalText(r.body.total_orders, r.body.total_relation);
        if (seen.size === 0) {
          status.textContent = 'No orders yet.';
        } else if (next) {
          status.textContent = 'Showing ' + fmtInt(seen.size) + (total ? ' of ' + total : '') + ' orders.';
        } else {
          status.textContent = 'All ' + fmtInt(seen.size) + ' orders shown.';
        }
        if (next) {
          more.hidden = false;
        } else {
          var hadFocus = document.activeElement === more;
          more.hidden = true;
          if (hadFocus) status.focus();
        }
      }).catch(function (e) {
        if (e.stats) showStats(stats, url, e.stats);
        status.classList.add('error');
        status.textContent = 'Could not load the orders: ' + e.message + '.';
        more.hidden = false;
        more.textContent = 'Try again';
      }).then(function () {
        loading = false;
        more.disabled = false;
        status.classList.remove('loading');
        if (!status.classList.contains('error')) more.textContent = 'Load more orders';
      });
    }
    more.addEventListener('click', load);
    load();
  }

  function setupUsers(table) {
    table.addEventListener('click', function (e) {
      var b = e.target.closest('button.orders-toggle');
      if (b) toggleOrders(b);
    });
    var more = document.getElementById('users-more');
    var status = document.getElementById('users-status');
    var stats = document.querySelector('main [data-stats]');
    var totalEl = document.getElementById('users-total');
    var seen = new Set();
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) { seen.add(r.getAttribute('data-user-id')); });
    var next = table.getAttribute('data-next');
    if (!more || !next) return;
    more.addEventListener('click', function () {
      if (!next || more.disabled) return;
      var url = toApi(next);
      more.disabled = true;
      status.classList.add('loading');
      status.textContent = 'Loading more users…';
      getJson(url).then(function (r) {
        (r.body.users || []).forEach(function (u) {
          var id = String(u.id);
          if (seen.has(id)) return;
          seen.add(id);
          table.tBodies[0].append(userRow(u));
        });
        next = r.body.next || null;
        showStats(stats, url, r.stats);
        if (next) {
          status.textContent = 'Showing ' + fmtInt(seen.size) + (totalEl ? ' of ' + totalEl.textContent : ' users') + '.';
        } else {
          status.textContent = 'All ' + fmtInt(seen.size) + ' users shown.';
          more.remove();
          status.setAttribute('tabindex', '-1');
          status.focus();
        }
      }).catch(function (e) {
        if (e.stats) showStats(stats, url, e.stats);
        status.textContent = 'Could not load more users: ' + e.message + '.';
      }).then(function () {
        more.disabled = false;
        status.classList.remove('loading');
      });
    });
  }

  var products = document.getElementById('products');
  if (products && products.getAttribute('data-view') === 'scroll') setupScroll(products);
  var filters = document.getElementById('filters');
  if (filters) setupFilters(filters);
  var users = document.getElementById('users');
  if (users) setupUsers(users);
})();
