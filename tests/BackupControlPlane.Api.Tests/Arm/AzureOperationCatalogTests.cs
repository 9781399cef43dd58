using System.Text;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Tests.Infrastructure;
using BackupControlPlane.Api.Tests.Oracle;

namespace BackupControlPlane.Api.Tests.Arm;

/// <summary>
/// The service's list of Azure's operations (src/…/Arm/AzureOperations/{provider}.tsv) is generated from Azure's specs
/// (Oracle/specs) and, for providers whose specs are not stored here, from the official JavaScript SDK's operations of
/// the resource types an emulator user touches (<see cref="SdkSources"/>); the files must match them. Run with
/// UPDATE_OPENAPI=1 to rewrite the files after the specs or packages change; a provider is added by a line below.
/// </summary>
public sealed class AzureOperationCatalogTests
{
    /// <summary>Per provider, its spec documents (relative to Oracle/specs) and the code a request to an operation that is not emulated is refused with.</summary>
    private static readonly (string Provider, (string Document, string RefusalCode)[] Documents)[] Sources =
    [
        ("Microsoft.RecoveryServices", [(OpenApiSpec.Bms, "BMSUserErrorNotSupported"), (OpenApiSpec.Vaults, "OperationNotSupported")]),
    ];

    /// <summary>Per provider, the npm package and its operation groups (the resource types the emulator serves or a backup user reaches for).</summary>
    private static readonly (string Provider, string Package, string[] Groups)[] SdkSources =
    [
        ("Microsoft.Compute", "@azure/arm-compute", ["operations", "virtualMachines", "virtualMachineExtensions", "disks", "snapshots"]),
        ("Microsoft.Network", "@azure/arm-network", ["operations", "virtualNetworks", "subnets", "networkInterfaces", "publicIPAddresses"]),
        ("Microsoft.Resources", "@azure/arm-resources", ["operations", "resourceGroups", "resources", "providers"]),
    ];

    private const string NotEmulated = "OperationNotSupported";

    private static IEnumerable<(string Provider, string Text)> All() =>
        Sources.Select(s => (s.Provider, Generate(s.Provider, s.Documents))).Concat(SdkSources.Select(s => (s.Provider, GenerateFromSdk(s.Provider, s.Package, s.Groups))));

    [Fact]
    public async Task The_checked_in_operation_lists_are_generated_from_Azure_specs()
    {
        foreach (var (provider, generated) in All())
        {
            var file = Path.Combine(OpenApiDocumentTests.RepositoryRoot(), "src", "BackupControlPlane.Api", "Arm", "AzureOperations", provider + ".tsv");
            if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1") await File.WriteAllTextAsync(file, generated);
            Assert.True(File.Exists(file), $"{file} is missing; run this test with UPDATE_OPENAPI=1.");
            Assert.True((await File.ReadAllTextAsync(file)).ReplaceLineEndings("\n") == generated,
                $"{file} differs from the operations it is generated from ({generated.Split('\n')[0]}); rewrite it with UPDATE_OPENAPI=1.");
        }
    }

    [Fact]
    public void The_service_loads_every_operation_and_finds_the_most_specific_one()
    {
        var rows = All().Sum(s => AzureOperationCatalog.Parse(new StringReader(s.Text)).Count());
        Assert.Equal(rows, AzureOperationCatalog.All.Count);
        const string v = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v";
        // backupJobs/operationResults/{id} is its own operation, not backupJobs/{jobName}/...
        Assert.Equal("ExportJobsOperationResults_Get", AzureOperationCatalog.Find("GET", v + "/backupJobs/operationResults/op1")?.OperationId);
        Assert.Equal("MoveRecoveryPoint", AzureOperationCatalog.Find("post", v.ToUpperInvariant() + "/backupFabrics/Azure/protectionContainers/c/protectedItems/i/recoveryPoints/1/move")?.OperationId);
        Assert.Null(AzureOperationCatalog.Find("GET", v + "/backupNoSuchThing"));
        Assert.Null(AzureOperationCatalog.Find("PATCH", v + "/backupJobs/j"));
    }

    private static string GenerateFromSdk(string provider, string package, string[] groups)
    {
        var (version, operations) = SdkOperations.Read(package, groups);
        var text = Header(provider, $"npm {package} {version} (operation groups {string.Join(", ", groups)})");
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var op in operations)
            if (seen.Add(op.Method + " " + op.PathTemplate))
                text.Append(op.Method).Append('\t').Append(op.PathTemplate).Append('\t').Append(op.OperationId).Append('\t').Append(provider).Append('\t').Append(NotEmulated).Append('\n');
        return text.ToString();
    }

    private static StringBuilder Header(string provider, string source) => new StringBuilder()
        .Append("# Azure's operations of ").Append(provider).Append(", generated from ").Append(source).Append('\n')
        .Append("# by tests/BackupControlPlane.Api.Tests/Arm/AzureOperationCatalogTests.cs; rewrite with UPDATE_OPENAPI=1. Do not edit by hand.\n")
        .Append("# method\tpath template\toperationId\tprovider\trefusal code (answered when the emulator has no route for it)\n");

    private static string Generate(string provider, (string Document, string RefusalCode)[] documents)
    {
        var text = Header(provider, string.Join(", ", documents.Select(d => d.Document)));
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (document, refusal) in documents)
        {
            var spec = OpenApiSpec.Load(OpenApiSpec.SpecRoot, document);
            foreach (var op in spec.Operations)
                if (seen.Add(op.Method + " " + op.PathTemplate)) // Operations_List is in both RecoveryServices documents
                    text.Append(op.Method).Append('\t').Append(op.PathTemplate).Append('\t').Append(op.OperationId).Append('\t').Append(provider).Append('\t').Append(refusal).Append('\n');
        }
        return text.ToString();
    }
}
