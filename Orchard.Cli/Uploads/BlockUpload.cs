using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Orchard.Cli.Master;

namespace Orchard.Cli.Uploads;

/// <summary>
/// A large recording through <c>POST /uploads</c>: Put Block for each block of the file to the write-only URL the master
/// gave, then Put Block List. Each stored block is recorded in the <see cref="UploadState"/> before the next is sent,
/// so a run that is interrupted (network, Ctrl+C, a crash) goes on where it stopped when the same command runs again.
/// </summary>
public sealed class BlockUpload(MasterClient master, UploadStateStore states, CliEnvironment environment)
{
    // The service version the requests speak; an upload URL's own signature version is in its query.
    private const string StorageVersion = "2025-11-05";

    // A URL about to expire would fail half-way: start afresh instead.
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromMinutes(10);

    /// <summary>Uploads (or goes on uploading) <paramref name="file"/>; answers the committed state, whose blob is to be submitted.</summary>
    public async Task<UploadState> UploadAsync(FileInfo file, Action<long, long> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(progress);
        var key = master.BaseUrl.ToString();
        var fingerprint = UploadState.FingerprintOf(file);
        var state = states.Load(key, file.FullName);
        if (state is not null && (state.Fingerprint != fingerprint || state.ExpiresAt - ExpiryMargin < environment.Time.GetUtcNow()))
        {
            states.Delete(key, file.FullName);
            state = null;
        }

        state ??= await NewSlotAsync(key, file, fingerprint, cancellationToken);
        if (state.Committed)
        {
            progress(file.Length, file.Length);
            return state;
        }

        var blocks = (int)((file.Length + state.BlockSize - 1) / state.BlockSize);
        progress(Math.Min(file.Length, state.Staged.Sum(i => BlockLength(file.Length, state.BlockSize, i))), file.Length);
        await using (var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous))
        {
            var buffer = new byte[state.BlockSize];
            for (var index = 0; index < blocks; index++)
            {
                if (state.Staged.Contains(index))
                {
                    continue;
                }

                var length = (int)BlockLength(file.Length, state.BlockSize, index);
                stream.Seek((long)index * state.BlockSize, SeekOrigin.Begin);
                await stream.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken);
                await PutBlockAsync(state, index, blocks, buffer, length, cancellationToken);
                state.Staged.Add(index);
                states.Save(state);
                progress(state.Staged.Sum(i => BlockLength(file.Length, state.BlockSize, i)), file.Length);
            }
        }

        await PutBlockListAsync(key, file, state, blocks, cancellationToken);
        state = state with { Committed = true };
        states.Save(state);
        return state;
    }

    /// <summary>Block ids are one length within a blob, as the storage service requires.</summary>
    public static string BlockId(int index) => Convert.ToBase64String(Encoding.ASCII.GetBytes($"orchard-{index:D8}"));

    private static long BlockLength(long size, int blockSize, int index) => Math.Min(blockSize, size - ((long)index * blockSize));

    private async Task<UploadState> NewSlotAsync(string key, FileInfo file, string fingerprint, CancellationToken cancellationToken)
    {
        // The grant is for this file's size: the master refuses the job if more than that is committed.
        using var declared = new StringContent($"{{\"bytes\": {file.Length}}}", Encoding.UTF8, "application/json");
        var slot = await master.SendJsonAsync(HttpMethod.Post, "uploads", declared, cancellationToken);
        var maxBytes = (long?)slot["max_bytes"];
        if (maxBytes is { } max && file.Length > max)
        {
            throw new CliException($"{file.Name} is {file.Length:N0} bytes; the master takes recordings up to {max:N0} bytes. Split it or compress it (e.g. to Opus) first.");
        }

        var state = new UploadState
        {
            Master = key,
            File = file.FullName,
            Fingerprint = fingerprint,
            Blob = (string?)slot["blob"] ?? throw new CliException("The master's answer to POST /uploads has no blob; is it an Orchard master?"),
            UploadUrl = (string?)slot["upload_url"] ?? throw new CliException("The master's answer to POST /uploads has no upload_url; is it an Orchard master?"),
            ExpiresAt = (DateTimeOffset?)slot["expires_at"] ?? environment.Time.GetUtcNow().AddHours(1),
            BlockSize = environment.BlockSize,
        };
        states.Save(state);
        return state;
    }

    private async Task PutBlockAsync(UploadState state, int index, int blocks, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{state.UploadUrl}&comp=block&blockid={Uri.EscapeDataString(BlockId(index))}")
        {
            Content = new ByteArrayContent(buffer, 0, length),
        };
        // The service checks the block against its hash: a block damaged on the way is refused, not stored.
        request.Content.Headers.ContentMD5 = MD5.HashData(buffer.AsSpan(0, length));
        await SendAsync(request, state, $"block {index + 1} of {blocks}", cancellationToken);
    }

    private async Task PutBlockListAsync(string key, FileInfo file, UploadState state, int blocks, CancellationToken cancellationToken)
    {
        var list = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        for (var index = 0; index < blocks; index++)
        {
            list.Append(CultureInfo.InvariantCulture, $"<Latest>{BlockId(index)}</Latest>");
        }

        using var request = new HttpRequestMessage(HttpMethod.Put, $"{state.UploadUrl}&comp=blocklist")
        {
            Content = new StringContent(list.Append("</BlockList>").ToString(), Encoding.UTF8, "application/xml"),
        };
        try
        {
            await SendAsync(request, state, "the block list", cancellationToken);
        }
        catch (StorageRefusedException ex) when (ex.Status == HttpStatusCode.BadRequest)
        {
            // The service no longer holds blocks this state says were stored (uncommitted blocks expire after a week).
            states.Delete(key, file.FullName);
            throw new CliException($"The storage service no longer holds every block uploaded earlier ({ex.Code}); run the command again to upload {file.Name} afresh.");
        }
    }

    private async Task SendAsync(HttpRequestMessage request, UploadState state, string what, CancellationToken cancellationToken)
    {
        request.Headers.Add("x-ms-version", StorageVersion);
        var url = new Uri(state.UploadUrl);
        HttpResponseMessage response;
        try
        {
            response = await master.Storage.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException($"{MasterClient.Unreachable(url, ex)} Run the same command again to resume the upload ({state.Staged.Count} blocks are stored).", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"The storage service at {url.GetLeftPart(UriPartial.Authority)} did not take {what} in time. Run the same command again to resume the upload.", ex);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            var code = response.Headers.TryGetValues("x-ms-error-code", out var codes) ? codes.First() : response.ReasonPhrase ?? string.Empty;
            if (response.StatusCode == HttpStatusCode.Forbidden)
            {
                states.Delete(state.Master, state.File);
                throw new CliException($"The storage service refused the upload URL ({code}); it may have expired. Run the command again to start a new upload.");
            }

            throw new StorageRefusedException(response.StatusCode, code, $"The storage service refused {what} ({(int)response.StatusCode} {code}). Run the same command again to resume the upload.");
        }
    }

    private sealed class StorageRefusedException(HttpStatusCode status, string code, string message) : CliException(message)
    {
        public HttpStatusCode Status { get; } = status;

        public string Code { get; } = code;
    }
}
