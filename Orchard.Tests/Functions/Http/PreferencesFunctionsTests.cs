using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchard.Functions.Functions.Http;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Functions.Http;

public sealed class PreferencesFunctionsTests
{
    [Fact]
    public async Task SetPurifierPreference_StoresIt_AndGetAnswersItInTheOriginalShape()
    {
        await using var host = await ApiHost.StartAsync();
        var preferences = host.Function<PreferencesFunctions>();

        var initial = ApiHost.Read(await preferences.GetPurifierPreference(host.Request()));
        var set = ApiHost.Read(await preferences.SetPurifierPreference(host.Request("POST", json: "{\"usePurifier\": false}")));
        var after = await host.Client.GetFromJsonAsync<JsonObject>(new Uri("preferences/purifier", UriKind.Relative));

        Assert.Equal("{\"usePurifier\":true}", initial.Text);
        Assert.Equal(200, set.Status);
        Assert.False((bool)set.Json!["usePurifier"]!);
        Assert.False((bool)after!["usePurifier"]!);
    }

    [Theory]
    [InlineData("{\"usePurifier\": \"yes\"}", "not valid JSON")]
    [InlineData("{\"use_purifier\": true}", "usePurifier")]
    [InlineData("{usePurifier: true", "not valid JSON")]
    public async Task SetPurifierPreference_Answers400_WhenBodyIsNotTheOriginalShape(string body, string says)
    {
        await using var host = await ApiHost.StartAsync();

        using var response = await host.Client.PostAsync(
            new Uri("preferences/purifier", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var (status, json) = await ApiHost.ReadAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(says, (string)json!["error"]!, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", (string)json["error"]!, StringComparison.Ordinal);
    }
}
