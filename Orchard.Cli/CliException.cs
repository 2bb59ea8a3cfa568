namespace Orchard.Cli;

/// <summary>A failure the user can act on: its message is the one sentence the command prints before exiting non-zero.</summary>
public class CliException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The master refused a request: the message is its own <c>{"error"}</c> sentence.</summary>
public sealed class MasterRefusedException(int status, string message) : CliException(message)
{
    public int Status { get; } = status;
}
