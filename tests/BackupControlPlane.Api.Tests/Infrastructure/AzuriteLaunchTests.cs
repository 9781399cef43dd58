using BackupControlPlane.Api.Infrastructure;
using YamlDotNet.Serialization;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// Every Azurite the project starts runs with its telemetry off (it would otherwise send usage data to Application
/// Insights and probe the instance-metadata address) and with the durability preload. The service's own launch is
/// checked on the running process in <c>Guarantees/WholeTreeCrashTests</c>.
/// </summary>
public sealed class AzuriteLaunchTests
{
    [Fact]
    public void The_launcher_starts_Azurite_with_telemetry_disabled_and_the_durability_preload()
    {
        var args = AzuriteProcess.Arguments("/opt/bcp/tools/azurite", "/tmp/data", 10000);
        Assert.Contains("--disableTelemetry", args);
        Assert.Equal(["--require", "/opt/bcp/tools/azurite/durable-metadata.cjs"], args.Take(2));
        Assert.True(File.Exists(Path.Combine(AzuriteProcess.FindInstallDirectory(AppContext.BaseDirectory)!, AzuriteProcess.DurabilityPreload)));
    }

    [Fact]
    public async Task The_test_runs_Azurite_runs_with_telemetry_disabled()
    {
        await SharedAzurite.ConnectionStringAsync();
        if (SharedAzurite.Pid is not { } pid) return; // AZURITE_CONNECTION_STRING: someone else's Azurite
        var commandLine = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).Split('\0');
        Assert.Contains("--disableTelemetry", commandLine);
    }

    [Fact]
    public void The_compose_Azurite_runs_with_telemetry_disabled()
    {
        var root = AzuriteProcess.FindInstallDirectory(AppContext.BaseDirectory)!;
        var compose = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(File.ReadAllText(Path.Combine(root, "..", "..", "deploy", "docker-compose.yml")));
        var services = (Dictionary<object, object>)compose["services"];
        var command = ((List<object>)((Dictionary<object, object>)services["azurite"])["command"]).Cast<string>();
        Assert.Contains("--disableTelemetry", command);
    }
}
