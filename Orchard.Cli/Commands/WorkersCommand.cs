using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Nodes;
using Orchard.Cli.Master;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Orchard.Cli.Commands;

public sealed class WorkersSettings : MasterSettings
{
    [CommandOption("--json")]
    [Description("The master's JSON as it is.")]
    public bool Json { get; init; }
}

/// <summary><c>orchard workers</c>: the fleet, with each worker's state, measured speed and totals.</summary>
public sealed class WorkersCommand(IAnsiConsole console, CliEnvironment environment) : MasterCommand<WorkersSettings>(console, environment)
{
    protected override async Task<int> RunAsync(MasterClient master, WorkersSettings settings, CancellationToken cancellationToken)
    {
        var listing = await master.GetJsonAsync("workers", cancellationToken);
        if (settings.Json)
        {
            WriteRaw(listing.ToJsonString());
            return 0;
        }

        var workers = (listing["workers"] as JsonArray ?? []).OfType<JsonObject>().ToArray();
        if (workers.Length == 0)
        {
            Console.WriteLine("No workers registered.");
            return 0;
        }

        var table = new Table().AddColumns("worker", "url", "status", "model", "speed ratio", "done", "failed", "last seen");
        foreach (var worker in workers)
        {
            table.AddRow(
                Markup.Escape((string?)worker["name"] ?? (string?)worker["id"] ?? string.Empty),
                Markup.Escape((string?)worker["url"] ?? "-"),
                Markup.Escape((string?)worker["status"] ?? string.Empty),
                Markup.Escape((string?)worker["model"] ?? "-"),
                (double?)worker["average_speed_ratio"] is { } ratio ? string.Create(CultureInfo.InvariantCulture, $"{ratio:0.00}") : "-",
                ((int?)worker["completed_chunks"] ?? 0).ToString(CultureInfo.InvariantCulture),
                ((int?)worker["failed_chunks"] ?? 0).ToString(CultureInfo.InvariantCulture),
                ((DateTimeOffset?)worker["last_seen"])?.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture) ?? "-");
        }

        Console.Write(table);
        return 0;
    }
}
