using System.Text.RegularExpressions;

namespace BackupControlPlane.Api.Tests.Oracle;

/// <summary>Recorded exchanges judged by the oracle, summed up for a person reading test output.</summary>
public sealed class OracleReport
{
    public IReadOnlyList<(ArmExchange Exchange, Verdict Verdict)> Checked { get; }
    /// <summary>Answers on paths the copied specs do not describe (Microsoft.Compute, the subscription list).</summary>
    public IReadOnlyList<ArmExchange> WithoutSpec { get; }
    /// <summary>The emulator's "no such route" answers: coverage gaps, reported by the coverage test instead.</summary>
    public IReadOnlyList<ArmExchange> NotImplemented { get; }

    public OracleReport(IEnumerable<ArmExchange> exchanges, SpecValidator validator)
    {
        var judged = exchanges.Select(e => (Exchange: e, Verdict: validator.Check(e.Method, e.PathAndQuery, e.Status, e.Body))).ToList();
        WithoutSpec = judged.Where(j => j.Verdict.Operation is null).Select(j => j.Exchange).ToList();
        NotImplemented = judged.Where(j => j.Verdict.Operation is not null && IsNotImplemented(j.Exchange.Status, j.Exchange.Body))
            .Select(j => j.Exchange).ToList();
        Checked = judged.Where(j => j.Verdict.Operation is not null && !IsNotImplemented(j.Exchange.Status, j.Exchange.Body)).ToList();
    }

    /// <summary>
    /// The emulator's own answer for a route it does not have: 405, 404 "No emulated ARM resource or action matches", or
    /// the refusal of one of Azure's operations it does not emulate (Arm/AzureOperationCatalog: 400 "… is not emulated by BackupControlPlane").
    /// </summary>
    public static bool IsNotImplemented(int status, string body) =>
        status == 405 || (status == 404 && body.Contains("No emulated ARM resource or action matches", StringComparison.Ordinal))
        || (status == 400 && body.Contains("is not emulated by BackupControlPlane", StringComparison.Ordinal));

    public IReadOnlySet<string> Operations => Checked.Select(c => c.Verdict.Operation!.OperationId).ToHashSet();

    /// <summary>One line per distinct (operation, status, violation), with a count and one request that shows it.</summary>
    public IReadOnlyList<string> Violations => Checked
        .SelectMany(c => c.Verdict.Violations.Select(v => (c.Exchange, Op: c.Verdict.Operation!.OperationId, Violation: v)))
        .GroupBy(x => (x.Op, x.Exchange.Status, Pointer: Generalise(x.Violation.Pointer), x.Violation.Message))
        .Select(g => $"{g.Key.Op} {g.Key.Status} {g.First().Violation} [{g.Count()}x, e.g. {g.First().Exchange.Method} {g.First().Exchange.PathAndQuery}]")
        .Order().ToList();

    /// <summary>Properties the emulator sends that the spec does not name: allowed, listed for information.</summary>
    public IReadOnlyList<string> Undeclared => Checked
        .SelectMany(c => c.Verdict.Undeclared.Select(u => $"{c.Verdict.Operation!.OperationId}: {Generalise(u)}"))
        .Distinct().Order().ToList();

    public string Summary =>
        $"{Checked.Count} answers checked against the spec ({Operations.Count} operations), {NotImplemented.Count} not-implemented answers skipped, " +
        $"{WithoutSpec.Count} answers on paths outside bms.json/vaults.json skipped";

    public void WriteTo(Action<string> write)
    {
        write(Summary);
        write("Operations checked: " + string.Join(", ", Operations.Order()));
        foreach (var u in Undeclared) write("info: not in the spec, allowed: " + u);
        foreach (var v in Violations) write("VIOLATION: " + v);
    }

    /// <summary>Array indices become *, so one bad field in a list of 50 items is one line.</summary>
    private static string Generalise(string pointer) => Regex.Replace(pointer, "/[0-9]+(?=/|$| )", "/*");
}
