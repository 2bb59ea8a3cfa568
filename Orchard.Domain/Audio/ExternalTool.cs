using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Orchard.Domain.Audio;

/// <summary>Result of one ffmpeg/ffprobe run.</summary>
internal sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>Runs ffmpeg/ffprobe with a timeout; stderr is kept (bounded) so errors can quote it.</summary>
internal static class ExternalTool
{
    private const int MaxStderrChars = 4000;

    public static async Task<ToolResult> RunAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan timeout, bool captureStdout, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = captureStdout,
            RedirectStandardInput = false,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new AudioToolMissingException(Path.GetFileName(fileName), ex);
        }

        // Both pipes are drained concurrently so a chatty tool can never block on a full pipe.
        var stderrTask = ReadBoundedAsync(process.StandardError);
        var stdoutTask = captureStdout ? process.StandardOutput.ReadToEndAsync(CancellationToken.None) : Task.FromResult(string.Empty);

        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutCts.Token);
        }
        catch (OperationCanceledException)
        {
            TryKill(process);
            var partial = await stderrTask;
            ct.ThrowIfCancellationRequested();
            throw new AudioToolException($"{Path.GetFileName(fileName)} did not finish reading the recording within {timeout}") { Detail = AudioProbe.FirstLines(partial) };
        }

        return new ToolResult(process.ExitCode, await stdoutTask, (await stderrTask).Trim());
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already exited between the timeout and the kill.
        }
    }

    private static async Task<string> ReadBoundedAsync(StreamReader reader)
    {
        var sb = new StringBuilder();
        var buffer = new char[4096];
        int n;
        while ((n = await reader.ReadAsync(buffer.AsMemory())) > 0)
        {
            sb.Append(buffer, 0, n);
            if (sb.Length > 2 * MaxStderrChars)
            {
                // Keep the head (first error) and drop the middle of floods of repeated warnings.
                sb.Remove(MaxStderrChars / 2, sb.Length - MaxStderrChars);
            }
        }

        return sb.ToString();
    }
}
