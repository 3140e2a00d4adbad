using LabelSmoothing.Demo;

return DemoApp.Run(args, DemoConsole.ForProcess());
