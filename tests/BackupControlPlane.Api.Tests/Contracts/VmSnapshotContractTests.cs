using System.Text;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Api.Tests.Contracts;

public sealed class VmSnapshotContractTests
{
    [Fact]
    public void Command_start_ticks_are_dotnet_ticks_since_year_one()
    {
        var time = new DateTimeOffset(2017, 11, 15, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal("636463368000000000", DotNetTicks.From(time));
        Assert.Equal(time, DotNetTicks.Parse(DotNetTicks.From(time)));
        Assert.Equal(DotNetTicks.From(new DateTimeOffset(2017, 11, 15, 12, 0, 0, TimeSpan.FromHours(2))), DotNetTicks.From(time));
    }

    [Fact]
    public void ObjectStr_is_base64_of_the_blobSASUri_list_and_decodes_as_the_Linux_extension_does()
    {
        var uris = new[] { "https://a/vhds/os.vhd?sv=1&sp=rw&sig=x", "https://a/vhds/d0.vhd?sv=1&sp=rw&sig=y" };
        var encoded = ObjectStr.Encode(uris);
        Assert.Equal("{\"blobSASUri\":[\"https://a/vhds/os.vhd?sv=1\\u0026sp=rw\\u0026sig=x\",\"https://a/vhds/d0.vhd?sv=1\\u0026sp=rw\\u0026sig=y\"]}",
            Encoding.UTF8.GetString(Convert.FromBase64String(encoded)));
        Assert.Equal(uris, ObjectStr.Decode(encoded));
        Assert.Equal(uris, ObjectStr.Decode($" '{encoded}' "));
        Assert.Throws<FormatException>(() => ObjectStr.Decode("not base64!"));
    }

    [Fact]
    public void The_status_document_is_a_one_element_array_with_snapshotInfo_under_status()
    {
        var entry = new SnapshotStatusEntry("1.0.9184.0", SnapshotStatusDocument.TimestampUtc(DateTimeOffset.FromUnixTimeMilliseconds(1717000000000)),
            new SnapshotStatus("n", "Enable", "success", "1", new FormattedMessage("en-US", "{}"), [], "t_1", "1", "m",
                [new SnapshotInfo(true, "https://a/vhds/os.vhd?snapshot=2024-01-01T00:00:00.0000000Z", "", "https://a/vhds/os.vhd")]));
        var json = Encoding.UTF8.GetString(SnapshotStatusDocument.Serialize(entry));
        Assert.StartsWith("[{\"version\":\"1.0.9184.0\",\"timestampUTC\":\"/Date(1717000000000)/\",\"status\":{", json);
        Assert.Contains("\"snapshotInfo\":[{\"isSuccessful\":true,\"snapshotUri\":", json);
        Assert.Equal("t_1", SnapshotStatusDocument.Parse(Encoding.UTF8.GetBytes(json)).Status.TaskId);
        Assert.Throws<FormatException>(() => SnapshotStatusDocument.Parse("[]"u8));
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => SnapshotStatusDocument.Parse("{\"version\":1"u8));
    }

    [Theory]
    [InlineData("Windows", "VMSnapshot", "1.9")]
    [InlineData("Linux", "VMSnapshotLinux", "1.0")]
    public void The_extension_flavour_follows_the_OS(string os, string type, string version) =>
        Assert.Equal((type, version), VmSnapshotExtension.ForOs(os));
}
