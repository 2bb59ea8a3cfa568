
namespace Orchard.Functions.Runtime;

/// <summary>
/// The versions of the job orchestration (<c>JobOrchestrator</c>). An instance keeps the version it started with (host.json
/// <c>extensions.durableTask.defaultVersion</c> at the time) for its whole life, continue-as-new included, and replays
/// the path of that version; a host whose version is older refuses the instance (versionMatchStrategy
/// <c>CurrentOrOlder</c>, versionFailureStrategy <c>Reject</c>), so during a rolling deploy an instance still on the
/// old build cannot take a job the new one started.
/// </summary>
/// <remarks>
/// A change to the order or kind of the orchestration's durable calls adds a version here, raises host.json's
/// <c>defaultVersion</c> to it, and keeps every older path until no job created before that deploy is active
/// (README, "Upgrading a running deployment").
/// </remarks>
public static class JobVersions
{
    /// <summary>Prepare, then check the fleet. Instances started before versioning (no version) run this path too.</summary>
    public const string PrepareFirst = "1.0";

    /// <summary>Check the fleet before preparing: a job no online worker can serve fails at once, before its audio is purified and split.</summary>
    public const string CheckFleetFirst = "2.0";

    /// <summary>The version new jobs start on; host.json ships the same (a test keeps them equal).</summary>
    public const string Current = CheckFleetFirst;

    // Versions have a minor part: the engine compares "major.minor" as numbers, but "10" and "2" as text.

    /// <summary>Every version this build can run, oldest first.</summary>
    public static IReadOnlyList<string> Known { get; } = [PrepareFirst, CheckFleetFirst];

    /// <summary>Whether an instance of <paramref name="version"/> checks the fleet before it prepares its audio.</summary>
    public static bool ChecksFleetFirst(string? version) => AtLeast(version, CheckFleetFirst);

    /// <summary>
    /// Why a host set to start new jobs on <paramref name="defaultVersion"/> with <paramref name="matchStrategy"/> must not
    /// start, as a sentence naming the setting; null when it may.
    /// </summary>
    public static string? Problem(string? defaultVersion, string? matchStrategy)
    {
        if (string.IsNullOrWhiteSpace(defaultVersion))
        {
            return $"host.json extensions.durableTask.defaultVersion is not set, so jobs would start without a version and an older build could take them during a deploy. Set it to \"{Current}\".";
        }

        if (!AtLeast(Current, defaultVersion))
        {
            return $"host.json extensions.durableTask.defaultVersion is \"{defaultVersion}\", newer than the newest job orchestration this build runs (\"{Current}\"). Deploy the build that has it, or set \"{Current}\".";
        }

        if (matchStrategy is not null && !string.Equals(matchStrategy, "CurrentOrOlder", StringComparison.OrdinalIgnoreCase))
        {
            return $"host.json extensions.durableTask.versionMatchStrategy is \"{matchStrategy}\": jobs in flight need \"CurrentOrOlder\" (the default) to survive a deploy of a newer build.";
        }

        return null;
    }

    private static bool AtLeast(string? version, string floor) => Microsoft.DurableTask.Abstractions.TaskOrchestrationVersioningUtils.CompareVersions(version ?? string.Empty, floor) >= 0;
}
