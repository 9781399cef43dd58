using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Arm;

/// <summary>ARM paging: a page of <c>Emulator:PageSize</c> items and a <c>nextLink</c> carrying <c>$skiptoken</c>.</summary>
public static class ArmPaging
{
    public static ArmList<T> Page<T>(HttpContext http, IReadOnlyList<T> all)
    {
        var options = http.RequestServices.GetRequiredService<IOptions<EmulatorOptions>>().Value;
        var skip = int.TryParse(http.Request.Query["$skiptoken"], out var s) && s > 0 ? s : 0;
        var page = all.Skip(skip).Take(options.PageSize).ToList();
        if (skip + options.PageSize >= all.Count) return new ArmList<T>(page);
        var query = QueryHelpers.ParseQuery(http.Request.QueryString.Value)
            .Where(q => q.Key != "$skiptoken").SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
            .Append(new KeyValuePair<string, string?>("$skiptoken", (skip + options.PageSize).ToString()));
        var baseUri = string.IsNullOrEmpty(options.PublicBaseUrl) ? $"{http.Request.Scheme}://{http.Request.Host}" : options.PublicBaseUrl.TrimEnd('/');
        return new ArmList<T>(page, QueryHelpers.AddQueryString(baseUri + http.Request.Path, query));
    }
}
