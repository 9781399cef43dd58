using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static BackupControlPlane.Api.Features.Deployments.Templates.FunctionLibrary;
using V = BackupControlPlane.Api.Features.Deployments.Templates.TemplateValues;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>utcNow (parameter defaults only, from the deployment's clock), dateTimeAdd, dateTimeFromEpoch, dateTimeToEpoch.</summary>
internal static partial class DateFunctions
{
    public static IEnumerable<FunctionDefinition> Definitions() =>
    [
        F("utcNow", 0, 1, c => DeploymentFunctions.OnlyInParameterDefault(c,
            () => V.Of(Format(c, c.Scope.Context.Now.UtcDateTime, c.Count > 0 ? c.String(0) : "yyyyMMddTHHmmssZ")))),
        F("dateTimeAdd", 2, 3, DateTimeAdd),
        F("dateTimeFromEpoch", 1, 1, c => V.Of(DateTimeOffset.FromUnixTimeSeconds(c.Integer(0)).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))),
        F("dateTimeToEpoch", 1, 1, c => V.Of(Parse(c, c.String(0)).ToUnixTimeSeconds())),
    ];

    private static string Format(FunctionCall c, DateTime value, string format)
    {
        try { return value.ToString(format, CultureInfo.InvariantCulture); }
        catch (FormatException) { throw c.Error($"the format '{format}' is not a valid date and time format."); }
    }

    private static DateTimeOffset Parse(FunctionCall c, string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : throw c.Error($"the value '{text}' is not a valid date and time.");

    /// <summary>dateTimeAdd(base, ISO 8601 duration, format?): calendar years and months, then weeks, days and time.</summary>
    private static JsonNode DateTimeAdd(FunctionCall c)
    {
        var start = Parse(c, c.String(0)).UtcDateTime;
        var match = Duration().Match(c.String(1));
        if (!match.Success || match.Length <= 1 + (match.Groups["neg"].Success ? 1 : 0))
            throw c.Error($"the duration '{c.String(1)}' is not a valid ISO 8601 duration.");
        var sign = match.Groups["neg"].Success ? -1 : 1;
        double Part(string name) => match.Groups[name].Success ? double.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture) * sign : 0;
        var result = start.AddYears((int)Part("y")).AddMonths((int)Part("mo"))
            .AddDays(Part("w") * 7 + Part("d")).AddHours(Part("h")).AddMinutes(Part("mi")).AddSeconds(Part("s"));
        return V.Of(Format(c, result, c.Count > 2 ? c.String(2) : "M/d/yyyy h:mm:ss tt"));
    }

    [GeneratedRegex(@"^(?<neg>-)?P(?:(?<y>\d+)Y)?(?:(?<mo>\d+)M)?(?:(?<w>\d+)W)?(?:(?<d>\d+)D)?(?:T(?:(?<h>\d+)H)?(?:(?<mi>\d+)M)?(?:(?<s>\d+(?:\.\d+)?)S)?)?$")]
    private static partial Regex Duration();
}
