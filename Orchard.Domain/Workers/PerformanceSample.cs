namespace Orchard.Domain.Workers;

/// <summary>One finished chunk: seconds of audio sent, seconds the worker took; speed ratio = processing ÷ audio (lower is faster).</summary>
public sealed record PerformanceSample(double AudioSeconds, double ProcessingSeconds, DateTimeOffset At)
{
    public double SpeedRatio => AudioSeconds > 0 ? ProcessingSeconds / AudioSeconds : 0;
}
