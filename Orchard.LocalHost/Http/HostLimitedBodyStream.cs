namespace Orchard.LocalHost.Http;

/// <summary>
/// A request body that stops at the Functions host's limit, as the real host does for bodies without a
/// Content-Length. It throws <see cref="RequestBodyTooLargeException"/>, deliberately not an IOException: the app
/// reads a broken body (an IOException) as the client's 400, but this is the host refusing, which the router answers.
/// </summary>
internal sealed class HostLimitedBodyStream(Stream inner, long limit) : Stream
{
    long read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    int Count(int n)
    {
        read += n;
        return read > limit ? throw new RequestBodyTooLargeException() : n;
    }

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>The request body passed the Functions host's limit.</summary>
internal sealed class RequestBodyTooLargeException : Exception
{
    public RequestBodyTooLargeException() : base(Orchard.Domain.Hosting.FunctionsHostLimits.BodyTooLargeMessage) { }

    public RequestBodyTooLargeException(string message) : base(message) { }

    public RequestBodyTooLargeException(string message, Exception innerException) : base(message, innerException) { }
}
