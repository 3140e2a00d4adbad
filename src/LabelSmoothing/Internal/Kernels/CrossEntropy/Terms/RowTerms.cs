namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>Picks the <see cref="IRowTerm"/> a loss needs, once per call: the one place that maps options to row terms.</summary>
internal static class RowTerms
{
    /// <summary>Calls <paramref name="visitor"/> with the row term of <paramref name="plan"/> as its type argument.</summary>
    public static double Dispatch<TVisitor>(LossPlan plan, in TVisitor visitor)
        where TVisitor : struct, IRowTermVisitor =>
        (plan.KLDivergence, plan.ZLoss > 0.0) switch
        {
            (false, false) => visitor.Visit<NoRowTerm>(),
            (true, false) => visitor.Visit<KLDivergenceTerm>(),
            (false, true) => visitor.Visit<ZLossTerm>(),
            (true, true) => visitor.Visit<BothTerms<KLDivergenceTerm, ZLossTerm>>(),
        };
}

/// <summary>A computation generic over the row term, run by <see cref="RowTerms.Dispatch"/>.</summary>
internal interface IRowTermVisitor
{
    double Visit<TTerm>()
        where TTerm : IRowTerm;
}
