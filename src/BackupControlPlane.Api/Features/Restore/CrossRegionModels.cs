namespace BackupControlPlane.Api.Features.Restore;

/// <summary>GET …/locations/{region}/backupAadProperties: the identity the secondary region's service signs in as.</summary>
public sealed record AadPropertiesResource(string Id, string Name, string Type, AadProperties Properties);

public sealed record AadProperties(string TenantId, string Audience, string ServicePrincipalObjectId, string ServicePrincipalClientId, string Authority);

/// <summary>POST RP/accessToken: the token a cross-region restore carries (CrrAccessToken, as the passive-stamp client reads it).</summary>
public sealed record CrrAccessTokenResource(string Id, string Name, string Type, CrrAccessToken Properties);

public sealed record CrrAccessToken(
    string ObjectType, string AccessTokenString, string SubscriptionId, string ResourceGroupName, string ResourceName, string ResourceId,
    long ProtectionContainerId, string RecoveryPointId, string RecoveryPointTime, string ContainerName, string ContainerType,
    string BackupManagementType, string DatasourceType, string DatasourceName, string DatasourceId, string DatasourceContainerName,
    string CoordinatorServiceStampId, string CoordinatorServiceStampUri, string ProtectionServiceStampId, string ProtectionServiceStampUri,
    string TokenExtendedInformation, Dictionary<string, string> RpTierInformation, bool RpOriginalSAOption, bool RpIsManagedVirtualMachine,
    string? RpVMSizeDescription, string BMSActiveRegion);

/// <summary>
/// POST …/locations/{region}/backupCrossRegionRestore (CrossRegionRestoreRequest): the access token from
/// RP/accessToken (only its <c>accessTokenString</c> counts; the other members are the token's description, echoed) and
/// the restore request, as for a restore in the vault's own region.
/// </summary>
public sealed record CrossRegionRestoreRequest(CrrAccessDetails? CrossRegionRestoreAccessDetails, IaasVmRestoreRequestProperties? RestoreRequest);

public sealed record CrrAccessDetails(string? ObjectType, string? AccessTokenString);
