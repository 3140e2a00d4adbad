using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using System.IO;
using System.Linq;

namespace LabelSmoothing.Demo;

/// <summary>
/// The demo's command line: its options with their defaults and checks, and its help. A bad argument is a parse error whose message
/// names it. Parsing touches no file: whether the <c>--out</c> folder can be written is for the caller to find out.
/// </summary>
public sealed class DemoCommandLine
{
    private const string Description =
        "LabelSmoothing demo: trains a small MLP (64 → 128 → 10, ReLU) on the UCI handwritten digits with and without label smoothing, " +
        "with and without label noise, and reports accuracy, NLL and calibration (ECE/MCE, reliability diagrams); or compares the losses " +
        "of the smoothing family on noisy labels.";

    private static readonly DemoOptions Defaults = new();

    /// <summary>Values are taken as written: <c>--out @reports</c> names a folder, not a response file.</summary>
    private static readonly ParserConfiguration Configuration = new() { ResponseFileTokenReplacer = null };

    private readonly Option<double> _alpha = new("--alpha")
    {
        Description = "label smoothing of the smoothed runs, in [0, 1]; also runs α = 0",
        HelpName = "a",
        DefaultValueFactory = _ => Defaults.Alpha,
        CustomParser = result => ParseNumber(result, 0.0, 1.0, inclusiveUpper: true),
    };

    private readonly Option<double> _noise = new("--noise")
    {
        Description = "share of training labels flipped to another class, in [0, 1); also runs p = 0",
        HelpName = "p",
        DefaultValueFactory = _ => Defaults.Noise,
        CustomParser = result => ParseNumber(result, 0.0, 1.0, inclusiveUpper: false),
    };

    private readonly Option<string> _prior = new("--prior")
    {
        Description = "uniform | others | frequency | ordinal[:scale]",
        HelpName = "name",
        DefaultValueFactory = _ => Defaults.Prior,
        CustomParser = ParsePrior,
    };

    private readonly Option<int> _epochs = new("--epochs")
    {
        Description = "training epochs, ≥ 1",
        HelpName = "n",
        DefaultValueFactory = _ => Defaults.Epochs,
        CustomParser = result => ParseInteger(result, 1),
    };

    private readonly Option<int> _seed = new("--seed")
    {
        Description = "seed of the initialisation, the batches and the noise, ≥ 0",
        HelpName = "n",
        DefaultValueFactory = _ => Defaults.Seed,
        CustomParser = result => ParseInteger(result, 0),
    };

    private readonly Option<string> _out = new("--out")
    {
        Description = "folder for report.md, results.json and the SVG diagrams",
        HelpName = "dir",
        DefaultValueFactory = _ => Defaults.OutputDirectory,
    };

    private readonly Option<string> _loss = new("--loss")
    {
        Description = "training loss: ce | poly | focal | relaxation | penalty (α is its smoothing; for relaxation its relaxation)",
        HelpName = "name",
        DefaultValueFactory = _ => Defaults.Loss,
        CustomParser = ParseLoss,
    };

    private readonly Option<bool> _compareLosses = new("--compare-losses")
    {
        Description = "train every loss once on the labels with noise p (cross-entropy, label smoothing α, Poly-1, focal, label relaxation α, " +
            "confidence penalty) and compare accuracy, NLL and ECE",
        Arity = ArgumentArity.Zero,
    };

    private readonly RootCommand _command = new(Description) { HelpName = "dotnet run -c Release --project samples/LabelSmoothing.Demo --" };

    /// <param name="helpWidth">The column at which the help wraps.</param>
    public DemoCommandLine(int helpWidth)
    {
        // RootCommand brings --version, the /h and /? help aliases and the [suggest] directive: the demo has none of them. See Errors for
        // what becomes of a directive then.
        _command.Options.Clear();
        _command.Directives.Clear();
        var help = new HelpOption("--help", "-h", "-?") { Description = "show this help", Action = new HelpAction { MaxWidth = helpWidth } };
        foreach (Option option in new Option[] { _alpha, _noise, _prior, _loss, _compareLosses, _epochs, _seed, _out, help })
        {
            _command.Options.Add(option);
        }

        _command.Validators.Add(result =>
        {
            if (result.GetResult(_loss) is { Implicit: false } && result.GetValue(_compareLosses))
            {
                result.AddError("--loss and --compare-losses cannot be used together: the comparison trains every loss.");
            }
        });
    }

