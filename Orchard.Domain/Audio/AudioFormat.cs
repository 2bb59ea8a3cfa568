using System.Buffers.Binary;

namespace Orchard.Domain.Audio;

/// <summary>The one format the pipeline works in and workers receive: 16 kHz mono 16-bit PCM.</summary>
public static class AudioFormat
{
    /// <summary>Samples per second of every decoded signal and chunk.</summary>
    public const int SampleRate = 16000;

    /// <summary>Size of the canonical WAV header written before chunk samples.</summary>
    public const int WavHeaderBytes = 44;

    internal static double SamplesToMs(long samples) => samples * 1000.0 / SampleRate;

    internal static long MsToSamples(double ms) => (long)Math.Round(ms * SampleRate / 1000.0);

    /// <summary>Writes the 44-byte header of a 16 kHz mono 16-bit PCM WAV holding <paramref name="sampleCount"/> samples.</summary>
    public static void WriteWavHeader(Span<byte> header, long sampleCount)
    {
        var dataBytes = (uint)Math.Min(uint.MaxValue - 36, sampleCount * 2);
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], 36 + dataBytes);
        "WAVE"u8.CopyTo(header[8..]);
        "fmt "u8.CopyTo(header[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(header[22..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], SampleRate * 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], 16);
        "data"u8.CopyTo(header[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[40..], dataBytes);
    }
}
