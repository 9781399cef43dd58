using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Routing;

namespace BackupControlPlane.Api.Tests.Hostile;

/// <summary>One generated request, kept as plain data so a failure can be printed and replayed.</summary>
public sealed record FuzzRequest(int Number, string Route, string Method, string PathAndQuery, string Mutation,
    byte[]? Body, string? ContentType, bool Chunked, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public HttpRequestMessage ToMessage()
    {
        // UriKind.Relative against the client's base address; dangerous paths are sent as written, percent-escapes and all.
        var message = new HttpRequestMessage(new HttpMethod(Method), PathAndQuery);
        if (Body is not null)
        {
            HttpContent content = Chunked ? new StreamContent(new MemoryStream(Body)) : new ByteArrayContent(Body);
            if (ContentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            if (Chunked) message.Headers.TransferEncodingChunked = true;
            message.Content = content;
        }
        foreach (var (k, v) in Headers) message.Headers.TryAddWithoutValidation(k, v);
        return message;
    }

    public override string ToString()
    {
        var body = Body is null ? "" : " body: " + Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 200))) + (Body.Length > 200 ? $"… ({Body.Length} bytes)" : "");
        var headers = string.Join(", ", Headers.Select(h => $"{h.Key}: {(h.Value.Length > 40 ? h.Value[..40] + "…" : h.Value)}"));
        return $"#{Number} [{Mutation}] {Method} {(PathAndQuery.Length > 300 ? PathAndQuery[..300] + "…" : PathAndQuery)} {{{headers}}}{body}";
    }
}

/// <summary>The credentials and names of the seeded world the fuzzer aims at.</summary>
public sealed record FuzzTargets(string Subscription, string ResourceGroup, string Vm, string Vault, string VmId, string Token,
    string AgentCredential, string ReplayedAgentCredential, string ProvisioningSecret);

/// <summary>
/// Generates hostile requests for every route the app maps (read from its EndpointDataSource, so a new route is fuzzed
/// without touching this file): each request starts from a plausible one for its route and gets one or two mutations.
/// Everything comes from one seeded <see cref="Random"/>, so a seed reproduces the same requests.
/// </summary>
public sealed partial class RequestFuzzer(int seed, IReadOnlyList<RouteEndpoint> routes, FuzzTargets t)
{
    private readonly Random _random = new(seed);

