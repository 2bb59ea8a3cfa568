using Orchard.Worker.Core;

namespace Orchard.Tests.Worker.Core;

public class WorkerOptionsTests
{
    [Theory]
    [InlineData("auto", "http://m:7071", null, true)]
    [InlineData("auto", "http://m:7071", "http://192.0.2.7:8080", false)]
    [InlineData("auto", null, null, false)]
    [InlineData("push", "http://m:7071", null, false)]
    [InlineData("Pull", "http://m:7071", null, true)]
    public void IsPull_FollowsModeThenUrls(string mode, string? masterUrl, string? publicUrl, bool pull)
    {
        Assert.Equal(pull, new WorkerOptions { Mode = mode, MasterUrl = masterUrl, PublicUrl = publicUrl }.IsPull);
    }
}
