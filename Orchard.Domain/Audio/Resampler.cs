namespace Orchard.Domain.Audio;

/// <summary>
/// Streaming polyphase windowed-sinc (Kaiser) resampler for any rate pair. The cut-off sits below the lower
/// Nyquist frequency so downsampling does not alias; output sample n is centred on input time n * inRate / outRate,
/// so the timeline is not shifted. Memory is bounded whatever the input length: input is taken in slices of
/// <see cref="SliceSamples"/>, only the filter's reach is kept between slices, and output leaves in fixed blocks.
/// Rates within <see cref="AudioLimits"/> bound the filter table to 4,096 phases × 576 taps (about 9 MB).
/// </summary>
internal sealed class Resampler
{
    private const int MaxPhases = 4096;
    private const int SliceSamples = 8192;
    private const double KaiserBeta = 8.0;
    private readonly long _up;
    private readonly long _down;
    private readonly int _halfTaps;
    private readonly int _phases;
    private readonly float[] _table;
    private readonly float[] _output = new float[4096];
    private float[] _buffer = new float[SliceSamples];
    private int _bufferCount;
    private long _bufferStart;
    private long _nextOutput;
    private long _inputCount;

    public Resampler(int inRate, int outRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inRate, AudioLimits.MinSampleRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inRate, AudioLimits.MaxSampleRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(outRate, AudioLimits.MinSampleRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(outRate, AudioLimits.MaxSampleRate);
        var g = Gcd(inRate, outRate);
        _up = outRate / g;
        _down = inRate / g;
        var ratio = Math.Min(1.0, (double)outRate / inRate);
        var cutoff = 0.5 * ratio * 0.94;
        _halfTaps = (int)Math.Ceiling(12 / ratio);
        _phases = (int)Math.Min(_up, MaxPhases);
        var taps = 2 * _halfTaps;
        _table = new float[_phases * taps];
        var i0Beta = BesselI0(KaiserBeta);
        for (var p = 0; p < _phases; p++)
        {
            var frac = (double)p / _phases;
            for (var k = 0; k < taps; k++)
            {
                // Tap k weighs input sample base - halfTaps + 1 + k; its distance from the output instant:
                var t = (k - _halfTaps + 1) - frac;
                var x = t / _halfTaps;
                var w = Math.Abs(x) >= 1 ? 0 : BesselI0(KaiserBeta * Math.Sqrt(1 - (x * x))) / i0Beta;
                var arg = 2 * cutoff * t;
                var sinc = Math.Abs(arg) < 1e-12 ? 1 : Math.Sin(Math.PI * arg) / (Math.PI * arg);
                _table[(p * taps) + k] = (float)(2 * cutoff * sinc * w);
            }
        }
    }

    /// <summary>Feeds input; calls <paramref name="emit"/> with ready output blocks.</summary>
    public void Process(ReadOnlySpan<float> input, Action<ReadOnlySpan<float>> emit)
    {
        for (var offset = 0; offset < input.Length; offset += SliceSamples)
        {
            var slice = input.Slice(offset, Math.Min(SliceSamples, input.Length - offset));
            Append(slice);
            _inputCount += slice.Length;
            Produce(final: false, emit);
        }
    }

    /// <summary>Flushes the tail (zero-padded) so the output length is round(inputs * outRate / inRate).</summary>
    public void Flush(Action<ReadOnlySpan<float>> emit) => Produce(final: true, emit);

    private void Produce(bool final, Action<ReadOnlySpan<float>> emit)
    {
        var totalOut = final ? ((_inputCount * _up) + (_down / 2)) / _down : long.MaxValue;
        var output = _output;
        var count = 0;
        var taps = 2 * _halfTaps;
        while (_nextOutput < totalOut)
        {
            var pos = _nextOutput * _down;
            var baseIndex = pos / _up;
            if (!final && baseIndex + _halfTaps >= _bufferStart + _bufferCount)
            {
                break;
            }

            var phase = (int)((pos % _up) * _phases / _up);
            var coeffs = _table.AsSpan(phase * taps, taps);
            var first = baseIndex - _halfTaps + 1;
            double acc = 0;
            for (var k = 0; k < taps; k++)
            {
                var idx = first + k - _bufferStart;
                if (idx >= 0 && idx < _bufferCount)
                {
                    acc += coeffs[k] * _buffer[idx];
                }
            }

            output[count++] = (float)acc;
            _nextOutput++;
            if (count == output.Length)
            {
                emit(output);
                count = 0;
            }
        }

        if (count > 0)
        {
            emit(output.AsSpan(0, count));
        }

        // Drop input no future output can reach.
        var keepFrom = (_nextOutput * _down / _up) - _halfTaps;
        var drop = (int)Math.Clamp(keepFrom - _bufferStart, 0, _bufferCount);
        if (drop > 0)
        {
            _buffer.AsSpan(drop, _bufferCount - drop).CopyTo(_buffer);
            _bufferCount -= drop;
            _bufferStart += drop;
        }
    }

    private void Append(ReadOnlySpan<float> input)
    {
        if (_bufferCount + input.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _bufferCount + input.Length));
        }

        input.CopyTo(_buffer.AsSpan(_bufferCount));
        _bufferCount += input.Length;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    private static double BesselI0(double x)
    {
        double sum = 1, term = 1;
        for (var k = 1; k < 50; k++)
        {
            term *= (x / (2 * k)) * (x / (2 * k));
            sum += term;
            if (term < 1e-12 * sum)
            {
                break;
            }
        }

        return sum;
    }
}
