namespace BackupControlPlane.Api.Tests.Infrastructure;

public static class Poll
{
    /// <summary>Polls a condition until it holds; fails the test after the deadline. Never a sleep standing in for an event.</summary>
    public static async Task Until(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting for {what}.");
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(50));
        }
    }
}
