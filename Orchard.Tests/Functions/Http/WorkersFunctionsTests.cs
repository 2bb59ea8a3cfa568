using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchard.Functions.Functions.Http;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Functions.Http;

public sealed class WorkersFunctionsTests
{
    [Fact]
    public async Task AddWorker_AddsHttpScheme_AndUsesTheUrlAsId()
    {
        await using var host = await ApiHost.StartAsync();
        var workers = host.Function<WorkersFunctions>();

        var (status, _, json) = ApiHost.Read(await workers.AddWorker(host.Request("POST", json: "{\"url\": \"172.22.1.222:8080/\"}")));
        var list = ApiHost.Read(await workers.ListWorkers(host.Request())).Json!;

        Assert.Equal(200, status);
        Assert.Equal("http://172.22.1.222:8080", (string?)json!["id"]);
        Assert.Equal("http://172.22.1.222:8080", (string?)json["url"]);
        Assert.Equal(1, (int)list["count"]!);
        Assert.Equal("http://172.22.1.222:8080", (string?)list["workers"]![0]!["url"]);
        Assert.Equal("online", (string?)list["workers"]![0]!["status"]);
    }

    [Theory]
    [InlineData("{\"url\": \"\"}", "empty")]
    [InlineData("{}", "empty")]
    [InlineData("{\"url\": \"ftp://host:21\"}", "not a worker URL")]
    [InlineData("{\"url\": \"http://\"}", "not a worker URL")]
    [InlineData("{\"url\": ", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    public async Task AddWorker_Answers400_WhenUrlMissingInvalidOrBodyMalformed(string body, string says)
    {
        await using var host = await ApiHost.StartAsync();

        var (status, _, json) = ApiHost.Read(await host.Function<WorkersFunctions>().AddWorker(host.Request("POST", json: body)));

        Assert.Equal(400, status);
        Assert.Contains(says, (string)json!["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddWorkerAndRemoveWorker_Answer400_WhenUrlAlreadyAddedOrUnknown()
    {
        await using var host = await ApiHost.StartAsync();
        var workers = host.Function<WorkersFunctions>();
        await workers.AddWorker(host.Request("POST", json: "{\"url\": \"10.0.0.7:8080\"}"));

        var duplicate = ApiHost.Read(await workers.AddWorker(host.Request("POST", json: "{\"url\": \"http://10.0.0.7:8080\"}")));
        var removed = ApiHost.Read(await workers.RemoveWorker(host.Request("POST", json: "{\"url\": \"10.0.0.7:8080\"}")));
        var unknown = ApiHost.Read(await workers.RemoveWorker(host.Request("POST", json: "{\"url\": \"10.0.0.7:8080\"}")));
        var empty = ApiHost.Read(await workers.RemoveWorker(host.Request("POST", json: "{\"url\": \" \"}")));

        Assert.Equal((400, "already registered"), (duplicate.Status, Says(duplicate.Json, "already registered")));
        Assert.Equal((200, "removed"), (removed.Status, (string?)removed.Json!["status"]));
        Assert.Equal((400, "not registered"), (unknown.Status, Says(unknown.Json, "not registered")));
        Assert.Equal((400, "empty"), (empty.Status, Says(empty.Json, "empty")));
    }

    [Fact]
    public async Task RegisterWorker_AnswersIdAndHeartbeatInterval_AndRegisteringAgainUpdates()
    {
        await using var host = await ApiHost.StartAsync();
        var workers = host.Function<WorkersFunctions>();

        var first = ApiHost.Read(await workers.RegisterWorker(host.Request("POST", json: "{\"url\": null, \"name\": \"pixel-3\", \"model\": \"tiny\"}"))).Json!;
        var id = (string)first["id"]!;
        var again = ApiHost.Read(await workers.RegisterWorker(host.Request("POST", json: $"{{\"name\": \"pixel-3\", \"model\": \"base\", \"id\": \"{id}\"}}"))).Json!;
        var byUrl = ApiHost.Read(await workers.RegisterWorker(host.Request("POST", json: "{\"url\": \"10.1.1.1:9000\", \"name\": \"gpu\", \"model\": \"large-v2\"}"))).Json!;
        var byUrlAgain = ApiHost.Read(await workers.RegisterWorker(host.Request("POST", json: "{\"url\": \"http://10.1.1.1:9000\", \"name\": \"gpu\", \"model\": \"large-v2\"}"))).Json!;
        var list = ApiHost.Read(await workers.ListWorkers(host.Request())).Json!;

        Assert.Equal(["heartbeat_interval_seconds", "id"], first.AsObject().Select(p => p.Key).Order());
        Assert.Equal(20, (int)first["heartbeat_interval_seconds"]!);
        Assert.Equal(id, (string?)again["id"]);
        Assert.Equal("http://10.1.1.1:9000", (string?)byUrl["id"]);
        Assert.Equal("http://10.1.1.1:9000", (string?)byUrlAgain["id"]);
        Assert.Equal(2, (int)list["count"]!);
        var updated = list["workers"]!.AsArray().Single(w => (string?)w!["id"] == id)!;
        Assert.Equal("base", (string?)updated["model"]);
        Assert.True((bool)updated["self_registered"]!);
    }

    [Fact]
    public async Task RegisterWorker_Answers400_WhenUrlInvalidOrBodyMalformed()
    {
        await using var host = await ApiHost.StartAsync();
        var workers = host.Function<WorkersFunctions>();

        var url = ApiHost.Read(await workers.RegisterWorker(host.Request("POST", json: "{\"url\": \"ftp://x\", \"name\": \"a\", \"model\": \"b\"}")));
        var body = ApiHost.Read(await workers.RegisterWorker(host.Request("POST", json: "[1, 2")));

        Assert.Equal(400, url.Status);
        Assert.Equal(400, body.Status);
        Assert.Contains("not valid JSON", (string)body.Json!["error"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("model")]
    [InlineData("id")]
    public async Task RegisterWorker_Answers400_WhenAFieldIsTooLongOrHasControlCharacters(string field)
    {
        await using var host = await ApiHost.StartAsync();
        var workers = host.Function<WorkersFunctions>();

        var tooLong = ApiHost.Read(await workers.RegisterWorker(host.Request("POST", json: new JsonObject { [field] = new string('x', 101) }.ToJsonString())));
        var control = ApiHost.Read(await workers.RegisterWorker(host.Request("POST", json: new JsonObject { [field] = "a\u0000b" }.ToJsonString())));

        Assert.Equal((400, "at most 100"), (tooLong.Status, Says(tooLong.Json, "at most 100")));
        Assert.Equal((400, "control characters"), (control.Status, Says(control.Json, "control characters")));
        Assert.Equal(0, (int)ApiHost.Read(await workers.ListWorkers(host.Request())).Json!["count"]!);
    }

    [Fact]
    public async Task RegisterWorker_Answers413_WhenBodyIsLargerThanAnyRegistration_WithOrWithoutLength()
    {
        await using var host = await ApiHost.StartAsync();
        var hugeName = "{\"name\": \"" + new string('x', 1024 * 1024) + "\"}";

        var declared = ApiHost.Read(await host.Function<WorkersFunctions>().RegisterWorker(host.Request("POST", json: hugeName)));
        var streamed = host.Request("POST", json: hugeName);
        streamed.ContentLength = null;
        var undeclared = ApiHost.Read(await host.Function<WorkersFunctions>().RegisterWorker(streamed));

        Assert.Equal((413, "64 KB"), (declared.Status, Says(declared.Json, "64 KB")));
        Assert.Equal((413, "64 KB"), (undeclared.Status, Says(undeclared.Json, "64 KB")));
    }

    [Fact]
    public async Task RegisterWorker_Answers400_WhenJsonIsNestedDeeperThanAnyBody()
    {
        await using var host = await ApiHost.StartAsync();
        var deep = "{\"name\": " + new string('[', 5000) + new string(']', 5000) + "}";

        var (status, _, json) = ApiHost.Read(await host.Function<WorkersFunctions>().RegisterWorker(host.Request("POST", json: deep)));

        Assert.Equal(400, status);
        Assert.Contains("not valid JSON", (string)json!["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisterWorkerAndAddWorker_Answer503_WhenTheRegistryIsFull_ButUpdatesStillWork()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["State:MaxWorkers"] = "2" });
        var workers = host.Function<WorkersFunctions>();
        var first = ApiHost.Read(await workers.RegisterWorker(host.Request("POST", json: "{\"id\": \"a\"}")));
        ApiHost.Read(await workers.RegisterWorker(host.Request("POST", json: "{\"id\": \"b\"}")));

        var third = ApiHost.Read(await workers.RegisterWorker(host.Request("POST", json: "{\"id\": \"c\"}")));
        var added = ApiHost.Read(await workers.AddWorker(host.Request("POST", json: "{\"url\": \"10.0.0.9:8080\"}")));
        var again = ApiHost.Read(await workers.RegisterWorker(host.Request("POST", json: "{\"id\": \"a\", \"name\": \"renamed\"}")));

        Assert.Equal(200, first.Status);
        Assert.Equal((503, "State:MaxWorkers"), (third.Status, Says(third.Json, "State:MaxWorkers")));
        Assert.Equal((503, "State:MaxWorkers"), (added.Status, Says(added.Json, "State:MaxWorkers")));
        Assert.Equal(200, again.Status);
        Assert.Equal(2, (int)ApiHost.Read(await workers.ListWorkers(host.Request())).Json!["count"]!);
    }

    [Fact]
    public async Task WorkerHeartbeat_AnswersStatus_Or404SoTheWorkerRegistersAgain()
    {
        await using var host = await ApiHost.StartAsync();
        var workers = host.Function<WorkersFunctions>();
        var id = (string)ApiHost.Read(await workers.RegisterWorker(host.Request("POST", json: "{\"name\": \"n\", \"model\": \"m\"}"))).Json!["id"]!;

        var known = ApiHost.Read(await workers.WorkerHeartbeat(host.Request("POST"), id));
        var unknown = ApiHost.Read(await workers.WorkerHeartbeat(host.Request("POST"), "w-gone"));

        Assert.Equal(200, known.Status);
        Assert.Equal(id, (string?)known.Json!["id"]);
        Assert.Equal("online", (string?)known.Json["status"]);
        Assert.Equal(404, unknown.Status);
        Assert.Contains("Register it again", (string)unknown.Json!["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerRoutes_TakeUrlEncodedUrlIds_OverHttp()
    {
        await using var host = await ApiHost.StartAsync();
        using var registered = await host.Client.PostAsJsonAsync(new Uri("workers", UriKind.Relative), new { url = "http://10.0.0.5:8080", name = "pi", model = "tiny" });
        var id = (string)(await registered.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var path = $"workers/{Uri.EscapeDataString(id)}";

        using var beat = await host.Client.PostAsync(new Uri(path + "/heartbeat", UriKind.Relative), content: null);
        using var deleted = await host.Client.DeleteAsync(new Uri(path, UriKind.Relative));
        using var beatAfter = await host.Client.PostAsync(new Uri(path + "/heartbeat", UriKind.Relative), content: null);
        using var deletedAgain = await host.Client.DeleteAsync(new Uri(path, UriKind.Relative));

        Assert.Equal("http://10.0.0.5:8080", id);
        Assert.Equal(HttpStatusCode.OK, beat.StatusCode);
        Assert.Equal(id, (string?)(await beat.Content.ReadFromJsonAsync<JsonObject>())!["id"]);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, beatAfter.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, deletedAgain.StatusCode);
        Assert.Null(await host.Workers.GetAsync(id));
    }

    private static string Says(JsonNode? json, string fragment) =>
        ((string?)json?["error"])?.Contains(fragment, StringComparison.Ordinal) == true ? fragment : (string?)json?["error"] ?? "(none)";
}
