using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace BackupControlPlane.Benchmarks.Harness;

/// <summary>
/// The ceilings of the api scenario, run as a child process of the harness with the service's runtime settings:
/// GET /bare answers a small JSON object (what Kestrel and minimal APIs cost), POST /insert stores one row through
/// EF Core into SQLite in WAL mode per request (what one durable write costs), GET /hold/{id} is a bare long-poll that
/// POST /wake/{id} answers (what a dispatch to a held poll costs at the least, and what a held request weighs).
/// </summary>
public static class CeilingServer
{
    public sealed class Row
    {
        public long Id { get; set; }
        public string Name { get; set; } = "";
        public DateTimeOffset CreatedAt { get; set; }
    }

    public sealed class RowContext(DbContextOptions<RowContext> options) : DbContext(options)
    {
        public DbSet<Row> Rows => Set<Row>();
    }

    public sealed record InsertRequest(string? Name);

    public static async Task<int> RunAsync(string[] args)
    {
        var db = args.SkipWhile(a => a != "--db").Skip(1).FirstOrDefault() ?? Path.Combine(Path.GetTempPath(), "bare.db");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(db))!);
        var builder = WebApplication.CreateBuilder(args.Where(a => a != "ceiling-server").ToArray());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // The same SQLite settings the service's request connections get (see SqlitePragmas in the service).
        builder.Services.AddDbContext<RowContext>(o => o.UseSqlite($"Data Source={db}").AddInterceptors(new SynchronousNormal()));
        var app = builder.Build();
        using (var scope = app.Services.CreateScope())
        {
            var ctx = scope.ServiceProvider.GetRequiredService<RowContext>();
            await ctx.Database.EnsureCreatedAsync();
            await ctx.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }
        app.MapGet("/bare", () => TypedResults.Ok(new { id = 42, name = "bare", status = "Succeeded", time = DateTimeOffset.UnixEpoch }));
        // A diagnostic beside the bare GET: a body of n bytes (a JSON string), kept ready, so only its size differs from
        // /bare. The api scenario sizes it as the jobs list: how much of that route's gap the bytes alone explain.
        var bodies = new System.Collections.Concurrent.ConcurrentDictionary<int, byte[]>();
        app.MapGet("/bytes/{n:int}", (int n) => TypedResults.Bytes(bodies.GetOrAdd(Math.Clamp(n, 2, 1 << 20),
            size => System.Text.Encoding.UTF8.GetBytes("\"" + new string('x', size - 2) + "\"")), "application/json"));
        app.MapPost("/insert", async (InsertRequest body, RowContext ctx) =>
        {
            var row = new Row { Name = body.Name ?? "row", CreatedAt = DateTimeOffset.UtcNow };
            ctx.Rows.Add(row);
            await ctx.SaveChangesAsync();
            return TypedResults.Ok(new { id = row.Id, name = row.Name });
        });
        // The dispatch ceiling: a bare long-poll, GET /hold/{id} held until POST /wake/{id} (or 10 minutes), nothing else.
        var holds = new System.Collections.Concurrent.ConcurrentDictionary<int, TaskCompletionSource>();
        app.MapGet("/hold/{id:int}", async (int id, CancellationToken ct) =>
        {
            var woken = holds.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            await Task.WhenAny(woken.Task, Task.Delay(TimeSpan.FromMinutes(10), ct));
            holds.TryRemove(KeyValuePair.Create(id, woken));
            return TypedResults.Ok(new { id, woken = woken.Task.IsCompleted });
        });
        app.MapGet("/held", () => TypedResults.Ok(holds.Count));
        app.MapPost("/wake/{id:int}", (int id) => holds.TryGetValue(id, out var w) && w.TrySetResult() ? Results.Ok() : Results.NotFound());
        await app.RunAsync();
        return 0;
    }

    /// <summary>synchronous is a per-connection setting in SQLite, so it is set on every connection opened.</summary>
    private sealed class SynchronousNormal : DbConnectionInterceptor
    {
        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken ct = default)
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "PRAGMA synchronous=NORMAL;";
            await cmd.ExecuteNonQueryAsync(ct);
        }

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "PRAGMA synchronous=NORMAL;";
            cmd.ExecuteNonQuery();
        }
    }
}
