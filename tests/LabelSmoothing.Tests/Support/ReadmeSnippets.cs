using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The code blocks of the repository's Markdown files and the test code that they must equal: a block is the first <c>```csharp</c> block
/// under a heading, the code is the lines between <c>// &lt;marker&gt;: begin</c> and <c>// &lt;marker&gt;: end</c> in a test source file;
/// both are compared as their non-empty lines without indentation, <c>using</c> lines of the Markdown left out.
/// </summary>
internal static class ReadmeSnippets
{
    /// <summary>
    /// The non-empty, unindented lines of the first C# block under the heading line <paramref name="heading"/> of <paramref name="file"/>
    /// (a path from the repository root), without <c>using</c> lines.
    /// </summary>
    public static string[] Block(string heading, string file = "README.md")
    {
        string text = File.ReadAllText(RepositoryPaths.File(file));
        int section = text.IndexOf(heading + "\n", StringComparison.Ordinal);
        if (section < 0)
        {
            throw new InvalidDataException($"{file} has no section '{heading}'.");
        }

        int start = text.IndexOf("```csharp", section, StringComparison.Ordinal) + "```csharp".Length;
        int end = text.IndexOf("```", start, StringComparison.Ordinal);
        return Lines(text[start..end]).Where(line => !line.StartsWith("using ", StringComparison.Ordinal)).ToArray();
    }

    /// <summary>The lines between the <paramref name="marker"/> lines of <paramref name="sourceFile"/> (by default the calling test's own file).</summary>
    public static string[] Code(string marker, [CallerFilePath] string sourceFile = "")
    {
        string[] source = File.ReadAllLines(sourceFile);
        int begin = Array.FindIndex(source, line => line.Trim() == $"// {marker}: begin");
        int end = Array.FindIndex(source, line => line.Trim() == $"// {marker}: end");
        return Lines(string.Join('\n', source[(begin + 1)..end]));
    }

    /// <summary>The non-empty lines, without indentation.</summary>
    public static string[] Lines(string code) =>
        code.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0).ToArray();
}
