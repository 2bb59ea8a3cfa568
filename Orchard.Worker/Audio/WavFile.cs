using System.Buffers.Binary;

namespace Orchard.Worker.Audio;

/// <summary>The layout of a RIFF/WAVE file's audio: its format and where its samples are.</summary>
/// <param name="FormatTag">1 for integer PCM, 3 for float, 0xFFFE for an extensible header.</param>
/// <param name="Channels">Channel count.</param>
/// <param name="SampleRate">Samples per second.</param>
/// <param name="BitsPerSample">Bits in one sample of one channel.</param>
/// <param name="DataOffset">Where the first sample is.</param>
/// <param name="DataLength">How many bytes of samples follow (clamped to the file).</param>
public sealed record WavLayout(int FormatTag, int Channels, int SampleRate, int BitsPerSample, long DataOffset, long DataLength)
{
    /// <summary>True for what both engines read directly: 16 kHz, mono, 16-bit integer PCM.</summary>
    public bool IsEngineFormat =>
        (FormatTag == 1 || FormatTag == 0xFFFE) && Channels == 1 && SampleRate == WavFile.SampleRate && BitsPerSample == 16;
}

/// <summary>Reads and writes the 16 kHz mono 16-bit WAV files the engines take.</summary>
public static class WavFile
{
    /// <summary>The sample rate both engines expect.</summary>
    public const int SampleRate = 16000;

    /// <summary>
    /// Walks the RIFF chunks to <c>fmt </c> and <c>data</c>. Null when the stream is not a WAV file. Senders may add
    /// chunks (LIST, fact) before the samples, so a 44-byte header is never assumed; a streamed WAV's unknown data size
    /// (0 or 0xFFFFFFFF) is clamped to the end of the file.
    /// </summary>
    public static WavLayout? ReadLayout(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> header = stackalloc byte[12];
        stream.Position = 0;
        if (stream.ReadAtLeast(header, 12, throwOnEndOfStream: false) < 12
            || !header[..4].SequenceEqual("RIFF"u8) || !header[8..12].SequenceEqual("WAVE"u8))
        {
            return null;
        }

        (int Tag, int Channels, int Rate, int Bits)? format = null;
        Span<byte> chunk = stackalloc byte[8];
        Span<byte> fmt = stackalloc byte[16];
        while (stream.ReadAtLeast(chunk, 8, throwOnEndOfStream: false) == 8)
        {
            var size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            var start = stream.Position;
            if (chunk[..4].SequenceEqual("fmt "u8) && size >= 16)
            {
                if (stream.ReadAtLeast(fmt, 16, throwOnEndOfStream: false) < 16)
                {
                    return null;
                }

                format = (BinaryPrimitives.ReadUInt16LittleEndian(fmt), BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]),
                    BinaryPrimitives.ReadInt32LittleEndian(fmt[4..]), BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]));
            }
            else if (chunk[..4].SequenceEqual("data"u8))
            {
                if (format is not { } f)
                {
                    return null;
                }

                var length = Math.Min(size, stream.Length - start);
                return new WavLayout(f.Tag, f.Channels, f.Rate, f.Bits, start, length);
            }

            stream.Position = start + size + (size & 1);
        }

        return null;
    }

    /// <summary>Writes a canonical 44-byte header for <paramref name="dataLength"/> bytes of 16 kHz mono 16-bit samples.</summary>
    public static void WriteHeader(Stream stream, long dataLength)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> h = stackalloc byte[44];
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], (uint)(36 + dataLength));
        "WAVEfmt "u8.CopyTo(h[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(h[20..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(h[22..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(h[24..], SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(h[28..], SampleRate * 2);
        BinaryPrimitives.WriteUInt16LittleEndian(h[32..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(h[34..], 16);
        "data"u8.CopyTo(h[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[40..], (uint)dataLength);
        stream.Write(h);
    }

    /// <summary>The samples of a canonical file written by <see cref="AudioNormalizer"/>, scaled to [-1, 1).</summary>
    public static float[] ReadSamples(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var samples = new float[Math.Max(0, (bytes.Length - 44) / 2)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(44 + (i * 2))) / 32768f;
        }

        return samples;
    }
}
