namespace BackupControlPlane.Api.Features.Identity;

/// <summary>
/// Swagger UI fetches a managed-identity token by itself and sends it on ARM calls, so exploring needs no set-up.
/// A synchronous request keeps the interceptor simple; it runs once an hour at most.
/// </summary>
public static class SwaggerToken
{
    public const string Interceptor = """
        (req) => {
          if (req.url.indexOf('/subscriptions') >= 0 && !req.headers.Authorization) {
            if (!window.bcpToken || window.bcpTokenExpires < Date.now() / 1000 + 60) {
              var x = new XMLHttpRequest();
              x.open('GET', '/metadata/identity/oauth2/token?resource=' + encodeURIComponent('https://management.core.windows.net/'), false);
              x.setRequestHeader('Metadata', 'true');
              x.send();
              var t = JSON.parse(x.responseText);
              window.bcpToken = t.access_token;
              window.bcpTokenExpires = +t.expires_on;
            }
            req.headers.Authorization = 'Bearer ' + window.bcpToken;
          }
          return req;
        }
        """;
}
