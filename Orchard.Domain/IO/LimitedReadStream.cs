namespace Orchard.Domain.IO;

/// <summary>
/// Reads through to another stream until more than a limit has been read, then throws the caller's exception: a body
/// from outside (a worker's answer, a request without a Content-Length) is read with a bound, never buffered whole first.
/// </summary>
public sealed class LimitedReadStream(Stream inner, long limit, Func<Exception> overLimit) : Stream
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

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    int Count(int n)
    {
        read += n;
        return read > limit ? throw overLimit() : n;
    }
}
