using Orchard.Domain.Net;

namespace Orchard.Domain.Workers;

/// <summary>Worker URLs as the original master took them: a URL without a scheme gets <c>http://</c>.</summary>
public static class WorkerUrl
{
    /// <summary>Longer than any real host and port, short enough to store and show.</summary>
    public const int MaxLength = 2048;

    /// <summary>The canonical form (scheme added, no trailing slash); throws <see cref="InvalidWorkerUrlException"/>.</summary>
    public static string Normalize(string? url)
    {
        var trimmed = url?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            throw new InvalidWorkerUrlException("The worker URL is empty; send {\"url\": \"http://host:port\"}.");
        }

        if (trimmed.Length > MaxLength)
        {
            throw new InvalidWorkerUrlException($"The worker URL is {trimmed.Length} characters long; send at most {MaxLength}.");
        }

        if (!trimmed.Contains("://", StringComparison.Ordinal))
        {
            trimmed = "http://" + trimmed;
        }

        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            throw new InvalidWorkerUrlException($"'{url}' is not a worker URL; use http://host:port.");
        }

        return trimmed.TrimEnd('/');
    }

    /// <summary>
    /// The canonical form of a URL Orchard is to call: also throws <see cref="OutboundUrlRefusedException"/> when the
    /// policy refuses it (credentials, query, fragment, plain http, a refused address).
    /// </summary>
    public static string Normalize(string? url, OutboundUrlPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var normalized = Normalize(url);
        policy.Check(normalized, "The worker URL");
        return normalized;
    }
}
