using Orchard.Domain.Webhooks;

namespace Orchard.Functions.Runtime;

/// <summary>The input of a job's callback delivery (instance id: <see cref="DurableJobOrchestrations.CallbackInstanceId"/>).</summary>
public sealed record CallbackRequest(string JobId, CallbackSchedule Schedule);
