using BackupControlPlane.Api.Features.Agents;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// The agent's report on its snapshot task (<c>POST /agent/v1/tasks/{taskId}/status</c>): part of the agent protocol
/// on the wire, part of the backup's life in the code, so it is mapped here, behind the agents' own authentication.
/// </summary>
public static class SnapshotReportEndpoints
{
    public static void MapSnapshotReports(this IEndpointRouteBuilder app) =>
        app.MapPost(AgentRoutes.TaskStatus, ReportTask).WithTags("Agent protocol").RequireAuthorization(AgentAuthenticationHandler.Policy);

    private static async Task<IResult> ReportTask(HttpContext http, string taskId, TaskStatusReport report, SnapshotReportHandler reports, CancellationToken ct)
    {
        var vm = AgentAuthenticationHandler.Caller(http);
        if (report?.Status is not (TaskStatuses.Transitioning or TaskStatuses.Success or TaskStatuses.Error))
            return TypedResults.Problem($"status must be '{TaskStatuses.Transitioning}', '{TaskStatuses.Success}' or '{TaskStatuses.Error}'.", statusCode: 400, title: "Invalid status");
        var receipt = await reports.HandleReportAsync(vm.Id, taskId, report, ct);
        return receipt switch
        {
            null => TypedResults.Problem($"No task '{taskId}' exists.", statusCode: 404, title: "Task not found"),
            { State: "Forbidden" } => TypedResults.Problem("The task belongs to another VM.", statusCode: 403, title: "Forbidden"),
            _ => TypedResults.Ok(receipt),
        };
    }
}
