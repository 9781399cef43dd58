using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.Network;

/// <summary>ARM calls the network and managed-disk tests share: a VNet with one subnet, a NIC in it, a managed VM on that NIC.</summary>
public static class NetworkFixtures
{
    public const string NetworkVersion = "2022-07-01";

    public static string NetworkPath(string rg, string type, string name) => $"{ArmTestClient.Rg(rg)}/providers/Microsoft.Network/{type}/{name}";

    public static async Task<JsonNode> PutAsync(ArmTestClient arm, string path, object body, string version = NetworkVersion)
    {
        using var response = await arm.SendAsync(HttpMethod.Put, path, body, version);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    public static async Task<(HttpStatusCode Status, string Code, string Message)> FailAsync(ArmTestClient arm, HttpMethod method, string path, object? body = null, string version = NetworkVersion)
    {
        using var response = await arm.SendAsync(method, path, body, version);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        return (response.StatusCode, error["code"]!.GetValue<string>(), error["message"]!.GetValue<string>());
    }

    /// <summary>vnet1 (10.0.0.0/16) with subnet default (10.0.0.0/24), and a NIC nic in it.</summary>
    public static async Task<JsonNode> NicAsync(ArmTestClient arm, string rg, string nic = "nic1", string? publicIp = null)
    {
        await PutAsync(arm, NetworkPath(rg, "virtualNetworks", "vnet1"), new
        {
            location = "eastus",
            properties = new { addressSpace = new { addressPrefixes = new[] { "10.0.0.0/16" } }, subnets = new[] { new { name = "default", properties = new { addressPrefix = "10.0.0.0/24" } } } },
        });
        var subnet = NetworkPath(rg, "virtualNetworks", "vnet1") + "/subnets/default";
        object ipConfig = publicIp is null
            ? new { name = "ipconfig1", properties = new { subnet = new { id = subnet } } }
            : new { name = "ipconfig1", properties = new { subnet = new { id = subnet }, publicIPAddress = new { id = publicIp } } };
        return await PutAsync(arm, NetworkPath(rg, "networkInterfaces", nic), new { location = "eastus", properties = new { ipConfigurations = new[] { ipConfig } } });
    }

    /// <summary>A VM from an image (so managed): an OS disk and one empty 8 GB data disk, on <paramref name="nicId"/> when given.</summary>
    public static object ManagedVm(string? nicId = null, object? extraProperties = null) => new
    {
        location = "eastus",
        properties = new
        {
            hardwareProfile = new { vmSize = "Standard_B2s" },
            osProfile = new { computerName = "vm", adminUsername = "azureuser", adminPassword = "Never-Returned-1!", customData = "I2Nsb3VkLWNvbmZpZw==" },
            storageProfile = new
            {
                imageReference = new { publisher = "Canonical", offer = "ubuntu-24_04-lts", sku = "server", version = "latest" },
                osDisk = new { osType = "Linux", createOption = "FromImage" },
                dataDisks = new[] { new { lun = 0, createOption = "Empty", diskSizeGB = 8 } },
            },
            networkProfile = nicId is null ? null : new { networkInterfaces = new[] { new { id = nicId } } },
        },
    };
}
