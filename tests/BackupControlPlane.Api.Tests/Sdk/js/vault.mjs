// A vault's whole life through @azure/arm-recoveryservices, unmodified and on its default api-version: create,
// beginUpdateAndWait (PATCH: tags, identity, redundancy, soft delete), read, beginDeleteAndWait, and the 404 after.
//
// Usage: node vault.mjs <https endpoint> <subscription> <resource group>
// Prints one JSON object: { steps: [{ step, ...what the call returned }], error? }. Exit code 1 when a step threw.
import { ManagedIdentityCredential } from "@azure/identity";
import { RecoveryServicesClient } from "@azure/arm-recoveryservices";

const [endpoint, subscription, rg] = process.argv.slice(2);
const vaultName = "jslifevault", location = "eastus";
const client = new RecoveryServicesClient(new ManagedIdentityCredential(), subscription, { endpoint, retryOptions: { maxRetries: 0 } });
const steps = [];
const record = (step, data) => steps.push({ step, ...data });
const settings = (v) => ({
  tags: v.tags, identityType: v.identity?.type, principalId: v.identity?.principalId,
  redundancy: v.properties?.redundancySettings?.standardTierStorageRedundancy,
  softDelete: v.properties?.securitySettings?.softDeleteSettings?.softDeleteState,
  retentionDays: v.properties?.securitySettings?.softDeleteSettings?.softDeleteRetentionPeriodInDays,
  immutability: v.properties?.securitySettings?.immutabilitySettings?.state,
  publicNetworkAccess: v.properties?.publicNetworkAccess,
});

try {
  const created = await client.vaults.beginCreateOrUpdateAndWait(rg, vaultName, {
    location, sku: { name: "Standard" },
    properties: { publicNetworkAccess: "Disabled", securitySettings: { immutabilitySettings: { state: "Unlocked" } } },
  });
  record("create", settings(created));
  const updated = await client.vaults.beginUpdateAndWait(rg, vaultName, {
    tags: { owner: "js" }, identity: { type: "SystemAssigned" },
    properties: {
      redundancySettings: { standardTierStorageRedundancy: "LocallyRedundant", crossRegionRestore: "Disabled" },
      securitySettings: { softDeleteSettings: { softDeleteState: "Disabled", softDeleteRetentionPeriodInDays: 14 } },
    },
  });
  record("update", settings(updated));
  record("get", settings(await client.vaults.get(rg, vaultName)));
  await client.vaults.beginDeleteAndWait(rg, vaultName);
  record("delete", {});
  try {
    await client.vaults.get(rg, vaultName);
    record("afterDelete", { found: true });
  } catch (e) {
    record("afterDelete", { statusCode: e.statusCode, code: e.code });
  }
  console.log(JSON.stringify({ steps }));
} catch (e) {
  console.log(JSON.stringify({ steps, error: { name: e.name, message: e.message, statusCode: e.statusCode, code: e.code } }));
  process.exit(1);
}
