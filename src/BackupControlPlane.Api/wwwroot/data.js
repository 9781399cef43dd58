// Everything the page shows, read through the public API on each refresh.
import { arm, list, control, versions } from './api.js';

export async function subscription() {
  const subs = await list('/subscriptions', '2022-12-01');
  return subs[0]?.subscriptionId;
}

async function settle(promises) {
  return (await Promise.allSettled(promises)).map((r) => (r.status === 'fulfilled' ? r.value : null));
}

export async function load(sub) {
  const base = `/subscriptions/${sub}/providers`;
  const [vaults, vms] = await Promise.all([
    list(`${base}/Microsoft.RecoveryServices/vaults`),
    list(`${base}/Microsoft.Compute/virtualMachines`, versions.compute),
  ]);
  const perVault = await Promise.all(vaults.map(async (v) => {
    const [items, jobs, policies] = await settle([
      list(`${v.id}/backupProtectedItems?$filter=` + encodeURIComponent("backupManagementType eq 'AzureIaasVM'")),
      // The newest page is what the page shows (the newest jobs first); older pages are not read on every refresh.
      arm('GET', `${v.id}/backupJobs`).then((page) => page?.value ?? []),
      list(`${v.id}/backupPolicies`),
    ]);
    return { vault: v, items: items ?? [], jobs: jobs ?? [], policies: policies ?? [] };
  }));
  const items = perVault.flatMap((p) => p.items.map((i) => ({ ...i, vault: p.vault })));
  const points = await settle(items.map((i) => list(`${i.id}/recoveryPoints`)));
  items.forEach((item, n) => { item.points = points[n] ?? []; });
  const [views, faults] = await Promise.all([
    settle(vms.map((vm) => arm('GET', `${vm.id}/instanceView`, undefined, versions.compute))),
    settle(vms.map((vm) => control('GET', `/emulator/agents/${vm.properties.vmId}/fault`))),
  ]);
  vms.forEach((vm, n) => {
    vm.instanceView = views[n];
    vm.fault = faults[n];
  });
  return {
    vaults: perVault,
    items,
    jobs: perVault.flatMap((p) => p.jobs.map((j) => ({ ...j, vault: p.vault })))
      .sort((a, b) => (b.properties.startTime ?? '').localeCompare(a.properties.startTime ?? '')),
    policies: perVault.flatMap((p) => p.policies.map((pol) => ({ ...pol, vault: p.vault }))),
    vms,
  };
}

/**
 * The jobs a user opened, as GET one job answers them: the list (as Azure's) has no extendedInfo, so the tasks and the
 * property bag are read only for the few rows shown expanded. A job that cannot be read is left out.
 */
export async function jobDetails(jobs) {
  const found = await settle(jobs.map((j) => arm('GET', j.id)));
  return new Map(jobs.flatMap((j, n) => (found[n] ? [[j.name, found[n]]] : [])));
}

/** "Ready" / "Not Ready" from the VM's instance view, as the portal shows the agent status. */
export function agentStatus(vm) {
  return vm.instanceView?.vmAgent?.statuses?.[0]?.displayStatus ?? 'Unknown';
}

/** A policy's schedule in words: "Daily at 19:00 (UTC)", "Weekly on Monday, Friday at 02:00 (Pacific Standard Time)". */
export function schedule(policy) {
  const s = policy.properties?.schedulePolicy;
  if (!s) return '—';
  const times = (s.scheduleRunTimes ?? []).map((t) => t.substring(11, 16)).join(', ');
  const zone = policy.properties.timeZone || 'UTC';
  const days = s.scheduleRunFrequency === 'Weekly' ? ` on ${(s.scheduleRunDays ?? []).join(', ')}` : '';
  return `${s.scheduleRunFrequency}${days} at ${times} (${zone})`;
}

export function retention(policy) {
  const r = policy.properties?.retentionPolicy;
  const daily = r?.dailySchedule?.retentionDuration;
  const weekly = r?.weeklySchedule?.retentionDuration;
  const parts = [];
  if (daily) parts.push(`${daily.count} ${daily.durationType.toLowerCase()} daily`);
  if (weekly) parts.push(`${weekly.count} ${weekly.durationType.toLowerCase()} weekly`);
  if (policy.properties?.instantRpRetentionRangeInDays) parts.push(`snapshots ${policy.properties.instantRpRetentionRangeInDays} d`);
  return parts.join(', ') || '—';
}
