using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.Playwright;

namespace BackupControlPlane.Api.Tests.Browser;

/// <summary>
/// Swagger UI in a real browser, clicked through as a user exploring the emulator would: expand an operation, "Try it
/// out", "Execute" with what the page pre-fills (the walk-through's names, the api-version, Azure's example bodies),
/// and read the status the page shows. The app is the test's own, so the walk-through's names (rg1, vm1, v1) are free.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SwaggerUiTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string Group = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers";
    private const string Vault = Group + "/Microsoft.RecoveryServices/vaults/{vaultName}";
    private EmulatorApp _app = null!;

    public async Task InitializeAsync() => _app = await EmulatorApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Try_it_out_runs_the_walk_through_with_what_the_page_fills_in()
    {
        var page = await browser.NewPageAsync(_app.Client.BaseAddress!);
        await page.GotoAsync("/swagger");
        await page.Locator(".opblock").First.WaitForAsync();

        // The walk-through: a VM, a vault, the vaults listed, a policy changed, and the VM protected (a long-running 202).
        Assert.Equal(201, await TryItOutAsync(page, "put", Group + "/Microsoft.Compute/virtualMachines/{vmName}"));
        Assert.Equal(201, await TryItOutAsync(page, "put", Vault));
        var list = await TryItOutAsync(page, "get", Group + "/Microsoft.RecoveryServices/vaults");
        Assert.Equal(200, list);
        Assert.Contains("\"name\": \"v1\"", await Operation(page, "get", Group + "/Microsoft.RecoveryServices/vaults").Locator(".live-responses-table .response .response-col_description").First.InnerTextAsync());
        Assert.Equal(200, await TryItOutAsync(page, "put", Vault + "/backupPolicies/{policyName}"));
        var protect = Vault + "/backupFabrics/{fabricName}/protectionContainers/{containerName}/protectedItems/{protectedItemName}";
        Assert.Equal(202, await TryItOutAsync(page, "put", protect));
        var headers = await Operation(page, "put", protect).Locator(".live-responses-table .response .response-col_description").First.InnerTextAsync();
        Assert.Contains("azure-asyncoperation", headers, StringComparison.OrdinalIgnoreCase);
        await Operation(page, "put", protect).Locator(".live-responses-table").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("swagger-try-it-out-protect"), FullPage = false });

        // ... and it took effect: the item is there, seen through the API as any client sees it.
        using var item = await _app.Client.GetAsync(
            $"/subscriptions/{EmulatorApp.Subscription}/resourceGroups/rg1/providers/Microsoft.RecoveryServices/vaults/v1/backupFabrics/Azure/protectionContainers/"
            + "IaasVMContainer;iaasvmcontainerv2;rg1;vm1/protectedItems/VM;iaasvmcontainerv2;rg1;vm1?api-version=2025-02-01");
        Assert.True(item.IsSuccessStatusCode, $"the protected item answered {(int)item.StatusCode}");
    }

    [Fact]
    public async Task The_Authorize_button_takes_a_token_of_your_own()
    {
        var page = await browser.NewPageAsync(_app.Client.BaseAddress!);
        await page.GotoAsync("/swagger");
        await page.Locator(".btn.authorize").ClickAsync();
        await page.Locator(".auth-container input").FillAsync("not-a-token");
        await page.Locator(".auth-btn-wrapper .authorize").ClickAsync();
        await page.Locator(".btn-done").ClickAsync();
        // The pasted token is sent instead of the page's own, and the emulator refuses it.
        Assert.Equal(401, await TryItOutAsync(page, "get", "/subscriptions/{subscriptionId}/providers/Microsoft.RecoveryServices/vaults"));
    }

    private static ILocator Operation(IPage page, string method, string path) =>
        page.Locator($".opblock.opblock-{method}").Filter(new LocatorFilterOptions { Has = page.Locator($".opblock-summary-path[data-path=\"{path}\"]") });

    /// <summary>Expands the operation, clicks Try it out and Execute, and reads the status code the page shows.</summary>
    private static async Task<int> TryItOutAsync(IPage page, string method, string path)
    {
        var operation = Operation(page, method, path);
        for (var attempt = 1; ; attempt++)
        {
            // Swagger UI renders only the operations near the viewport (a virtualized list): scroll from the top, as a
            // reader would, until the operation is drawn.
            await page.EvaluateAsync("window.scrollTo(0, 0)");
            for (var step = 0; step < 2000 && await operation.CountAsync() == 0; step++)
            {
                await page.EvaluateAsync("window.scrollBy(0, 250)");
                // Two animation frames: the list has drawn what the scroll brought into view before it is searched again.
                await page.EvaluateAsync("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))");
            }
            try
            {
                await operation.Locator(".opblock-summary").First.ClickAsync(new LocatorClickOptions { Timeout = 10_000 });
                break;
            }
            catch (TimeoutException) when (attempt < 4)
            {
                // Drawn, then dropped again while the page was scrolled to it (the list re-renders as the viewport
                // moves; seen once on a loaded machine): find it again from the top.
            }
        }
        await operation.Locator(".try-out__btn").ClickAsync();
        await operation.Locator(".execute").ClickAsync();
        var status = operation.Locator(".live-responses-table .response .response-col_status").First;
        await status.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        var text = (await status.InnerTextAsync()).Trim();
        return int.TryParse(text.Split(' ', '\n')[0], out var code) ? code
            : throw new Xunit.Sdk.XunitException($"{method} {path}: the page shows '{text}' as the status");
    }
}
