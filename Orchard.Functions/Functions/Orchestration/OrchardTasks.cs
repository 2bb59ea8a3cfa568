using Microsoft.DurableTask;

namespace Orchard.Functions.Functions.Orchestration;

// Stub so the engine branch compiles; the app branch replaces it at merge with the one registration list.
public static class OrchardTasks
{
    public static void Register(DurableTaskRegistry registry)
    {
    }
}
