using System.Text.RegularExpressions;

namespace BackupControlPlane.Api.Tests.Hostile;

public sealed partial class RequestFuzzer
{
    /// <summary>
    /// What an independent fuzzer driven by Azure's specs reached that the other mutations did not (issue 14): charsets
    /// (utf-7 is a name .NET knows but refuses to decode: once a 500), duplicate keys, numbers past every type's range,
    /// nulls where objects belong, encoded slashes in names.
    /// </summary>
    private (string? Body, string? ContentType) BlindSpot(string mutation, string? body, string? contentType, Dictionary<string, string> names)
    {
        switch (mutation)
        {
            case "odd-charset":
                return (body ?? "{}", "application/json; charset=" + Pick("utf-7", "UTF-7", "\"utf-7\"", "unicode-1-1-utf-7", "csUnicode11UTF7", "utf-32", "utf-32BE",
                    "utf-16", "x-unknown", "latin1", "ebcdic-cp-us", "''", "utf-8;charset=utf-7"));
            case "duplicate-keys" when body is not null && body.StartsWith('{'):
                return ("{\"location\":\"westus\",\"properties\":{\"a\":1},\"tags\":{\"t\":\"1\",\"t\":\"2\"}," + body[1..], "application/json");
            case "huge-numbers":
                var huge = Pick("1e309", "-1e309", "99999999999999999999999999999", "1e-400", "-0", "4294967296", "9223372036854775808", "0.1e99999");
                return (body is not null && Regex.IsMatch(body, @":\s*-?\d")
                    ? Regex.Replace(body, @"(?<=:\s*)-?\d+(\.\d+)?", huge)
                    : "{\"location\":\"eastus\",\"properties\":{\"diskSizeGB\":" + huge + ",\"count\":" + huge + "}}", "application/json");
            case "null-objects":
                return (Pick("null", "{\"properties\":null}", "{\"location\":null,\"sku\":null,\"properties\":null}", "{\"properties\":{\"storageProfile\":null}}",
                    "{\"properties\":{\"storageProfile\":{\"osDisk\":null,\"dataDisks\":[null]}}}", "{\"properties\":{\"schedulePolicy\":null,\"retentionPolicy\":null}}",
                    "{\"properties\":{\"policyId\":null,\"sourceResourceId\":null,\"protectedItemType\":null}}", "{\"properties\":{\"objectType\":null}}", "[null]"), "application/json");
            case "encoded-slash" when names.Count > 0:
                names[PickKey(names)] = Pick("a%2fb", "%2f", "%2F%2F", "..%2f", "%2e%2e%2fvaults", "a%5Cb", "%252f");
                return (body, contentType);
            default:
                return (body, contentType);
        }
    }
}
