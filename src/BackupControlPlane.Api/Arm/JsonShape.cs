using System.Text.Json;
using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Arm;

/// <summary>
/// The shape of a JSON member a resource keeps as it was sent (a VM's osProfile, a NIC's ipConfigurations…): checked
/// before it is stored, so a member the emulator does not know or a value of the wrong kind answers 400 naming its path
/// (<c>properties.osProfile.linuxConfiguration.ssh.publicKeys[0].keyData</c>) instead of being kept or dropped silently.
/// JSON null counts as absent, as ARM reads it.
/// </summary>
public abstract class JsonShape
{
    public static readonly JsonShape Str = new Kind(JsonValueKind.String, "a string");
    public static readonly JsonShape Bool = new Kind(JsonValueKind.True, "true or false");
    public static readonly JsonShape Num = new Kind(JsonValueKind.Number, "a number");
    /// <summary>Any JSON value, kept verbatim (settings whose inner shape the emulator does not act on).</summary>
    public static readonly JsonShape Any = new AnyShape();
    /// <summary>A flag the emulator supports only in its default, off: false or absent is accepted, true refused.</summary>
    public static readonly JsonShape False = new FalseShape();

    public static JsonShape Obj(params (string Name, JsonShape Shape)[] members) => new ObjectShape(members);
    public static JsonShape ArrayOf(JsonShape item, int? max = null) => new ArrayShape(item, max);
    public static JsonShape OneOf(params string[] values) => new EnumShape(values);
    /// <summary>
    /// A reference to another resource: its <c>id</c> is what counts. SDKs serialise the whole referenced model, and ARM
    /// reads only the id of a reference, so the referenced resource's own members are accepted and not kept.
    /// </summary>
    public static readonly JsonShape Reference = new ObjectShape([("id", Str), ("name", new AnyShape()), ("type", new AnyShape()), ("etag", new AnyShape()),
        ("location", new AnyShape()), ("tags", new AnyShape()), ("sku", new AnyShape()), ("zones", new AnyShape()), ("properties", new AnyShape())]);

    /// <summary>An object whose every member (any name, like tags) fits <paramref name="value"/>.</summary>
    public static JsonShape MapOf(JsonShape value) => new MapShape(value);
    /// <summary>ARM tags: names to strings.</summary>
    public static readonly JsonShape Tags = MapOf(Str);

    /// <summary>
    /// Reads the whole of a JSON node bound from a request: a JsonObject is read lazily, so a member that appears twice or
    /// a string that is not UTF-8 would otherwise surface later as a 500. Answers 400 instead.
    /// </summary>
    public static void RequireReadable(JsonNode? node)
    {
        try
        {
            Read(node);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or JsonException)
        {
            throw ArmException.BadRequest("The request body is not valid JSON: a member appears twice or a string is not UTF-8.");
        }

        static void Read(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (_, value) in obj) Read(value);
                    break;
                case JsonArray array:
                    foreach (var item in array) Read(item);
                    break;
                case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                    value.GetValue<string>();
                    break;
            }
        }
    }

    /// <summary>Throws 400 <c>InvalidRequestContent</c> naming <paramref name="path"/> when <paramref name="node"/> does not fit.</summary>
    public abstract void Check(JsonNode? node, string path);

    private static ArmException Refuse(string path, string what) =>
        ArmException.BadRequest($"'{path}' {what}.", ArmErrorCodes.InvalidRequestContent);

    private sealed class AnyShape : JsonShape
    {
        public override void Check(JsonNode? node, string path) { }
    }

    private sealed class FalseShape : JsonShape
    {
        public override void Check(JsonNode? node, string path)
        {
            Bool.Check(node, path);
            if (node?.GetValue<bool>() == true) throw Refuse(path, "is not emulated: only false is supported");
        }
    }

    private sealed class Kind(JsonValueKind kind, string description) : JsonShape
    {
        public override void Check(JsonNode? node, string path)
        {
            if (node is null) return;
            var actual = node.GetValueKind();
            var fits = kind == JsonValueKind.True ? actual is JsonValueKind.True or JsonValueKind.False : actual == kind;
            if (!fits) throw Refuse(path, $"must be {description}");
        }
    }

    private sealed class EnumShape(string[] values) : JsonShape
    {
        public override void Check(JsonNode? node, string path)
        {
            if (node is null) return;
            Str.Check(node, path);
            if (!values.Contains(node.GetValue<string>(), StringComparer.OrdinalIgnoreCase))
                throw Refuse(path, $"must be one of {string.Join(", ", values)}, not '{Short(node.GetValue<string>())}'");
        }
    }

    private sealed class MapShape(JsonShape value) : JsonShape
    {
        public override void Check(JsonNode? node, string path)
        {
            if (node is null) return;
            if (node is not JsonObject obj) throw Refuse(path, "must be an object");
            foreach (var (name, member) in obj) value.Check(member, $"{path}.{Short(name)}");
        }
    }

    private sealed class ArrayShape(JsonShape item, int? max) : JsonShape
    {
        public override void Check(JsonNode? node, string path)
        {
            if (node is null) return;
            if (node is not JsonArray array) throw Refuse(path, "must be an array");
            if (array.Count > max) throw Refuse(path, $"has {array.Count} entries; at most {max} are allowed");
            for (var i = 0; i < array.Count; i++) item.Check(array[i], $"{path}[{i}]");
        }
    }

    private sealed class ObjectShape((string Name, JsonShape Shape)[] members) : JsonShape
    {
        public override void Check(JsonNode? node, string path)
        {
            if (node is null) return;
            if (node is not JsonObject obj) throw Refuse(path, "must be an object");
            foreach (var (name, value) in obj)
            {
                var member = members.FirstOrDefault(m => m.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
                var at = path.Length == 0 ? "" : path + ".";
                if (member.Shape is null)
                    throw Refuse(at + Short(name), $"is not emulated (known members of {(path.Length == 0 ? "the body" : $"'{path}'")}: {string.Join(", ", members.Select(m => m.Name))})");
                member.Shape.Check(value, at + member.Name);
            }
        }
    }

    private static string Short(string s) => s.Length > 60 ? s[..60] + "…" : s;
}
