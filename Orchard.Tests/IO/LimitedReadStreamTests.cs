using Orchard.Domain.IO;

namespace Orchard.Tests.IO;

public sealed class LimitedReadStreamTests
{
    [Fact]
    public async Task ReadAsync_PassesEveryByte_WhenTheBodyIsAtTheLimit()
    {
        await using var stream = new LimitedReadStream(new MemoryStream(new byte[1000]), 1000, () => new InvalidDataException("over"));
        using var copy = new MemoryStream();

        await stream.CopyToAsync(copy);

        Assert.Equal(1000, copy.Length);
    }

    [Fact]
    public async Task ReadAsync_ThrowsTheCallersException_WhenTheBodyPassesTheLimit()
    {
        await using var stream = new LimitedReadStream(new MemoryStream(new byte[1001]), 1000, () => new InvalidDataException("over"));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => stream.CopyToAsync(Stream.Null));

        Assert.Equal("over", error.Message);
    }
}
