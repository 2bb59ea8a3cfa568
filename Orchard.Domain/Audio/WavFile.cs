using System.Buffers.Binary;

namespace Orchard.Domain.Audio;

/// <summary>A parsed RIFF/WAVE header: where the samples are and how they are encoded.</summary>
internal sealed class WavFile
{
    private const ushort FormatPcm = 1;
    private const ushort FormatFloat = 3;
    private const ushort FormatExtensible = 0xFFFE;

    public required int FormatTag { get; init; }
    public required int Channels { get; init; }
    public required int SampleRate { get; init; }
    public required int BitsPerSample { get; init; }
    public required int BlockAlign { get; init; }
    public required long DataOffset { get; init; }
    public required long DataLength { get; init; }

    public long FrameCount => BlockAlign == 0 ? 0 : DataLength / BlockAlign;

    /// <summary>True when the samples can be read in-process (integer PCM 8..32 bit or float 32/64).</summary>
    public bool IsPcm => Channels > 0 && SampleRate > 0 && BlockAlign == Channels * (BitsPerSample / 8) && (
        (FormatTag == FormatPcm && BitsPerSample is 8 or 16 or 24 or 32) ||
        (FormatTag == FormatFloat && BitsPerSample is 32 or 64));

    /// <summary>True when the samples already are what workers expect, so they can be copied byte for byte.</summary>
    public bool IsWorkerFormat => FormatTag == FormatPcm && BitsPerSample == 16 && Channels == 1 && SampleRate == AudioFormat.SampleRate;

    public string CodecName => FormatTag switch
    {
        FormatPcm => BitsPerSample == 8 ? "pcm_u8" : $"pcm_s{BitsPerSample}le",
        FormatFloat => $"pcm_f{BitsPerSample}le",
        _ => $"wav_0x{FormatTag:x4}",
    };

    /// <summary>Parses the header; null when the file is not RIFF/WAVE (so ffmpeg should try it).</summary>
    /// <exception cref="AudioDecodeException">A RIFF/WAVE file whose header is broken or whose data is truncated.</exception>
    public static WavFile? TryOpen(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
        var fileLength = stream.Length;
        Span<byte> head = stackalloc byte[12];
        if (stream.ReadAtLeast(head, 12, throwOnEndOfStream: false) < 12 ||
            !head[..4].SequenceEqual("RIFF"u8) || !head[8..12].SequenceEqual("WAVE"u8))
        {
            return null;
        }

        Span<byte> chunkHeader = stackalloc byte[8];
        Span<byte> fmt = stackalloc byte[40];
        int formatTag = 0, channels = 0, rate = 0, bits = 0, blockAlign = 0;
        var haveFormat = false;
        long position = 12;
        while (position + 8 <= fileLength)
        {
            stream.Position = position;
            stream.ReadExactly(chunkHeader);
            var id = chunkHeader[..4];
            long size = BinaryPrimitives.ReadUInt32LittleEndian(chunkHeader[4..]);
            var body = position + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16)
                {
                    throw new AudioDecodeException("corrupt WAV: the format chunk is too short");
                }

                var n = (int)Math.Min(size, fmt.Length);
                if (stream.ReadAtLeast(fmt[..n], n, throwOnEndOfStream: false) < n)
                {
                    throw new AudioDecodeException("truncated WAV: the format chunk is cut off");
                }

                formatTag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
                rate = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]));
                blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
                if (formatTag == FormatExtensible && n >= 26)
                {
                    // The sub-format GUID starts with the plain format tag.
                    formatTag = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
                }

                haveFormat = true;
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (!haveFormat)
                {
                    throw new AudioDecodeException("corrupt WAV: the data chunk comes before the format chunk");
                }

                var available = fileLength - body;
                // Streaming writers leave the size at 0 or 0xFFFFFFFF: the data then runs to the end of the file.
                if (size == 0xFFFFFFFF || (size == 0 && available > 0))
                {
                    size = available;
                }
                else if (size > available)
                {
                    throw new AudioDecodeException($"truncated WAV: the header declares {size} bytes of audio but the file holds {available}");
                }

                return new WavFile
                {
                    FormatTag = formatTag, Channels = channels, SampleRate = rate, BitsPerSample = bits,
                    BlockAlign = blockAlign, DataOffset = body, DataLength = size,
                };
            }

            position = body + size + (size & 1);
        }

        throw new AudioDecodeException(haveFormat ? "truncated WAV: no data chunk" : "corrupt WAV: no format chunk");
    }

    /// <summary>Decodes interleaved frames to mono floats in [-1, 1] by averaging the channels.</summary>
    public void DecodeMono(ReadOnlySpan<byte> frames, Span<float> mono)
    {
        var bytesPerSample = BitsPerSample / 8;
        var frameCount = frames.Length / BlockAlign;
        var scale = 1f / Channels;
        for (var i = 0; i < frameCount; i++)
        {
            var frame = frames.Slice(i * BlockAlign, BlockAlign);
            var sum = 0f;
            for (var c = 0; c < Channels; c++)
            {
                sum += DecodeSample(frame.Slice(c * bytesPerSample, bytesPerSample));
            }

            mono[i] = sum * scale;
        }
    }

    private float DecodeSample(ReadOnlySpan<byte> s) => (FormatTag, BitsPerSample) switch
    {
        (FormatPcm, 8) => (s[0] - 128) / 128f,
        (FormatPcm, 16) => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768f,
        (FormatPcm, 24) => ((s[0] << 8 | s[1] << 16 | s[2] << 24) >> 8) / 8388608f,
        (FormatPcm, 32) => (float)(BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0),
        (FormatFloat, 32) => BinaryPrimitives.ReadSingleLittleEndian(s),
        (FormatFloat, 64) => (float)BinaryPrimitives.ReadDoubleLittleEndian(s),
        _ => 0f,
    };
}
