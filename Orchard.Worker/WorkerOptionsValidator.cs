using Microsoft.Extensions.Options;
using Orchard.Worker.Audio;
using Orchard.Worker.Contract;
using Orchard.Worker.Core;
using Orchard.Worker.Engines;

namespace Orchard.Worker;

/// <summary>
/// Checks <see cref="WorkerOptions"/> when the worker starts, so a wrong setting stops it at once with a message that
/// names the setting and the fix, rather than failing the first chunk the master sends.
/// </summary>
public sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var urls = options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length == 0)
        {
            errors.Add("Worker:Urls is empty: give the address to listen on, e.g. http://127.0.0.1:8080.");
        }

        errors.AddRange(urls.Where(u => !IsListenUrl(u)).Select(u => $"Worker:Urls: '{u}' is not an absolute http(s) URL."));
        if (!string.IsNullOrWhiteSpace(options.PublicUrl) && !IsHttpUrl(options.PublicUrl))
        {
            errors.Add($"Worker:PublicUrl: '{options.PublicUrl}' is not an absolute http(s) URL.");
        }

        if (!string.IsNullOrWhiteSpace(options.MasterUrl) && !IsHttpUrl(options.MasterUrl))
        {
            errors.Add($"Worker:MasterUrl: '{options.MasterUrl}' is not an absolute http(s) URL.");
        }

        ValidateMode(options, errors);
        if (string.IsNullOrWhiteSpace(options.Name))
        {
            errors.Add("Worker:Name is empty.");
        }

        if (!LanguageCode.TryNormalize(options.Language, out _))
        {
            errors.Add($"Worker:Language: '{options.Language}' is not a language; use {LanguageCode.Expected}.");
        }

        if (string.Equals(options.Engine, WorkerOptions.Whisper, StringComparison.OrdinalIgnoreCase))
        {
            ValidateWhisper(options, errors);
        }
        else if (string.Equals(options.Engine, WorkerOptions.PocketSphinx, StringComparison.OrdinalIgnoreCase))
        {
            ValidatePocketSphinx(options, errors);
        }
        else
        {
            errors.Add($"Worker:Engine: '{options.Engine}' is not an engine; use '{WorkerOptions.PocketSphinx}' or '{WorkerOptions.Whisper}'.");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            errors.Add("Worker:Timeout must be positive.");
        }

        if (options.QueueTimeout < TimeSpan.Zero)
        {
            errors.Add("Worker:QueueTimeout must not be negative.");
        }

        if (options.MaxAudioBytes <= 0)
        {
            errors.Add("Worker:MaxAudioBytes must be positive.");
        }

        if (options.RetryInitialDelay <= TimeSpan.Zero || options.RetryMaxDelay < options.RetryInitialDelay)
        {
            errors.Add("Worker:RetryInitialDelay must be positive and not above Worker:RetryMaxDelay.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateMode(WorkerOptions options, List<string> errors)
    {
        string[] modes = [WorkerOptions.AutoMode, WorkerOptions.PullMode, WorkerOptions.PushMode];
        if (!modes.Contains(options.Mode, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"Worker:Mode: '{options.Mode}' is not a mode; use 'auto' (pull when Worker:PublicUrl is empty), 'pull' or 'push'.");
            return;
        }

        if (!string.Equals(options.Mode, WorkerOptions.PullMode, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(options.MasterUrl))
        {
            errors.Add("Worker:Mode=pull needs Worker:MasterUrl: a pull worker asks the master for chunks.");
        }

        // A pull worker never tells the master a URL, so a PublicUrl here is an operator expecting calls that never come.
        if (!string.IsNullOrWhiteSpace(options.PublicUrl))
        {
            errors.Add("Worker:PublicUrl is set but Worker:Mode=pull opens no port: remove Worker:PublicUrl, or use Worker:Mode=push to be called on it.");
        }
    }

    private static void ValidateWhisper(WorkerOptions options, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(options.ModelPath))
        {
            errors.Add("Worker:ModelPath is required with Worker:Engine=whisper: the ggml model file (e.g. /var/lib/orchard/ggml-base.bin).");
        }

        if (options.DownloadModel && !WhisperEngine.TryParseModel(options.Model, out _))
        {
            errors.Add($"Worker:Model: '{options.Model}' is not a ggml model that can be downloaded; use one of {WhisperEngine.KnownModels}, or set Worker:DownloadModel=false.");
        }
    }

    private static void ValidatePocketSphinx(WorkerOptions options, List<string> errors)
    {
        const string install = "install it with `apt-get install pocketsphinx pocketsphinx-en-us`";
        if (ExternalProcess.Find(options.PocketSphinxBinary) is null)
        {
            errors.Add($"Worker:PocketSphinxBinary: '{options.PocketSphinxBinary}' was not found; {install}.");
        }

        if (!File.Exists(Path.Combine(options.PocketSphinxHmm, "mdef")))
        {
            errors.Add($"Worker:PocketSphinxHmm: '{options.PocketSphinxHmm}' is not an acoustic model directory (no mdef); {install}.");
        }

        if (!File.Exists(options.PocketSphinxLm))
        {
            errors.Add($"Worker:PocketSphinxLm: '{options.PocketSphinxLm}' was not found; {install}.");
        }

        if (!File.Exists(options.PocketSphinxDict))
        {
            errors.Add($"Worker:PocketSphinxDict: '{options.PocketSphinxDict}' was not found; {install}.");
        }

        if (!PocketSphinxEngine.Supports(options.Language))
        {
            errors.Add($"Worker:Language: '{options.Language}': the PocketSphinx engine recognizes English only; use 'auto' or 'en'.");
        }
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>Kestrel also takes <c>*</c> and <c>+</c> for "every address", which <see cref="Uri"/> does not parse.</summary>
    private static bool IsListenUrl(string value) =>
        IsHttpUrl(value.Replace("://*", "://any", StringComparison.Ordinal).Replace("://+", "://any", StringComparison.Ordinal));
}
