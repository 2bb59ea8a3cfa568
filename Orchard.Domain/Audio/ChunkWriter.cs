using System.Runtime.InteropServices;

namespace Orchard.Domain.Audio;

/// <summary>Writes a chunk's kept stretches as one 16 kHz mono 16-bit WAV, streaming from the PCM file.</summary>
internal static class ChunkWriter
{
    private const int BlockSamples = 1 << 17;

    public static void Write(PcmFile source, IReadOnlyList<SampleRange> kept, string path, byte[] buffer, float[] floats)
    {
        var total = kept.Sum(k => k.Length);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        stream.SetLength(AudioFormat.WavHeaderBytes + (total * 2));
        Span<byte> header = stackalloc byte[AudioFormat.WavHeaderBytes];
        AudioFormat.WriteWavHeader(header, total);
        stream.Write(header);
        foreach (var range in kept)
        {
            for (var pos = range.Start; pos < range.End; pos += BlockSamples)
            {
                var n = (int)Math.Min(BlockSamples, range.End - pos);
                var bytes = buffer.AsSpan(0, n * 2);
                if (source.IsWorkerFormat)
                {
                    // Already 16-bit at the right rate: a byte copy keeps the samples bit-exact.
                    source.ReadBytes(pos, bytes);
                }
                else
                {
                    source.Read(pos, floats.AsSpan(0, n));
                    PcmFile.ToInt16(floats.AsSpan(0, n), MemoryMarshal.Cast<byte, short>(bytes));
                }

                stream.Write(bytes);
            }
        }
    }

    public static byte[] NewByteBuffer() => new byte[BlockSamples * 2];

    public static float[] NewFloatBuffer() => new float[BlockSamples];
}
