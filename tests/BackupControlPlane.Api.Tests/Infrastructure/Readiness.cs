using System.Diagnostics;

namespace BackupControlPlane.Api.Tests.Infrastructure;

public static class Readiness
{
    /// <summary>Polls a service process's /readyz until it answers 200; fails with its log when it exits or the time is up.</summary>
    public static async Task WaitAsync(Uri baseAddress, Process process, Func<string> log, TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"The service at {baseAddress} exited with code {process.ExitCode} before it was ready:\n{log()}");
            try
            {
                using var response = await client.GetAsync("/readyz");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The service at {baseAddress} did not answer /readyz within {timeout}:\n{log()}");
            await Task.Delay(200);
        }
    }
}
