using System.Text.RegularExpressions;

namespace BackupControlPlane.Api.Arm;

/// <summary>One operation of Azure's REST specs: a row of an <c>Arm/AzureOperations/{provider}.tsv</c> file.</summary>
public sealed record AzureOperation(string Method, string PathTemplate, string OperationId, string Provider, string RefusalCode)
{
    /// <summary>Literal segments of the template: with several matches, the most specific one names the request.</summary>
    public int Literals { get; } = PathTemplate.Split('/', StringSplitOptions.RemoveEmptyEntries).Count(s => !s.StartsWith('{'));

    internal Regex Pattern { get; } = new("^" + Regex.Replace(Regex.Escape(PathTemplate), @"\\\{[^}]+}", "[^/]+") + "/?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}

/// <summary>
/// Every operation of Azure's specs for the providers the emulator serves, generated from the specs into one data file per
/// provider (<c>Arm/AzureOperations/*.tsv</c>, embedded; tests/…/Arm/AzureOperationCatalogTests regenerates them). A
/// request no emulated route answers, but which is one of these, gets a specific refusal naming the operation instead of
/// the generic 404 (<see cref="ArmStatusCodePages"/>). A new provider is a new file: no code changes.
/// </summary>
public static class AzureOperationCatalog
{
    private const string ResourcePrefix = "BackupControlPlane.Api.Arm.AzureOperations.";

    public static IReadOnlyList<AzureOperation> All { get; } = Load();

    /// <summary>The Azure operation a request is, by method and path (the most literal template wins), or null.</summary>
    public static AzureOperation? Find(string method, string path) =>
        All.Where(o => o.Method.Equals(method, StringComparison.OrdinalIgnoreCase) && o.Pattern.IsMatch(path))
            .OrderByDescending(o => o.Literals).FirstOrDefault();

    /// <summary>Parses one data file: tab-separated method, path template, operationId, provider, refusal code; '#' starts a comment.</summary>
    public static IEnumerable<AzureOperation> Parse(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var cells = line.Split('\t');
            if (cells.Length != 5) throw new InvalidDataException($"An Azure operation row has 5 tab-separated cells (method, path, operationId, provider, refusal code): '{line}'.");
            yield return new AzureOperation(cells[0], cells[1], cells[2], cells[3], cells[4]);
        }
    }

    private static List<AzureOperation> Load()
    {
        var assembly = typeof(AzureOperationCatalog).Assembly;
        var operations = new List<AzureOperation>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".tsv", StringComparison.Ordinal)).Order())
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            operations.AddRange(Parse(reader));
        }
        return operations;
    }
}
