// web/app.js - the page: a hash router over rat serve's APIs, with the same
// tokens as every client (kept by the server in an HttpOnly cookie once signed
// in). Everything shown is put in as text (textContent), never as HTML.
'use strict';

const main = document.getElementById('main');

// el('td', {class: 'x'}, 'text' or nodes...): an element, its children as text or nodes
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children.flat()) node.append(c instanceof Node ? c : document.createTextNode(String(c ?? '')));
  return node;
}

async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { 'X-Requested-With': 'rat' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { message: text }; }
  if (!res.ok) {
    const message = (data && (data.message || (data.error && data.error.message))) || res.statusText;
    const err = new Error(message);
    err.status = res.status;
    throw err;
  }
  return data;
}

function show(...nodes) {
  main.replaceChildren(...nodes);
  main.focus();
}

function signIn(reason) {
  const input = el('input', { type: 'password', name: 'token', autocomplete: 'off',
                              'aria-label': 'Token', placeholder: 'rat_… (rat token create -w WORKSPACE)' });
  const message = el('p', { class: 'error', role: 'alert' }, reason || '');
  const form = el('form', { class: 'signin' }, input, el('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api('POST', '/ui/session', { token: input.value.trim() });
      route();
    } catch (e) {
      message.textContent = e.message;
    }
  });
  show(el('h1', {}, 'Sign in'),
       el('p', { class: 'muted' }, 'This server takes a token: the same one rat and other engines use.'),
       form, message);
  input.focus();
}

function table(headers, rows) {
  return el('div', { class: 'scroll' },
    el('table', {}, el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
       el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c)))))));
}

function when(ms) {
  return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '';
}

async function workspacePage() {
  const ws = await api('GET', '/rat/v1/workspace');
  const runs = await api('GET', '/rat/v1/runs?limit=20');
  document.getElementById('who').textContent = ws.name + (ws.readOnly ? ' (read only)' : '');
  const rows = (runs.runs || []).map((r) => [
    el('span', { class: 'status-' + r.status }, r.status), r.id, r.trigger || 'a person',
    when(r.started_ms), r.finished_ms && r.started_ms ? ((r.finished_ms - r.started_ms) / 1000).toFixed(1) + ' s' : '']);
  show(el('h1', {}, 'Workspace ', ws.name),
       el('p', { class: 'muted' }, 'Branch ', ws.branch, ' · storage prefix ', ws.prefix),
       el('h2', {}, 'Recent runs'),
       rows.length ? table(['Status', 'Run', 'Trigger', 'Started', 'Took'], rows)
                   : el('p', { class: 'muted' }, 'No run yet.'));
}

async function route() {
  try {
    await workspacePage();
    document.getElementById('signout').hidden = false;
  } catch (e) {
    if (e.status === 401) signIn();
    else show(el('p', { class: 'error', role: 'alert' }, e.message));
  }
}

document.getElementById('theme').addEventListener('click', () => {
  const root = document.documentElement;
  const dark = root.dataset.theme ? root.dataset.theme === 'dark'
                                  : matchMedia('(prefers-color-scheme: dark)').matches;
  root.dataset.theme = dark ? 'light' : 'dark';
  localStorage.setItem('rat-theme', root.dataset.theme);
});
document.getElementById('signout').addEventListener('click', async () => {
  await api('DELETE', '/ui/session');
  document.getElementById('signout').hidden = true;
  document.getElementById('who').textContent = '';
  signIn();
});
if (localStorage.getItem('rat-theme')) document.documentElement.dataset.theme = localStorage.getItem('rat-theme');
window.addEventListener('hashchange', route);
route();
