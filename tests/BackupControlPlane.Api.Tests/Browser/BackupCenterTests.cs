using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Browser;

/// <summary>
/// The Backup center page in a real browser, on an app of its own (the page's reset empties everything): the fleet's
/// vault and VMs show; "Back up now" on an item starts a job that the page shows going to Completed, and its recovery
/// point appears on the item's timeline; a restore started from the timeline completes; a fault injected from the page
/// changes the agent's state; Hangfire's pages name the jobs; "Reset emulator" empties the lists.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BackupCenterTests(BrowserFixture browser, ITestOutputHelper output)
{
    private const string Rg = "rg-center";

    [Fact]
    public async Task The_page_shows_the_fleet_and_its_actions_take_effect()
    {
        // A short ready window, so an agent that goes offline shows Not Ready within seconds (40 s by default here).
        using var app = await EmulatorApp.StartAsync(settings: new() { ["Emulator:AgentReadyWindow"] = "00:00:03" });
        await app.Arm.ProtectedVmAsync(Rg, "centervault", "centervm1");
        await app.Arm.ProtectedVmAsync(Rg, "centervault", "centervm2");
        await app.StartAgentAsync("centervm1");
        await app.StartAgentAsync("centervm2");

        var page = await browser.NewPageAsync(new Uri(app.Addresses.First(a => a.StartsWith("http://"))));
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync(dialog.DefaultValue); // reset's confirm, restore's storage account
        await page.GotoAsync("/");
        await Expect(page.Locator("[data-testid=vaults] tr[data-name=centervault]"));
        await Expect(page.Locator("tr[data-vm=centervm1] [data-testid=agent-status]", new() { HasText = "Ready" }));
        await Expect(page.Locator("tr[data-vm=centervm2] [data-testid=agent-status]", new() { HasText = "Ready" }));

        // Back up now: the job appears, goes to Completed, and the item's timeline gets its recovery point.
        await page.Locator("tr[data-item=centervm1] [data-action=backup-now]").ClickAsync();
        await Expect(page.Locator("tr.job[data-operation=Backup]", new() { HasText = "centervm1" }));
        await Expect(page.Locator("tr.job[data-operation=Backup][data-status=Completed]", new() { HasText = "centervm1" }), 90);
        await Expect(page.Locator("tr[data-item=centervm1] .timeline .point"));
        await page.Locator("tr.job[data-operation=Backup]", new() { HasText = "centervm1" }).ClickAsync();
        await Expect(page.Locator("tr.subtasks", new() { HasText = "Transfer data to vault" }));

        // Restore the disks of that point from the timeline.
        await page.Locator("tr[data-item=centervm1] .timeline .point").First.ClickAsync();
        await Expect(page.Locator("tr.job[data-operation=Restore][data-status=Completed]", new() { HasText = "centervm1" }), 90);

        // A fault from the page: the agent goes offline and shows Not Ready; cleared, it is back.
        await page.Locator("tr[data-vm=centervm2] select").SelectOptionAsync("offline:60");
        await page.Locator("tr[data-vm=centervm2] [data-action=inject-fault]").ClickAsync();
        await Expect(page.Locator("tr[data-vm=centervm2] [data-testid=fault]", new() { HasText = "offline" }));
        await Expect(page.Locator("tr[data-vm=centervm2] [data-testid=agent-status]", new() { HasText = "Not Ready" }), 60);
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("backup-center"), FullPage = true });
        output.WriteLine("Screenshot: " + BrowserFixture.ScreenshotPath("backup-center"));
        await page.Locator("tr[data-vm=centervm2] [data-action=clear-fault]").ClickAsync();
        await Expect(page.Locator("tr[data-vm=centervm2] [data-testid=fault]", new() { HasText = "none" }));

        // Hangfire, linked from the page, names its jobs: the policy's next slot with its schedule, the transfer with its VM.
        var hangfire = await browser.NewPageAsync(new Uri(app.Addresses.First(a => a.StartsWith("http://"))));
        await hangfire.GotoAsync("/hangfire/jobs/scheduled");
        await Expect(hangfire.GetByText("policy DefaultPolicy (daily 19:00 UTC) · vault centervault (rg-center) · centervm1, centervm2"));
        await hangfire.GotoAsync("/hangfire/jobs/succeeded");
        await Expect(hangfire.GetByText("Transfer data to vault · VM centervm1 · vault centervault (rg-center)"));
        await hangfire.GetByText("Restore disks · VM centervm1 · vault centervault (rg-center) → storage account restoresa").First.WaitForAsync();
        await hangfire.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("hangfire-succeeded") });

        // Reset from the page: every list is empty.
        await page.Locator("#reset").ClickAsync();
        foreach (var empty in new[] { "vaults-empty", "items-empty", "jobs-empty", "agents-empty" })
            await Expect(page.Locator($"[data-testid={empty}]"));
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("backup-center-after-reset"), FullPage = true });
    }

    private static Task Expect(ILocator locator, int seconds = 30) =>
        Assertions.Expect(locator.First).ToBeVisibleAsync(new() { Timeout = seconds * 1000 });
}
