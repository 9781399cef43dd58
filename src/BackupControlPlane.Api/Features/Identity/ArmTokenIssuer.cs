using BackupControlPlane.Api.Arm;

namespace BackupControlPlane.Api.Features.Identity;

/// <summary>Tokens for the emulator's own calls on a caller's behalf; an unknown caller (anonymous ARM) is the managed identity.</summary>
public sealed class ArmTokenIssuer(TokenService tokens) : IArmTokenIssuer
{
    public string Issue(string? objectId, string? appId) =>
        tokens.Issue(TokenService.DefaultResource, Guid.TryParse(objectId, out var oid) ? oid : TokenService.ManagedIdentityObjectId,
            string.IsNullOrEmpty(appId) ? ManagedIdentityEndpoints.ClientId : appId).AccessToken;
}
