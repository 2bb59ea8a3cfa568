using Orchard.Domain.Workers;

namespace Orchard.Tests.Workers;

public sealed class WorkerUrlTests
{
    [Theory]
    [InlineData("172.22.1.222:8080", "http://172.22.1.222:8080")]
    [InlineData("https://gpu.example:443/", "https://gpu.example:443")]
    [InlineData(" http://phone:8080 ", "http://phone:8080")]
    public void Normalize_AddsSchemeAndTrims(string input, string expected) => Assert.Equal(expected, WorkerUrl.Normalize(input));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ftp://x")]
    [InlineData("http://")]
    public void Normalize_Throws_WhenUnusable(string? input) => Assert.Throws<InvalidWorkerUrlException>(() => WorkerUrl.Normalize(input));
}
