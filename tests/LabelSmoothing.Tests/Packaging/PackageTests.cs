using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using FluentAssertions;
using NuGet.Versioning;
using Xunit;

namespace LabelSmoothing.Tests.Packaging;

/// <summary>
/// What a user of the NuGet gallery gets: the two packable projects packed (as built for this test run, <c>--no-build</c>) into a
/// temporary folder and read back. Each package carries its gallery README (absolute links only, the install line first), its XML
/// docs, the repository and project addresses, and a symbols package with the portable PDB.
/// </summary>
public sealed class PackageTests : IClassFixture<PackageTests.PackedPackages>
{
    private readonly PackedPackages _packages;

    public PackageTests(PackedPackages packages) => _packages = packages;

    public static TheoryData<string> PackageIds => new() { "LabelSmoothing", "LabelSmoothing.MathNet" };

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Package_CarriesItsGalleryReadme_WithTheInstallLineFirst_AndNoRelativeLink(string id)
    {
        using ZipArchive package = _packages.Open(id, "nupkg");
        XElement metadata = Metadata(package, id);

        Value(metadata, "readme").Should().Be("PACKAGE.md");
        string readme = Text(package, "PACKAGE.md");
        readme.Should().Be(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", id, "PACKAGE.md")));
        FirstCodeBlock(readme).Should().Be($"dotnet add package {id}", "the gallery page starts with the install line, not repository commands");
        RelativeLinks(readme).Should().BeEmpty("a relative link is broken on the gallery page");
    }

    [Theory]
    [InlineData("LabelSmoothing", "T:LabelSmoothing.CrossEntropyLoss")]
    [InlineData("LabelSmoothing.MathNet", "T:LabelSmoothing.CrossEntropyLossMatrixExtensions")]
    public void Package_CarriesTheAssembly_AndItsXmlDocs(string id, string documentedType)
    {
        using ZipArchive package = _packages.Open(id, "nupkg");

        package.GetEntry($"lib/net10.0/{id}.dll").Should().NotBeNull();
        XDocument docs = XDocument.Parse(Text(package, $"lib/net10.0/{id}.xml"));
        docs.Root!.Element("assembly")!.Element("name")!.Value.Should().Be(id);
        docs.Descendants("member").Select(member => member.Attribute("name")!.Value).Should().Contain(documentedType);
        docs.Descendants("member").Count().Should().BeGreaterThan(20);
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Package_NamesItsRepository_LicenceAndAMinVerVersion(string id)
    {
        using ZipArchive package = _packages.Open(id, "nupkg");
        XElement metadata = Metadata(package, id);

        XElement repository = metadata.Elements().Single(element => element.Name.LocalName == "repository");
        repository.Attribute("type")!.Value.Should().Be("git");
        repository.Attribute("url")!.Value.Should().StartWith("https://");
        Value(metadata, "projectUrl").Should().StartWith("https://");
        metadata.Elements().Single(element => element.Name.LocalName == "license").Value.Should().Be("MIT");
        string version = Value(metadata, "version");
        version.Should().MatchRegex(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$").And.NotBe("1.0.0", "the SDK's default version means MinVer did not run");
        _packages.FileName(id, "nupkg").Should().Be($"{id}.{version}.nupkg");
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Package_Version_NeverSortsBelowTheLastReleaseInTheChangelog(string id)
    {
        using ZipArchive package = _packages.Open(id, "nupkg");

        var version = NuGetVersion.Parse(Value(Metadata(package, id), "version"));

        version.Should().BeGreaterThanOrEqualTo(LastRelease(), "a pack sorts above the last release, or is that release packed from its tag");
    }

    [Fact]
    public void MinVerMinimum_GivesACloneWithoutTags_AVersionAboveTheLastReleaseInTheChangelog()
    {
        XDocument props = XDocument.Load(Path.Combine(RepositoryPaths.Root, "src", "Directory.Build.props"));
        string minimum = props.Descendants("MinVerMinimumMajorMinor").Single().Value;

        var lowestUntagged = NuGetVersion.Parse($"{minimum}.0-alpha.0");

        lowestUntagged.Should().BeGreaterThan(LastRelease(), "MinVerMinimumMajorMinor is the minor after the last release (docs/releasing.md)");
    }

    [Fact]
    public void LastRelease_IsTheHighestVersionWithASection_InNuGetsOrder()
    {
        const string Changelog = """
            ## [Unreleased]
            ## [0.9.1] — 2027-02-01
            ## [0.10.0-rc.1] — 2027-01-15
            ## [0.10.0] — 2027-01-20
            ### [0.99.0] is no section
            """;

        LastRelease(Changelog).Should().Be(NuGetVersion.Parse("0.10.0"));
        NuGetVersion.Parse("0.2.0-alpha.0.64").Should().BeGreaterThan(NuGetVersion.Parse("0.1.0"));
        NuGetVersion.Parse("0.1.0-alpha.0.64").Should().BeLessThan(NuGetVersion.Parse("0.1.0"), "a pre-release sorts below its release");
    }

    [Theory]
    [InlineData("LabelSmoothing", new[] { "label smoothing", "Poly-1", "focal", "binary focal", "label relaxation", "confidence penalty", "distillation",
        "binary cross-entropy", "calibration", "temperature scaling", "System.Numerics.Tensors", "Half", "LabelSmoothing.MathNet" })]
    [InlineData("LabelSmoothing.MathNet", new[] { "MathNet.Numerics", "Matrix<T>", "CrossEntropyLoss", "BinaryCrossEntropyLoss", "calibration",
        "temperature scaling", "column-major" })]
    public void Package_Description_NamesWhatThePackageShips(string id, string[] named)
    {
        using ZipArchive package = _packages.Open(id, "nupkg");

        string description = Value(Metadata(package, id), "description");

        foreach (string name in named)
        {
            description.Should().Contain(name);
        }
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void SymbolsPackage_CarriesThePortablePdb(string id)
    {
        using ZipArchive symbols = _packages.Open(id, "snupkg");

        ZipArchiveEntry pdb = symbols.GetEntry($"lib/net10.0/{id}.pdb")!;
        pdb.Should().NotBeNull();
        using Stream stream = pdb.Open();
        var signature = new byte[4];
        stream.ReadExactly(signature);
        signature.Should().Equal((byte)'B', (byte)'S', (byte)'J', (byte)'B'); // the ECMA-335 metadata signature of a portable PDB
    }

    [Fact]
    public void RelativeLinks_FindsInlineReferenceAndHtmlLinks_ButNotAbsoluteOnes()
    {
        const string Markdown = """
            [docs](docs/api.md) and ![chart](benchmarks/chart.svg) and [site](https://example.org/x) and [top](#install)
            <img src="docs/a.svg"> <a href="https://example.org/">ok</a>
            [ref]: ../samples/
            [abs]: https://example.org/abs
            """;

        RelativeLinks(Markdown).Should().Equal("docs/api.md", "benchmarks/chart.svg", "#install", "docs/a.svg", "../samples/");
    }

    /// <summary>Link targets that are not absolute http(s) addresses: inline links and images, HTML src/href, reference definitions.</summary>
    private static string[] RelativeLinks(string markdown)
    {
        var targets = Regex.Matches(markdown, @"\]\(([^)\s]+)[^)]*\)|\b(?:src|href)\s*=\s*""([^""]*)""|^\s*\[[^\]]+\]:\s*(\S+)", RegexOptions.Multiline)
            .Select(match => match.Groups.Cast<Group>().Skip(1).First(group => group.Success).Value);
        return targets.Where(target => !Regex.IsMatch(target, "^https?://")).ToArray();
    }

    private static string FirstCodeBlock(string markdown)
    {
        Match block = Regex.Match(markdown, @"^```[a-z]*\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline);
        return block.Groups[1].Value.Trim();
    }

    /// <summary>The highest version with a section of its own in CHANGELOG.md (<c>## [X.Y.Z] — date</c>), in NuGet's SemVer order.</summary>
    private static NuGetVersion LastRelease() => LastRelease(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "CHANGELOG.md")));

    private static NuGetVersion LastRelease(string changelog)
    {
        NuGetVersion[] releases = Regex.Matches(changelog, @"^## \[(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\]", RegexOptions.Multiline)
            .Select(match => NuGetVersion.Parse(match.Groups[1].Value)).ToArray();
        releases.Should().NotBeEmpty("CHANGELOG.md names the versions released");
        return releases.Max()!;
    }

    private static XElement Metadata(ZipArchive package, string id) =>
        XDocument.Parse(Text(package, $"{id}.nuspec")).Root!.Elements().Single(element => element.Name.LocalName == "metadata");

    private static string Value(XElement metadata, string name) => metadata.Elements().Single(element => element.Name.LocalName == name).Value;

    private static string Text(ZipArchive package, string entry)
    {
        ZipArchiveEntry found = package.GetEntry(entry) ?? throw new InvalidOperationException($"{entry} is not in the package.");
        using var reader = new StreamReader(found.Open());
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Packs the solution once for the class, in the configuration this test assembly was built in, without building (about 4 s).
    /// NUGET_PACKAGES points at an empty private folder, so nothing is taken from the machine's package cache, which may hold an older
    /// package of the same version.
    /// </summary>
    public sealed class PackedPackages : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("labelsmoothing-pack-").FullName;

        public PackedPackages()
        {
            string configuration = typeof(PackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = RepositoryPaths.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (string argument in new[] { "pack", "LabelSmoothing.sln", "-c", configuration, "--no-build", "-o", Path.Combine(_folder, "out") })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["NUGET_PACKAGES"] = Path.Combine(_folder, "packages");
            using Process pack = Process.Start(start)!;
            var output = pack.StandardOutput.ReadToEndAsync();
            string errors = pack.StandardError.ReadToEnd();
            pack.WaitForExit();
            pack.ExitCode.Should().Be(0, $"dotnet pack failed:\n{output.Result}\n{errors}");
        }

        public ZipArchive Open(string id, string extension) => ZipFile.OpenRead(Path.Combine(_folder, "out", FileName(id, extension)));

        /// <summary>The one <c>{id}.{version}.{extension}</c> in the output (a version starts with a digit, which no other id's suffix does).</summary>
        public string FileName(string id, string extension) =>
            Path.GetFileName(Directory.GetFiles(Path.Combine(_folder, "out"), $"{id}.*.{extension}")
                .Single(path => Regex.IsMatch(Path.GetFileName(path), $@"^{Regex.Escape(id)}\.\d")));

        public void Dispose() => Directory.Delete(_folder, recursive: true);

    }
}
