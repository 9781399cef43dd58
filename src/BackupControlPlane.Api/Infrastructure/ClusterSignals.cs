using System.Collections.Concurrent;
using System.Threading.Channels;
using Npgsql;

namespace BackupControlPlane.Api.Infrastructure;

/// <summary>
/// Carries in-process wake-ups (a VM's new task, a finished slot job) to the other nodes sharing the database. Only
/// registered on PostgreSQL; on SQLite there is one node and the in-process signals are all there is.
/// </summary>
public interface IClusterSignals
{
    /// <summary>Tells the other nodes; call after the change is committed, so that what they then read includes it.</summary>
    void Publish(string topic, string payload);

    /// <summary>
    /// <paramref name="handler"/> receives the payloads other nodes publish on <paramref name="topic"/>, and null after the
    /// listener (re)connected: signals sent meanwhile may be lost, so every local waiter should look again.
    /// </summary>
    void Subscribe(string topic, Action<string?> handler);
}

/// <summary>
/// PostgreSQL LISTEN/NOTIFY: one dedicated connection per node listens on one channel; publishing batches pending
/// signals into one <c>pg_notify</c> statement. Nothing polls the database: a node sleeps until PostgreSQL pushes.
/// </summary>
public sealed class PostgreSqlSignals(string connectionString, ILogger<PostgreSqlSignals> logger) : BackgroundService, IClusterSignals
{
    public const string PgChannel = "bcp_signals";
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    // A node ignores its own signals: it already woke its own waiters in-process.
    private readonly string _node = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, Action<string?>> _handlers = new();
    private readonly Channel<string> _outbox = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly NpgsqlDataSource _pool = NpgsqlDataSource.Create(Data.PostgreSqlConnectionStrings.Pooled(connectionString)); // pg_notify only: no reset needed

    public void Publish(string topic, string payload) => _outbox.Writer.TryWrite($"{_node}|{topic}|{payload}");

    public void Subscribe(string topic, Action<string?> handler) => _handlers.AddOrUpdate(topic, handler, (_, existing) => existing + handler);

    protected override Task ExecuteAsync(CancellationToken ct) => Task.WhenAll(ListenAsync(ct), PublishAsync(ct));

    private async Task ListenAsync(CancellationToken ct)
    {
        // Its own unpooled connection: a pooled one would be reset (UNLISTEN) when returned. The keepalive makes a
        // silently dead server show up as an error instead of an endless wait.
        var listen = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, KeepAlive = 15 }.ConnectionString;
        var backoff = TimeSpan.FromMilliseconds(500);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(listen);
                await connection.OpenAsync(ct);
                connection.Notification += (_, e) => Dispatch(e.Payload);
                await using (var command = new NpgsqlCommand($"LISTEN {PgChannel}", connection)) await command.ExecuteNonQueryAsync(ct);
                logger.LogInformation("Listening for other nodes' signals on PostgreSQL channel {Channel}", PgChannel);
                backoff = TimeSpan.FromMilliseconds(500);
                foreach (var handler in _handlers.Values) handler(null);
                while (true) await connection.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("The signal listener lost PostgreSQL ({Message}); reconnecting in {Backoff}", e.Message, backoff);
                try { await Task.Delay(backoff, ct); } catch (OperationCanceledException) { return; }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private void Dispatch(string message)
    {
        var parts = message.Split('|', 3);
        if (parts.Length != 3 || parts[0] == _node) return;
        if (_handlers.TryGetValue(parts[1], out var handler)) handler(parts[2]);
    }

    private async Task PublishAsync(CancellationToken ct)
    {
        var batch = new List<string>();
        try
        {
            while (await _outbox.Reader.WaitToReadAsync(ct))
            {
                batch.Clear();
                while (batch.Count < 1000 && _outbox.Reader.TryRead(out var message)) batch.Add(message);
                try
                {
                    await using var command = _pool.CreateCommand("SELECT pg_notify(@channel, m) FROM unnest(@messages) AS m");
                    command.Parameters.AddWithValue("channel", PgChannel);
                    command.Parameters.AddWithValue("messages", batch.ToArray());
                    await command.ExecuteNonQueryAsync(ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Not fatal: other nodes' agents then see the change when their long-poll times out and re-reads.
                    logger.LogWarning("{Count} signals could not be sent to other nodes: {Message}", batch.Count, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _pool.Dispose();
    }
}
