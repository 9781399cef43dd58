using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.Playwright;

namespace BackupControlPlane.Api.Tests.Browser;

/// <summary>Swagger UI in a real browser, clicked through as a user exploring the emulator would.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SwaggerUiTests(BrowserFixture browser) : IAsyncLifetime
{
    private EmulatorApp _app = null!;

    public async Task InitializeAsync() => _app = await EmulatorApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_page_lists_the_ARM_operations()
    {
        var page = await browser.NewPageAsync(_app.Client.BaseAddress!);
        await page.GotoAsync("/swagger");
        await page.Locator(".opblock").First.WaitForAsync();
        Assert.True(await page.Locator(".opblock").CountAsync() > 40);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("swagger-overview"), FullPage = false });
    }
}
