using System.Reflection;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>
/// The fixture's az with the Bicep CLI of the NuGet package Azure.Bicep.CommandLine.linux-x64 on PATH, and az told to use
/// it (<c>bicep.use_binary_from_path</c>) without checking for a newer release (<c>bicep.check_version</c>): otherwise
/// `az deployment group create --template-file x.bicep` would download Bicep from the internet.
/// </summary>
public static class BicepAz
{
    /// <summary>The bicep executable the package ships (its props' BicepPath, recorded at build time).</summary>
    public static string BicepPath { get; } = Path.GetFullPath((typeof(BicepAz).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "BicepPath")?.Value ?? throw new InvalidOperationException("BicepPath was not recorded by the build.")).Replace('\\', '/'));

    /// <summary>
    /// Bicep's HTTP fetches (its public module index, https://aka.ms/br-module-index-data, on every build) sent to a
    /// closed port on loopback: .NET's HttpClient honours these variables and so never resolves the name. az's own
    /// environment carries the same proxy, which its bicep child inherits.
    /// </summary>
    public static IReadOnlyDictionary<string, string> DeadProxy { get; } = new Dictionary<string, string>
    {
        ["HTTPS_PROXY"] = "http://127.0.0.1:9", ["HTTP_PROXY"] = "http://127.0.0.1:9", ["NO_PROXY"] = "127.0.0.1,localhost",
    };

    public static AzCli For(AzCliFixture fx)
    {
        if (!File.Exists(BicepPath)) throw new InvalidOperationException($"The Bicep CLI is not at {BicepPath}: restore the test project (Azure.Bicep.CommandLine.linux-x64).");
        var environment = new Dictionary<string, string>(fx.AzEnvironment)
        {
            ["PATH"] = Path.GetDirectoryName(BicepPath) + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
            // az's configuration as environment variables (AZURE_{section}_{option}): the same as `az config set bicep.…`.
            ["AZURE_BICEP_USE_BINARY_FROM_PATH"] = "true",
            ["AZURE_BICEP_CHECK_VERSION"] = "false",
        };
        return new AzCli(fx.Az.Executable, environment);
    }
}
