namespace Orchard.Domain.State;

/// <summary>User preferences the original master kept (<c>/preferences/purifier</c>).</summary>
public interface IPreferenceStore
{
    Task<bool> GetUsePurifierAsync(CancellationToken cancellationToken = default);

    Task SetUsePurifierAsync(bool usePurifier, CancellationToken cancellationToken = default);
}
