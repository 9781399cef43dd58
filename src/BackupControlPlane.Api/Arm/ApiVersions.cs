using System.Text.RegularExpressions;

namespace BackupControlPlane.Api.Arm;

/// <summary>
/// ARM routes require <c>?api-version=</c>. Clients in the wild send many versions (the az CLI 2022-08-01 for Compute,
/// 2022-10-01 for vaults, 2022-09-01-preview for backup; a 2021 CLI sent 2016-06-01), and the emulator serves the
/// shapes common to all of them, so any dated version in the published range is accepted and anything else is refused
/// with the range named.
/// </summary>
public static partial class ApiVersions
{
    public const string Oldest = "2015-06-15";
    public const string Newest = "2026-02-01";

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(-preview)?$")]
    private static partial Regex Shape();

    public static bool IsSupported(string version) =>
        Shape().IsMatch(version)
        && string.CompareOrdinal(version[..10], Oldest) >= 0
        && string.CompareOrdinal(version[..10], Newest) <= 0
        && DateOnly.TryParseExact(version[..10], "yyyy-MM-dd", out _);

    /// <summary>Versions real clients are known to send: the az CLI, the .NET SDK and Azure's published specs.</summary>
    public static readonly string[] Known =
    [
        "2025-02-01", "2024-11-01", "2024-07-01", "2024-04-01", "2024-03-01", "2023-09-01", "2023-07-01", "2023-06-01", "2023-04-01",
        "2023-03-01", "2023-02-01", "2023-01-01", "2022-12-01", "2022-11-01", "2022-10-01", "2022-09-01-preview", "2022-08-01", "2022-07-02", "2022-07-01", "2022-05-01", "2022-01-01",
        "2021-01-01", "2020-10-01", "2020-01-01", "2019-11-01", "2019-06-15", "2019-05-13", "2018-02-01", "2017-07-01", "2016-12-01",
        "2016-06-01", "2016-01-01", "2015-12-01",
    ];

    public static bool IsKnown(string version) => Known.Contains(version, StringComparer.OrdinalIgnoreCase);

    public static string Describe() => $"dated versions from {Oldest} to {Newest}, with or without '-preview' (for example 2025-02-01)";

    /// <summary>Middleware: checks api-version on every ARM route before anything else reads the request.</summary>
    public static async Task Enforce(HttpContext http, RequestDelegate next)
    {
        if (ArmResults.IsArmPath(http.Request.Path))
        {
            var values = http.Request.Query["api-version"];
            if (values.Count == 0 || string.IsNullOrWhiteSpace(values[0]))
            {
                await ArmResults.Error(400, ArmErrorCodes.MissingApiVersionParameter,
                    $"The api-version query parameter (?api-version=) is required for all requests. Supported: {Describe()}.").ExecuteAsync(http);
                return;
            }
            var strict = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Infrastructure.EmulatorOptions>>().Value.StrictApiVersions;
            if (strict && !IsKnown(values[0]!))
            {
                await ArmResults.Error(400, ArmErrorCodes.InvalidApiVersionParameter,
                    $"The api-version '{values[0]}' is not one real clients send (strict mode). Known: {string.Join(", ", Known)}. Set Emulator:StrictApiVersions=false to accept any {Describe()}.").ExecuteAsync(http);
                return;
            }
            if (!strict && !IsSupported(values[0]!))
            {
                await ArmResults.Error(400, ArmErrorCodes.InvalidApiVersionParameter,
                    $"The api-version '{values[0]}' is invalid. The supported versions are {Describe()}.").ExecuteAsync(http);
                return;
            }
        }
        await next(http);
    }
}
