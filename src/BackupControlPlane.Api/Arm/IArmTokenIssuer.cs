namespace BackupControlPlane.Api.Arm;

/// <summary>
/// Mints an ARM bearer token for an identity the emulator already authenticated (its <c>oid</c> and <c>appid</c>), so
/// work that continues after the request (a template deployment's resource writes) calls ARM as its caller did.
/// Implemented by the Identity slice.
/// </summary>
public interface IArmTokenIssuer
{
    string Issue(string? objectId, string? appId);
}
