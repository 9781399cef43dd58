using System.Data.Common;
using Npgsql;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// The PostgreSQL connection string of the service's own pools (EF Core's contexts, the signal publisher): the given
/// one, with two settings defaulted when it does not set them. (ReadCache's snapshot check sets its own.)
/// <list type="bullet">
/// <item>No Reset On Close: Npgsql otherwise sends <c>DISCARD ALL</c> with a pooled connection's next use, a statement
/// of its own per scope that also drops the session's prepared statements. The app keeps no session state on these
/// connections (transactions only; the migrator releases its advisory lock before its connection goes back).</item>
/// <item>Max Auto Prepare: a statement run a few times is prepared on its connection, so the server parses and plans it
/// once per connection instead of once per execution.</item>
/// </list>
/// Hangfire's storage keeps the given string as it is: its connections are Hangfire's.
/// </summary>
public static class PostgreSqlConnectionStrings
{
    public const int MaxAutoPrepare = 128;

    public static string Pooled(string connection)
    {
        // What the string itself sets, under either of Npgsql's spellings ("No Reset On Close", "NoResetOnClose"), read
        // with the generic builder: NpgsqlConnectionStringBuilder.ContainsKey answers whether a keyword is valid, so it is
        // true for every setting, set or not (the reason these defaults once never applied).
        var given = new DbConnectionStringBuilder { ConnectionString = connection }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "")).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var builder = new NpgsqlConnectionStringBuilder(connection);
        if (!given.Contains(nameof(NpgsqlConnectionStringBuilder.NoResetOnClose))) builder.NoResetOnClose = true;
        if (!given.Contains(nameof(NpgsqlConnectionStringBuilder.MaxAutoPrepare))) builder.MaxAutoPrepare = MaxAutoPrepare;
        return builder.ConnectionString;
    }
}
