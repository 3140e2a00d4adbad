using LabelSmoothing.Demo;
using Spectre.Console;

return DemoApp.Run(args, AnsiConsole.Console);
