using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>The deployment's <c>templateHash</c>: a decimal digest of the template's JSON (stable for the same template).</summary>
public static class TemplateHash
{
    public static string Of(JsonObject template)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(template.ToJsonString()));
        return BitConverter.ToUInt64(digest, 0).ToString(CultureInfo.InvariantCulture);
    }
}
