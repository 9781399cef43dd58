using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace BackupControlPlane.Api.Features.FileRecovery;

/// <summary>
/// The client scripts of a file-recovery session, shaped as Azure hands them out (ClientScriptForConnect): for a Linux
/// VM one Python script carrying <c>TargetPassword="…"</c>; for a Windows VM a descriptor (.txt) and a download
/// (<c>url</c>) of a PowerShell script. Where Azure's script mounts the point's disks over iSCSI, these download the
/// disks, read-only, through SAS URIs that stop working when the session is revoked or expires, into a folder named
/// after the point, after checking the session's password. The 15-character password sits at offset 33 after the last
/// underscore of <c>scriptNameSuffix</c>, where the az CLI cuts it out.
/// </summary>
public static class FileRecoveryScripts
{
    /// <summary>What the az CLI writes over the password in the Linux script; the script then asks for it.</summary>
    public const string CliPasswordPlaceholder = "UserInput012345";

    public static bool IsWindows(SessionScriptInput s) => s.OsType.Equals("Windows", StringComparison.OrdinalIgnoreCase);

    /// <param name="windowsScript">Where the PowerShell script of a Windows VM can be downloaded (<see cref="PowerShell"/>).</param>
    public static IReadOnlyList<ClientScript> For(SessionScriptInput s, Uri? windowsScript)
    {
        if (IsWindows(s))
        {
            var suffix = Suffix(s, "ps1");
            var descriptor = $"User - {s.InitiatorName ?? "emulator"} , Target - Owner={s.VmName},Name={s.VmName}-{s.RecoveryPointName}," +
                $"Expiry={s.Expiry.UtcDateTime.ToString("M/d/yyyy h:mm:ss tt", CultureInfo.InvariantCulture)}, Sequence = 1";
            var url = windowsScript ?? throw new ArgumentNullException(nameof(windowsScript));
            return
            [
                new ClientScript(Base64(descriptor), ".txt", "Windows", null, suffix),
                new ClientScript(Base64("NA"), ".ps1", "Windows", url.ToString(), suffix),
            ];
        }
        return [new ClientScript(Base64(Python(s)), ".py", "Linux", null, Suffix(s, "py"))];
    }

    /// <summary>"{vm}_{geo}_{rp}_{ticks}_{32 hex}{password}{hex}", the layout the CLI cuts the password from.</summary>
    private static string Suffix(SessionScriptInput s, string salt) =>
        $"{s.VmName}_emu_{s.RecoveryPointName}_{s.RecoveryPointTime.UtcTicks}_{Hex(s.VmName + s.RecoveryPointName)}{s.Password}{Hex(salt + s.Password)[..16]}";

    private static string Folder(SessionScriptInput s) => $"{s.VmName}-{s.RecoveryPointName}";

    private static string Hex(string seed) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed)))[..32];

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    public static string PasswordHash(string password) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(password)));

    private static string Python(SessionScriptInput s)
    {
        var folder = Folder(s);
        var disks = JsonSerializer.Serialize(s.Disks.Select(d => new { lun = d.Lun, file = d.File, url = d.Url.ToString() }));
        return $$"""
            #!/usr/bin/env python3
            # BackupControlPlane (Azure Backup emulator): file recovery for recovery point {{s.RecoveryPointName}} of VM {{s.VmName}}.
            # Azure's script mounts the point's disks over iSCSI; this one downloads them, read-only, into ./{{folder}}/
            # through links that stop working when the session is unmounted (az backup restore files unmount-rp) or expires.
            # Usage: python3 this-script.py [password]   (or BCP_ILR_PASSWORD=...; asked for when neither is given)
            import getpass, hashlib, json, os, shutil, sys, urllib.error, urllib.request

            TargetPassword="{{s.Password}}"
            PasswordSha256 = "{{PasswordHash(s.Password)}}"
            Expiry = "{{s.Expiry.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}"
            Disks = json.loads('{{disks}}')

            def main():
                password = TargetPassword
                if password == "{{CliPasswordPlaceholder}}":
                    password = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BCP_ILR_PASSWORD") or getpass.getpass("Password: ")
                if hashlib.sha256(password.encode()).hexdigest() != PasswordSha256:
                    sys.exit("The password is not this session's: use the one az printed with the script.")
                folder = os.path.join(os.getcwd(), "{{folder}}")
                os.makedirs(folder, exist_ok=True)
                for disk in Disks:
                    path = os.path.join(folder, disk["file"])
                    try:
                        with urllib.request.urlopen(disk["url"]) as answer, open(path, "wb") as out:
                            shutil.copyfileobj(answer, out)
                    except urllib.error.HTTPError as e:
                        sys.exit("The recovery point's disks can no longer be read (HTTP %d): the session was unmounted or expired at %s." % (e.code, Expiry))
                    os.chmod(path, 0o444)
                    print("LUN %d: %s" % (disk["lun"], path))
                print("The disks of recovery point {{s.RecoveryPointName}} are in %s (read-only copies, available until %s)." % (folder, Expiry))

            main()

            """;
    }

    public static string PowerShell(SessionScriptInput s)
    {
        var folder = Folder(s);
        var disks = string.Join(",\n", s.Disks.Select(d => $"    @{{ Lun = {d.Lun}; File = '{d.File}'; Url = '{d.Url}' }}"));
        return $$"""
            # BackupControlPlane (Azure Backup emulator): file recovery for recovery point {{s.RecoveryPointName}} of VM {{s.VmName}}.
            # Azure's executable mounts the point's disks over iSCSI; this script downloads them, read-only, into .\{{folder}}\
            # through links that stop working when the session is unmounted or expires ({{s.Expiry.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}).
            param([string]$Password = $(Read-Host -Prompt 'Password'))
            $hash = [BitConverter]::ToString([Security.Cryptography.SHA256]::Create().ComputeHash([Text.Encoding]::UTF8.GetBytes($Password))).Replace('-', '').ToLower()
            if ($hash -ne '{{PasswordHash(s.Password)}}') { throw 'The password is not this session''s: use the one az printed with the script.' }
            $folder = Join-Path (Get-Location) '{{folder}}'
            New-Item -ItemType Directory -Force -Path $folder | Out-Null
            $disks = @(
            {{disks}}
            )
            foreach ($disk in $disks) {
                $path = Join-Path $folder $disk.File
                Invoke-WebRequest -Uri $disk.Url -OutFile $path
                Set-ItemProperty -Path $path -Name IsReadOnly -Value $true
                Write-Output "LUN $($disk.Lun): $path"
            }

            """;
    }
}
