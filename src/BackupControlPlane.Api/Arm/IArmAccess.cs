using System.Security.Claims;

namespace BackupControlPlane.Api.Arm;

/// <summary>
/// Azure RBAC as other checks consult it (multi-user authorization's linked check on a Resource Guard): whether the
/// caller may perform an ARM action at a scope. Implemented by Features/Rbac; when <c>Identity:EnforceRbac</c> is off,
/// <see cref="Enforced"/> is false and every action is allowed.
/// </summary>
public interface IArmAccess
{
    bool Enforced { get; }

    Task<bool> IsAllowedAsync(ClaimsPrincipal caller, string action, string scope, CancellationToken ct);

    /// <summary>"The client '{appid}' with object id '{oid}'", as ARM's authorization errors begin.</summary>
    string Describe(ClaimsPrincipal caller);
}
