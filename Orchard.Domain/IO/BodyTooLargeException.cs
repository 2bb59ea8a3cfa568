namespace Orchard.Domain.IO;

/// <summary>A request body over the bound its endpoint reads; the message says what to send instead.</summary>
public sealed class BodyTooLargeException(string message) : Exception(message);
