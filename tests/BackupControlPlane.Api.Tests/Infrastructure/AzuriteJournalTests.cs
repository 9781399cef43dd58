using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using BackupControlPlane.Api.Infrastructure;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// The durability preload (tools/azurite/durable-metadata.cjs) saves Azurite's metadata as a base file plus a journal of
/// what changed. What Azurite acknowledged before a flush must survive SIGKILL through every path of that: a save that
/// only appended to the journal, deletes, new bases written when the journal outgrows the base, a torn last line, and
/// a kill between writing a new base and emptying the journal (the old journal's lines must then not be replayed).
/// Each test runs its own Azurite on its own folder, killed and started again on it.
/// </summary>
public sealed class AzuriteJournalTests : IDisposable
{
    private readonly string _location = Path.Combine(Path.GetTempPath(), "bcp-journal-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly int _port = AzuriteProcess.FreePort();
    private Process? _node;

    private string BaseFile => Path.Combine(_location, "__azurite_db_blob__.json");
    private string JournalFile => BaseFile + ".journal";

    [Fact]
    public async Task Writes_and_deletes_acknowledged_before_a_flush_survive_a_kill_from_the_journal_alone()
    {
        var container = await StartAsync(minJournalBytes: null);
        for (var i = 0; i < 10; i++) await container.GetBlobClient($"b{i}").UploadAsync(BinaryData.FromString($"v{i}"));
        await FlushAsync();
        await container.GetBlobClient("b3").DeleteAsync();
        await container.GetBlobClient("b4").SetMetadataAsync(new Dictionary<string, string> { ["stage"] = "two" });
        await FlushAsync();
        Assert.True(new FileInfo(JournalFile).Length > 0, "the saves went to the journal");

        container = await KillAndStartAgainAsync(minJournalBytes: null);

        Assert.Equal([.. Enumerable.Range(0, 10).Where(i => i != 3).Select(i => $"b{i}")], await NamesAsync(container));
        Assert.Equal("v7", (await container.GetBlobClient("b7").DownloadContentAsync()).Value.Content.ToString());
        Assert.Equal("two", (await container.GetBlobClient("b4").GetPropertiesAsync()).Value.Metadata["stage"]);
    }

    [Fact]
    public async Task New_bases_and_a_torn_last_line_lose_nothing_acknowledged()
    {
        var container = await StartAsync(minJournalBytes: 1); // a new base as soon as the journal outgrows it
        var firstGeneration = Generation();
        for (var i = 0; i < 40; i++)
        {
            await container.GetBlobClient($"b{i}").UploadAsync(BinaryData.FromString($"v{i}"));
            if (i % 5 == 4) await container.GetBlobClient($"b{i - 2}").DeleteAsync();
            await FlushAsync();
        }
        Assert.True(Generation() > firstGeneration, "new bases were written");
        await File.AppendAllTextAsync(JournalFile, "{\"g\":"); // a kill in the middle of an append

        container = await KillAndStartAgainAsync(minJournalBytes: 1);
        await container.GetBlobClient("after").UploadAsync(BinaryData.FromString("x"));
        await FlushAsync();
        container = await KillAndStartAgainAsync(minJournalBytes: 1);

        var expected = Enumerable.Range(0, 40).Where(i => i % 5 != 2).Select(i => $"b{i}").Append("after").Order(StringComparer.Ordinal);
        Assert.Equal([.. expected], await NamesAsync(container));
    }

    [Fact]
    public async Task Lines_of_a_journal_older_than_the_base_are_not_replayed()
    {
        var container = await StartAsync(minJournalBytes: null);
        var blob = container.GetBlobClient("b");
        await blob.UploadAsync(BinaryData.FromString("x"));
        await blob.SetMetadataAsync(new Dictionary<string, string> { ["stage"] = "old" });
        await FlushAsync();
        var oldJournal = await File.ReadAllBytesAsync(JournalFile);
        Assert.NotEmpty(oldJournal);

        // A restart writes a new base (a new generation) holding "new"; the kill then lands before the journal was
        // emptied, as if between the base's rename and the truncation: the old journal says "old".
        container = await KillAndStartAgainAsync(minJournalBytes: null);
        await container.GetBlobClient("b").SetMetadataAsync(new Dictionary<string, string> { ["stage"] = "new" });
        await StopGracefullyAsync(); // SIGTERM: Azurite saves; the next start writes a new base from base + journal
        container = await StartAsync(minJournalBytes: null);
        Kill();
        Assert.Equal(0, new FileInfo(JournalFile).Length);
        await File.WriteAllBytesAsync(JournalFile, oldJournal);

        container = await StartAsync(minJournalBytes: null);
        Assert.Equal("new", (await container.GetBlobClient("b").GetPropertiesAsync()).Value.Metadata["stage"]);
    }

    private async Task<BlobContainerClient> StartAsync(int? minJournalBytes)
    {
        var dir = AzuriteProcess.FindInstallDirectory(AppContext.BaseDirectory)!;
        var psi = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in AzuriteProcess.Arguments(dir, _location, _port)) psi.ArgumentList.Add(argument);
        if (minJournalBytes is { } bytes) psi.Environment["BCP_AZURITE_JOURNAL_MIN_BYTES"] = bytes.ToString();
        _node = Process.Start(psi)!;
        _node.OutputDataReceived += (_, _) => { };
        _node.ErrorDataReceived += (_, _) => { };
        _node.BeginOutputReadLine();
        _node.BeginErrorReadLine();
        await Poll.Until(() => AzuriteProcess.IsListeningAsync(_port, CancellationToken.None), "Azurite listening", TimeSpan.FromSeconds(30));
        var connection = StorageOptions.AzuriteConnectionString.Replace("127.0.0.1:10000", $"127.0.0.1:{_port}");
        var container = new BlobServiceClient(connection).GetBlobContainerClient("journal");
        await container.CreateIfNotExistsAsync();
        return container;
    }

    private async Task<BlobContainerClient> KillAndStartAgainAsync(int? minJournalBytes)
    {
        Kill();
        return await StartAsync(minJournalBytes);
    }

    private void Kill()
    {
        _node!.Kill(entireProcessTree: true); // SIGKILL: nothing saved on the way out
        _node.WaitForExit();
    }

    private async Task StopGracefullyAsync()
    {
        using (var term = Process.Start("kill", ["-TERM", _node!.Id.ToString()])) await term.WaitForExitAsync();
        await _node.WaitForExitAsync();
    }

    private async Task FlushAsync()
    {
        using var http = new HttpClient();
        (await http.PostAsync($"http://127.0.0.1:{_port}{BlobDurability.FlushPath}", null)).EnsureSuccessStatusCode();
    }

    private int Generation() => JsonNode.Parse(File.ReadAllText(BaseFile))!["bcpJournalGeneration"]!.GetValue<int>();

    private static async Task<List<string>> NamesAsync(BlobContainerClient container)
    {
        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync()) names.Add(item.Name);
        return names;
    }

    public void Dispose()
    {
        if (_node is { HasExited: false }) _node.Kill(entireProcessTree: true);
        _node?.Dispose();
        try { Directory.Delete(_location, recursive: true); } catch (IOException) { }
    }
}
