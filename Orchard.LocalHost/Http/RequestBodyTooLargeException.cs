namespace Orchard.LocalHost.Http;

/// <summary>
/// The request body passed the Functions host's limit. Deliberately not an IOException: the app reads a broken body
/// (an IOException) as the client's 400, but this is the host refusing, which the router answers with 413.
/// </summary>
internal sealed class RequestBodyTooLargeException : Exception
{
    public RequestBodyTooLargeException() : base(Orchard.Domain.Hosting.FunctionsHostLimits.BodyTooLargeMessage) { }

    public RequestBodyTooLargeException(string message) : base(message) { }

    public RequestBodyTooLargeException(string message, Exception innerException) : base(message, innerException) { }
}
