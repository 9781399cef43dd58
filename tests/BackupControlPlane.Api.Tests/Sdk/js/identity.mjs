// @azure/identity's ManagedIdentityCredential, unmodified: it picks its flavour from the environment the caller sets
// (App Service: IDENTITY_ENDPOINT + IDENTITY_HEADER; Cloud Shell: MSI_ENDPOINT; IMDS: AZURE_POD_IDENTITY_AUTHORITY_HOST),
// as it does in Azure. MSAL caches the flavour per process, so each flavour runs in a process of its own.
// Prints { token: { length, expiresInSeconds } } or { error: { name, message } } as JSON.
import { ManagedIdentityCredential } from "@azure/identity";

try {
  const token = await new ManagedIdentityCredential().getToken("https://management.azure.com/.default");
  console.log(JSON.stringify({ token: { length: token.token.length, expiresInSeconds: Math.round((token.expiresOnTimestamp - Date.now()) / 1000) } }));
} catch (e) {
  console.log(JSON.stringify({ error: { name: e.name, message: e.message } }));
}
