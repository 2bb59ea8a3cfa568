using System.Net;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orchard.Domain.Storage;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Storage;

/// <summary>
/// The app reads AzureWebJobsStorage as the Functions host does. The identity path is checked as far as this machine
/// allows: the settings bind, the client gets the endpoint and credential the host would use, and with no token source
/// here a storage call fails with a sentence within the token time limit.
/// </summary>
public sealed class StorageConnectionTests
{
    private const string Azurite = "UseDevelopmentStorage=true";

    private static StorageConnection Read(Dictionary<string, string?> settings, StorageOptions? options = null) =>
        StorageConnection.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), options ?? new StorageOptions());

    [Fact]
    public void FromConfiguration_UsesTheConnectionString_WhenAzureWebJobsStorageHasOne()
    {
        var connection = Read(new() { ["AzureWebJobsStorage"] = Azurite, ["AzureWebJobsStorage:accountName"] = "ignored" });

        Assert.False(connection.UsesIdentity);
        Assert.Equal(Azurite, connection.ConnectionString);
        Assert.Equal("devstoreaccount1", connection.CreateBlobServiceClient().AccountName);
    }

    [Fact]
    public void FromConfiguration_PrefersStorageConnectionString_WhenBothAreSet()
    {
        var connection = Read(new() { ["AzureWebJobsStorage:accountName"] = "hostaccount" }, new StorageOptions { ConnectionString = Azurite });

        Assert.Equal(Azurite, connection.ConnectionString);
    }

    [Fact]
    public void AddOrchardStorage_BuildsAnIdentityClientForTheAccount_WhenOnlyAccountNameIsSetAsAnEnvironmentVariable()
    {
        // As the host gets it: AzureWebJobsStorage__accountName in the environment, no connection string.
        var prefix = $"ORCHARD_T{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable(prefix + "AzureWebJobsStorage__accountName", "orchardstore");
        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();
            using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddOrchardStorage().BuildServiceProvider();

            var client = services.GetRequiredService<BlobServiceClient>();
            var connection = services.GetRequiredService<StorageConnection>();

            Assert.Equal(new Uri("https://orchardstore.blob.core.windows.net/"), client.Uri);
            Assert.Equal("orchardstore", client.AccountName);
            Assert.False(client.CanGenerateAccountSasUri);
            Assert.IsType<DefaultAzureCredential>(Assert.IsType<StorageConnection.BoundedCredential>(connection.Credential).Inner);
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "AzureWebJobsStorage__accountName", null);
        }
    }

    [Fact]
    public void FromConfiguration_UsesTheUserAssignedIdentityAndBlobServiceUri_WhenCredentialIsManagedIdentity()
    {
        var connection = Read(new()
        {
            ["AzureWebJobsStorage:accountName"] = "other",
            ["AzureWebJobsStorage:blobServiceUri"] = "https://orchardstore.blob.core.windows.net",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
            ["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
        });

        Assert.True(connection.UsesIdentity);
        Assert.Equal(new Uri("https://orchardstore.blob.core.windows.net"), connection.BlobServiceUri);
        Assert.IsType<ManagedIdentityCredential>(Assert.IsType<StorageConnection.BoundedCredential>(connection.Credential).Inner);
        Assert.Equal("orchardstore", connection.CreateBlobServiceClient().AccountName);
    }

    [Theory]
    [InlineData(null, null, null, "No storage account configured")]
    [InlineData("Orchard-Store", null, null, "__accountName")]
    [InlineData(null, "not a uri", null, "__blobServiceUri")]
    [InlineData("orchardstore", null, "clientsecret", "__credential 'clientsecret'")]
    public void FromConfiguration_ThrowsNamingTheSetting_WhenTheConnectionIsMissingOrMalformed(string? accountName, string? blobServiceUri, string? credential, string named)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Read(new()
        {
            ["AzureWebJobsStorage:accountName"] = accountName,
            ["AzureWebJobsStorage:blobServiceUri"] = blobServiceUri,
            ["AzureWebJobsStorage:credential"] = credential,
        }));

        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateUpload_Answers503NamingTheIdentitySettings_WhenTheManagedIdentityGetsNoToken()
    {
        // No managed identity exists on this machine: the user delegation key cannot be asked for, and the answer says
        // why. Bearer tokens travel over TLS only, so the endpoint is https; nothing listens there, nothing is sent.
        var blobEndpoint = "https://127.0.0.1:9/devstoreaccount1";
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = null,
            ["AzureWebJobsStorage:blobServiceUri"] = blobEndpoint,
            ["AzureWebJobsStorage:credential"] = "managedidentity",
            ["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
            ["Storage:IdentityTokenTimeout"] = "00:00:05",
        });

        using var created = await host.Client.PostAsync(new Uri("uploads", UriKind.Relative), content: null);
        var (status, json) = await ApiHost.ReadAsync(created);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("could not sign in to its storage account", (string)json!["error"]!, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobsStorage__credential and __clientId", (string)json!["error"]!, StringComparison.Ordinal);
        Assert.False(host.Services.GetRequiredService<BlobServiceClient>().CanGenerateAccountSasUri);
    }
}
