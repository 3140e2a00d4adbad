global using LabelSmoothing.Tests.Support;
