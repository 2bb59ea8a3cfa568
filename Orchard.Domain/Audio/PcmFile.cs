using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Orchard.Domain.Audio;

/// <summary>How samples of a <see cref="PcmFile"/> are stored.</summary>
internal enum PcmSampleFormat
{
    Int16,
    Float32,
}

/// <summary>
/// A 16 kHz mono signal on disk (raw or inside a WAV), read in blocks so the whole recording never sits in memory.
/// <see cref="Gain"/> is applied on read, which lets the purifier decide the loudness gain after its single pass.
/// </summary>
internal sealed class PcmFile : IDisposable
{
    private readonly SafeFileHandle _handle;

    public PcmFile(string path, long dataOffset, long sampleCount, PcmSampleFormat format, float gain = 1f)
    {
        Path = path;
        DataOffset = dataOffset;
        SampleCount = sampleCount;
        Format = format;
        Gain = gain;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
    }

    public string Path { get; }
    public long DataOffset { get; }
    public long SampleCount { get; }
    public PcmSampleFormat Format { get; }
    public float Gain { get; }
    public int BytesPerSample => Format == PcmSampleFormat.Int16 ? 2 : 4;

    /// <summary>True when samples can be copied to a worker WAV byte for byte.</summary>
    public bool IsWorkerFormat => Format == PcmSampleFormat.Int16 && Gain == 1f;

    /// <summary>Reads raw stored bytes of samples [start, start + count).</summary>
    public void ReadBytes(long start, Span<byte> destination)
    {
        var offset = DataOffset + (start * BytesPerSample);
        var done = 0;
        while (done < destination.Length)
        {
            var n = RandomAccess.Read(_handle, destination[done..], offset + done);
            if (n == 0)
            {
                throw new AudioDecodeException("the decoded audio ended early (file changed while it was read?)");
            }

            done += n;
        }
    }

    /// <summary>Reads samples as floats in [-1, 1] (gain applied).</summary>
    public void Read(long start, Span<float> destination)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(destination.Length * BytesPerSample);
        try
        {
            var span = bytes.AsSpan(0, destination.Length * BytesPerSample);
            ReadBytes(start, span);
            if (Format == PcmSampleFormat.Int16)
            {
                var src = MemoryMarshal.Cast<byte, short>(span);
                var scale = Gain / 32768f;
                for (var i = 0; i < src.Length; i++)
                {
                    destination[i] = src[i] * scale;
                }
            }
            else
            {
                var src = MemoryMarshal.Cast<byte, float>(span);
                for (var i = 0; i < src.Length; i++)
                {
                    destination[i] = src[i] * Gain;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>Converts floats to 16-bit with rounding and clamping.</summary>
    public static void ToInt16(ReadOnlySpan<float> source, Span<short> destination)
    {
        for (var i = 0; i < source.Length; i++)
        {
            var v = MathF.Round(source[i] * 32768f);
            destination[i] = (short)Math.Clamp(v, short.MinValue, short.MaxValue);
        }
    }
}

/// <summary>Appends mono samples to a raw file as 16-bit or 32-bit float.</summary>
internal sealed class PcmWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly PcmSampleFormat _format;
    private byte[] _buffer = [];

    public PcmWriter(string path, PcmSampleFormat format)
    {
        _format = format;
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
    }

    public long SamplesWritten { get; private set; }

    public void Write(ReadOnlySpan<float> samples)
    {
        var bytes = samples.Length * (_format == PcmSampleFormat.Int16 ? 2 : 4);
        if (_buffer.Length < bytes)
        {
            _buffer = new byte[bytes];
        }

        if (_format == PcmSampleFormat.Int16)
        {
            PcmFile.ToInt16(samples, MemoryMarshal.Cast<byte, short>(_buffer.AsSpan(0, bytes)));
        }
        else
        {
            MemoryMarshal.AsBytes(samples).CopyTo(_buffer);
        }

        _stream.Write(_buffer, 0, bytes);
        SamplesWritten += samples.Length;
    }

    public void Dispose() => _stream.Dispose();
}
