using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace BackupControlPlane.Api.Features.Identity;

public static class IdentitySetup
{
    /// <summary>
    /// Bearer tokens for ARM, as Azure's clients send them: issued by the emulator's token endpoints, validated by
    /// JwtBearer (and remembered once valid, <see cref="ValidatedTokens"/>), required by every ARM route through the
    /// <see cref="ArmGroup.Policy"/> policy unless <c>Identity:AllowAnonymousArm</c> is set. A missing or bad token is
    /// answered in ARM's envelope, with the codes Azure uses.
    /// </summary>
    public static IServiceCollection AddArmIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<TokenService>();
        services.AddSingleton<ValidatedTokens>();
        services.AddSingleton<IdentityHeaderSecret>();
        services.AddSingleton<IBannerLines, ManagedIdentityBanner>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<TokenService, TimeProvider, ValidatedTokens>((o, tokens, time, validated) =>
        {
            o.TokenValidationParameters = tokens.ValidationParameters();
            o.TimeProvider = time;
            o.MapInboundClaims = false;
            o.Events = new JwtBearerEvents
            {
                // A token validated once is taken from memory until it expires (ValidatedTokens says why).
                OnMessageReceived = c =>
                {
                    if (ValidatedTokens.Bearer(c.Request) is { } token && validated.Find(token) is { } principal)
                    {
                        c.Principal = principal;
                        c.Success();
                    }
                    return Task.CompletedTask;
                },
                OnTokenValidated = c =>
                {
                    if (ValidatedTokens.Bearer(c.Request) is { } token) validated.Add(token, c.Principal!, c.SecurityToken);
                    return Task.CompletedTask;
                },
                OnChallenge = async c =>
                {
                    c.HandleResponse();
                    var hasToken = c.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
                    c.Response.Headers.WWWAuthenticate = "Bearer authorization_uri=\"/adfs\", error=\"invalid_token\"";
                    await ErrorResponses.WriteAsync(c.HttpContext, StatusCodes.Status401Unauthorized, hasToken ? "InvalidAuthenticationToken" : "AuthenticationFailed",
                        hasToken
                            ? "The access token is invalid or expired. Get a new one from /metadata/identity/oauth2/token or /adfs/oauth2/token."
                            : "Authentication failed. The 'Authorization' header is missing: send 'Bearer <token>' from /metadata/identity/oauth2/token (or set Identity:AllowAnonymousArm for local experiments).");
                },
            };
        });
        var anonymous = configuration.GetValue<bool>($"{IdentityOptions.Section}:{nameof(IdentityOptions.AllowAnonymousArm)}");
        services.AddAuthorizationBuilder().AddPolicy(ArmGroup.Policy, p =>
        {
            if (anonymous) p.RequireAssertion(_ => true);
            // No AddAuthenticationSchemes: the bearer scheme is the default, so UseAuthentication has already set the
            // user and challenges with it; naming it here made every ARM request authenticate twice (perf under wrk).
            else p.RequireAuthenticatedUser();
        });
        return services;
    }
}
