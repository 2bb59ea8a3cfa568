namespace Orchard.Domain.Workers;

/// <summary>Builds worker records and counts them; shared by both stores so they agree.</summary>
public static class WorkerFactory
{
    /// <summary>A new worker, online as of <paramref name="nowMs"/>.</summary>
    public static Worker New(string id, string? url, string? name, string? model, bool selfRegistered, long nowMs) => new()
    {
        Id = id,
        Url = url,
        Name = name,
        Model = model,
        SelfRegistered = selfRegistered,
        Status = WorkerStatus.Online,
        RegisteredAtMs = nowMs,
        LastSeenMs = nowMs,
    };

    /// <summary>The longest name, model or id a worker may register with; they are shown and stored, never parsed.</summary>
    public const int MaxFieldLength = 100;

    /// <summary>The record a self-registration creates: id = URL when given, else the worker's own id, else a new one.</summary>
    public static Worker FromRegistration(WorkerRegistration registration, long nowMs)
    {
        CheckField("name", registration.Name);
        CheckField("model", registration.Model);
        CheckField("id", registration.Id);
        var languages = Languages(registration.Languages);
        var url = string.IsNullOrWhiteSpace(registration.Url) ? null : WorkerUrl.Normalize(registration.Url);
        var id = url ?? (string.IsNullOrWhiteSpace(registration.Id) ? "w-" + Guid.NewGuid().ToString("N")[..12] : registration.Id.Trim());
        return New(id, url, registration.Name, registration.Model, selfRegistered: true, nowMs) with { Languages = languages };
    }

    /// <summary>More than the languages any engine knows.</summary>
    public const int MaxLanguages = 128;

    /// <summary>Normalised and distinct; null when the worker serves every language (none declared, or <c>auto</c>).</summary>
    private static IReadOnlyList<string>? Languages(IReadOnlyList<string>? declared)
    {
        if (declared is null || declared.Count == 0)
        {
            return null;
        }

        if (declared.Count > MaxLanguages)
        {
            throw new InvalidWorkerRegistrationException($"The worker declared {declared.Count} languages; send at most {MaxLanguages}, or none for every language.");
        }

        var codes = new List<string>();
        foreach (var value in declared)
        {
            if (string.IsNullOrWhiteSpace(value) || !LanguageCode.TryNormalize(value, out var code))
            {
                var shown = value is null ? "null" : value.Length <= 40 ? value : value[..40];
                throw new InvalidWorkerRegistrationException($"'{shown}' in the worker's languages is not a language; use {LanguageCode.Expected}.");
            }

            if (code == LanguageCode.Auto)
            {
                return null;
            }

            if (!codes.Contains(code!))
            {
                codes.Add(code!);
            }
        }

        return codes;
    }

    private static void CheckField(string field, string? value)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length > MaxFieldLength)
        {
            throw new InvalidWorkerRegistrationException($"The worker's {field} is {value.Length} characters long; send at most {MaxFieldLength}.");
        }

        if (value.Any(char.IsControl))
        {
            throw new InvalidWorkerRegistrationException($"The worker's {field} contains control characters; send printable text.");
        }
    }

    /// <summary>Counts by effective status.</summary>
    public static WorkerStats Count(IReadOnlyList<Worker> workers, long nowMs, TimeSpan offlineAfter)
    {
        var statuses = workers.Select(w => w.EffectiveStatus(nowMs, offlineAfter)).ToArray();
        return new WorkerStats(
            workers.Count,
            statuses.Count(s => s == WorkerStatus.Online),
            statuses.Count(s => s == WorkerStatus.Busy),
            statuses.Count(s => s == WorkerStatus.Offline));
    }
}
