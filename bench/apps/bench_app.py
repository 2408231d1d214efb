"""The engine benchmark's app: a registration form and a task list, no network waits, served on 127.0.0.1.

Both benchmark modes drive the same steps against it, so the difference is the engine's own overhead.
"""

from __future__ import annotations

from testruns.engine.testing import StaticAppServer

REGISTER = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Register</title></head><body>
<h1>Create your account</h1>
<form id="f" novalidate>
  <label for="first">First name</label><input id="first">
  <label for="last">Last name</label><input id="last">
  <label for="email">Email</label><input id="email" type="email">
  <label for="phone">Phone</label><input id="phone" type="tel">
  <label for="company">Company</label><input id="company">
  <label for="country">Country</label>
  <select id="country"><option value="">Choose</option><option>France</option><option>Germany</option>
    <option>Japan</option><option>Brazil</option></select>
  <label><input type="checkbox" id="news"> Newsletter</label>
  <label><input type="checkbox" id="terms"> I accept the terms</label>
  <button type="submit">Register</button>
</form>
<div id="result" role="status"></div>
<table aria-label="Members"><thead><tr><th>Name</th><th>Country</th></tr></thead><tbody id="members"></tbody></table>
<script>
document.getElementById('f').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const v = (id) => document.getElementById(id).value;
  const out = document.getElementById('result');
  if (!document.getElementById('terms').checked) { out.textContent = 'Please accept the terms'; return; }
  out.textContent = `Registered ${v('first')} ${v('last')} from ${v('country')}. Welcome aboard!`;
  const tr = document.createElement('tr');
  tr.innerHTML = '<td></td><td></td>';
  tr.children[0].textContent = v('first') + ' ' + v('last');
  tr.children[1].textContent = v('country');
  document.getElementById('members').appendChild(tr);
});
</script></body></html>"""

TASKS = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tasks</title></head><body>
<h1>Tasks</h1>
<label for="task">New task</label><input id="task" placeholder="What needs doing?">
<button id="add" type="button">Add task</button>
<ul id="list" aria-label="Task list"></ul><p id="count">0 tasks</p>
<script>
const list = document.getElementById('list');
document.getElementById('add').addEventListener('click', () => {
  const input = document.getElementById('task');
  if (!input.value.trim()) return;
  const li = document.createElement('li');
  li.textContent = input.value.trim();
  list.appendChild(li);
  input.value = '';
  document.getElementById('count').textContent = `${list.children.length} tasks`;
});
</script></body></html>"""


def bench_app() -> StaticAppServer:
    return StaticAppServer(pages={"/register": REGISTER, "/tasks": TASKS, "/": REGISTER})
