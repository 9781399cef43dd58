using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.ResourceManager;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Resources;
using Azure.ResourceManager.Resources.Models;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Sdk;

/// <summary>
/// The Azure SDK for .NET, unmodified, through its real HTTP pipeline over HTTPS with tokens from the emulator: only
/// the endpoint (a custom ArmEnvironment) and the trusted CA differ from talking to Azure.
/// </summary>
public sealed class AzureSdkTests : IAsyncLifetime
{
    private EmulatorApp _app = null!;
    private ArmClient _arm = null!;
    private HttpPipeline _pipeline = null!;
    private Uri _endpoint = null!;
    private HttpClient _transportClient = null!;

    public async Task InitializeAsync()
    {
        _app = await EmulatorApp.StartAsync(https: true);
        var https = new Uri(_app.Addresses.Single(a => a.StartsWith("https://")));
        // What SSL_CERT_FILE does for a user: trust the emulator's CA, nothing else changes.
        var handler = _app.TrustingEmulatorCa();
        _transportClient = new HttpClient(handler);
        var options = new ArmClientOptions
        {
            Environment = new ArmEnvironment(https, "https://management.core.windows.net/"),
            Transport = new HttpClientTransport(_transportClient),
        };
        options.Retry.MaxRetries = 0;
        var credential = new EmulatorTokenCredential(_app.NewHttpClient());
        _arm = new ArmClient(credential, ArmTestClient.Sub, options);
        // For calls the generic-resource client has no method for (listing a vault's jobs): Azure.Core's own pipeline,
        // with the same options and bearer-token policy the ArmClient uses.
        _pipeline = HttpPipelineBuilder.Build(options, new BearerTokenAuthenticationPolicy(credential, "https://management.core.windows.net//.default"));
        _endpoint = https;
    }

    public Task DisposeAsync()
    {
        _transportClient.Dispose();
        _app.Dispose();
        return Task.CompletedTask;
    }

    private static GenericResourceData Body(string location, object properties) => new(new AzureLocation(location))
    {
        Properties = BinaryData.FromObjectAsJson(properties),
    };

    [Fact]
    public async Task Generic_resources_create_the_vault_protect_the_VM_follow_the_operation_and_read_jobs()
    {
        const string rg = "rg-sdk";
        await _app.Arm.PutVmAsync(rg, "vmsdk", os: "Windows", dataDisks: 1);
        await _app.StartAgentAsync("vmsdk");
        var sub = await _arm.GetDefaultSubscriptionAsync();
        Assert.Equal(ArmTestClient.Sub, sub.Data.SubscriptionId);

        var resources = _arm.GetGenericResources();
        var vaultId = new ResourceIdentifier(ArmTestClient.VaultPath(rg, "vault1"));
        var vaultData = Body("eastus", new { });
        vaultData.Sku = new ResourcesSku { Name = "Standard" };
        var vault = await resources.CreateOrUpdateAsync(WaitUntil.Completed, vaultId, vaultData);
        Assert.Equal("Microsoft.RecoveryServices/vaults", vault.Value.Data.ResourceType.ToString());

        var itemId = new ResourceIdentifier(ArmTestClient.ItemPath(rg, "vault1", "vmsdk"));
        var enable = await resources.CreateOrUpdateAsync(WaitUntil.Completed, itemId, Body("eastus", new
        {
            protectedItemType = "Microsoft.Compute/virtualMachines",
            sourceResourceId = ArmTestClient.VmPath(rg, "vmsdk"),
            policyId = ArmTestClient.VaultPath(rg, "vault1") + "/backupPolicies/DefaultPolicy",
        }));
        Assert.True(enable.HasCompleted);
        var item = JsonDocument.Parse(enable.Value.Data.Properties.ToString()).RootElement;
        Assert.Equal("IRPending", item.GetProperty("protectionState").GetString());
        Assert.Equal("DefaultPolicy", item.GetProperty("policyName").GetString());

        var due = await _app.Arm.RunDueAsync(rg);
        var jobName = ArmTestClient.BackupJobOf(due, "vmsdk");
        await _app.Arm.WaitForJobAsync(rg, "vault1", jobName);

        var job = await _arm.GetGenericResource(new ResourceIdentifier(ArmTestClient.VaultPath(rg, "vault1") + "/backupJobs/" + jobName)).GetAsync();
        var jobProps = JsonDocument.Parse(job.Value.Data.Properties.ToString()).RootElement;
        Assert.Equal("Completed", jobProps.GetProperty("status").GetString());
        Assert.Equal("Backup", jobProps.GetProperty("operation").GetString());

        using var message = _pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(new Uri(_endpoint, ArmTestClient.WithVersion(ArmTestClient.VaultPath(rg, "vault1") + "/backupJobs")));
        await _pipeline.SendAsync(message, CancellationToken.None);
        Assert.Equal(200, message.Response.Status);
        var jobs = JsonDocument.Parse(message.Response.Content.ToString()).RootElement.GetProperty("value");
        Assert.Equal(["Backup", "ConfigureBackup"], jobs.EnumerateArray().Select(j => j.GetProperty("properties").GetProperty("operation").GetString()!).Order());
    }

