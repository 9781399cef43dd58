using System.Diagnostics;
using System.Text;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.Agents;

/// <summary>The agent program as a user runs it: a separate process, its flags, its console and its exit codes.</summary>
public sealed class AgentProgramTests
{
    [Fact]
    public async Task Help_explains_the_commands_faults_and_exit_codes()
    {
        var (code, output) = await RunToEndAsync("--help");
        Assert.Equal(0, code);
        foreach (var expected in new[] { "run", "fleet", "--api", "--state-dir", "Exit codes", "70" }) Assert.Contains(expected, output);
        (code, output) = await RunToEndAsync("run", "--help");
        Assert.Equal(0, code);
        foreach (var expected in new[] { "--fault", "late:SECONDS", "fail:CODE", "offline:SECONDS", "crash", "silent", "--vm", "--key" }) Assert.Contains(expected, output);
    }

    [Fact]
    public async Task Bad_arguments_exit_2_and_a_refused_secret_exits_3_with_the_reason()
    {
        var app = await EmulatorApp.SharedAsync();
        var (code, output) = await RunToEndAsync("run", "--key", "x", "--fault", "late:soon", "--api", app.Client.BaseAddress!.ToString());
        Assert.Equal(2, code);
        Assert.Contains("late:soon", output);
        (code, output) = await RunToEndAsync("run", "--api", app.Client.BaseAddress!.ToString());
        Assert.Equal(2, code);
        Assert.Contains("--vm", output);
        (code, output) = await RunToEndAsync("run", "--key", "not-a-secret", "--api", app.Client.BaseAddress!.ToString());
        Assert.Equal(3, code);
        Assert.Contains("Registration refused (401)", output);
        (code, output) = await RunToEndAsync("run", "--vm", "no-such-vm", "--api", app.Client.BaseAddress!.ToString());
        Assert.Equal(3, code);
    }

    [Fact]
    public async Task A_crash_exits_70_and_the_restarted_agent_answers_the_redelivery_from_its_state_folder()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-agentexe-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmexe");
        var state = Directory.CreateTempSubdirectory("bcp-agent-exe-").FullName;
        var api = app.Client.BaseAddress!.ToString();

        using var first = Start("run", "--vm", "vmexe", "--api", api, "--state-dir", state, "--hold", "5", "--fault", "crash");
        await Poll.Until(() => Task.FromResult(first.Output.Contains("polling")), "the agent to start");
        var jobName = (await app.Arm.BackupNowAsync(rg, "vault1", "vmexe"))["name"]!.GetValue<string>();
        Assert.Equal(70, await first.ExitAsync());
        Assert.Contains("crashing after 2 snapshots", first.Output);
        Assert.Single(Directory.GetFiles(state, "*.json"));

        using var second = Start("run", "--vm", "vmexe", "--api", api, "--state-dir", state, "--hold", "5");
        var job = await app.Arm.WaitForJobAsync(rg, "vault1", jobName);
        Assert.Equal("GuestAgentSnapshotTaskStatusError", ArmTestClient.ErrorOf(job));
        await Poll.Until(() => Task.FromResult(second.Output.Contains("redelivered; answering success (code 3)")), "the restarted agent's console line");

        job = await app.Arm.WaitForJobAsync(rg, "vault1", (await app.Arm.BackupNowAsync(rg, "vault1", "vmexe"))["name"]!.GetValue<string>());
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
        await Poll.Until(() => Task.FromResult(second.Output.Contains(": success (code 1)")), "the progress line of the finished task");
    }

    private static async Task<(int Code, string Output)> RunToEndAsync(params string[] args)
    {
        using var process = Start(args);
        return (await process.ExitAsync(), process.Output);
    }

    private static AgentProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "BackupControlPlane.Agent.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        return new AgentProcess(Process.Start(info)!);
    }

    private sealed class AgentProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        public AgentProcess(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
            _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Output { get { lock (_output) return _output.ToString(); } }

        public async Task<int> ExitAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _process.WaitForExitAsync(timeout.Token);
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }
}
