// The orchard CLI (which does not reference Orchard.Domain) compiles this same file into its own namespace, so its
// choice between a request body and /uploads follows the one limit.
#if ORCHARD_CLI
namespace Orchard.Cli.Contract;
#else
namespace Orchard.Domain.Hosting;
#endif

/// <summary>
/// Limits the Azure Functions host enforces before the app runs. The local host reproduces them, so what passes
/// there also passes in Azure.
/// </summary>
public static class FunctionsHostLimits
{
    /// <summary>
    /// Largest request body the host passes on (<c>FUNCTIONS_REQUEST_BODY_SIZE_LIMIT</c>, 100 MB by default); larger
    /// recordings go through <c>POST /uploads</c>.
    /// </summary>
    public const long MaxRequestBodyBytes = 104_857_600;

    /// <summary>The sentence for a body over <see cref="MaxRequestBodyBytes"/>.</summary>
    public const string BodyTooLargeMessage =
        "The request body is larger than the 100 MB an Azure Functions request may carry. Upload the recording with POST /uploads (it answers a URL to PUT it to), then submit it with POST /jobs {\"blob\": ...}.";
}
