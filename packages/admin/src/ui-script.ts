/**
 * The UI's only script, served as /ui.js (the CSP allows scripts from the
 * admin server itself and nothing inline): filters the problems as one types, and reloads the page every 5 s when asked.
 * Everything else works without it.
 */
export const uiScript = `'use strict';
document.addEventListener('DOMContentLoaded', function () {
  autoRefresh();
  filterProblems();
});

/** Reloads the page every 5 s while the box is ticked (remembered for this tab). */
function autoRefresh() {
  var box = document.getElementById('auto-refresh');
  if (!box) return;
  var timer;
  function schedule() {
    clearTimeout(timer);
    if (box.checked) timer = setTimeout(function () { location.reload(); }, 5000);
  }
  box.checked = sessionStorage.getItem('attache.autoRefresh') === '1';
  box.addEventListener('change', function () {
    if (box.checked) sessionStorage.setItem('attache.autoRefresh', '1');
    else sessionStorage.removeItem('attache.autoRefresh');
    schedule();
  });
  schedule();
}

function filterProblems() {
  var form = document.getElementById('problem-filter');
  if (!form) return;
  var q = form.elements.namedItem('q');
  var severity = form.elements.namedItem('severity');
  var count = document.getElementById('problem-count');
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.problem'));
  var total = rows.length;
  function apply() {
    var words = q.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var sev = severity.value;
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute('data-text') || '';
      var ok = (!sev || row.getAttribute('data-severity') === sev) &&
        words.every(function (w) { return text.indexOf(w) >= 0; });
      row.hidden = !ok;
      if (ok) shown++;
    });
    document.querySelectorAll('.problem-group').forEach(function (group) {
      group.hidden = group.querySelectorAll('tr.problem:not([hidden])').length === 0;
    });
    if (count) count.textContent = shown + ' of ' + total + ' shown';
  }
  q.addEventListener('input', apply);
  severity.addEventListener('change', apply);
}
`;
