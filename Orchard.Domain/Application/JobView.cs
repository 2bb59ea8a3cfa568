using System.Text.Json;
using System.Text.Json.Nodes;
using Orchard.Domain.Jobs;
using Orchard.Domain.Json;
using Orchard.Domain.Transcripts;

namespace Orchard.Domain.Application;

/// <summary>
/// The job document the API serves: the original's fields, its chunks and, once completed, its <c>result</c>; a
/// failed or cancelled job's <c>result</c> is the partial transcript it kept (<c>partial: true</c>, <c>gaps</c>).
/// </summary>
public static class JobView
{
    public static JsonObject Create(JobDocument document, Transcript? transcript)
    {
        var view = (JsonObject)JsonSerializer.SerializeToNode(document.Summary, OrchardJson.Options)!;
        view["chunks"] = JsonSerializer.SerializeToNode(document.Chunks, OrchardJson.Options);
        if (transcript is not null)
        {
            view["result"] = JsonSerializer.SerializeToNode(transcript, OrchardJson.Options);
        }

        return view;
    }
}
