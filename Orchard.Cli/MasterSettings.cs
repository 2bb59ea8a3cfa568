using System.ComponentModel;
using Spectre.Console.Cli;

namespace Orchard.Cli;

/// <summary>Which master to talk to, for every command: options first, then <c>ORCHARD_MASTER</c> and <c>ORCHARD_KEY</c>.</summary>
public class MasterSettings : CommandSettings
{
    [CommandOption("--master <URL>")]
    [Description("The master's base URL, e.g. http://127.0.0.1:7071 (default: $ORCHARD_MASTER).")]
    public string? Master { get; init; }

    [CommandOption("--key <KEY>")]
    [Description("A function key, sent as x-functions-key (default: $ORCHARD_KEY).")]
    public string? Key { get; init; }
}
