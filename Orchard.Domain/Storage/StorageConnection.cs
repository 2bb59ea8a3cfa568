using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace Orchard.Domain.Storage;

/// <summary>
/// How the app reaches its storage account, read as the Functions host reads its <c>AzureWebJobsStorage</c> connection:
/// a connection string (<c>Storage:ConnectionString</c>, else the value of <c>AzureWebJobsStorage</c>), or identity-based
/// settings under <c>AzureWebJobsStorage__*</c>: <c>blobServiceUri</c> (else <c>accountName</c>, meaning
/// https://{name}.blob.core.windows.net), <c>credential=managedidentity</c> and <c>clientId</c> for a user-assigned
/// identity. The one place a <see cref="BlobServiceClient"/> is built.
/// </summary>
public sealed class StorageConnection
{
    /// <summary>The Functions host's connection name, which the app shares.</summary>
    public const string HostConnectionName = "AzureWebJobsStorage";

    public const string ManagedIdentity = "managedidentity";

    private StorageConnection(string? connectionString, Uri? blobServiceUri, TokenCredential? credential)
    {
        ConnectionString = connectionString;
        BlobServiceUri = blobServiceUri;
        Credential = credential;
    }

    /// <summary>The connection string, when the account is reached with one (an account key, Azurite, a SAS).</summary>
    public string? ConnectionString { get; }

    /// <summary>The Blob endpoint, when the account is reached by identity.</summary>
    public Uri? BlobServiceUri { get; }

    /// <summary>The identity's credential (bounded in time, failing with <see cref="StorageIdentityException"/>); null with a connection string.</summary>
    public TokenCredential? Credential { get; }

    public bool UsesIdentity => Credential is not null;

    /// <summary>The Blob service version, pinned to one Azurite accepts.</summary>
    public static BlobClientOptions ClientOptions() => new(BlobClientOptions.ServiceVersion.V2025_11_05);

    /// <summary>
    /// Reads the connection; throws <see cref="InvalidOperationException"/> with a sentence naming the settings when
    /// there is none or it is malformed.
    /// </summary>
    public static StorageConnection FromConfiguration(IConfiguration configuration, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        if (options.ConnectionString is { Length: > 0 } configured)
        {
            return new StorageConnection(configured, null, null);
        }

        var section = configuration.GetSection(HostConnectionName);
        if (section.Value is { Length: > 0 } hostConnectionString)
        {
            return new StorageConnection(hostConnectionString, null, null);
        }

        var endpoint = BlobEndpoint(section["blobServiceUri"], section["accountName"]);
        var credential = CreateCredential(section["credential"], section["clientId"]);
        return new StorageConnection(null, endpoint, new BoundedCredential(credential, options.IdentityTokenTimeout));
    }

    /// <summary>A client for the account; <paramref name="clientOptions"/> defaults to <see cref="ClientOptions"/>.</summary>
    public BlobServiceClient CreateBlobServiceClient(BlobClientOptions? clientOptions = null)
    {
        clientOptions ??= ClientOptions();
        return Credential is null
            ? new BlobServiceClient(ConnectionString, clientOptions)
            : new BlobServiceClient(BlobServiceUri, Credential, clientOptions);
    }

    private static Uri BlobEndpoint(string? blobServiceUri, string? accountName)
    {
        if (!string.IsNullOrWhiteSpace(blobServiceUri))
        {
            return Uri.TryCreate(blobServiceUri.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
                ? uri
                : throw new InvalidOperationException($"{HostConnectionName}__blobServiceUri must be the account's Blob endpoint, e.g. https://myaccount.blob.core.windows.net.");
        }

        if (!string.IsNullOrWhiteSpace(accountName))
        {
            var name = accountName.Trim();
            return name.Length is >= 3 and <= 24 && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))
                ? new Uri($"https://{name}.blob.core.windows.net")
                : throw new InvalidOperationException($"{HostConnectionName}__accountName must be a storage account name (3-24 lowercase letters and digits).");
        }

        throw new InvalidOperationException(
            $"No storage account configured: set {HostConnectionName} to a connection string (UseDevelopmentStorage=true for Azurite), " +
            $"or {HostConnectionName}__accountName (or __blobServiceUri) to reach it by identity, or Storage:ConnectionString.");
    }

    // As the Functions host builds it: managedidentity means the app's managed identity (the user-assigned one named by
    // clientId, else the system-assigned one); no credential setting means the default chain, the developer's sign-in locally.
    private static TokenCredential CreateCredential(string? credential, string? clientId)
    {
        clientId = string.IsNullOrWhiteSpace(clientId) ? null : clientId.Trim();
        if (string.Equals(credential?.Trim(), ManagedIdentity, StringComparison.OrdinalIgnoreCase))
        {
            return clientId is null
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        }

        if (!string.IsNullOrWhiteSpace(credential))
        {
            throw new InvalidOperationException($"{HostConnectionName}__credential '{credential.Trim()}' is not supported: set it to {ManagedIdentity}, or leave it out for the default Azure credential chain.");
        }

        return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
    }

    /// <summary>
    /// The identity's credential, held to a time limit: where no token source answers (no managed identity, a blocked
    /// metadata endpoint), a storage call fails with a sentence instead of waiting on the credential's own retries.
    /// </summary>
    internal sealed class BoundedCredential(TokenCredential inner, TimeSpan timeout) : TokenCredential
    {
        public TokenCredential Inner => inner;

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(timeout);
            try
            {
                return await inner.GetTokenAsync(requestContext, bounded.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new StorageIdentityException($"no token within {timeout.TotalSeconds:0} s");
            }
            catch (AuthenticationFailedException ex)
            {
                throw new StorageIdentityException(FirstLine(ex.Message), ex);
            }
        }

        private static string FirstLine(string message)
        {
            var line = message.Split('\n', 2)[0].Trim();
            return line.Length <= 300 ? line : line[..300] + "…";
        }
    }
}
