namespace Orchard.Worker.Core;

/// <summary>
/// The worker's settings, section <c>Worker</c> (environment: <c>Worker__Engine=whisper</c>; command line:
/// <c>--Worker:Engine=whisper</c>). Checked on start by <see cref="WorkerOptionsValidator"/>.
/// </summary>
public sealed class WorkerOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Worker";

    /// <summary>Engine name for CMU PocketSphinx (offline, English, from Debian's packages).</summary>
    public const string PocketSphinx = "pocketsphinx";

    /// <summary>Engine name for Whisper through Whisper.net (a ggml model file).</summary>
    public const string Whisper = "whisper";

    /// <summary>Mode: pull when <see cref="MasterUrl"/> is set and <see cref="PublicUrl"/> is not, push otherwise.</summary>
    public const string AutoMode = "auto";

    /// <summary>Mode: the worker calls the master for chunks (worker protocol v1) and opens no port.</summary>
    public const string PullMode = "pull";

    /// <summary>Mode: the worker serves <c>POST /transcribe</c> and the master sends it chunks.</summary>
    public const string PushMode = "push";

    /// <summary>
    /// <c>auto</c>, <c>pull</c> or <c>push</c>. Auto pulls when the master cannot be told a URL to call (no
    /// <see cref="PublicUrl"/>) but can be reached (<see cref="MasterUrl"/>): a device behind NAT needs no open port.
    /// </summary>
    public string Mode { get; set; } = AutoMode;

    /// <summary>
    /// Where Kestrel listens, separated by <c>;</c>. Loopback by default: a worker exposed on the network serves
    /// anyone who can reach it, so that has to be a deliberate choice (<c>http://0.0.0.0:8080</c>).
    /// </summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary>The URL the master should call this worker on; sent when registering (null lets the master decide).</summary>
    public string? PublicUrl { get; set; }

    /// <summary>The master's base URL (e.g. <c>https://orchard.example.net</c>); empty: no registration (added by hand).</summary>
    public string? MasterUrl { get; set; }

    /// <summary>Sent as <c>x-functions-key</c> to the master when set. Give it by environment or a secret store, never in a file in git.</summary>
    public string? FunctionKey { get; set; }

    /// <summary>The name the master shows for this worker.</summary>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary><c>pocketsphinx</c> (default: works offline here) or <c>whisper</c>.</summary>
    public string Engine { get; set; } = PocketSphinx;

    /// <summary>Whisper: the ggml model file. Required for <c>whisper</c>.</summary>
    public string? ModelPath { get; set; }

    /// <summary>Whisper: the ggml model type (<c>tiny</c>, <c>base</c>, <c>small</c>, <c>medium</c>, <c>large-v3</c>, ...), reported in answers and fetched when the file is missing.</summary>
    public string Model { get; set; } = "base";

    /// <summary>Whisper: download <see cref="Model"/> to <see cref="ModelPath"/> on first use when the file is missing.</summary>
    public bool DownloadModel { get; set; } = true;

    /// <summary>The language when a request does not name one: <c>auto</c> lets Whisper detect it; PocketSphinx is English only.</summary>
    public string Language { get; set; } = "auto";

    /// <summary>PocketSphinx: the <c>pocketsphinx_continuous</c> program (a name on PATH or a path).</summary>
    public string PocketSphinxBinary { get; set; } = "pocketsphinx_continuous";

    /// <summary>PocketSphinx: the acoustic model directory (<c>-hmm</c>).</summary>
    public string PocketSphinxHmm { get; set; } = "/usr/share/pocketsphinx/model/en-us/en-us";

    /// <summary>PocketSphinx: the language model (<c>-lm</c>).</summary>
    public string PocketSphinxLm { get; set; } = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin";

    /// <summary>PocketSphinx: the pronunciation dictionary (<c>-dict</c>).</summary>
    public string PocketSphinxDict { get; set; } = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";

    /// <summary>ffmpeg, used to convert WAV that is not 16 kHz mono 16-bit PCM.</summary>
    public string Ffmpeg { get; set; } = "ffmpeg";

    /// <summary>The longest one transcription (conversion included) may take; the master caps its own wait at 10 minutes.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a request waits while another is being transcribed before it gets 503. The master sends one chunk
    /// at a time per worker, so a wait is rare (a retry racing a slow answer); bounded so it never piles up.
    /// </summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest request body; a 3-minute chunk at 48 kHz stereo is about 35 MB.</summary>
    public long MaxAudioBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>The first wait after the master could not be reached; it doubles up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts to reach the master.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Whether these settings make a pull worker (see <see cref="Mode"/>); the validator rejects any other mode name.</summary>
    public bool IsPull =>
        string.Equals(Mode, PullMode, StringComparison.OrdinalIgnoreCase)
        || (string.Equals(Mode, AutoMode, StringComparison.OrdinalIgnoreCase)
            && string.IsNullOrWhiteSpace(PublicUrl)
            && !string.IsNullOrWhiteSpace(MasterUrl));
}
