using System.Text.Json;
using Microsoft.Playwright;

namespace BackupControlPlane.Api.Tests.Browser;

/// <summary>
/// Browser tests share one headless Chromium (Debian's, driven by Playwright) and run one class at a time: a browser is
/// heavy on a 2-core machine. A test class joins with <c>[Collection(BrowserCollection.Name)]</c> and takes the fixture
/// in its constructor.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}

/// <summary>
/// One Chromium for the collection, launched offline: no Playwright browser download (Debian's package, installed by
/// .ci/run), a fresh profile (Playwright's temporary user-data-dir), and every background service that
/// would phone home switched off. Chromium's own traffic goes to a dead local proxy and resolves no name.
/// </summary>
/// <remarks>
/// The pages' requests do not go through Chromium's network stack at all: Playwright routes each one and fetches it
/// (from this machine; any other host is refused). Chromium's resolver probes whether IPv6 reaches the internet, with a
/// UDP connect to 2001:4860:4860::8888, before every resolution, even of 127.0.0.1, and no switch turns that off; CI's
/// offline check (.ci/offline-check.py) rightly counts it as an attempt to leave the machine.
/// </remarks>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Debian's <c>chromium-headless-shell</c>: the same Chromium build as its <c>chromium</c>, headless only.</summary>
    /// <remarks>
    /// Not the desktop browser: headless, it still runs Google sign-in (accounts.google.com) and the updater
    /// (update.googleapis.com) in the background, and Debian's /usr/bin/chromium launcher adds API keys and remote
    /// extensions. The shell makes no request of its own; it is also what Playwright itself runs for headless tests.
    /// </remarks>
    public const string ChromiumBinary = "/usr/bin/chromium-headless-shell";

    // Beside Playwright's own defaults (--disable-background-networking, --disable-component-update, --disable-sync,
    // --no-first-run, --headless, --disable-features=OptimizationHints,NetworkTimeServiceQuerying,Translate,...):
    // whatever else Chromium would fetch on its own.
    private static readonly string[] Silent =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-dev-shm-usage", "--no-pings", "--dns-prefetch-disable",
        "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--disable-default-apps",
        "--disable-breakpad", "--disable-crash-reporter", "--metrics-recording-only", "--safebrowsing-disable-auto-update",
        "--password-store=basic", "--use-mock-keychain", "--disable-extensions",
        // No name is resolved but this machine's.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    ];

    private const float FetchTimeout = 120_000; // as long as EmulatorApp's own client waits (run-due waits for its jobs)

    private IPlaywright? _playwright;
    private readonly List<IBrowserContext> _contexts = [];

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumBinary))
            throw new InvalidOperationException(
                $"{ChromiumBinary} is missing: the browser tests drive Debian's Chromium. Install it with `apt-get install -y chromium-headless-shell` (.ci/run does).");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumBinary,
            Headless = true,
            Args = Silent,
            // Anything Chromium itself fetches from elsewhere meets a closed local port (this machine goes direct).
            Proxy = new Proxy { Server = "http://127.0.0.1:9", Bypass = "127.0.0.1,localhost,[::1]" },
            Timeout = 60_000,
        });
    }

    /// <summary>
    /// A new page in a context of its own (no cookies or storage shared with other tests), whose relative URLs resolve
    /// against <paramref name="baseAddress"/>. Requests to other hosts are aborted.
    /// </summary>
    public async Task<IPage> NewPageAsync(Uri baseAddress)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
            ServiceWorkers = ServiceWorkerPolicy.Block,
        });
        lock (_contexts) _contexts.Add(context);
        await context.RouteAsync("**/*", ServeAsync);
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    /// <summary>Where a test saves a screenshot: <c>screenshots/</c> under the test output folder.</summary>
    public static string ScreenshotPath(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name + ".png");
    }

    private static async Task ServeAsync(IRoute route)
    {
        if (!IsLocal(route.Request.Url))
        {
            await route.AbortAsync("blockedbyclient");
            return;
        }
        try
        {
            await FetchAsync(route);
        }
        catch (PlaywrightException)
        {
            await route.AbortAsync("connectionfailed"); // the service stopped, or the page went away mid-request
        }
    }

    private static async Task FetchAsync(IRoute route)
    {
        if (!route.Request.IsNavigationRequest)
        {
            await route.FulfillAsync(new RouteFulfillOptions { Response = await route.FetchAsync(new RouteFetchOptions { Timeout = FetchTimeout }) });
            return;
        }
        // A navigation's redirect is handed to the page as a script, so that the page's URL changes as a user sees it
        // and the next request comes through this route too (Chromium would fetch a fulfilled 3xx's target itself).
        var response = await route.FetchAsync(new RouteFetchOptions { MaxRedirects = 0, Timeout = FetchTimeout });
        if (response.Status is >= 300 and < 400 && response.Headers.TryGetValue("location", out var location))
            await route.FulfillAsync(new RouteFulfillOptions
            {
                ContentType = "text/html",
                Body = $"<script>location.replace({JsonSerializer.Serialize(new Uri(new Uri(route.Request.Url), location).ToString())})</script>",
            });
        else
            await route.FulfillAsync(new RouteFulfillOptions { Response = response });
    }

    private static bool IsLocal(string url) =>
        !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is "data" or "blob" or "about" || uri.IsLoopback;

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts) await context.DisposeAsync();
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
    }
}
