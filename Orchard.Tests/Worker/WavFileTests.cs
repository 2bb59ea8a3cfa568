using Orchard.Worker.Audio;

namespace Orchard.Tests.Worker;

public class WavFileTests
{
    [Fact]
    public void ReadLayout_FindsDataAfterExtraChunks()
    {
        using var stream = new MemoryStream();
        var canonical = WorkerAudio.Wav16k(0.5);
        stream.Write(canonical.AsSpan(0, 36));
        stream.Write("LIST"u8);
        stream.Write(BitConverter.GetBytes(6));
        stream.Write("INFOab"u8);
        stream.Write(canonical.AsSpan(36));

        var layout = WavFile.ReadLayout(stream);

        Assert.NotNull(layout);
        Assert.True(layout.IsEngineFormat);
        Assert.Equal(36 + 14 + 8, layout.DataOffset);
        Assert.Equal(16000, layout.DataLength);
    }

    [Fact]
    public void ReadLayout_ReturnsNull_WhenNotWav()
    {
        using var stream = new MemoryStream("ID3 this is an mp3, honest"u8.ToArray());

        Assert.Null(WavFile.ReadLayout(stream));
    }

    [Fact]
    public void ReadLayout_ClampsUnknownDataSize_OfStreamedWav()
    {
        var wav = WorkerAudio.Wav16k(0.25);
        BitConverter.GetBytes(uint.MaxValue).CopyTo(wav, 40);
        using var stream = new MemoryStream(wav);

        Assert.Equal(wav.Length - 44, WavFile.ReadLayout(stream)!.DataLength);
    }

    [Fact]
    public void ReadSamples_ScalesToUnitRange()
    {
        var path = Path.Combine(Path.GetTempPath(), $"orchard-wav-{Guid.NewGuid():N}.wav");
        try
        {
            File.WriteAllBytes(path, WorkerAudio.Wav16k(0.1));

            var samples = WavFile.ReadSamples(path);

            Assert.Equal(1600, samples.Length);
            Assert.InRange(samples.Max(), 0.09f, 0.092f);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
