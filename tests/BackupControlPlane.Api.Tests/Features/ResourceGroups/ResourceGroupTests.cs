using System.Net;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.ResourceGroups;

/// <summary>
/// Resource groups and generic resources over HTTP, for what the az CLI does not send (HEAD, PATCH, $filter refusals,
/// paging); the CLI's own commands are in Cli/ResourceGroupCliTests.
/// </summary>
public sealed class ResourceGroupTests
{
    private const string Version = "2021-04-01";

    private static string NewRg() => "rg-groups-" + Guid.NewGuid().ToString("N")[..6];

    // Lowercase 'resourcegroups', as the Python SDK writes it; the ARM id keeps ARM's 'resourceGroups'.
    private static string Group(string rg) => $"/subscriptions/{ArmTestClient.Sub}/resourcegroups/{rg}";

    [Fact]
    public async Task A_group_is_created_once_read_in_any_case_patched_and_keeps_its_region()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        using (var created = await app.Arm.SendAsync(HttpMethod.Put, Group(rg), new { location = "East US", tags = new { env = "dev" } }, Version))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
            Assert.Equal(ArmTestClient.Rg(rg), body["id"]!.GetValue<string>());
            Assert.Equal("Microsoft.Resources/resourceGroups", body["type"]!.GetValue<string>());
            Assert.Equal("eastus", body["location"]!.GetValue<string>());
            Assert.Equal("Succeeded", body["properties"]!["provisioningState"]!.GetValue<string>());
        }
        using (var again = await app.Arm.SendAsync(HttpMethod.Put, Group(rg.ToUpperInvariant()), new { location = "eastus", managedBy = "someone" }, Version))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var read = await app.Arm.GetAsync(ArmTestClient.Rg(rg.ToUpperInvariant()), Version);
        Assert.Equal(rg, read["name"]!.GetValue<string>());
        Assert.Null(read["tags"]); // a PUT replaces the tags
        Assert.Equal("someone", read["managedBy"]!.GetValue<string>());

        using (var patched = await app.Arm.SendAsync(HttpMethod.Patch, Group(rg), new { tags = new { team = "backup" } }, Version))
        {
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
            Assert.Equal("backup", JsonNode.Parse(await patched.Content.ReadAsStringAsync())!["tags"]!["team"]!.GetValue<string>());
        }
        Assert.Equal("someone", (await app.Arm.GetAsync(Group(rg), Version))["managedBy"]!.GetValue<string>());

        using var exists = await app.Arm.SendAsync(HttpMethod.Head, Group(rg), version: Version);
        Assert.Equal(HttpStatusCode.NoContent, exists.StatusCode);
        using var missing = await app.Arm.SendAsync(HttpMethod.Head, Group(rg + "x"), version: Version);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        await AssertError(await app.Arm.SendAsync(HttpMethod.Get, Group(rg + "x"), version: Version), HttpStatusCode.NotFound, "ResourceGroupNotFound");
        await AssertError(await app.Arm.SendAsync(HttpMethod.Put, Group(rg), new { location = "westus" }, Version), HttpStatusCode.Conflict, "InvalidResourceGroupLocation");
        await AssertError(await app.Arm.SendAsync(HttpMethod.Put, Group(NewRg()), new { tags = new { a = "b" } }, Version), HttpStatusCode.BadRequest, "LocationRequired");
        await AssertError(await app.Arm.SendAsync(HttpMethod.Put, Group("bad!name"), new { location = "eastus" }, Version), HttpStatusCode.BadRequest, "InvalidResourceGroup");
        await AssertError(await app.Arm.SendAsync(HttpMethod.Put, Group(NewRg()), new { location = "eastus", zones = new[] { "1" } }, Version), HttpStatusCode.BadRequest,
            "InvalidRequestContent", "'zones'");
    }

    [Fact]
    public async Task A_storage_account_first_named_by_a_GET_takes_the_region_of_its_group()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        using (await app.Arm.SendAsync(HttpMethod.Put, Group(rg), new { location = "japaneast" }, Version)) { }
        var account = await app.Arm.GetAsync(ArmTestClient.Rg(rg) + "/providers/Microsoft.Storage/storageAccounts/firstuse", "2023-01-01");
        Assert.Equal("japaneast", account["location"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_group_list_filters_by_tag_pages_with_top_and_refuses_other_filters()
    {
        var app = await EmulatorApp.SharedAsync();
        var marker = Guid.NewGuid().ToString("N");
        var names = new[] { NewRg(), NewRg(), NewRg() };
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
            using (await app.Arm.SendAsync(HttpMethod.Put, Group(name), new { location = "eastus", tags = new Dictionary<string, string> { ["Marker"] = i < 2 ? marker : "other" } }, Version)) { }

        var byPair = await ListAllAsync(app, $"/subscriptions/{ArmTestClient.Sub}/resourcegroups?$filter=tagName eq 'marker' and tagValue eq '{marker}'&$top=1");
        Assert.Equal(names[..2].Order(), byPair.Pages.SelectMany(p => p).Order());
        Assert.Equal(2, byPair.Pages.Count); // $top=1: one group a page, the second through nextLink

        var byName = await ListAllAsync(app, $"/subscriptions/{ArmTestClient.Sub}/resourceGroups?$filter=tagName eq 'MARKER'");
        Assert.Superset(names.ToHashSet(), byName.Pages.SelectMany(p => p).ToHashSet());

        await AssertError(await app.Arm.SendAsync(HttpMethod.Get, $"/subscriptions/{ArmTestClient.Sub}/resourcegroups?$filter=location eq 'eastus'", version: Version),
            HttpStatusCode.BadRequest, "InvalidFilterInQueryString", "location eq 'eastus'");
    }

    [Fact]
    public async Task Resources_put_into_a_new_group_create_it_and_list_as_generic_resources()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.PutVmAsync(rg, "vmgrp1", location: "westeurope");
        await app.Arm.PutVaultAsync(rg, "vault1", location: "westeurope");
        await app.Arm.PutVaultAsync(rg, "vault2", location: "westeurope");

        Assert.Equal("westeurope", (await app.Arm.GetAsync(Group(rg), Version))["location"]!.GetValue<string>());
        var all = await app.Arm.GetAsync(ArmTestClient.Rg(rg) + "/resources", Version);
        Assert.Equal(["Microsoft.Compute/virtualMachines", "Microsoft.RecoveryServices/vaults", "Microsoft.RecoveryServices/vaults"],
            all["value"]!.AsArray().Select(r => r!["type"]!.GetValue<string>()).Order());
        Assert.Contains(all["value"]!.AsArray(), r => r!["id"]!.GetValue<string>() == ArmTestClient.VmPath(rg, "vmgrp1") && r["location"]!.GetValue<string>() == "westeurope");

        var vaults = await ListAllAsync(app, ArmTestClient.Rg(rg) + "/resources?$filter=resourceType eq 'microsoft.recoveryservices/vaults' and substringof('ault', name)&$top=1");
        Assert.Equal(["vault1", "vault2"], vaults.Pages.SelectMany(p => p));
        Assert.Equal(2, vaults.Pages.Count);

        var inSubscription = await app.Arm.GetAsync($"/subscriptions/{ArmTestClient.Sub}/resources?$filter=name eq 'VMGRP1'", Version);
        Assert.Contains(inSubscription["value"]!.AsArray(), r => r!["id"]!.GetValue<string>() == ArmTestClient.VmPath(rg, "vmgrp1"));

        await AssertError(await app.Arm.SendAsync(HttpMethod.Get, ArmTestClient.Rg(rg) + "/resources?$filter=resourceType eq 'x' or name eq 'y'", version: Version),
            HttpStatusCode.BadRequest, "InvalidFilterInQueryString", "or name eq 'y'");
        var expanded = await app.Arm.GetAsync(ArmTestClient.Rg(rg) + "/resources?$expand=createdTime,changedTime,provisioningState&$filter=name eq 'vmgrp1'", Version);
        var vm = Assert.Single(expanded["value"]!.AsArray())!;
        Assert.InRange(DateTimeOffset.Parse(vm["createdTime"]!.GetValue<string>()), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal("Succeeded", vm["provisioningState"]!.GetValue<string>());
        Assert.Null(all["value"]![0]!["createdTime"]); // only when asked for
        await AssertError(await app.Arm.SendAsync(HttpMethod.Get, ArmTestClient.Rg(rg) + "/resources?$expand=createdTime,plan", version: Version),
            HttpStatusCode.BadRequest, "InvalidExpandQueryString", "'plan'");
        await AssertError(await app.Arm.SendAsync(HttpMethod.Get, ArmTestClient.Rg(NewRg()) + "/resources", version: Version), HttpStatusCode.NotFound, "ResourceGroupNotFound");
    }

    [Fact]
    public async Task Deleting_a_group_is_long_running_and_takes_its_VMs_disk_blobs_vaults_and_storage_accounts()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        var vm = await app.Arm.PutVmAsync(rg, "vmgrp1");
        await app.Arm.PutVaultAsync(rg, "vault1");
        using (await app.Arm.SendAsync(HttpMethod.Put, ArmTestClient.Rg(rg) + "/providers/Microsoft.Storage/storageAccounts/sa" + rg[^6..], new { location = "eastus" }, "2023-01-01")) { }
        var disk = new BlobUriBuilder(new Uri(vm["properties"]!["storageProfile"]!["osDisk"]!["vhd"]!["uri"]!.GetValue<string>()));

        await AssertError(await app.Arm.SendAsync(HttpMethod.Delete, Group(rg) + "?forceDeletionTypes=Microsoft.Compute/virtualMachineScaleSets", version: Version),
            HttpStatusCode.BadRequest, "InvalidForceDeletionTypes", "virtualMachineScaleSets");

        using var accepted = await app.Arm.SendAsync(HttpMethod.Delete, Group(rg) + "?forceDeletionTypes=Microsoft.Compute/virtualMachines", version: Version);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.NotNull(accepted.Headers.RetryAfter);
        using var result = await app.Client.GetAsync(accepted.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, result.StatusCode);

        using var gone = await app.Arm.SendAsync(HttpMethod.Head, Group(rg), version: Version);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var vmGone = await app.Arm.SendAsync(HttpMethod.Get, ArmTestClient.VmPath(rg, "vmgrp1"), version: "2024-07-01");
        Assert.Equal(HttpStatusCode.NotFound, vmGone.StatusCode);
        using var vaultGone = await app.Arm.SendAsync(HttpMethod.Get, ArmTestClient.VaultPath(rg, "vault1"));
        Assert.Equal(HttpStatusCode.NotFound, vaultGone.StatusCode);
        Assert.False((await app.Blobs.GetBlobContainerClient(disk.BlobContainerName).GetBlobClient(disk.BlobName).ExistsAsync()).Value);
        Assert.Empty((await app.Arm.GetAsync($"/subscriptions/{ArmTestClient.Sub}/resources?$filter=substringof('{rg[^6..]}', name)", Version))["value"]!.AsArray());
    }

    [Fact]
    public async Task A_vault_with_a_protected_VM_blocks_the_group_deletion_and_nothing_is_deleted()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmgrp1");

        using var accepted = await app.Arm.SendAsync(HttpMethod.Delete, Group(rg), version: Version);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        using var result = await app.Client.GetAsync(accepted.Headers.Location);
        var error = await AssertError(result, HttpStatusCode.Conflict, "ResourceGroupDeletionBlocked", "vaults/vault1");
        var detail = error["details"]![0]!;
        Assert.Equal("ServiceResourceNotEmptyWithContainerDetails", detail["code"]!.GetValue<string>());
        Assert.Contains("existing resources within the vault", detail["message"]!.GetValue<string>());
        Assert.Equal(ArmTestClient.VaultPath(rg, "vault1"), detail["target"]!.GetValue<string>());

        await app.Arm.GetAsync(Group(rg), Version);
        await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "vault1"));
        await app.Arm.GetAsync(ArmTestClient.VmPath(rg, "vmgrp1"), "2024-07-01");
        await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "vmgrp1"));
    }

    [Fact]
    public async Task A_vault_holding_only_a_soft_deleted_item_still_blocks_the_group_deletion_with_the_soft_delete_error()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmgrp1");
        using (var delete = await app.Arm.SendAsync(HttpMethod.Delete, ArmTestClient.ItemPath(rg, "vault1", "vmgrp1"))) Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        Assert.True((await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "vmgrp1")))["properties"]!["isScheduledForDeferredDelete"]!.GetValue<bool>());

        using var accepted = await app.Arm.SendAsync(HttpMethod.Delete, Group(rg), version: Version);
        using var result = await app.Client.GetAsync(accepted.Headers.Location);
        var detail = (await AssertError(result, HttpStatusCode.Conflict, "ResourceGroupDeletionBlocked"))["details"]![0]!;
        Assert.Equal("ServiceResourceNotEmptyWithBackendMessage", detail["code"]!.GetValue<string>());
        Assert.Contains("soft delete state", detail["message"]!.GetValue<string>());
        await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "vault1"));
    }

    [Fact]
    public async Task Every_answer_carries_ARM_request_ids_and_echoes_the_clients_correlation_id()
    {
        var app = await EmulatorApp.SharedAsync();
        var correlation = Guid.NewGuid().ToString();
        foreach (var path in new[] { ArmTestClient.WithVersion(Group(NewRg()), Version), "/healthz", "/subscriptions/not-a-guid/resourcegroups?api-version=2021-04-01" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("x-ms-correlation-request-id", correlation);
            using var response = await app.Client.SendAsync(request);
            Assert.Equal(correlation, Assert.Single(response.Headers.GetValues("x-ms-correlation-request-id")));
            // Random (version 4, RFC 4122 variant) GUIDs, as Guid.NewGuid makes them, though cut from a block of random bytes.
            Assert.Matches(@"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", Assert.Single(response.Headers.GetValues("x-ms-request-id")));
            Assert.Matches(@"^LOCAL:\d{8}T\d{6}Z:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", Assert.Single(response.Headers.GetValues("x-ms-routing-request-id")));
        }
        using var first = await app.Client.GetAsync("/healthz");
        using var second = await app.Client.GetAsync("/healthz");
        Assert.NotEqual(first.Headers.GetValues("x-ms-request-id").Single(), second.Headers.GetValues("x-ms-request-id").Single());
        Assert.NotEqual(first.Headers.GetValues("x-ms-correlation-request-id").Single(), second.Headers.GetValues("x-ms-correlation-request-id").Single());
        // More answers than one thread's block of ids (64): no id comes twice when the block is refilled.
        var ids = new HashSet<string>();
        for (var i = 0; i < 100; i++)
        {
            using var response = await app.Client.GetAsync("/healthz");
            Assert.True(ids.Add(response.Headers.GetValues("x-ms-request-id").Single()));
            Assert.True(ids.Add(response.Headers.GetValues("x-ms-correlation-request-id").Single()));
        }
    }

    private static async Task<JsonNode> AssertError(HttpResponseMessage response, HttpStatusCode status, string code, string? inMessage = null)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
            var error = JsonNode.Parse(text)!["error"]!;
            Assert.Equal(code, error["code"]!.GetValue<string>());
            if (inMessage is not null) Assert.Contains(inMessage, error["message"]!.GetValue<string>());
            return error;
        }
    }

    private sealed record Listed(List<List<string>> Pages);

    /// <summary>Follows nextLink to the end, as clients do; each page's names.</summary>
    private static async Task<Listed> ListAllAsync(EmulatorApp app, string path)
    {
        var pages = new List<List<string>>();
        string? url = ArmTestClient.WithVersion(path, Version);
        while (url is not null)
        {
            using var response = await app.Client.GetAsync(url);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} answered {(int)response.StatusCode}: {text}");
            var page = JsonNode.Parse(text)!;
            pages.Add(page["value"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).ToList());
            url = page["nextLink"]?.GetValue<string>();
        }
        return new Listed(pages);
    }
}
