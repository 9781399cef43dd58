using System.Text;
using System.Text.Json;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>
/// Where a template path (a <see cref="TemplateException.Target"/> such as <c>resources[1].properties.x</c>) stands in
/// the JSON text as sent, for ARM's <c>lineNumber</c>/<c>linePosition</c> (1-based; 0, 0 when unknown). Comments and
/// trailing commas are allowed, as az sends templates with them.
/// </summary>
public static class TemplateSource
{
    private static readonly JsonReaderOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The line and column of the deepest part of <paramref name="path"/> found in <paramref name="json"/>.</summary>
    public static (int Line, int Column) Locate(string json, string? path)
    {
        if (string.IsNullOrEmpty(path)) return (0, 0);
        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, Lenient);
        var stack = new Stack<(bool IsArray, int Index, string Path)>();
        var pending = "";
        long best = -1;
        var bestLength = -1;
        try
        {
            while (reader.Read())
            {
                var here = pending;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var parent = stack.Count > 0 ? stack.Peek().Path : "";
                        pending = parent.Length == 0 ? reader.GetString()! : $"{parent}.{reader.GetString()}";
                        Consider(pending, reader.TokenStartIndex);
                        continue;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        here = ElementPath(stack, pending);
                        Consider(here, reader.TokenStartIndex);
                        stack.Push((reader.TokenType == JsonTokenType.StartArray, 0, here));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        stack.Pop();
                        Advance(stack);
                        break;
                    default:
                        Consider(ElementPath(stack, pending), reader.TokenStartIndex);
                        Advance(stack);
                        break;
                }
                pending = "";
            }
        }
        catch (JsonException)
        {
            // Not JSON the reader accepts: report what was found before the problem.
        }
        return best < 0 ? (0, 0) : Position(bytes, best);

        void Consider(string candidate, long index)
        {
            if (candidate.Length > bestLength && IsPrefix(candidate, path))
                (best, bestLength) = (index, candidate.Length);
        }
    }

    /// <summary>The path of a value: the pending property name in an object, or the next index in an array.</summary>
    private static string ElementPath(Stack<(bool IsArray, int Index, string Path)> stack, string pending) =>
        stack.Count > 0 && stack.Peek().IsArray ? $"{stack.Peek().Path}[{stack.Peek().Index}]" : pending;

    private static void Advance(Stack<(bool IsArray, int Index, string Path)> stack)
    {
        if (stack.Count > 0 && stack.Peek().IsArray)
        {
            var top = stack.Pop();
            stack.Push(top with { Index = top.Index + 1 });
        }
    }

    private static bool IsPrefix(string candidate, string path) =>
        path.Equals(candidate, StringComparison.Ordinal)
        || (path.StartsWith(candidate, StringComparison.Ordinal) && path[candidate.Length] is '.' or '[');

    private static (int Line, int Column) Position(byte[] bytes, long index)
    {
        var text = Encoding.UTF8.GetString(bytes, 0, (int)index);
        var lastBreak = text.LastIndexOf('\n');
        return (text.Count(c => c == '\n') + 1, index == 0 ? 1 : text.Length - lastBreak);
    }
}
