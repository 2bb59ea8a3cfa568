using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Orchard.Domain.Telemetry;

namespace Orchard.Tests.Telemetry;

/// <summary>
/// Records Orchard's measurements from one host only: tests run side by side in one process, and a meter from a
/// host's own <see cref="IMeterFactory"/> carries that factory as its scope.
/// </summary>
public sealed class MeasurementRecorder : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)> recorded = new();

    public MeasurementRecorder(IMeterFactory scope)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == OrchardTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
    }

    /// <summary>The values recorded by an instrument, with their tags.</summary>
    public IReadOnlyList<(double Value, IReadOnlyDictionary<string, object?> Tags)> Of(string instrument) =>
        [.. recorded.Where(r => r.Instrument == instrument).Select(r => (r.Value, r.Tags))];

    /// <summary>Asks observable instruments (the queue depth gauge) for their values now.</summary>
    public void Observe() => listener.RecordObservableInstruments();

    public void Dispose() => listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        recorded.Enqueue((instrument.Name, value, copy));
    }
}
