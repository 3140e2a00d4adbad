namespace LabelSmoothing.Tests.Support;

/// <summary>The names of the pair losses (<see cref="LossCases.Sigmoid"/> or <see cref="LossCases.Distillation"/>) a pair contract runs.</summary>
public interface IPairLosses
{
    static abstract string[] Names { get; }
}

/// <summary>The sigmoid losses: binary cross-entropy and binary focal.</summary>
public sealed class SigmoidLosses : IPairLosses
{
    public static string[] Names => System.Array.ConvertAll(LossCases.Sigmoid, c => c.Name);
}

/// <summary>The distillation loss.</summary>
public sealed class DistillationLosses : IPairLosses
{
    public static string[] Names => System.Array.ConvertAll(LossCases.Distillation, c => c.Name);
}
