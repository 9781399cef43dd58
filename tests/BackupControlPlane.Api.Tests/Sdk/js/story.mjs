// One VM's backup story through the Azure SDK for JavaScript, unmodified and on each package's DEFAULT api-version:
// @azure/arm-recoveryservices (vault), @azure/arm-recoveryservicesbackup (policy, protection, backup, jobs, recovery
// points, restore), @azure/arm-compute (VM, extensions). The credential is @azure/identity's ManagedIdentityCredential,
// which finds the emulator through the managed-identity environment the caller sets (IDENTITY_ENDPOINT/IDENTITY_HEADER,
// MSI_ENDPOINT or AZURE_POD_IDENTITY_AUTHORITY_HOST). Only the endpoint differs from talking to Azure; the emulator's
// CA is trusted through NODE_EXTRA_CA_CERTS.
//
// Usage: node story.mjs <https endpoint> <subscription> <resource group>
// Prints one JSON object: { steps: [{ step, ...what the call returned }], error? }. Exit code 1 when a step threw.
import { ManagedIdentityCredential } from "@azure/identity";
import { RecoveryServicesClient } from "@azure/arm-recoveryservices";
import { RecoveryServicesBackupClient } from "@azure/arm-recoveryservicesbackup";
import { ComputeManagementClient } from "@azure/arm-compute";

const [endpoint, subscription, rg] = process.argv.slice(2);
const vaultName = "jsvault", vmName = "jsvm", policyName = "jsdaily", location = "eastus";
const rgId = `/subscriptions/${subscription}/resourceGroups/${rg}`;
const vmId = `${rgId}/providers/Microsoft.Compute/virtualMachines/${vmName}`;
const fabric = "Azure";
const container = `IaasVMContainer;iaasvmcontainerv2;${rg.toLowerCase()};${vmName}`;
const item = `VM;iaasvmcontainerv2;${rg.toLowerCase()};${vmName}`;
const noRetry = { retryOptions: { maxRetries: 0 } };

const credential = new ManagedIdentityCredential();
const vaults = new RecoveryServicesClient(credential, subscription, { endpoint, ...noRetry });
const backup = new RecoveryServicesBackupClient(credential, subscription, { endpoint, ...noRetry });
const compute = new ComputeManagementClient(credential, subscription, { endpoint, ...noRetry });

const steps = [];
const record = (step, data) => steps.push({ step, ...data });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const all = async (iterator) => { const out = []; for await (const x of iterator) out.push(x); return out; };

/** Polls a job until it leaves InProgress (the emulator's agent finishes within seconds). */
async function settled(jobName) {
  for (let i = 0; i < 120; i++) {
    const job = await backup.jobDetails.get(vaultName, rg, jobName);
    if (job.properties.status !== "InProgress") return job;
    await sleep(250);
  }
  throw new Error(`job ${jobName} still InProgress after 30 s`);
}

async function newestJob(operation) {
  const jobs = await all(backup.backupJobs.list(vaultName, rg, { filter: `operation eq '${operation}'` }));
  return jobs.sort((a, b) => new Date(b.properties.startTime) - new Date(a.properties.startTime))[0];
}

