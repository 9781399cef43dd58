using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.VirtualMachines;

public sealed class VirtualMachineTests
{
    private static string NewRg() => "rg-vm-" + Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task Each_disk_of_a_new_VM_is_a_page_blob_holding_recognisable_data()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        var vm = await app.Arm.PutVmAsync(rg, "vmdisks", dataDisks: 2);
        Assert.Equal(ArmTestClient.VmPath(rg, "vmdisks"), vm["id"]!.GetValue<string>());
        var profile = vm["properties"]!["storageProfile"]!;
        var uris = new[] { profile["osDisk"]!["vhd"]!["uri"]! }.Concat(profile["dataDisks"]!.AsArray().Select(d => d!["vhd"]!["uri"]!))
            .Select(u => new BlobUriBuilder(new Uri(u.GetValue<string>()))).ToList();
        Assert.Equal(3, uris.Count);
        foreach (var uri in uris)
        {
            var blob = app.Blobs.GetBlobContainerClient(uri.BlobContainerName).GetPageBlobClient(uri.BlobName);
            var props = (await blob.GetPropertiesAsync()).Value;
            Assert.Equal(Azure.Storage.Blobs.Models.BlobType.Page, props.BlobType);
            var head = (await blob.DownloadContentAsync()).Value.Content.ToArray();
            Assert.StartsWith("BackupControlPlane emulated disk", Encoding.UTF8.GetString(head, 0, 40));
        }
        var got = await app.Arm.GetAsync(ArmTestClient.VmPath(rg, "VMDISKS"), "2024-07-01");
        Assert.Equal("vmdisks", got["name"]!.GetValue<string>());
        var list = await app.Arm.GetAsync(ArmTestClient.Rg(rg) + "/providers/Microsoft.Compute/virtualMachines");
        Assert.Single(list["value"]!.AsArray());
    }

    [Theory]
    [InlineData("{\"properties\":{}}", "location")]
    [InlineData("{\"location\":\"eastus\",\"properties\":{\"storageProfile\":{\"osDisk\":{\"osType\":\"Solaris\"}}}}", "osType")]
    [InlineData("{\"location\":\"eastus\",\"properties\":{\"storageProfile\":{\"osDisk\":{\"osType\":\"Linux\"},\"dataDisks\":[{\"lun\":1},{\"lun\":1}]}}}", "LUN")]
    [InlineData("{\"location\":\"eastus\",\"properties\":{\"storageProfile\":{\"osDisk\":{\"osType\":\"Linux\",\"diskSizeGB\":\"big\"}}}}", "could not be deserialized")]
    [InlineData("[1,2", "could not be deserialized")]
    public async Task Bad_VM_bodies_get_400_with_the_ARM_error_envelope_and_create_nothing(string body, string mentions)
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        using var r = await app.Arm.SendAsync(HttpMethod.Put, ArmTestClient.VmPath(rg, "vmbad"), body);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var error = JsonNode.Parse(await r.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("InvalidRequestContent", error["code"]!.GetValue<string>());
        Assert.Contains(mentions, error["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        using var get = await app.Arm.SendAsync(HttpMethod.Get, ArmTestClient.VmPath(rg, "vmbad"));
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Unknown_VMs_answer_404_ResourceNotFound()
    {
        var app = await EmulatorApp.SharedAsync();
        using var r = await app.Arm.SendAsync(HttpMethod.Get, ArmTestClient.VmPath(NewRg(), "ghost"));
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Equal("ResourceNotFound", JsonNode.Parse(await r.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_instance_view_shows_the_agent_Ready_once_it_polls()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.PutVmAsync(rg, "vmiv");
        var before = await app.Arm.GetAsync(ArmTestClient.VmPath(rg, "vmiv") + "/instanceView");
        Assert.Equal("Not Ready", before["vmAgent"]!["statuses"]![0]!["displayStatus"]!.GetValue<string>());
        using var identity = await app.RegisterAgentAsync("vmiv");
        using var http = app.NewHttpClient();
        using var poll = new HttpRequestMessage(HttpMethod.Get, "/agent/v1/goalstate?waitSeconds=0");
        poll.Headers.Authorization = new("VmAgent", identity.Credential);
        (await http.SendAsync(poll)).EnsureSuccessStatusCode();
        var after = await app.Arm.GetAsync(ArmTestClient.VmPath(rg, "vmiv") + "/instanceView");
        Assert.Equal("Ready", after["vmAgent"]!["statuses"]![0]!["displayStatus"]!.GetValue<string>());
    }
}
