// The tables and the timeline, built from the loaded state. Buttons call back into app.js through `act`.
import { el, time, duration, badge, idParts } from './format.js';
import { agentStatus, schedule, retention } from './data.js';

const table = (testid, heads, rows, empty) =>
  rows.length === 0
    ? el('p', { class: 'empty', 'data-testid': `${testid}-empty` }, empty)
    : el('table', { 'data-testid': testid }, el('thead', {}, el('tr', {}, heads.map((h) => el('th', {}, h)))), el('tbody', {}, rows));

export function summary(state) {
  const jobs = state.jobs.filter((j) => Date.now() - new Date(j.properties.startTime) < 86400000);
  const count = (f) => jobs.filter((j) => j.properties.status === f).length;
  const tile = (label, value, tone) => el('div', { class: `tile ${tone ?? ''}` }, el('strong', {}, value), el('span', {}, label));
  const ready = state.vms.filter((v) => agentStatus(v) === 'Ready').length;
  return el('div', { class: 'tiles' },
    tile('Vaults', state.vaults.length),
    tile('Backup items', state.items.length),
    tile('Jobs in progress (24 h)', count('InProgress'), count('InProgress') ? 'busy' : ''),
    tile('Jobs completed (24 h)', count('Completed'), 'good'),
    tile('Jobs failed (24 h)', count('Failed'), count('Failed') ? 'bad' : ''),
    tile('Agents ready', `${ready} / ${state.vms.length}`, ready < state.vms.length ? 'busy' : 'good'));
}

export function vaults(state) {
  return table('vaults', ['Vault', 'Resource group', 'Location', 'Backup items', 'Policies'],
    state.vaults.map(({ vault, items, policies }) => el('tr', { 'data-name': vault.name },
      el('td', {}, el('strong', {}, vault.name)), el('td', {}, idParts(vault.id).resourceGroup), el('td', {}, vault.location),
      el('td', {}, items.length), el('td', {}, policies.length))),
    'No vault yet. Create one with PUT …/Microsoft.RecoveryServices/vaults/{name} (Swagger UI, az backup vault create, or an SDK).');
}

export function policies(state) {
  return table('policies', ['Policy', 'Vault', 'Schedule', 'Retention', 'Items'],
    state.policies.map((p) => el('tr', {},
      el('td', {}, p.name), el('td', {}, p.vault.name), el('td', {}, schedule(p)), el('td', {}, retention(p)),
      el('td', {}, p.properties.protectedItemsCount ?? ''))),
    'No policy.');
}

export function items(state, act) {
  return table('items', ['Item', 'Vault', 'Policy', 'Protection state', 'Health', 'Last backup', 'Recovery points', ''],
    state.items.map((item) => {
      const p = item.properties;
      return el('tr', { 'data-item': p.friendlyName },
        el('td', {}, el('strong', {}, p.friendlyName), el('small', {}, idParts(p.sourceResourceId).resourceGroup)),
        el('td', {}, item.vault.name),
        el('td', {}, p.policyName ?? '—'),
        el('td', {}, badge(p.protectionState)),
        el('td', {}, badge(p.healthStatus)),
        el('td', {}, badge(p.lastBackupStatus || 'None'), time(p.lastBackupTime)),
        el('td', { class: 'timeline-cell' }, timeline(item, act)),
        el('td', {}, el('button', { class: 'primary', 'data-action': 'backup-now', onclick: () => act.backupNow(item) }, 'Back up now')));
    }),
    'Nothing protected yet. Enable protection on a VM (PUT …/protectedItems/VM;iaasvmcontainerv2;{rg};{vm}).');
}

