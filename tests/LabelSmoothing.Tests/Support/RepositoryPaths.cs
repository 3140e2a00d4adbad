using System.IO;
using System.Runtime.CompilerServices;

namespace LabelSmoothing.Tests.Support;

/// <summary>Where the repository's files are, found from this source file's path (tests/LabelSmoothing.Tests/Support/).</summary>
internal static class RepositoryPaths
{
    /// <summary>The repository's root folder.</summary>
    public static string Root => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", "..", ".."));

    /// <summary>A file under the root: <c>File("docs", "x.svg")</c>.</summary>
    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
