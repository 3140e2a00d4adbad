namespace LabelSmoothing.Tests.Losses;

/// <summary>The contract of <see cref="SigmoidLoss"/> in single precision: <see cref="PairLossContract{T, TLosses}"/> over binary cross-entropy and binary focal.</summary>
public sealed class SigmoidLossSingleTests : PairLossContract<float, SigmoidLosses>;

/// <summary>The contract of <see cref="SigmoidLoss"/> in double precision, with finite differences.</summary>
public sealed class SigmoidLossDoubleTests : PairLossDoubleContract<SigmoidLosses>;

/// <summary>The contract of <see cref="SigmoidLoss"/> in <see cref="System.Half"/>, against double.</summary>
public sealed class SigmoidLossHalfTests : PairLossHalfContract<SigmoidLosses>;
