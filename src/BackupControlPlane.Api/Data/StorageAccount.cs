namespace BackupControlPlane.Api.Data;

/// <summary>
/// A storage account created by a PUT. The emulator keeps all blobs in its one blob endpoint, so an account is only a
/// name with a region, sku and kind; one never PUT is answered from its resource group without a row
/// (Features/Vaults/StorageAccountEndpoints).
/// </summary>
public sealed class StorageAccount
{
    public long Id { get; set; }
    public required string SubscriptionId { get; set; }
    public required string ResourceGroup { get; set; }
    public required string Name { get; set; }
    /// <summary>Lowercased "{subscription}/{resourceGroup}/{name}", as the other resources' keys.</summary>
    public required string Key { get; set; }
    public required string Location { get; set; }
    public required string SkuName { get; set; }
    public required string Kind { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
