using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Data.CompiledModel;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design.Internal;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Scaffolding;
using Microsoft.Extensions.DependencyInjection;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// src/BackupControlPlane.Api/Data/CompiledModel, the SQLite context's compiled EF Core model (the service starts
/// without building the model from OnModelCreating), is what <c>dotnet ef dbcontext optimize</c> generates from the
/// model today. After a model change, run these tests once with UPDATE_COMPILED_MODEL=1 to rewrite it (or the command
/// in docs/testing.md).
/// </summary>
public sealed class CompiledModelTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bcp-compiled-model-").FullName;

    [Fact]
    public void The_checked_in_compiled_model_is_what_the_model_generates()
    {
        var folder = Path.Combine(OpenApiDocumentTests.RepositoryRoot(), "src", "BackupControlPlane.Api", "Data", "CompiledModel");
        var update = Environment.GetEnvironmentVariable("UPDATE_COMPILED_MODEL") == "1";
        var output = update ? folder : _dir;
        if (update) foreach (var stale in Directory.GetFiles(folder, "*.cs")) File.Delete(stale);
        using var db = new BackupDbContext(new DbContextOptionsBuilder<BackupDbContext>().UseSqlite("Data Source=:memory:").Options);
#pragma warning disable EF1001 // what dotnet ef dbcontext optimize runs (DbContextOperations.Optimize)
        var services = new DesignTimeServicesBuilder(typeof(BackupDbContext).Assembly, typeof(BackupDbContext).Assembly, new OperationReporter(null), []).Build(db);
#pragma warning restore EF1001
        var generated = services.GetRequiredService<ICompiledModelScaffolder>().ScaffoldModel(db.GetService<IDesignTimeModel>().Model, output,
            new CompiledModelCodeGenerationOptions
            {
                ContextType = typeof(BackupDbContext),
                ModelNamespace = typeof(BackupDbContextModel).Namespace!,
                Language = "C#",
                UseNullableReferenceTypes = true,
            });
        if (update) return; // the next build compiles what was written: the next run checks it
        Assert.Equal(Names(folder), generated.Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList());
        foreach (var file in generated)
            Assert.True(Text(file) == Text(Path.Combine(folder, Path.GetFileName(file))),
                $"Data/CompiledModel/{Path.GetFileName(file)} is not what the model generates: run the tests once with UPDATE_COMPILED_MODEL=1.");
    }

    [Fact]
    public void The_SQLite_context_runs_on_the_compiled_model_and_PostgreSQL_builds_its_own()
    {
        using var sqlite = new BackupDbContext(new DbContextOptionsBuilder<BackupDbContext>().UseSqlite("Data Source=:memory:").Options);
        Assert.IsType<BackupDbContextModel>(sqlite.Model);
        using var postgres = new PostgreSqlBackupDbContext(new DbContextOptionsBuilder<PostgreSqlBackupDbContext>().UseNpgsql("Host=unused").Options);
        Assert.IsNotType<BackupDbContextModel>(postgres.Model);
    }

    // The generator gives the model a new random id each run (modelId: new Guid("…")): not a difference.
    private static string Text(string file) =>
        System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(file).ReplaceLineEndings("\n"), @"modelId: new Guid\(""[0-9a-f-]+""\)", "modelId: …");

    private static List<string?> Names(string folder) =>
        Directory.GetFiles(folder, "*.cs").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
