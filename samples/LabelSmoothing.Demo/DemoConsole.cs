using System;
using System.IO;
using Spectre.Console;

namespace LabelSmoothing.Demo;

/// <summary>
/// Where the demo writes: its results to <see cref="Out"/>, its errors to <see cref="Error"/>, in lines of at most <see cref="Width"/>
/// columns where the content allows. <see cref="Terminal"/> is the standard output as a terminal that understands ANSI codes (a live
/// progress display, coloured bars); <c>null</c> when the output is a file or a pipe, which then receives plain text only.
/// </summary>
/// <param name="Out">The results.</param>
/// <param name="Error">The error messages.</param>
/// <param name="Width">The page width: the terminal's, or <see cref="RedirectedWidth"/> for a file or a pipe.</param>
/// <param name="Terminal">The terminal behind <paramref name="Out"/>, or <c>null</c>.</param>
public sealed record DemoConsole(TextWriter Out, TextWriter Error, int Width, IAnsiConsole? Terminal = null)
{
    /// <summary>The page width of redirected output: a CI log or a file is read in windows of 80 columns as often as not.</summary>
    public const int RedirectedWidth = 80;

    /// <summary>The process's standard output and error: a terminal only when stdout is one and it understands ANSI codes.</summary>
    public static DemoConsole ForProcess()
    {
        if (Console.IsOutputRedirected)
        {
            return new DemoConsole(Console.Out, Console.Error, RedirectedWidth);
        }

        IAnsiConsole terminal = AnsiConsole.Console;
        bool live = terminal.Profile.Capabilities.Ansi && terminal.Profile.Capabilities.Interactive;
        return new DemoConsole(Console.Out, Console.Error, terminal.Profile.Width, live ? terminal : null);
    }
}
