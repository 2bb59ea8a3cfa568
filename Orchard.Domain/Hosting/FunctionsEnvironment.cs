using Microsoft.Extensions.Configuration;

namespace Orchard.Domain.Hosting;

/// <summary>
/// The Functions convention for the environment: <c>AZURE_FUNCTIONS_ENVIRONMENT</c>, which <c>func start</c> and
/// local.settings.json set to <c>Development</c> and Azure leaves at <c>Production</c>. Defaults that are only safe on
/// one developer's machine key off this, so a cloud app missing a setting fails loudly instead of quietly degrading.
/// </summary>
public static class FunctionsEnvironment
{
    public const string Variable = "AZURE_FUNCTIONS_ENVIRONMENT";

    public const string Development = "Development";

    public static bool IsDevelopment(IConfiguration configuration) =>
        string.Equals(configuration[Variable], Development, StringComparison.OrdinalIgnoreCase);
}
