namespace Orchard.LocalHost;

/// <summary>Settings of the local host itself (section "LocalHost").</summary>
public sealed class LocalHostOptions
{
    public const string SectionName = "LocalHost";

    /// <summary>When set, <c>function</c>- and <c>admin</c>-level routes need it as <c>?code=</c> or <c>x-functions-key</c>.</summary>
    public string? FunctionKey { get; set; }

    /// <summary>Where functions.metadata is; default: next to the local host's assembly (the build copies it there).</summary>
    public string? FunctionsMetadataPath { get; set; }
}
