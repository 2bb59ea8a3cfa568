using Orchard.Functions;
using Orchard.Functions.Functions.Orchestration;
using Orchard.Functions.Runtime;
using Orchard.LocalHost;
using Orchard.LocalHost.Engine;
using Orchard.LocalHost.Functions;
using Orchard.LocalHost.Http;
using Orchard.LocalHost.Timers;

// Runs the function app's own classes without the Functions host: HTTP routes from functions.metadata,
// orchestrations on DurableTask.AzureStorage, timers on their schedules. Production and `func start` use the real host.
var builder = WebApplication.CreateBuilder(args);
// Below every other source. No timer schedules here: like the Functions host, a timer whose %setting% is missing
// does not run (the start-up log and /health say so).
builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
{
    InitialData = new Dictionary<string, string?>
    {
        // A development host, as `func start` is; AZURE_FUNCTIONS_ENVIRONMENT=Production runs it as the cloud does.
        [Orchard.Domain.Hosting.FunctionsEnvironment.Variable] = Orchard.Domain.Hosting.FunctionsEnvironment.Development,
        // The original's fleet lives on a LAN over plain http; the Functions app refuses both unless told otherwise.
        ["Workers:AllowPrivateNetworks"] = "true",
        ["Workers:AllowHttp"] = "true",
    },
});
var localSettings = LocalSettings.Find();
if (localSettings is not null)
{
    // Below environment variables and arguments, as in the Functions host.
    builder.Configuration.AddInMemoryCollection(LocalSettings.ReadValues(localSettings));
    builder.Configuration.AddEnvironmentVariables();
    builder.Configuration.AddCommandLine(args);
}

builder.WebHost.UseUrls(builder.Configuration["urls"] ?? "http://127.0.0.1:7071");

// host.json as the Functions host applies it: its durable settings sit below every source, so DurableEngine:* overrides them.
var hostJson = HostJson.Load(HostJson.DefaultPath);
hostJson.AddEngineDefaults(builder.Configuration);


builder.Services.AddOptions<LocalHostOptions>().BindConfiguration(LocalHostOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<DurableEngineOptions>()
    .BindConfiguration(DurableEngineOptions.SectionName)
    .PostConfigure(o => UseAppStorageByDefault(o, builder.Configuration))
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddMvcCore();
builder.Services.AddOrchardFunctionApp(builder.Configuration);
builder.Services.AddLocalHostSecurity();
builder.Services.AddLocalHostTelemetry();

// The engine must exist before the worker and client are registered, so its options are read here, once.
using var startupLogging = LoggerFactory.Create(logging => logging.AddConfiguration(builder.Configuration.GetSection("Logging")).AddSimpleConsole());
var startupLog = startupLogging.CreateLogger("Orchard.LocalHost");
var engineOptions = builder.Configuration.GetSection(DurableEngineOptions.SectionName).Get<DurableEngineOptions>() ?? new DurableEngineOptions();
UseAppStorageByDefault(engineOptions, builder.Configuration);
var hostOptions = builder.Configuration.GetSection(LocalHostOptions.SectionName).Get<LocalHostOptions>() ?? new LocalHostOptions();
// The engine's own versioning can be set apart from host.json (DurableEngine:DefaultVersion): it must make sense too.
if (JobVersions.Problem(engineOptions.DefaultVersion, engineOptions.VersionMatchStrategy.ToString()) is { } versionProblem)
{
    throw new InvalidOperationException(versionProblem.Replace("host.json extensions.durableTask.defaultVersion", "DurableEngine:DefaultVersion (or host.json defaultVersion)", StringComparison.Ordinal));
}

await StartupReport.LogAsync(startupLog, localSettings, engineOptions, hostOptions, hostJson, builder.Configuration);

await using var engine = await DurableEngineServer.StartAzureStorageAsync(engineOptions, startupLogging);
builder.Services.AddOrchardDurableEngine(engine, OrchardTasks.Register);

var functions = FunctionMetadata.Read(hostOptions.FunctionsMetadataPath ?? FunctionMetadata.DefaultPath);
builder.Services.AddTimerFunctions(functions);

var app = builder.Build();
app.MapHttpFunctions(functions, hostJson.RoutePrefix);
await app.RunAsync();

// The engine shares the app's storage account unless told otherwise, as the Functions host does.
static void UseAppStorageByDefault(DurableEngineOptions options, IConfiguration configuration)
{
    if (configuration[$"{DurableEngineOptions.SectionName}:{nameof(DurableEngineOptions.StorageConnectionString)}"] is null)
    {
        options.StorageConnectionString = configuration["AzureWebJobsStorage"] ?? options.StorageConnectionString;
    }
}
