using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BackupControlPlane.Api.Tests.Sdk;

namespace BackupControlPlane.Api.Tests.Arm;

/// <summary>
/// The operations an official Azure SDK for JavaScript sends, read from its installed package (Sdk/js/node_modules):
/// for providers whose specs are not stored here (Compute, Network, Resources), "the operations clients use" are exactly
/// these. Each generated <c>_{name}Send</c> function expands one URL template and sends it with one method; the
/// operationId is the spec's <c>{Group}_{Name}</c>. Operations on "any resource by id or type" (templates with a
/// reserved expansion such as <c>{+resourceType}</c>, or starting at <c>/{resourceId}</c>) are left out: their template
/// matches every path, so as catalog rows they would swallow the requests of every other operation.
/// </summary>
public static partial class SdkOperations
{
    public sealed record Operation(string Method, string PathTemplate, string OperationId);

    /// <summary>The package's version and the operations of the given groups (folders of <c>dist/commonjs/api</c>), in file order.</summary>
    public static (string Version, List<Operation> Operations) Read(string package, IEnumerable<string> groups)
    {
        var root = Path.Combine(NodeScript.Directory, "node_modules", package);
        Assert.True(File.Exists(Path.Combine(root, "package.json")),
            $"{package} is not installed: run `npm ci --prefix {NodeScript.Directory}` while there is a network (.ci/run does it before the tests).");
        var version = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "package.json")))!["version"]!.GetValue<string>();
        var operations = new List<Operation>();
        foreach (var group in groups)
        {
            var file = Path.Combine(root, "dist", "commonjs", "api", group, "operations.js");
            Assert.True(File.Exists(file), $"{package} has no operation group '{group}' ({file}).");
            var found = Send().Matches(File.ReadAllText(file)).Select(m => new Operation(
                m.Groups["method"].Value.ToUpperInvariant(), m.Groups["path"].Value.Split("{?")[0],
                Pascal(group) + "_" + Pascal(m.Groups["name"].Value.TrimStart('$')))).ToList();
            found.RemoveAll(o => o.PathTemplate.Contains("{+", StringComparison.Ordinal) || o.PathTemplate.StartsWith("/{", StringComparison.Ordinal));
            Assert.True(found.Count > 0, $"No operation found in {file}: has the package's generated code changed shape?");
            operations.AddRange(found);
        }
        return (version, operations);
    }

    private static string Pascal(string name) => char.ToUpperInvariant(name[0]) + name[1..];

    [GeneratedRegex("""function _(?<name>[\w$]+)Send\([^)]*\)\s*\{\s*const path = \(0, import_urlTemplate\.expandUrlTemplate\)\(\s*"(?<path>[^"]+)".*?\.path\(path\)\.(?<method>get|put|post|patch|delete|head)\(""", RegexOptions.Singleline)]
    private static partial Regex Send();
}
