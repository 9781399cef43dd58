using BackupControlPlane.Api.Infrastructure;
using Hangfire;
using Hangfire.Storage.SQLite;
using Microsoft.Data.Sqlite;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// What a kill leaves in Hangfire's SQLite storage, put back at the next start (Infrastructure/HangfireSqliteRecovery).
/// The storage commits a Hangfire transaction statement by statement, so a kill can land between "remove the job from
/// the schedule" and "add it back" (a claim by ExpressJobs) or between "state Enqueued" and "add it to the queue"; the
/// cut is made here by deleting the second half, as the kill would have left it. Checked with the calls Hangfire's own
/// schedule poller and workers make.
/// </summary>
public sealed class HangfireSqliteRecoveryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bcp-hangfire-recovery-").FullName;
    private string Database => Path.Combine(_dir, "hangfire.db");

    [Fact]
    public void A_job_cut_out_of_the_schedule_gets_its_place_back_at_its_own_time()
    {
        var storage = new SQLiteStorage(Database, new SQLiteStorageOptions());
        var id = new BackgroundJobClient(storage).Schedule(() => Console.WriteLine("transfer"), TimeSpan.FromMinutes(10));
        Execute($"DELETE FROM \"Set\" WHERE Key = 'schedule' AND Value = '{id}'");
        using var connection = storage.GetConnection();
        Assert.Equal("Scheduled", connection.GetJobData(id).State);
        Assert.Null(connection.GetFirstByLowestScoreFromSet("schedule", 0, double.MaxValue)); // lost: no poller would ever see it

        var result = HangfireSqliteRecovery.Recover(Database);

        Assert.Equal(new HangfireSqliteRecovery.Result(0, 1, 0, 0), result);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // Due when it was due, not at once: its score is the state's EnqueueAt.
        Assert.Null(connection.GetFirstByLowestScoreFromSet("schedule", 0, now + 60));
        Assert.Equal(id, connection.GetFirstByLowestScoreFromSet("schedule", now + 60, now + 3600));
        Assert.Equal(new HangfireSqliteRecovery.Result(0, 0, 0, 0), HangfireSqliteRecovery.Recover(Database)); // nothing twice
    }

    [Fact]
    public void A_job_enqueued_without_its_queue_entry_and_one_fetched_by_the_dead_process_are_both_handed_to_a_worker()
    {
        var storage = new SQLiteStorage(Database, new SQLiteStorageOptions());
        var client = new BackgroundJobClient(storage);
        var fetched = client.Enqueue(() => Console.WriteLine("restore"));
        var cut = client.Enqueue(() => Console.WriteLine("slot"));
        using var connection = storage.GetConnection();
        // Taken and never removed nor disposed (disposing would put it back): the process died.
        Assert.Equal(fetched, connection.FetchNextJob(["default"], CancellationToken.None).JobId);
        Execute($"DELETE FROM JobQueue WHERE JobId = {cut}");
        var monitoring = storage.GetMonitoringApi();
        Assert.Equal(0, monitoring.EnqueuedCount("default"));
        Assert.Equal(1, monitoring.FetchedCount("default"));

        var result = HangfireSqliteRecovery.Recover(Database);

        Assert.Equal(new HangfireSqliteRecovery.Result(1, 0, 1, 0), result);
        var handedOut = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            using var next = connection.FetchNextJob(["default"], CancellationToken.None);
            handedOut.Add(next.JobId);
            next.RemoveFromQueue(); // done, as a worker marks it
        }
        Assert.Equal([fetched, cut], handedOut.Order());
    }

    [Fact]
    public void A_lock_the_dead_process_held_is_free_at_once()
    {
        var storage = new SQLiteStorage(Database, new SQLiteStorageOptions());
        var id = new BackgroundJobClient(storage).Enqueue(() => Console.WriteLine("transfer"));
        var resource = $"job:{id}:state-lock";
        _ = storage.GetConnection().AcquireDistributedLock(resource, TimeSpan.FromSeconds(5)); // never released: the process died
        using var next = storage.GetConnection();
        Assert.Throws<Hangfire.Storage.DistributedLockTimeoutException>(() => next.AcquireDistributedLock(resource, TimeSpan.FromMilliseconds(200)).Dispose());

        Assert.Equal(new HangfireSqliteRecovery.Result(0, 0, 0, 1), HangfireSqliteRecovery.Recover(Database));

        using var taken = next.AcquireDistributedLock(resource, TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_file_Hangfire_never_set_up_is_left_alone()
    {
        Assert.Equal(new HangfireSqliteRecovery.Result(0, 0, 0, 0), HangfireSqliteRecovery.Recover(Database));
        Execute("CREATE TABLE Other (Id INTEGER)");
        Assert.Equal(new HangfireSqliteRecovery.Result(0, 0, 0, 0), HangfireSqliteRecovery.Recover(Database));
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
