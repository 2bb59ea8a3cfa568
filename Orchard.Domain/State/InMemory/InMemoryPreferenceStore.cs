using Microsoft.Extensions.Options;

namespace Orchard.Domain.State.InMemory;

/// <summary>Preferences in process memory (the fallback).</summary>
public sealed class InMemoryPreferenceStore(IOptions<StateOptions> options) : IPreferenceStore
{
    private readonly Lock gate = new();
    private bool? usePurifier;

    public Task<bool> GetUsePurifierAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(Read() ?? options.Value.DefaultUsePurifier);

    private bool? Read()
    {
        lock (gate)
        {
            return usePurifier;
        }
    }

    public Task SetUsePurifierAsync(bool value, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            usePurifier = value;
        }

        return Task.CompletedTask;
    }
}
