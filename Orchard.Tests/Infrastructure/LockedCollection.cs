using System.Collections;

namespace Orchard.Tests.Infrastructure;

/// <summary>
/// A collection other threads may add to while a test reads it (an in-memory telemetry exporter's target: spans end
/// on whatever thread ran them). Read it through <see cref="Snapshot"/>.
/// </summary>
public sealed class LockedCollection<T> : ICollection<T>
{
    private readonly List<T> items = [];
    private readonly Lock gate = new();

    public int Count
    {
        get
        {
            lock (gate)
            {
                return items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public IReadOnlyList<T> Snapshot()
    {
        lock (gate)
        {
            return [.. items];
        }
    }

    public void Add(T item)
    {
        lock (gate)
        {
            items.Add(item);
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            items.Clear();
        }
    }

    public bool Contains(T item)
    {
        lock (gate)
        {
            return items.Contains(item);
        }
    }

    public void CopyTo(T[] array, int arrayIndex)
    {
        lock (gate)
        {
            items.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(T item)
    {
        lock (gate)
        {
            return items.Remove(item);
        }
    }

    public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
