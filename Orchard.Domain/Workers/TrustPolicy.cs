using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Orchard.Domain.Workers;

/// <summary>
/// Trust in volunteer workers, as volunteer computing does it: an enrolled worker's answers count only once a trusted
/// worker's answer for the same audio agrees with them, for its first <see cref="WorkersOptions.VerifyAnswers"/>
/// answers and a stated share afterwards; one disagreement quarantines it. Pure: no I/O.
/// </summary>
public static class TrustPolicy
{
    /// <summary>Whether this answer of this worker must wait for a trusted worker's answer to the same chunk.</summary>
    public static bool NeedsCheck(Worker worker, string leaseId, WorkersOptions options) => options.Verification && worker.Trust switch
    {
        WorkerTrust.Trusted => false,
        WorkerTrust.Verified => SpotCheck(leaseId, options.SpotCheckFraction),
        _ => true,
    };

    /// <summary>Whether the worker may be given a chunk of a job that asked for trusted workers only.</summary>
    public static bool MayServeTrustedOnly(Worker worker) => worker.Trust == WorkerTrust.Trusted;

    /// <summary>
    /// Word agreement of two transcripts of the same audio: 1 − word edit distance ÷ the longer one's word count
    /// (case and punctuation ignored; two empty answers agree).
    /// </summary>
    public static double Agreement(string a, string b)
    {
        var x = Words(a);
        var y = Words(b);
        if (x.Length == 0 && y.Length == 0)
        {
            return 1;
        }

        var previous = new int[y.Length + 1];
        var current = new int[y.Length + 1];
        for (var j = 0; j <= y.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= x.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= y.Length; j++)
            {
                var substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return 1 - ((double)previous[y.Length] / Math.Max(x.Length, y.Length));
    }

    /// <summary>The same share of leases everywhere and on every replay: from the lease id's hash, not a random draw.</summary>
    private static bool SpotCheck(string leaseId, double fraction)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(leaseId));
        return BitConverter.ToUInt32(hash, 0) / (double)uint.MaxValue < fraction;
    }

    private static string[] Words(string text) =>
        text.ToLower(CultureInfo.InvariantCulture)
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(w => new string(w.Where(char.IsLetterOrDigit).ToArray()))
            .Where(w => w.Length > 0)
            .Take(20_000)
            .ToArray();
}
