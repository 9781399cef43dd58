using System.ComponentModel;
using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace BackupControlPlane.Api.Tests.Deploy;

/// <summary>
/// Docker does not run here, so deploy/ is checked against the application itself: the ports it listens on, the health
/// paths it answers, the configuration keys its options classes bind, and one image name everywhere.
/// </summary>
public sealed class ManifestTests
{
    private static readonly string Root = FindRoot();
    private static readonly XDocument Csproj = XDocument.Load(Path.Combine(Root, "src/BackupControlPlane.Api/BackupControlPlane.Api.csproj"));
    private static readonly Dictionary<object, object> Compose = Yaml("deploy/docker-compose.yml");
    private static readonly Dictionary<object, object> Deployment = Yaml("deploy/k8s/deployment.yaml");
    private static readonly Dictionary<object, object> ConfigMap = Yaml("deploy/k8s/configmap.yaml");
    private static readonly Dictionary<object, object> Secret = Yaml("deploy/k8s/secret.yaml");
    private static readonly Dictionary<object, object> Service = Yaml("deploy/k8s/service.yaml");

    /// <summary>The keys the host reads itself rather than an options class.</summary>
    private static readonly HashSet<string> HostKeys = new(["Urls", "ConnectionStrings:Default", "ConnectionStrings:Hangfire"], StringComparer.OrdinalIgnoreCase);

    private static string Image => $"{Property("ContainerRepository")}:{Property("ContainerImageTags")}";
    private static Dictionary<object, object> Container => Map(List(Map(Map(Map(Deployment["spec"])["template"])["spec"])["containers"]).Single());
    private static IEnumerable<(string Name, Dictionary<object, object> Service)> ApiServices =>
        Map(Compose["services"]).Select(s => ((string)s.Key, Map(s.Value))).Where(s => s.Item2.TryGetValue("image", out var i) && (string)i == Image && s.Item2.ContainsKey("ports"));

    [Fact]
    public void One_image_name_in_the_csproj_compose_and_kubernetes_and_it_resolves_time_zones()
    {
        Assert.Equal(Image, (string)Container["image"]);
        Assert.True(ApiServices.Count() >= 2, "compose runs two API replicas of the image");
        Assert.All(Map(Compose["services"]).Values.Select(Map).Where(s => ((string)s["image"]).StartsWith("backupcontrolplane/")), s => Assert.Equal(Image, (string)s["image"]));
        // Windows time-zone ids need ICU and tzdata in the image: the "extra" chiseled flavour, and no invariant mode.
        Assert.EndsWith("-extra", Property("ContainerFamily"));
        Assert.Equal("false", Property("InvariantGlobalization"));
        Assert.True(int.Parse((string)Map(Deployment["spec"])["replicas"]) >= 2, "the Deployment runs several replicas");
    }

