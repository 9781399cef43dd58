using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.ResourceGuards;

/// <summary>
/// Multi-user authorization, as a step of the ARM pipeline after authentication and RBAC: a write to a vault mapped to
/// a Resource Guard that performs a critical operation (<see cref="CriticalOperations"/>) the guard does not exclude
/// goes on only when authorised as Azure requires, else 403 <c>LinkedAuthorizationFailed</c> before the handler runs:
/// <list type="bullet">
/// <item>writes (PUT/PATCH) carry <c>properties.resourceGuardOperationRequests</c> naming
/// <c>{guardId}/{requestType}/default</c> of the operation;</item>
/// <item>deletes (stop protection and delete data; the mapping itself) follow a <c>POST …/VaultProxy/unlockDelete</c>
/// naming that request, within its 30 minutes; a successful delete uses the unlock up;</item>
/// <item>with <c>Identity:EnforceRbac</c>, the caller must also be allowed to read that request resource on the guard
/// (Backup MUA Operator, Contributor or Owner there): checked on the write, or on the unlockDelete.</item>
/// </list>
/// </summary>
public static partial class MuaEnforcement
{
    [GeneratedRegex(@"^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\.RecoveryServices/vaults/([^/]+)((?:/[^/]+)*)/?$", RegexOptions.IgnoreCase)]
    private static partial Regex VaultPath();

    // Every request passes here; the ones that cannot be critical operations go on without an async state machine.
    public static Task Enforce(HttpContext http, RequestDelegate next)
    {
        var method = http.Request.Method.ToUpperInvariant();
        if (method is "GET" or "HEAD" or "OPTIONS" || http.GetEndpoint() is null || VaultPath().Match(http.Request.Path.Value ?? "") is not { Success: true } m)
            return next(http);
        return EnforceAsync(http, next, method, m);
    }

    private static async Task EnforceAsync(HttpContext http, RequestDelegate next, string method, Match m)
    {
        var ct = http.RequestAborted;
        var db = http.RequestServices.GetRequiredService<BackupDbContext>();
        var key = ResourceKeys.Of(m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value);
        // Not held open for the rest of the request: the handler's write turn runs on the write connection
        // (Data/SqliteWriteConnection), which a context can borrow only while its own is closed.
        // One query on every vault write, the common answer being "not mapped"; the vault comes with its mapping.
        var mapping = await Mapping.For(db)(db, key, ct);
        var (proxy, vault) = (mapping?.Proxy, mapping?.Vault);
        var guard = proxy is null ? null : await GuardMappings.FindGuardAsync(db, proxy.ResourceGuardResourceId, ct);
        if (vault is null || proxy is null || guard is null)
        {
            await next(http);
            return;
        }
        var body = await ReadBodyAsync(http);
        var rest = m.Groups[4].Value.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var excluded = ResourceGuardMapper.Exclusions(guard);
        var ops = (await CriticalOperations.ClassifyAsync(db, vault, method, rest, body, ct))
            .Where(o => !excluded.Contains(o.VaultCriticalOperation, StringComparer.OrdinalIgnoreCase)).ToList();
        var usesUnlock = false;
        foreach (var op in ops)
        {
            var refusal = method == "DELETE" ? CheckUnlock(http, proxy, guard, op) : await CheckRequestAsync(http, body, guard, op, ct);
            if (refusal is not null) throw refusal;
            usesUnlock |= method == "DELETE";
        }
        await next(http);
        if (usesUnlock && http.Response.StatusCode is >= 200 and < 300) await UseUpUnlockAsync(db, proxy.Id);
    }

    private sealed record VaultMapping(ResourceGuardProxy Proxy, Vault Vault);

    // Compiled: it runs on every vault write (an enable spent 6 % of its CPU parsing and running it uncompiled).
    private static readonly CompiledQuery<Func<BackupDbContext, string, CancellationToken, Task<VaultMapping?>>> Mapping = new(() => EF.CompileAsyncQuery(
        (BackupDbContext db, string key, CancellationToken ct) =>
            db.ResourceGuardProxies.AsNoTracking().Where(p => p.Vault!.Key == key).Select(p => new VaultMapping(p, p.Vault!)).FirstOrDefault()));

    /// <summary>A write names the operation's request on the guard (and, with RBAC, the caller may read it there).</summary>
    private static async Task<ArmException?> CheckRequestAsync(HttpContext http, JsonNode? body, ResourceGuard guard, GuardOperations.Operation op, CancellationToken ct)
    {
        var access = http.RequestServices.GetRequiredService<IArmAccess>();
        var requests = body?["properties"]?["resourceGuardOperationRequests"] as JsonArray;
        var named = requests?.Any(r => r is JsonValue v && v.TryGetValue<string>(out var s) && GuardMappings.Names(s, guard, op)) == true;
        var requestId = GuardOperations.DefaultRequest(ResourceGuardMapper.Id(guard.SubscriptionId, guard.ResourceGroup, guard.Name), op);
        if (!named)
            return GuardMappings.Refusal(http, access, op.VaultCriticalOperation, http.Request.Path, $"{ResourceGuardMapper.Type}/{op.RequestType}/read", requestId,
                $" The vault is protected by a Resource Guard: name '{requestId}' in properties.resourceGuardOperationRequests.");
        return await GuardMappings.LinkedCheckAsync(http, access, guard, op.RequestType, op.VaultCriticalOperation, http.Request.Path, ct);
    }

    /// <summary>A delete follows an unlockDelete that named its request, still valid, for this resource (when one was named).</summary>
    private static ArmException? CheckUnlock(HttpContext http, ResourceGuardProxy proxy, ResourceGuard guard, GuardOperations.Operation op)
    {
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var unlocked = proxy.UnlockExpiresAt > now
            && (JsonSerializer.Deserialize<List<string>>(proxy.UnlockedRequestsJson ?? "[]") ?? []).Contains(op.RequestType, StringComparer.OrdinalIgnoreCase)
            && (proxy.UnlockedResource is null || proxy.UnlockedResource.TrimEnd('/').Equals(http.Request.Path.Value!.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
        if (unlocked) return null;
        var access = http.RequestServices.GetRequiredService<IArmAccess>();
        var requestId = GuardOperations.DefaultRequest(ResourceGuardMapper.Id(guard.SubscriptionId, guard.ResourceGroup, guard.Name), op);
        return GuardMappings.Refusal(http, access, op.VaultCriticalOperation, http.Request.Path, $"{ResourceGuardMapper.Type}/{op.RequestType}/read", requestId,
            $" The vault is protected by a Resource Guard: POST …/backupResourceGuardProxies/{proxy.Name}/unlockDelete naming '{requestId}' first (it is valid 30 minutes, for one delete).");
    }

    private static async Task UseUpUnlockAsync(BackupDbContext db, long proxyId)
    {
        // The handler may have deleted the mapping itself (its own delete): nothing left to use up then.
        var proxy = await db.ResourceGuardProxies.FirstOrDefaultAsync(p => p.Id == proxyId, CancellationToken.None);
        if (proxy is null) return;
        proxy.UnlockExpiresAt = null;
        proxy.UnlockedRequestsJson = null;
        proxy.UnlockedResource = null;
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>The JSON body, read without consuming it (the handler reads it again); null when absent or not JSON (the handler answers that).</summary>
    private static async Task<JsonNode?> ReadBodyAsync(HttpContext http)
    {
        if (http.Request.ContentLength == 0 || !(http.Request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) ?? false)) return null;
        http.Request.EnableBuffering();
        try
        {
            return await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
        finally
        {
            http.Request.Body.Position = 0;
        }
    }
}
