namespace Orchard.Domain.Security;

/// <summary>Who is calling, as <see cref="CallerAuthorizer"/> established it from the request's credentials.</summary>
public sealed record CallerIdentity(Role Role, string Id)
{
    /// <summary>The owner a job submitted by the administrator records.</summary>
    public const string AdministratorId = "admin";

    public static CallerIdentity Administrator { get; } = new(Role.Administrator, AdministratorId);

    public bool IsAdministrator => Role == Role.Administrator;

    /// <summary>What a job this caller submits records as its owner: the client id, or <c>admin</c>.</summary>
    public string Owner => Id;

    /// <summary>Whether this caller may see a job with this owner: the administrator every job, a client only its own.</summary>
    public bool MaySee(string? owner) =>
        Role == Role.Administrator || (Role == Role.Client && string.Equals(owner, Id, StringComparison.Ordinal));

    /// <summary>Throws <see cref="ForbiddenException"/> unless the caller has one of <paramref name="roles"/>.</summary>
    public CallerIdentity Require(params Role[] roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        return roles.Contains(Role) ? this : throw new ForbiddenException(Role, roles);
    }
}