    private static string ExitCodes { get; } = string.Join(
        Environment.NewLine,
        "Exit codes:",
        $"  {DemoApp.Success}  success",
        $"  {DemoApp.Failure}  the report could not be written",
        $"  {DemoApp.BadArguments}  bad arguments");

    /// <summary>Parses <paramref name="args"/>: the result asks for help, or has <see cref="Errors"/>, or holds the <see cref="Options"/>.</summary>
    public ParseResult Parse(IReadOnlyList<string> args) => _command.Parse(args, Configuration);

    /// <summary>Whether <paramref name="parsed"/> asks for the help; the help wins over any bad argument beside it.</summary>
    public static bool AsksForHelp(ParseResult parsed) => parsed.Action is HelpAction;

    /// <summary>One message per bad argument, each naming it.</summary>
    public static IReadOnlyList<string> Errors(ParseResult parsed) =>
        parsed.Errors.Select(error => error.Message)
            // Leading [bracketed] arguments are directives to System.CommandLine; with no directives defined it drops them silently.
            .Concat(parsed.Tokens.Where(token => token.Type == TokenType.Directive).Select(token => $"Unrecognized command or argument '{token.Value}'."))
            .ToList();

    /// <summary>The options of a command line that parsed without errors.</summary>
    public DemoOptions Options(ParseResult parsed) => new()
    {
        Alpha = parsed.GetValue(_alpha),
        Noise = parsed.GetValue(_noise),
        Prior = parsed.GetRequiredValue(_prior),
        Epochs = parsed.GetValue(_epochs),
        Seed = parsed.GetValue(_seed),
        OutputDirectory = parsed.GetRequiredValue(_out),
        Loss = parsed.GetRequiredValue(_loss),
        CompareLosses = parsed.GetValue(_compareLosses),
    };

    /// <summary>The description, the usage and the options, followed by the exit codes.</summary>
    public string Help()
    {
        var text = new StringWriter();
        Parse(["--help"]).Invoke(new InvocationConfiguration { Output = text });
        text.Write(ExitCodes);
        return text.ToString();
    }

    private static double ParseNumber(ArgumentResult result, double lower, double upper, bool inclusiveUpper)
    {
        string value = result.Tokens[0].Value;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed)
            && parsed >= lower && (inclusiveUpper ? parsed <= upper : parsed < upper))
        {
            return parsed;
        }

        char close = inclusiveUpper ? ']' : ')';
        result.AddError(string.Create(CultureInfo.InvariantCulture, $"{OptionName(result)} must be a number in [{lower}, {upper}{close}, not '{value}'."));
        return default;
    }

    private static int ParseInteger(ArgumentResult result, int minimum)
    {
        string value = result.Tokens[0].Value;
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed) && parsed >= minimum)
        {
            return parsed;
        }

        result.AddError(string.Create(CultureInfo.InvariantCulture, $"{OptionName(result)} must be an integer ≥ {minimum}, not '{value}'."));
        return default;
    }

    private static string? ParsePrior(ArgumentResult result)
    {
        string value = result.Tokens[0].Value;
        string prior = value.ToLowerInvariant();
        if (prior is "uniform" or "others" or "frequency" or "ordinal")
        {
            return prior;
        }

        if (prior.StartsWith("ordinal:", StringComparison.Ordinal)
            && double.TryParse(prior["ordinal:".Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out double scale)
            && scale > 0 && double.IsFinite(scale))
        {
            return prior;
        }

        result.AddError($"{OptionName(result)} must be uniform, others, frequency or ordinal[:scale] with scale > 0, not '{value}'.");
        return null;
    }

    private static string? ParseLoss(ArgumentResult result)
    {
        string value = result.Tokens[0].Value;
        string loss = value.ToLowerInvariant();
        if (Array.IndexOf(TrainingLoss.Names, loss) >= 0)
        {
            return loss;
        }

        result.AddError($"{OptionName(result)} must be ce, poly, focal, relaxation or penalty, not '{value}'.");
        return null;
    }

    private static string OptionName(ArgumentResult result) => ((OptionResult)result.Parent!).Option.Name;
}
