using System.Globalization;
using System.Text.RegularExpressions;

namespace BackupControlPlane.Api.Arm;

/// <summary>
/// ARM routes require <c>?api-version=</c>. Clients in the wild send many versions (the az CLI 2022-08-01 for Compute,
/// 2022-10-01 for vaults, 2022-09-01-preview for backup; a 2021 CLI sent 2016-06-01; @azure/arm-recoveryservices 7.x
/// 2026-07-01), and the emulator serves the shapes common to all of them. So any well-formed dated version from the
/// oldest up to today (the emulated clock) plus <see cref="Margin"/> is accepted: the newest SDKs work on their
/// defaults, and so do next year's. Anything else is refused with the range named. Strict mode
/// (<c>Emulator:StrictApiVersions</c>) accepts only <see cref="KnownApiVersions"/> of the addressed provider.
/// </summary>
public static partial class ApiVersions
{
    public const string Oldest = "2015-06-15";

    /// <summary>How far past today a version may be dated: SDKs ship with versions Azure has not published yet.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromDays(2 * 365);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(-preview)?$")]
    private static partial Regex Shape();

    private sealed record NewestOn(DateOnly Day, string Version);

    // Every ARM request compares with it: formatted once a day, not per request (docs/performance.md).
    private static NewestOn? _newest;

    /// <summary>The newest version accepted on <paramref name="today"/>.</summary>
    public static string Newest(DateTimeOffset today)
    {
        var day = DateOnly.FromDateTime(today.UtcDateTime + Margin);
        if (Volatile.Read(ref _newest) is { } known && known.Day == day) return known.Version;
        var newest = new NewestOn(day, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Volatile.Write(ref _newest, newest);
        return newest.Version;
    }

    private sealed record Accepted(string Version, string Newest);

    // A client sends one version over and over: the last one accepted is known again without the regex and the parse.
    private static Accepted? _accepted;

    public static bool IsSupported(string version, DateTimeOffset today)
    {
        var newest = Newest(today);
        if (Volatile.Read(ref _accepted) is { } last && ReferenceEquals(last.Newest, newest) && last.Version == version) return true;
        if (!Shape().IsMatch(version)) return false;
        var date = version.AsSpan(0, 10);
        var supported = DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            && date.CompareTo(Oldest, StringComparison.Ordinal) >= 0
            && date.CompareTo(newest, StringComparison.Ordinal) <= 0;
        if (supported) Volatile.Write(ref _accepted, new Accepted(version, newest));
        return supported;
    }

    public static string Describe(DateTimeOffset today) =>
        $"dated versions (yyyy-MM-dd, with or without '-preview') from {Oldest} to {Newest(today)} (today plus two years), for example 2025-02-01";

    /// <summary>Middleware: checks api-version on every ARM route before anything else reads the request.</summary>
    public static Task Enforce(HttpContext http, RequestDelegate next) =>
        ArmResults.IsArmPath(http.Request.Path) && Refusal(http) is { } refusal ? refusal.ExecuteAsync(http) : next(http);

    /// <summary>The 400 for a missing or unsupported api-version on an ARM route; null when the version is accepted.</summary>
    private static IResult? Refusal(HttpContext http)
    {
        var today = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var values = http.Request.Query["api-version"];
        if (values.Count == 0 || string.IsNullOrWhiteSpace(values[0]))
            return ArmResults.Error(400, ArmErrorCodes.MissingApiVersionParameter,
                $"The api-version query parameter (?api-version=) is required for all requests. Supported: {Describe(today)}.");
        var version = values[0]!;
        var strict = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Infrastructure.EmulatorOptions>>().Value.StrictApiVersions;
        // The provider is found (splitting the path) only in strict mode, the one that needs it.
        if (strict && KnownApiVersions.ProviderOf(http.Request.Path) is var provider && !KnownApiVersions.IsKnown(provider, version))
            return ArmResults.Error(400, ArmErrorCodes.InvalidApiVersionParameter,
                $"The api-version '{version}' is not one real clients send to {provider} (strict mode). Known: {string.Join(", ", KnownApiVersions.For(provider))}. Set Emulator:StrictApiVersions=false to accept any of the {Describe(today)}.");
        if (!strict && !IsSupported(version, today))
            return ArmResults.Error(400, ArmErrorCodes.InvalidApiVersionParameter,
                $"The api-version '{version}' is invalid. The supported versions are {Describe(today)}.");
        return null;
    }
}