    [Fact]
    public async Task The_Compute_SDK_reads_the_VM_and_lists_VMSnapshot_among_its_extensions()
    {
        const string rg = "rg-sdk-vm";
        await _app.Arm.ProtectedVmAsync(rg, "vault1", "vmcompute", os: "Linux");
        await _app.StartAgentAsync("vmcompute");
        var due = await _app.Arm.RunDueAsync(rg);
        await _app.Arm.WaitForJobAsync(rg, "vault1", ArmTestClient.BackupJobOf(due, "vmcompute"));

        var vm = (await _arm.GetVirtualMachineResource(new ResourceIdentifier(ArmTestClient.VmPath(rg, "vmcompute"))).GetAsync()).Value;
        Assert.Equal("vmcompute", vm.Data.Name);
        Assert.Equal(new AzureLocation("eastus"), vm.Data.Location);
        var extensions = new List<VirtualMachineExtensionResource>();
        await foreach (var e in vm.GetVirtualMachineExtensions().GetAllAsync()) extensions.Add(e);
        var snapshot = Assert.Single(extensions);
        Assert.Equal("VMSnapshotLinux", snapshot.Data.Name);
        Assert.Equal("Microsoft.Azure.RecoveryServices", snapshot.Data.Publisher);
        Assert.Equal("Succeeded", snapshot.Data.ProvisioningState);
        Assert.Null(snapshot.Data.ProtectedSettings);
    }

    [Fact]
    public async Task Resource_groups_are_created_list_their_resources_and_are_deleted_with_them_through_Azure_ResourceManager()
    {
        var rg = "sdk-rg-" + Guid.NewGuid().ToString("N")[..6];
        var groups = (await _arm.GetDefaultSubscriptionAsync()).GetResourceGroups();
        var data = new ResourceGroupData(AzureLocation.WestEurope);
        data.Tags["env"] = "test";
        var group = (await groups.CreateOrUpdateAsync(WaitUntil.Completed, rg, data)).Value;
        Assert.Equal(AzureLocation.WestEurope, group.Data.Location);
        Assert.Equal("test", group.Data.Tags["env"]);
        Assert.True((await groups.ExistsAsync(rg)).Value);

        await _app.Arm.PutVmAsync(rg, "vm1", location: "westeurope");
        var resources = new List<GenericResource>();
        await foreach (var r in group.GetGenericResourcesAsync()) resources.Add(r);
        Assert.Equal("Microsoft.Compute/virtualMachines", Assert.Single(resources).Data.ResourceType.ToString());

        // A long-running operation the SDK follows to its end through the Location header.
        await group.DeleteAsync(WaitUntil.Completed);
        Assert.False((await groups.ExistsAsync(rg)).Value);
        using var vm = await _app.Arm.SendAsync(HttpMethod.Get, ArmTestClient.VmPath(rg, "vm1"), version: "2024-07-01");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, vm.StatusCode);
    }
}
