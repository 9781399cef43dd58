using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>Checks several az tests share.</summary>
public static class AzCliAssert
{
    public static void DefaultPolicy(JsonNode policy)
    {
        var p = policy["properties"]!;
        Assert.Equal("AzureIaasVM", p["backupManagementType"]!.GetValue<string>());
        Assert.Equal("Daily", p["schedulePolicy"]!["scheduleRunFrequency"]!.GetValue<string>());
        Assert.Single(p["schedulePolicy"]!["scheduleRunTimes"]!.AsArray());
        Assert.Equal(30, p["retentionPolicy"]!["dailySchedule"]!["retentionDuration"]!["count"]!.GetValue<int>());
        Assert.Equal("Days", p["retentionPolicy"]!["dailySchedule"]!["retentionDuration"]!["durationType"]!.GetValue<string>());
        Assert.Equal(2, p["instantRpRetentionRangeInDays"]!.GetValue<int>());
    }

    /// <summary>`az vm extension list -o table`: one row for the snapshot extension, installed by the first backup.</summary>
    public static void SnapshotExtensionRow(AzResult table, string type)
    {
        table.AssertSucceeded();
        var lines = table.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var header = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["Name", "ProvisioningState", "Publisher", "Version", "AutoUpgradeMinorVersion"], header);
        Assert.StartsWith("----", lines[1]);
        var row = Assert.Single(lines.Skip(2)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([type, "Succeeded", "Microsoft.Azure.RecoveryServices", type == "VMSnapshot" ? "1.9" : "1.0", "True"], row);
    }
}
