using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace LabelSmoothing.Demo;

/// <summary>
/// Plain text for a page of a given width that never breaks a number: tables whose columns are split into several tables when the page
/// is too narrow, and prose wrapped between words.
/// </summary>
public static class TextLayout
{
    private const string Gap = "  ";

    /// <summary>
    /// A table, its first column left-aligned and the others right-aligned, two spaces apart. When its lines would be wider than
    /// <paramref name="width"/>, the columns after the first <paramref name="keyColumns"/> are dealt out, in order, to as few tables as keep
    /// each within the width (at least one value column each), every table repeating the key columns; the tables are separated by an
    /// empty line. No cell is ever cut.
    /// </summary>
    public static IEnumerable<string> Table(IReadOnlyList<string> headers, IReadOnlyList<string[]> rows, int keyColumns, int width)
    {
        int[] widths = Enumerable.Range(0, headers.Count).Select(c => rows.Select(row => row[c].Length).Prepend(headers[c].Length).Max()).ToArray();
        int keyWidth = Enumerable.Range(0, keyColumns).Sum(c => widths[c] + Gap.Length) - Gap.Length;
        var block = new List<int>();
        int blockWidth = keyWidth;
        bool first = true;
        for (int c = keyColumns; c < headers.Count; c++)
        {
            if (block.Count > 0 && blockWidth + Gap.Length + widths[c] > width)
            {
                foreach (string line in Block(headers, rows, widths, keyColumns, block, first))
                {
                    yield return line;
                }

                (block, blockWidth, first) = ([], keyWidth, false);
            }

            block.Add(c);
            blockWidth += Gap.Length + widths[c];
        }

        foreach (string line in Block(headers, rows, widths, keyColumns, block, first))
        {
            yield return line;
        }
    }

    /// <summary>
    /// <paramref name="text"/> in lines of at most <paramref name="width"/> columns, broken at spaces only (a longer word gets a line of its
    /// own); the first line starts with <paramref name="firstIndent"/>, the others with as many spaces.
    /// </summary>
    public static IEnumerable<string> Wrap(string text, int width, string firstIndent = "")
    {
        string indent = firstIndent;
        var line = new StringBuilder(indent);
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > indent.Length && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                indent = new string(' ', firstIndent.Length);
                line.Clear().Append(indent);
            }

            line.Append(line.Length > indent.Length ? " " : "").Append(word);
        }

        yield return line.ToString();
    }

    private static IEnumerable<string> Block(IReadOnlyList<string> headers, IReadOnlyList<string[]> rows, int[] widths, int keyColumns, List<int> values, bool first)
    {
        if (!first)
        {
            yield return "";
        }

        int[] columns = [.. Enumerable.Range(0, keyColumns), .. values];
        foreach (IReadOnlyList<string> cells in rows.Prepend(headers.ToArray()))
        {
            yield return string.Join(Gap, columns.Select(c => c == 0 ? cells[c].PadRight(widths[c]) : cells[c].PadLeft(widths[c]))).TrimEnd();
        }
    }
}
