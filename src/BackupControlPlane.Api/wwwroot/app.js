// Backup center: loads the state through the public API, renders it, polls while the page is open.
import * as data from './data.js';
import * as views from './views.js';
import * as actions from './actions.js';

const $ = (id) => document.getElementById(id);
const expanded = new Set();
// The expanded jobs' details (GET one job: tasks, property bag), by job name; re-read on every refresh.
let details = new Map();
let sub = null;
let state = null;
let busy = false;
let timer = null;

function toast(text, tone = 'good') {
  const t = document.createElement('div');
  t.className = `toast ${tone}`;
  t.textContent = text;
  $('toasts').append(t);
  setTimeout(() => t.remove(), tone === 'bad' ? 9000 : 4000);
}

async function run(label, action) {
  try {
    const result = await action();
    toast(label);
    await refresh();
    return result;
  } catch (e) {
    toast(`${label} failed: ${e.message}`, 'bad');
    return null;
  }
}

const act = {
  backupNow: (item) => run(`Backup of ${item.properties.friendlyName} started`, () => actions.backupNow(item)),
  setFault: (vm, text) => run(`Fault ${text} injected into ${vm.name}'s agent`, () => actions.setFault(vm, actions.parseFault(text))),
  clearFault: (vm) => run(`Fault of ${vm.name} cleared`, () => actions.clearFault(vm)),
  restore: (item, rp) => {
    const account = prompt(`Restore the disks of ${item.properties.friendlyName} at ${rp.properties.recoveryPointTime} into storage account:`, 'restoresa');
    if (account) run(`Restore of ${item.properties.friendlyName} started into ${account}`, () => actions.restoreDisks(item, rp, account));
  },
};

function render() {
  $('summary').replaceChildren(views.summary(state));
  $('vaults').replaceChildren(views.vaults(state));
  $('items').replaceChildren(views.items(state, act));
  $('jobs').replaceChildren(views.jobs(state, expanded, details, (job) => {
    if (expanded.delete(job.name)) return render();
    expanded.add(job.name);
    render();
    readDetails().then(render);
  }));
  $('agents').replaceChildren(views.agents(state, act));
  $('policies').replaceChildren(views.policies(state));
  $('updated').textContent = `Updated ${new Date().toLocaleTimeString()}`;
  $('updated').title = new Date().toISOString();
}

/** The details of the jobs shown expanded: a handful of GETs at most, none while every row is closed. */
async function readDetails() {
  const open = state?.jobs.filter((j) => expanded.has(j.name)) ?? [];
  details = open.length ? await data.jobDetails(open) : new Map();
}

async function refresh() {
  if (busy) return;
  busy = true;
  try {
    sub ??= await data.subscription();
    $('subscription').textContent = sub;
    state = await data.load(sub);
    await readDetails();
    render();
    $('status').textContent = '';
  } catch (e) {
    $('status').textContent = `Cannot read the API: ${e.message}`;
  } finally {
    busy = false;
  }
}

function schedulePolling() {
  clearInterval(timer);
  const seconds = +$('interval').value;
  // A hidden tab reads nothing; it catches up the moment it is shown again.
  if (seconds > 0) timer = setInterval(() => { if (!document.hidden) refresh(); }, seconds * 1000);
}

document.addEventListener('visibilitychange', () => { if (!document.hidden) refresh(); });

$('run-due').addEventListener('click', () => run('Due backups started', actions.runDue));
$('refresh').addEventListener('click', refresh);
$('reset').addEventListener('click', () => {
  if (confirm('Reset the emulator? Every vault, VM, job and recovery point is deleted (the CA stays).')) run('Emulator reset', actions.reset);
});
$('interval').addEventListener('change', schedulePolling);
schedulePolling();
refresh();