/** Recovery points on a time axis (the last 30 days, or since the oldest point): snapshot tier, vault tier, or both. */
export function timeline(item, act) {
  const points = [...item.points].sort((a, b) => a.properties.recoveryPointTime.localeCompare(b.properties.recoveryPointTime));
  const now = Date.now();
  const oldest = points.length ? new Date(points[0].properties.recoveryPointTime).getTime() : now;
  const start = Math.min(oldest, now - 7 * 86400000);
  const span = Math.max(now - start, 1);
  const axis = el('div', { class: 'timeline', 'data-testid': 'timeline', title: `${points.length} recovery points` });
  for (const rp of points) {
    const tiers = (rp.properties.recoveryPointTierDetails ?? []).filter((t) => t.status === 'Valid').map((t) => t.type);
    const kind = tiers.includes('InstantRP') && tiers.includes('HardenedRP') ? 'both' : tiers.includes('InstantRP') ? 'snapshot' : 'vault';
    const left = ((new Date(rp.properties.recoveryPointTime).getTime() - start) / span) * 100;
    axis.append(el('button', {
      class: `point ${kind}`, style: `left: ${Math.min(Math.max(left, 0), 100)}%`, 'data-rp': rp.name,
      title: `${rp.properties.recoveryPointTime}\n${tiers.join(' + ') || 'no valid tier'}\nClick to restore the disks`,
      onclick: () => act.restore(item, rp),
    }));
  }
  return el('div', {}, axis, el('small', { class: 'legend' }, `${points.length} point${points.length === 1 ? '' : 's'}`,
    points.length ? ` · latest ${points.at(-1).properties.recoveryPointType}` : ''));
}

export function jobs(state, expanded, details, toggle) {
  const rows = [];
  for (const job of state.jobs.slice(0, 50)) {
    const p = job.properties;
    const error = p.errorDetails?.[0];
    rows.push(el('tr', { class: 'job', 'data-job': job.name, 'data-operation': p.operation, 'data-status': p.status, onclick: () => toggle(job) },
      el('td', {}, expanded.has(job.name) ? '▾ ' : '▸ ', p.operation),
      el('td', {}, p.entityFriendlyName), el('td', {}, job.vault.name),
      el('td', {}, badge(p.status)), el('td', {}, time(p.startTime)), el('td', {}, duration(p.duration)),
      el('td', {}, error ? el('code', { title: error.errorString }, error.errorTitle || error.errorCode) : '')));
    if (expanded.has(job.name)) {
      // The tasks come from GET one job (the list has no extendedInfo, as in Azure).
      const info = details.get(job.name)?.properties.extendedInfo;
      rows.push(el('tr', { class: 'subtasks' }, el('td', { colspan: 7 },
        info ? el('ul', {}, (info.tasksList ?? []).map((t) => el('li', {}, badge(t.status), ' ', t.taskId, ' · ', duration(t.duration),
          t.startTime ? ` · started ${new Date(t.startTime).toLocaleTimeString()}` : '')))
          : el('span', { class: 'muted' }, 'Reading the job…'),
        error ? el('p', { class: 'error' }, error.errorString) : null,
        Object.keys(info?.propertyBag ?? {}).length
          ? el('dl', {}, Object.entries(info.propertyBag).map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])) : null)));
    }
  }
  return table('jobs', ['Operation', 'Item', 'Vault', 'Status', 'Started', 'Duration', 'Error'], rows, 'No backup job yet.');
}

const faultChoice = new Map();

export function agents(state, act) {
  return table('agents', ['VM', 'Resource group', 'OS', 'Agent', 'Fault injected', 'Inject a fault'],
    state.vms.map((vm) => {
      const fault = vm.fault ? `${vm.fault.mode}${vm.fault.seconds ? ':' + vm.fault.seconds : ''}${vm.fault.code ? ':' + vm.fault.code : ''}` : null;
      // The choice survives the page's refreshes (the table is rebuilt every few seconds).
      const chosen = faultChoice.get(vm.name) ?? 'silent';
      const input = el('select', { 'aria-label': `fault for ${vm.name}`, onchange: (e) => faultChoice.set(vm.name, e.target.value) },
        ['silent', 'late:30', 'fail:5', 'crash', 'offline:60'].map((f) => el('option', { value: f, selected: f === chosen }, f)));
      return el('tr', { 'data-vm': vm.name },
        el('td', {}, el('strong', {}, vm.name)), el('td', {}, idParts(vm.id).resourceGroup),
        el('td', {}, vm.properties.storageProfile?.osDisk?.osType ?? ''),
        el('td', { 'data-testid': 'agent-status' }, badge(agentStatus(vm))),
        el('td', { 'data-testid': 'fault' }, fault ? badge(fault) : el('span', { class: 'muted' }, 'none')),
        el('td', { class: 'nowrap' }, input,
          el('button', { 'data-action': 'inject-fault', onclick: () => act.setFault(vm, input.value) }, 'Inject'),
          el('button', { 'data-action': 'clear-fault', disabled: !fault, onclick: () => act.clearFault(vm) }, 'Clear')));
    }),
    'No VM yet. Create one with PUT …/Microsoft.Compute/virtualMachines/{name}; the demo fleet starts its agent.');
}
