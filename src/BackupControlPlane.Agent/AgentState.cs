using System.Collections.Concurrent;
using System.Text.Json;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Agent;

/// <summary>
/// What the VMSnapshot handler remembers of a task: saved before any work starts, as the real extension stores the
/// last taskId, so a task redelivered after a restart is recognised and never snapshotted twice. A null
/// <see cref="Report"/> means the task was started and never finished (the agent died during it).
/// </summary>
public sealed record AgentTaskRecord(string TaskId, TaskStatusReport? Report);

public interface IAgentStateStore
{
    AgentTaskRecord? Find(string taskId);
    void Save(AgentTaskRecord record);
}

/// <summary>State that lives as long as the process: enough for simulated fleets and tests of one agent lifetime.</summary>
public sealed class MemoryAgentStateStore : IAgentStateStore
{
    private readonly ConcurrentDictionary<string, AgentTaskRecord> _tasks = new();
    public AgentTaskRecord? Find(string taskId) => _tasks.GetValueOrDefault(taskId);
    public void Save(AgentTaskRecord record) => _tasks[record.TaskId] = record;
}

/// <summary>State on disk (one small file per task), surviving agent restarts as the extension's own state folder does.</summary>
public sealed class DirectoryAgentStateStore : IAgentStateStore
{
    private readonly string _directory;

    public DirectoryAgentStateStore(string directory)
    {
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
    }

    public AgentTaskRecord? Find(string taskId)
    {
        var path = PathOf(taskId);
        return File.Exists(path) ? JsonSerializer.Deserialize<AgentTaskRecord>(File.ReadAllBytes(path)) : null;
    }

    public void Save(AgentTaskRecord record)
    {
        // Write then rename, so a crash leaves the old record or the new one, never half of one.
        var path = PathOf(record.TaskId);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(record));
        File.Move(temp, path, overwrite: true);
    }

    private string PathOf(string taskId)
    {
        // Task ids are "<guid>_<n>"; anything else must not escape the folder.
        if (taskId.Length > 100 || taskId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new ArgumentException($"Unexpected task id '{taskId}'.", nameof(taskId));
        return Path.Combine(_directory, taskId + ".json");
    }
}
