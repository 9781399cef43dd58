using BackupControlPlane.Api.Data;
using Npgsql;

namespace BackupControlPlane.Api.Tests.Scale;

/// <summary>
/// The service's own PostgreSQL pools skip Npgsql's DISCARD ALL and auto-prepare unless the operator's connection string
/// says otherwise. A check that once always answered "set" left both off for every connection string (the round ran
/// ~65 DISCARD ALL per VM).
/// </summary>
public class PostgreSqlConnectionStringTests
{
    [Fact]
    public void A_plain_connection_string_gets_no_reset_and_auto_prepare()
    {
        var pooled = new NpgsqlConnectionStringBuilder(PostgreSqlConnectionStrings.Pooled("Host=db;Database=bcp;Username=bcp"));

        Assert.True(pooled.NoResetOnClose);
        Assert.Equal(PostgreSqlConnectionStrings.MaxAutoPrepare, pooled.MaxAutoPrepare);
        Assert.Equal("db", pooled.Host);
        Assert.Equal("bcp", pooled.Database);
    }

    [Theory]
    [InlineData("Host=db;No Reset On Close=false;Max Auto Prepare=0")]
    [InlineData("Host=db;noresetonclose=False;MAXAUTOPREPARE=0")]
    public void What_the_operator_sets_wins_in_either_spelling(string connection)
    {
        var pooled = new NpgsqlConnectionStringBuilder(PostgreSqlConnectionStrings.Pooled(connection));

        Assert.False(pooled.NoResetOnClose);
        Assert.Equal(0, pooled.MaxAutoPrepare);
    }
}
