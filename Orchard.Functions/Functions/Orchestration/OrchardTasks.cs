using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Orchard.Domain.Dispatch;
using Orchard.Functions.Runtime;

namespace Orchard.Functions.Functions.Orchestration;

/// <summary>
/// The one registration list of orchestrators and activities, with explicit input and output types, for hosts
/// other than the Functions host (the local host and the tests). The Functions host uses the [Function] triggers;
/// a test checks that both lists name the same functions as the generated functions.metadata.
/// </summary>
public static class OrchardTasks
{
    public static void Register(DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddOrchestratorFunc<JobRequest, JobOutcome>(nameof(JobOrchestrator), (context, _) => JobOrchestrator.RunAsync(context));
        Activity<JobActivities, JobStatusUpdate, Domain.Jobs.JobStatus>(registry, nameof(JobActivities.SetJobStatus), (a, i) => a.SetJobStatus(i));
        Activity<JobActivities, JobRequest, PreparedJob>(registry, nameof(JobActivities.PrepareAudio), (a, i) => a.PrepareAudio(i));
        Activity<JobActivities, string, int>(registry, nameof(JobActivities.BuildTranscript), (a, i) => a.BuildTranscript(i));
        Activity<JobActivities, PartialTranscriptRequest, Domain.Transcripts.PartialBuild>(registry, nameof(JobActivities.BuildPartialTranscript), (a, i) => a.BuildPartialTranscript(i));
        // The Functions host binds [DurableClient]; here it is the host's own client (the holder finds it as a service).
        Activity<DispatchActivities, OfferRequest, int[]>(registry, nameof(DispatchActivities.OfferChunks), (a, i) => a.OfferChunks(i, null!));
        Activity<DispatchActivities, ReviewRequest, ChunkReview[]>(registry, nameof(DispatchActivities.ReviewChunks), (a, i) => a.ReviewChunks(i, null!));
        Activity<DispatchActivities, RevokeRequest, bool>(registry, nameof(DispatchActivities.RevokeLeases), (a, i) => a.RevokeLeases(i));
        Activity<DispatchActivities, FleetCheck, string?>(registry, nameof(DispatchActivities.CheckFleet), (a, i) => a.CheckFleet(i));
        Activity<DispatchActivities, WithdrawRequest, bool>(registry, nameof(DispatchActivities.WithdrawChunks), (a, i) => a.WithdrawChunks(i));
        registry.AddOrchestratorFunc<CallbackRequest, Domain.Webhooks.CallbackResult>(nameof(CallbackOrchestrator), (context, _) => CallbackOrchestrator.RunAsync(context));
        Activity<CallbackActivities, Domain.Webhooks.CallbackAttempt, Domain.Webhooks.CallbackResult>(registry, nameof(CallbackActivities.DeliverCallback), (a, i) => a.DeliverCallback(i));
        // The Functions host binds [DurableClient]; here it is the host's own client.
        registry.AddActivity(nameof(CallbackActivities.StartCallback), services => new ServiceActivity<CallbackActivities, string, bool>(
            services, (a, i) => a.StartCallback(i, services.GetRequiredService<Microsoft.DurableTask.Client.DurableTaskClient>())));
    }

    /// <summary>The names registered here, for the check against functions.metadata.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        nameof(JobOrchestrator), nameof(JobActivities.SetJobStatus), nameof(JobActivities.PrepareAudio),
        nameof(JobActivities.BuildTranscript), nameof(JobActivities.BuildPartialTranscript), nameof(DispatchActivities.OfferChunks), nameof(DispatchActivities.ReviewChunks), nameof(DispatchActivities.RevokeLeases),
        nameof(DispatchActivities.CheckFleet), nameof(DispatchActivities.WithdrawChunks),
        nameof(CallbackOrchestrator), nameof(CallbackActivities.DeliverCallback), nameof(CallbackActivities.StartCallback),
    ];

    private static void Activity<TActivities, TInput, TOutput>(DurableTaskRegistry registry, string name, Func<TActivities, TInput, Task<TOutput>> run)
        where TActivities : class =>
        registry.AddActivity(name, services => new ServiceActivity<TActivities, TInput, TOutput>(services, run));

    /// <summary>Runs an activity method on an instance built from the host's services, as the Functions host does.</summary>
    private sealed class ServiceActivity<TActivities, TInput, TOutput>(IServiceProvider services, Func<TActivities, TInput, Task<TOutput>> run)
        : TaskActivity<TInput, TOutput>
        where TActivities : class
    {
        public override Task<TOutput> RunAsync(TaskActivityContext context, TInput input) =>
            run(ActivatorUtilities.GetServiceOrCreateInstance<TActivities>(services), input);
    }
}
