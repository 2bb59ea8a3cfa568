namespace Orchard.Domain.Dashboard;

/// <summary>The dashboard: one HTML page with its CSS and script inline, embedded in this assembly (nothing from a CDN: the master may run on a LAN without internet).</summary>
public static class DashboardPage
{
    private static readonly Lazy<string> Html = new(() =>
    {
        using var stream = typeof(DashboardPage).Assembly.GetManifestResourceStream("Orchard.Domain.Dashboard.dashboard.html")
            ?? throw new InvalidOperationException("The dashboard page is not embedded in Orchard.Domain.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static string Content => Html.Value;

    /// <summary>
    /// What the page may load and where it may connect: itself, and the storage account that upload URLs point at
    /// (its blocks go there directly). Inline script and style only: the page is one file.
    /// </summary>
    public static string SecurityPolicy(Uri? storage)
    {
        var upload = storage is null ? string.Empty : $" {storage.GetLeftPart(UriPartial.Authority)}";
        return $"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; media-src 'self'; connect-src 'self'{upload}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }
}
