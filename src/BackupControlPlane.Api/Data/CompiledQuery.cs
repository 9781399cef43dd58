using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Metadata;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// An EF Core compiled query for the hot read routes (it skips expression parsing and cache lookups per request). A
/// compiled query binds to the model it first ran with, and the SQLite and PostgreSQL contexts have different models
/// (both run in one test process), so each model gets its own compilation.
/// </summary>
public sealed class CompiledQuery<TQuery>(Func<TQuery> compile) where TQuery : class
{
    private readonly ConditionalWeakTable<IModel, TQuery> _byModel = new();

    public TQuery For(BackupDbContext db) => _byModel.GetValue(db.Model, _ => compile());
}