try {
  const token = await credential.getToken("https://management.azure.com/.default");
  record("token", { length: token.token.length, expiresInSeconds: Math.round((token.expiresOnTimestamp - Date.now()) / 1000) });

  const vm = await compute.virtualMachines.createOrUpdate(rg, vmName, {
    location,
    storageProfile: {
      osDisk: { osType: "Linux", name: "osdisk", diskSizeGB: 30, createOption: "FromImage" },
      dataDisks: [{ lun: 0, name: "data0", diskSizeGB: 10, createOption: "Empty" }],
    },
  });
  record("vmCreate", { name: vm.name, id: vm.id, provisioningState: vm.provisioningState, dataDisks: vm.storageProfile?.dataDisks?.length });

  const vault = await vaults.vaults.createOrUpdate(rg, vaultName, { location, sku: { name: "Standard" }, properties: {} });
  record("vaultCreate", { name: vault.name, type: vault.type, sku: vault.sku?.name, provisioningState: vault.properties?.provisioningState });
  const got = await vaults.vaults.get(rg, vaultName);
  record("vaultGet", { name: got.name, location: got.location, provisioningState: got.properties?.provisioningState });
  const config = await backup.backupResourceVaultConfigs.get(vaultName, rg);
  record("vaultConfigGet", { softDeleteFeatureState: config.properties?.softDeleteFeatureState, storageType: config.properties?.storageType });

  const runTime = new Date(Date.UTC(2024, 0, 1, 21, 30));
  await backup.protectionPolicies.createOrUpdate(vaultName, rg, policyName, {
    properties: {
      backupManagementType: "AzureIaasVM",
      timeZone: "UTC",
      instantRpRetentionRangeInDays: 2,
      schedulePolicy: { schedulePolicyType: "SimpleSchedulePolicy", scheduleRunFrequency: "Daily", scheduleRunTimes: [runTime] },
      retentionPolicy: {
        retentionPolicyType: "LongTermRetentionPolicy",
        dailySchedule: { retentionTimes: [runTime], retentionDuration: { count: 7, durationType: "Days" } },
      },
    },
  });
  const policy = await backup.protectionPolicies.get(vaultName, rg, policyName);
  record("policyGet", {
    name: policy.name,
    frequency: policy.properties.schedulePolicy.scheduleRunFrequency,
    retentionDays: policy.properties.retentionPolicy.dailySchedule.retentionDuration.count,
  });

  await backup.protectedItems.createOrUpdate(vaultName, rg, fabric, container, item, {
    properties: { protectedItemType: "Microsoft.Compute/virtualMachines", sourceResourceId: vmId, policyId: policy.id },
  });
  const protectedItem = await backup.protectedItems.get(vaultName, rg, fabric, container, item);
  record("protect", { name: protectedItem.name, protectionState: protectedItem.properties.protectionState, policyName: protectedItem.properties.policyName });

  await backup.backups.trigger(vaultName, rg, fabric, container, item, {
    properties: { objectType: "IaasVMBackupRequest", recoveryPointExpiryTimeInUTC: new Date(Date.now() + 7 * 86400000) },
  });
  const backupJob = await settled((await newestJob("Backup")).name);
  record("backupJob", { status: backupJob.properties.status, operation: backupJob.properties.operation, entityFriendlyName: backupJob.properties.entityFriendlyName });

  const points = await all(backup.recoveryPoints.list(vaultName, rg, fabric, container, item));
  record("recoveryPoints", { count: points.length, objectType: points[0]?.properties.objectType, type: points[0]?.properties.recoveryPointType });

  const storageAccountId = `${rgId}/providers/Microsoft.Storage/storageAccounts/jsrestoresa`;
  await backup.restores.beginTriggerAndWait(vaultName, rg, fabric, container, item, points[0].name, {
    properties: {
      objectType: "IaasVMRestoreRequest",
      recoveryType: "RestoreDisks",
      recoveryPointId: points[0].name,
      sourceResourceId: vmId,
      storageAccountId,
      region: location,
      originalStorageAccountOption: false,
      createNewCloudService: false,
    },
  });
  const restoreJob = await settled((await newestJob("Restore")).name);
  const bag = restoreJob.properties.extendedInfo?.propertyBag ?? {};
  record("restoreJob", { status: restoreJob.properties.status, operation: restoreJob.properties.operation, targetStorageAccount: bag["Target Storage Account Name"], configBlobName: bag["Config Blob Name"] });

  const extensions = await compute.virtualMachineExtensions.list(rg, vmName);
  record("extensions", { names: extensions.value.map((e) => e.name), publisher: extensions.value[0]?.publisher, provisioningState: extensions.value[0]?.provisioningState });

  try {
    await compute.virtualMachines.get(rg, "no-such-vm");
    record("refusal", { thrown: false });
  } catch (e) {
    record("refusal", { thrown: true, name: e.name, statusCode: e.statusCode, code: e.code });
  }
  console.log(JSON.stringify({ steps }));
} catch (e) {
  console.log(JSON.stringify({ steps, error: { name: e.name, message: e.message, statusCode: e.statusCode, code: e.code, url: e.request?.url } }));
  process.exitCode = 1;
}
