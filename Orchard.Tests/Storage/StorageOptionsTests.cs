using System.ComponentModel.DataAnnotations;
using Orchard.Domain.Storage;

namespace Orchard.Tests.Storage;

public class StorageOptionsTests
{
    private static List<ValidationResult> Validate(StorageOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void Validate_Passes_WithDefaultsIncludingTwelveHourRecordingLimit()
    {
        var options = new StorageOptions();
        Assert.Empty(Validate(options));
        Assert.Equal(TimeSpan.FromHours(12), options.MaxRecordingDuration);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("1.00:00:01")]
    public void Validate_Fails_WhenMaxRecordingDurationIsOutOfRange(string value)
    {
        var errors = Validate(new StorageOptions { MaxRecordingDuration = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Contains(errors, e => e.MemberNames.Contains(nameof(StorageOptions.MaxRecordingDuration)));
    }
}
