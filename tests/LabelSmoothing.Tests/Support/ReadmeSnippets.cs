using System;
using System.IO;
using System.Linq;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The README's code blocks and the test code that they must equal: a block is the first <c>```csharp</c> block under a heading, the code is
/// the lines between <c>// README &lt;name&gt;: begin</c> and <c>// README &lt;name&gt;: end</c> in a test source file; both are compared as
/// their non-empty lines without indentation, <c>using</c> lines of the README left out.
/// </summary>
internal static class ReadmeSnippets
{
    /// <summary>The non-empty, unindented lines of the first C# block under <paramref name="heading"/> in README.md, without <c>using</c> lines.</summary>
    public static string[] Block(string heading)
    {
        string readme = File.ReadAllText(RepositoryPaths.File("README.md"));
        int section = readme.IndexOf(heading, StringComparison.Ordinal);
        if (section < 0)
        {
            throw new InvalidDataException($"README.md has no section '{heading}'.");
        }

        int start = readme.IndexOf("```csharp", section, StringComparison.Ordinal) + "```csharp".Length;
        int end = readme.IndexOf("```", start, StringComparison.Ordinal);
        return Lines(readme[start..end]).Where(line => !line.StartsWith("using ", StringComparison.Ordinal)).ToArray();
    }

    /// <summary>The lines between the <paramref name="name"/> markers of <paramref name="sourceFile"/>.</summary>
    public static string[] Code(string sourceFile, string name)
    {
        string[] source = File.ReadAllLines(sourceFile);
        int begin = Array.FindIndex(source, line => line.Trim() == $"// README {name}: begin");
        int end = Array.FindIndex(source, line => line.Trim() == $"// README {name}: end");
        return Lines(string.Join('\n', source[(begin + 1)..end]));
    }

    /// <summary>The non-empty lines, without indentation.</summary>
    public static string[] Lines(string code) =>
        code.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0).ToArray();

}