    [Fact]
    public void The_compose_agent_fleet_runs_a_program_the_image_contains()
    {
        // The image is the API's publish output, which carries the agent program (a project reference) beside it.
        var entrypoint = List(Map(Map(Compose["services"])["agents"])["entrypoint"]).Cast<string>().ToList();
        Assert.Equal("dotnet", entrypoint[0]);
        var program = Path.GetFileNameWithoutExtension(entrypoint[1]);
        var apiDependencies = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "BackupControlPlane.Api.deps.json")))!["libraries"]!.AsObject();
        Assert.Contains(apiDependencies, l => l.Key.StartsWith(program + "/") && l.Value!["type"]!.GetValue<string>() == "project");
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, entrypoint[1])), $"{entrypoint[1]} is not in the API's output");
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, Path.ChangeExtension(entrypoint[1], ".runtimeconfig.json"))), "it can run with dotnet");
        Assert.Equal("fleet", entrypoint[2]);
    }

    [Fact]
    public void Every_port_is_the_one_the_application_listens_on()
    {
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "appsettings.json")))!;
        var port = settings["Urls"]!.GetValue<string>().Split(';').Select(u => new Uri(u)).Single(u => u.Scheme == "http").Port;

        Assert.Equal(port.ToString(), Csproj.Descendants("ContainerPort").Single().Attribute("Include")!.Value);
        Assert.Equal(port, new Uri(ContainerEnv("Urls").Replace("0.0.0.0", "localhost")).Port);
        foreach (var (name, service) in ApiServices)
        {
            Assert.Equal(port, new Uri(((string)Map(service["environment"])["Urls"]).Replace("0.0.0.0", "localhost")).Port);
            Assert.All(List(service["ports"]).Cast<string>(), p => Assert.Equal(port.ToString(), p.Split(':').Last()));
        }
        Assert.Equal(port, new Uri(((string)ConfigMap["data"].AsMap()["Urls"]).Replace("0.0.0.0", "localhost")).Port);
        var containerPorts = List(Container["ports"]).Select(Map).ToDictionary(p => (string)p["name"], p => int.Parse((string)p["containerPort"]));
        Assert.Equal(port, containerPorts["http"]);
        Assert.All(List(Map(Service["spec"])["ports"]).Select(Map), p => Assert.True(containerPorts.ContainsKey((string)p["targetPort"]), $"Service targets the named port {p["targetPort"]}"));
        foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
            Assert.True(containerPorts.ContainsKey((string)Map(Map(Container[probe])["httpGet"])["port"]));
    }

    [Fact]
    public async Task Probes_use_the_health_paths_the_service_answers()
    {
        Assert.Equal("/healthz", ProbePath("livenessProbe"));
        Assert.Equal("/readyz", ProbePath("readinessProbe"));
        var app = await EmulatorApp.SharedAsync();
        foreach (var path in new[] { "livenessProbe", "readinessProbe", "startupProbe" }.Select(ProbePath).Distinct())
        {
            using var response = await app.Client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public void Every_configuration_key_in_the_manifests_is_one_the_service_binds_and_its_value_parses()
    {
        var keys = new List<(string Where, string Key, string? Value)>();
        foreach (var (name, service) in ApiServices)
            keys.AddRange(Map(service["environment"]).Select(e => ($"compose {name}", (string)e.Key, (string?)e.Value)));
        keys.AddRange(Csproj.Descendants("ContainerEnvironmentVariable").Select(e => ("csproj", e.Attribute("Include")!.Value, (string?)e.Attribute("Value")!.Value)));
        keys.AddRange(ConfigMap["data"].AsMap().Select(e => ("ConfigMap", (string)e.Key, (string?)e.Value)));
        keys.AddRange(List(Container["env"]).Select(Map).Select(e => ("Deployment env", (string)e["name"], (string?)null)));
        var secretData = Secret["stringData"].AsMap();
        keys.AddRange(secretData.Keys.Cast<string>().Where(k => !k.Contains('.')).Select(k => ("Secret", k, (string?)null)));

        var sections = typeof(Program).Assembly.GetTypes()
            .Select(t => (Type: t, Field: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)))
            .Where(x => x.Field is { IsLiteral: true }).ToDictionary(x => (string)x.Field!.GetRawConstantValue()!, x => x.Type, StringComparer.OrdinalIgnoreCase);
        Assert.NotEmpty(keys);
        foreach (var (where, raw, value) in keys)
        {
            var key = raw.Replace("__", ":");
            if (HostKeys.Contains(key)) continue;
            var parts = key.Split(':');
            Assert.True(parts.Length == 2 && sections.ContainsKey(parts[0]), $"{where}: '{raw}' is in no options section ({string.Join(", ", sections.Keys)})");
            var property = sections[parts[0]].GetProperty(parts[1], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            Assert.True(property is { CanWrite: true }, $"{where}: '{raw}' names no property of {sections[parts[0]].Name}");
            if (value is not null) TypeDescriptor.GetConverter(property!.PropertyType).ConvertFromInvariantString(value);
        }

        // What the Deployment takes from the ConfigMap and the Secret exists there.
        Assert.Equal((string)Map(ConfigMap["metadata"])["name"], (string)Map(Map(List(Container["envFrom"]).Select(Map).Single())["configMapRef"])["name"]);
        foreach (var reference in List(Container["env"]).Select(Map).Select(e => Map(Map(e["valueFrom"])["secretKeyRef"])))
        {
            Assert.Equal((string)Map(Secret["metadata"])["name"], (string)reference["name"]);
            Assert.Contains((string)reference["key"], secretData.Keys.Cast<string>());
        }
        // The signing key file the ConfigMap names is the Secret's, mounted where it says.
        var keyPath = (string)ConfigMap["data"].AsMap()["Identity__SigningKeyPath"];
        var podSpec = Map(Map(Map(Deployment["spec"])["template"])["spec"]);
        var secretVolume = List(podSpec["volumes"]).Select(Map).Single(v => v.ContainsKey("secret"));
        var mount = List(Container["volumeMounts"]).Select(Map).Single(m => (string)m["name"] == (string)secretVolume["name"]);
        var item = List(Map(secretVolume["secret"])["items"]).Select(Map).Single();
        Assert.Equal(keyPath, $"{(string)mount["mountPath"]}/{(string)item["path"]}");
        Assert.Contains((string)item["key"], secretData.Keys.Cast<string>());
    }

    private static string ProbePath(string probe) => (string)Map(Map(Container[probe])["httpGet"])["path"];

    private static string ContainerEnv(string name) =>
        Csproj.Descendants("ContainerEnvironmentVariable").Single(e => e.Attribute("Include")!.Value == name).Attribute("Value")!.Value;

    private static string Property(string name) => Csproj.Descendants(name).Single().Value.Trim();

    private static Dictionary<object, object> Map(object o) => Assert.IsType<Dictionary<object, object>>(o);
    private static List<object> List(object o) => Assert.IsType<List<object>>(o);

    /// <summary>YAML to plain dictionaries, lists and strings; merge keys (&lt;&lt;: *anchor) resolved as Compose does.</summary>
    private static Dictionary<object, object> Yaml(string path)
    {
        using var reader = new StringReader(File.ReadAllText(Path.Combine(Root, path)));
        return Map(new DeserializerBuilder().Build().Deserialize<object>(new MergingParser(new Parser(reader)))!);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "BackupControlPlane.sln"))) return dir.FullName;
        throw new InvalidOperationException("Repository root not found above the test binaries.");
    }
}

internal static class YamlMaps
{
    public static Dictionary<object, object> AsMap(this object o) => Assert.IsType<Dictionary<object, object>>(o);
}

/// <summary>In containers nobody calls from loopback: compose opens the control routes with Emulator:AllowRemoteControl.</summary>
public sealed class RemoteControlTests
{
    [Fact]
    public async Task AllowRemoteControl_lets_a_non_local_caller_through_the_control_routes()
    {
        var services = new ServiceCollection().AddSingleton(Options.Create(new EmulatorOptions { AllowRemoteControl = true }));
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = services.BuildServiceProvider() };
        http.Connection.RemoteIpAddress = IPAddress.Parse("172.18.0.5");
        var called = false;
        await BackupControlPlane.Api.Features.Agents.AgentEndpoints.LocalOnly(new Microsoft.AspNetCore.Http.DefaultEndpointFilterInvocationContext(http),
            _ => { called = true; return ValueTask.FromResult<object?>(null); });
        Assert.True(called);
    }
}
