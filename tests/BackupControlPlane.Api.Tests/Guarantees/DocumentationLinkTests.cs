using System.Text.RegularExpressions;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Guarantees;

/// <summary>
/// A reader can find their way: every relative link in README.md, docs/ and deploy/README.md reaches a file (and a
/// heading, when it names one), and every docs page is listed both in the README's "Where to go next" and in the
/// docs index.
/// </summary>
public sealed class DocumentationLinkTests
{
    /// <summary>Pages other branches of issue 17–19 write; linked already, checked as soon as they exist.</summary>
    private static readonly HashSet<string> PagesFromOtherBranches =
        ["docs/backup-center.md", "docs/swagger.md", "docs/vault-settings.md", "docs/rbac-and-mua.md", "docs/deployments.md", "docs/template-language.md"];

    private static readonly string Root = OpenApiDocumentTests.RepositoryRoot();

    private static IEnumerable<string> Pages() =>
        new[] { "README.md", "deploy/README.md" }.Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Select(f => "docs/" + Path.GetFileName(f)));

    [Fact]
    public void Every_relative_link_reaches_a_file_and_its_heading()
    {
        var broken = new List<string>();
        foreach (var page in Pages())
        {
            var text = File.ReadAllText(Path.Combine(Root, page));
            foreach (Match link in Regex.Matches(text, @"\]\(([^)\s]+)\)"))
            {
                var target = link.Groups[1].Value;
                if (target.Contains("://") || target.StartsWith("mailto:")) continue;
                var (file, anchor) = target.Split('#', 2) is [var f, var a] ? (f, a) : (target, null);
                var resolved = file.Length == 0 ? page : Path.GetRelativePath(Root, Path.GetFullPath(Path.Combine(Root, Path.GetDirectoryName(page)!, file))).Replace('\\', '/');
                var full = Path.Combine(Root, resolved);
                if (!File.Exists(full) && !Directory.Exists(full))
                {
                    if (!PagesFromOtherBranches.Contains(resolved)) broken.Add($"{page}: ({target}) — no file {resolved}");
                    continue;
                }
                if (anchor is not null && File.Exists(full) && !Anchors(File.ReadAllText(full)).Contains(anchor))
                    broken.Add($"{page}: ({target}) — {resolved} has no heading #{anchor}");
            }
        }
        Assert.True(broken.Count == 0, "Broken links:\n" + string.Join('\n', broken));
    }

    [Fact]
    public void Every_docs_page_is_listed_in_the_readme_and_the_index()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var next = readme[readme.IndexOf("## Where to go next", StringComparison.Ordinal)..];
        var index = File.ReadAllText(Path.Combine(Root, "docs", "README.md"));
        var pages = Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Select(Path.GetFileName).Where(p => p != "README.md").ToList();
        Assert.NotEmpty(pages);
        Assert.All(pages, page =>
        {
            Assert.True(next.Contains($"](docs/{page})"), $"README.md's 'Where to go next' does not link docs/{page}.");
            Assert.Contains($"]({page})", index);
        });
    }

    /// <summary>The anchors GitHub makes of a page's headings: lower case, punctuation dropped, spaces to hyphens.</summary>
    private static HashSet<string> Anchors(string markdown) =>
        Regex.Matches(markdown, @"^#{1,6}\s+(.+?)\s*$", RegexOptions.Multiline)
            .Select(m => Regex.Replace(m.Groups[1].Value.ToLowerInvariant(), @"[^\p{L}\p{Nd}\s_-]", "").Replace(' ', '-'))
            .ToHashSet();
}