    /// <summary>
    /// Every mapped route but <c>/emulator/reset</c>: a reset is meant to change everything, so one that gets through
    /// would wipe the seeded world mid-run and make "a rejected request changes nothing" unprovable.
    /// </summary>
    public static IReadOnlyList<RouteEndpoint> Routes(EndpointDataSource source) =>
        source.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is not null && !e.RoutePattern.RawText.StartsWith("/emulator/reset", StringComparison.OrdinalIgnoreCase)).ToList();

    public static IEnumerable<string> Methods(RouteEndpoint e) =>
        e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST"];

    public IEnumerable<FuzzRequest> Generate(int count)
    {
        // Round-robin over (route, method) so every pair gets its share, then random mutations. Routes that take input
        // (ARM, agent, emulator control, tokens, our API) get five turns a round; the infrastructure routes (health,
        // OpenAPI document, dashboard), which read nothing but their path and are slow to answer, get one.
        var pairs = routes.SelectMany(r => Methods(r).Select(m => (Route: r, Method: m)))
            .SelectMany(p => Enumerable.Repeat(p, TakesInput(p.Route.RoutePattern.RawText!) ? 5 : 1)).ToList();
        for (var n = 0; n < count; n++)
        {
            var (route, method) = pairs[n % pairs.Count];
            yield return Build(n, route, method);
        }
    }

    private static bool TakesInput(string pattern) =>
        new[] { "/subscriptions", "/agent", "/emulator", "/api", "/metadata", "/adfs" }.Any(p => pattern.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    private static readonly string[] Mutations =
    [
        "truncated-json", "malformed-json", "wrong-types", "unknown-fields", "deep-nesting", "huge-body", "huge-body-chunked",
        "empty-body", "not-json", "invalid-utf8", "odd-name", "path-traversal", "long-name", "no-api-version", "bad-api-version",
        "no-token", "bad-token", "forged-token", "agent-replayed", "agent-forged", "agent-provisioning-secret", "wrong-method",
        "bad-query", "bad-if-match", "odd-unicode-body",
        // What an independent spec-driven fuzzer reached that the list above did not (issue 14).
        "odd-charset", "duplicate-keys", "huge-numbers", "null-objects", "encoded-slash",
    ];

    private FuzzRequest Build(int n, RouteEndpoint route, string method)
    {
        var pattern = route.RoutePattern.RawText!;
        var names = route.RoutePattern.Parameters.ToDictionary(p => p.Name, p => ValidValue(p.Name), StringComparer.OrdinalIgnoreCase);
        var mutation = Mutations[_random.Next(Mutations.Length)];
        var secondary = _random.Next(4) == 0 ? Mutations[_random.Next(Mutations.Length)] : null;
        var label = secondary is null || secondary == mutation ? mutation : $"{mutation}+{secondary}";
        var headers = new List<KeyValuePair<string, string>>();
        var isArm = pattern.StartsWith("/subscriptions", StringComparison.OrdinalIgnoreCase);
        var isAgent = pattern.StartsWith("/agent/", StringComparison.OrdinalIgnoreCase) && !pattern.EndsWith("/register");
        var auth = isAgent ? "VmAgent " + t.AgentCredential : pattern.EndsWith("/register") ? "VmAgent " + t.ProvisioningSecret : "Bearer " + t.Token;
        var apiVersion = (string?)"2025-02-01";
        var query = new List<string>();
        if (pattern.EndsWith("/goalstate")) query.Add("waitSeconds=0"); // never hold a long poll in the fuzzer
        var (body, contentType) = ValidBody(pattern, method);
        var chunked = false;

        foreach (var m in new[] { mutation, secondary }.Where(m => m is not null))
        {
            switch (m)
            {
                case "truncated-json" when body is not null:
                    body = body[..(_random.Next(Math.Max(1, body.Length)))];
                    break;
                case "malformed-json":
                    body = Pick("{", "}", "{\"location\":}", "{'location':'eastus'}", "[1,2,", "{\"properties\":{\"a\":1,,}}", "nul", "{\"a\":1}{\"b\":2}", "\"\\uZZZZ\"", "{\"a\":\"\\");
                    contentType = "application/json";
                    break;
                case "wrong-types":
                    body = WrongTypes(pattern, method);
                    contentType = "application/json";
                    break;
                case "unknown-fields" when body is not null && body.StartsWith('{'):
                    body = "{\"zzUnknown\":{\"nested\":[1,2,3]},\"__proto__\":{\"admin\":true}," + body[1..];
                    break;
                case "deep-nesting":
                    var depth = _random.Next(65, 5000);
                    body = _random.Next(2) == 0 ? new string('[', depth) + new string(']', depth)
                        : string.Concat(Enumerable.Repeat("{\"properties\":", depth)) + "1" + new string('}', depth);
                    contentType = "application/json";
                    break;
                case "huge-body" or "huge-body-chunked":
                    // Over the 1 MiB default: a valid-looking JSON object with one enormous string.
                    body = "{\"location\":\"eastus\",\"tags\":{\"t\":\"" + new string('x', 1_100_000 + _random.Next(100_000)) + "\"}}";
                    contentType = "application/json";
                    chunked = m == "huge-body-chunked";
                    break;
                case "empty-body":
                    body = "";
                    contentType = "application/json";
                    break;
                case "not-json":
                    body = Pick("location=eastus", "<xml/>", "\0\0\0", "---");
                    contentType = Pick("text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=ebcdic");
                    break;
                case "invalid-utf8":
                    contentType = "application/json";
                    return Finish(n, pattern, method, label, Fill(pattern, names), query, apiVersion, isArm,
                        [.. Encoding.UTF8.GetBytes("{\"location\":\""), 0xC3, 0x28, 0xFF, 0xFE, .. Encoding.UTF8.GetBytes("\"}")], contentType, false, headers, auth);
                case "odd-name" when names.Count > 0:
                    names[PickKey(names)] = Pick("a;b", "a%3Bb", "%25", "100%", "%00", "a%0Ab", "%E2%80%AE", "%F0%9F%92%A5", "%C0%AF", "a b", "%20", "~", "%2F", "a%2Fb",
                        "%EF%BF%BF", "%ED%A0%80", "'", "%22", "%3Cscript%3E", "IaasVMContainer;iaasvmcontainerv2;;", "VM;;;", "vm;iaasvmcontainerv2;%25;%3B");
                    break;
                case "path-traversal" when names.Count > 0:
                    names[PickKey(names)] = Pick("..", "..%2F..%2F..%2Fetc%2Fpasswd", "%2E%2E", "%2e%2e%2f%2e%2e", "..%5C..%5Cwindows", "...", ".");
                    break;
                case "long-name" when names.Count > 0:
                    names[PickKey(names)] = new string((char)('a' + _random.Next(26)), _random.Next(64, 4000));
                    break;
                case "no-api-version":
                    apiVersion = null;
                    break;
                case "bad-api-version":
                    apiVersion = Pick("", "latest", "2099-01-01", "1999-01-01", "2025-13-45", "2025-02-01-preview-x", "%00", "2025-02-01&api-version=2016-06-01", "2025-02-01%3B", new string('9', 300));
                    break;
                case "no-token":
                    auth = null;
                    break;
                case "bad-token":
                    auth = Pick("Bearer", "Bearer ", "Bearer x", "Basic dXNlcjpwYXNz", "Bearer " + new string('A', 5000), "bearer eyJ.eyJ.", "VmAgent x", "Bearer " + t.Token[..^5]);
                    break;
                case "forged-token":
                    // Same header and claims as a real token, but unsigned (alg none) or with the signature of another key.
                    var parts = t.Token.Split('.');
                    auth = "Bearer " + (_random.Next(2) == 0
                        ? B64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + "."
                        : parts[0] + "." + parts[1] + "." + B64("forged-signature-" + _random.Next()));
                    break;
                case "agent-replayed":
                    auth = "VmAgent " + t.ReplayedAgentCredential;
                    break;
                case "agent-forged":
                    auth = "VmAgent " + t.AgentCredential[..^4] + "AAAA";
                    break;
                case "agent-provisioning-secret":
                    auth = "VmAgent " + t.ProvisioningSecret;
                    break;
                case "wrong-method":
                    method = Pick("PATCH", "DELETE", "PUT", "POST", "OPTIONS", "TRACE", "HEAD");
                    break;
                case "bad-query":
                    query.Add(Pick("$filter=" + Uri.EscapeDataString("backupManagementType eq"), "$filter=" + Uri.EscapeDataString("'))) or 1=1 --"), "$skiptoken=-5",
                        "$skiptoken=99999999999999999999", "incarnation=abc", "incarnation=-99999999999999999999", "until=notadate", "waitSeconds=abc",
                        "$filter=" + Uri.EscapeDataString("operation eq 'Backup' and startTime eq 'x'"), "resource=%00", "$expand=%FF", "%=%", "a=%ZZ"));
                    break;
                case "bad-if-match":
                    headers.Add(new(Pick("If-Match", "If-None-Match"), Pick("\"nope\"", "W/\"x\"", "*", "garbage, \"", "\"\"", new string('"', 100))));
                    break;
                case "odd-charset" or "duplicate-keys" or "huge-numbers" or "null-objects" or "encoded-slash":
                    (body, contentType) = BlindSpot(m, body, contentType, names);
                    break;
                case "odd-unicode-body" when body is not null:
                    body = body.Replace("eastus", Pick("east\u202Eus", "\uFEFFeastus", "eastus\u0000", "😀", "\uD800", "e\u0301astus", "EASTUS", "ǝɐsʇns"));
                    break;
            }
        }
        return Finish(n, pattern, method, label, Fill(pattern, names), query, apiVersion, isArm,
            body is null ? null : Encoding.UTF8.GetBytes(body), contentType, chunked, headers, auth);
    }

    private static FuzzRequest Finish(int n, string pattern, string method, string label, string path, List<string> query, string? apiVersion, bool isArm,
        byte[]? body, string? contentType, bool chunked, List<KeyValuePair<string, string>> headers, string? auth)
    {
        if (isArm && apiVersion is not null) query.Insert(0, "api-version=" + apiVersion);
        if (auth is not null) headers.Add(new("Authorization", auth));
        if (body is not null && method is "GET" or "HEAD" or "TRACE") body = null; // HttpClient refuses bodies on these
        var pathAndQuery = path + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        return new FuzzRequest(n, pattern, method, pathAndQuery, label, body, contentType, chunked, headers);
    }

    private string ValidValue(string name) => name.ToLowerInvariant() switch
    {
        "subscriptionid" => t.Subscription,
        "resourcegroupname" => t.ResourceGroup,
        "vmname" => _random.Next(3) == 0 ? "vm-new" + _random.Next(50) : t.Vm,
        "vaultname" => t.Vault,
        "policyname" => _random.Next(2) == 0 ? "DefaultPolicy" : "fuzzpolicy",
        "fabricname" => "Azure",
        "containername" => $"IaasVMContainer;iaasvmcontainerv2;{t.ResourceGroup};{t.Vm}",
        "protecteditemname" => $"VM;iaasvmcontainerv2;{t.ResourceGroup};{t.Vm}",
        "extensionname" or "name" => "VMSnapshotLinux",
        "jobname" or "operationid" => Guid.NewGuid().ToString(),
        "recoverypointid" => "123456789",
        "location" => "eastus",
        "accountname" => "fuzzsa",
        "resourceprovidernamespace" => "Microsoft.RecoveryServices",
        "vmid" => t.VmId,
        "taskid" => $"{Guid.NewGuid()}_1",
        "documentname" => "v1",
        _ => "x",
    };

    private static string Fill(string pattern, Dictionary<string, string> names)
    {
        var path = pattern;
        foreach (var (k, v) in names)
            path = System.Text.RegularExpressions.Regex.Replace(path, "\\{\\**" + k + "(:[^}]*)?\\??\\}", v.Replace("$", "$$"), System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        return path;
    }

    /// <summary>A plausible body for the route, so mutations reach the handler's own validation.</summary>
    private (string? Body, string? ContentType) ValidBody(string pattern, string method)
    {
        if (method is "GET" or "DELETE" or "HEAD") return (null, null);
        var vmId = $"/subscriptions/{t.Subscription}/resourceGroups/{t.ResourceGroup}/providers/Microsoft.Compute/virtualMachines/{t.Vm}";
        var vaultId = $"/subscriptions/{t.Subscription}/resourceGroups/{t.ResourceGroup}/providers/Microsoft.RecoveryServices/vaults/{t.Vault}";
        string json = pattern switch
        {
            var p when p.EndsWith("/virtualMachines/{vmName}") =>
                "{\"location\":\"eastus\",\"properties\":{\"storageProfile\":{\"osDisk\":{\"osType\":\"Linux\",\"name\":\"os\",\"diskSizeGB\":30},\"dataDisks\":[{\"lun\":0,\"name\":\"d0\",\"diskSizeGB\":8}]}}}",
            var p when p.EndsWith("/vaults/{vaultName}") => "{\"location\":\"eastus\",\"sku\":{\"name\":\"Standard\"},\"tags\":{\"a\":\"b\"}}",
            var p when p.EndsWith("/backupPolicies/{policyName}") =>
                "{\"properties\":{\"backupManagementType\":\"AzureIaasVM\",\"timeZone\":\"UTC\",\"schedulePolicy\":{\"schedulePolicyType\":\"SimpleSchedulePolicy\",\"scheduleRunFrequency\":\"Daily\",\"scheduleRunTimes\":[\"2024-01-01T10:00:00Z\"]},\"retentionPolicy\":{\"retentionPolicyType\":\"LongTermRetentionPolicy\",\"dailySchedule\":{\"retentionTimes\":[\"2024-01-01T10:00:00Z\"],\"retentionDuration\":{\"count\":7,\"durationType\":\"Days\"}}}}}",
            var p when p.EndsWith("/protectedItems/{protectedItemName}") =>
                $"{{\"properties\":{{\"protectedItemType\":\"Microsoft.Compute/virtualMachines\",\"sourceResourceId\":\"{vmId}\",\"policyId\":\"{vaultId}/backupPolicies/DefaultPolicy\"}}}}",
            var p when p.EndsWith("/backup") => "{\"properties\":{\"objectType\":\"IaasVMBackupRequest\",\"recoveryPointExpiryTimeInUTC\":\"2030-01-01T00:00:00Z\"}}",
            var p when p.EndsWith("/restore") =>
                $"{{\"properties\":{{\"objectType\":\"IaasVMRestoreRequest\",\"recoveryType\":\"RestoreDisks\",\"recoveryPointId\":\"1\",\"region\":\"eastus\",\"sourceResourceId\":\"{vmId}\",\"storageAccountId\":\"/subscriptions/{t.Subscription}/resourceGroups/{t.ResourceGroup}/providers/Microsoft.Storage/storageAccounts/sa\"}}}}",
            var p when p.EndsWith("/backupStatus") => $"{{\"resourceType\":\"VM\",\"resourceId\":\"{vmId}\"}}",
            var p when p.EndsWith("/enable-for-vm") => $"{{\"resourceGroup\":\"{t.ResourceGroup}\",\"vaultName\":\"{t.Vault}\",\"vm\":\"{t.Vm}\",\"policyName\":\"DefaultPolicy\"}}",
            var p when p.EndsWith("/register") => "{\"certificate\":\"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\"}",
            var p when p.Contains("/extensions/") && p.EndsWith("/status") => "{\"status\":\"Ready\",\"handlerVersion\":\"1.0\",\"message\":\"ok\"}",
            var p when p.Contains("/tasks/") => "{\"status\":\"success\",\"code\":0,\"message\":\"done\"}",
            var p when p.EndsWith("/fault") => "{\"mode\":\"late\",\"seconds\":1}",
            var p when p.Contains("oauth2/token") => "grant_type=client_credentials&client_id=fuzz&client_secret=x&scope=https%3A%2F%2Fmanagement.core.windows.net%2F.default",
            _ => "{\"properties\":{}}",
        };
        return (json, pattern.Contains("oauth2/token") ? "application/x-www-form-urlencoded" : "application/json");
    }

    private string WrongTypes(string pattern, string method) => Pick(
        "{\"location\":42,\"properties\":[]}", "{\"properties\":\"string\"}", "{\"properties\":{\"policyId\":{\"a\":1},\"sourceResourceId\":true}}",
        "{\"properties\":{\"schedulePolicy\":{\"scheduleRunTimes\":\"notalist\",\"scheduleRunFrequency\":7}}}", "{\"properties\":{\"recoveryPointExpiryTimeInUTC\":\"yesterday\"}}",
        "{\"status\":5,\"code\":\"x\"}", "{\"status\":\"success\",\"code\":1e400}", "{\"mode\":[],\"seconds\":\"1\"}", "{\"certificate\":123}",
        "{\"location\":\"eastus\",\"properties\":{\"storageProfile\":{\"osDisk\":{\"osType\":\"Linux\",\"name\":\"os\",\"diskSizeGB\":99999999999}}}}",
        "{\"properties\":{\"storageProfile\":{\"dataDisks\":[{\"lun\":\"zero\"}]}}}", "[]", "null", "true", "12345678901234567890", "\"text\"",
        "{\"properties\":{\"retentionPolicy\":{\"dailySchedule\":{\"retentionDuration\":{\"count\":-1,\"durationType\":\"Eons\"}}}}}", "{\"tags\":{\"a\":{\"b\":1}}}");

    private string Pick(params string[] options) => options[_random.Next(options.Length)];

    private string PickKey(Dictionary<string, string> names) => names.Keys.ElementAt(_random.Next(names.Count));

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
