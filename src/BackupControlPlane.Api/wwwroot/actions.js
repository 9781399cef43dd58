// What a tester does from the page: every action goes through the same routes a script would call.
import { arm, control, versions } from './api.js';
import { idParts } from './format.js';

export const backupNow = (item) =>
  arm('POST', `${item.id}/backup`, { properties: { objectType: 'IaasVMBackupRequest' } });

export const runDue = () => control('POST', '/emulator/scheduler/run-due');

export const reset = () => control('POST', '/emulator/reset');

export const setFault = (vm, fault) => control('PUT', `/emulator/agents/${vm.properties.vmId}/fault`, fault);

export const clearFault = (vm) => control('DELETE', `/emulator/agents/${vm.properties.vmId}/fault`);

/** Restore the disks of a recovery point into a storage account of the VM's resource group. */
export function restoreDisks(item, point, storageAccount) {
  const vm = idParts(item.properties.sourceResourceId);
  return arm('POST', `${point.id}/restore`, {
    properties: {
      objectType: 'IaasVMRestoreRequest',
      recoveryType: 'RestoreDisks',
      recoveryPointId: point.name,
      region: item.vault.location,
      sourceResourceId: item.properties.sourceResourceId,
      storageAccountId: `/subscriptions/${vm.subscription}/resourceGroups/${vm.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${storageAccount}`,
    },
  });
}

/** Parses what the fault box holds: "silent", "late:30", "fail:5", "crash", "offline:60". */
export function parseFault(text) {
  const [mode, arg] = text.trim().split(':');
  const fault = { mode };
  if (arg && mode === 'fail') fault.code = +arg;
  else if (arg) fault.seconds = +arg;
  return fault;
}

export { versions };
